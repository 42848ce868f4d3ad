"""MCP protocol revisions this server speaks, oldest first."""

REVISIONS = (
    "2024-11-05",
    "2025-03-26",
    "2025-06-18",
    "2025-11-25",
    "2026-07-28",
)
LATEST = REVISIONS[-1]
