"""perfaudit subcommands for the store stage (registered by pipeline.cli).

Keep this module free of heavy imports: it is imported for every command,
including --help. Import duckdb, pandas, openpyxl inside the handlers."""

from __future__ import annotations


def add_commands(sub) -> dict:
    """Add subparsers to `sub`; return {command name: handler(args) -> exit code}."""
    return {}
