"""MCP tools: one file per tool, plus the base class and the registry."""
from . import base  # noqa: F401
