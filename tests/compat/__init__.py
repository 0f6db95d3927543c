"""Compatibility with stores written by older code (issue 9)."""
