"""`python -m app` runs the `alma` command."""

from app.cli import main

main()
