"""CLI commands that need the answer engine; filled in as the engine grows."""

from __future__ import annotations


def register(sub) -> None:
    """Add the ask/serve subcommands (none yet)."""
