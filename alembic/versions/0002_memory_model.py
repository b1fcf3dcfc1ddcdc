"""The full memory model: learning vectors, domains, success rates, the memory_items view."""

from app.database import schema_steps

revision, down_revision = "0002_memory_model", "0001_init"
upgrade, downgrade = schema_steps(revision)
