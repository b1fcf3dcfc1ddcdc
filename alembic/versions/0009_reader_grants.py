"""Grants as one row per reader (its sources as an array), and a sharing rule that works per agent."""

from app.database import schema_steps

revision, down_revision = "0009_reader_grants", "0008_tenant_bounds"
upgrade, downgrade = schema_steps(revision)
