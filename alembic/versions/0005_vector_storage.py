"""Ranking vectors stored inline, learning vectors out of line; float8 recency."""

from app.database import schema_steps

revision, down_revision = "0005_vector_storage", "0004_imports"
upgrade, downgrade = schema_steps(revision)
