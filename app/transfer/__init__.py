"""Import and export of memories: records (both formats), sources (alma-memory's SQLite, JSON Lines), the
batched idempotent importer. The SQL is in app.repositories.transfer; the commands in app.cli.transfer."""
