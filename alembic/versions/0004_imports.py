"""Import keys on every memory table, so imports are idempotent."""

from app.database import schema_steps

revision, down_revision = "0004_imports", "0003_api_keys"
upgrade, downgrade = schema_steps(revision)
