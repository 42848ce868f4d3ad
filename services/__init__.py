"""Request-independent helpers used by the controllers (no routes here)."""
