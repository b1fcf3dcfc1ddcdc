"""The `alma` command (app.cli.main), its groups, and the context they share."""

from app.cli.main import main

__all__ = ["main"]
