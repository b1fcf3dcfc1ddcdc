"""API keys, stored as hashes."""

from app.database import schema_steps

revision, down_revision = "0003_api_keys", "0002_memory_model"
upgrade, downgrade = schema_steps(revision)
