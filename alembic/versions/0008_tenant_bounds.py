"""Bounded work per tenant: read_grants without per-row foreign keys."""

from app.database import schema_steps

revision, down_revision = "0008_tenant_bounds", "0007_embedder_identity"
upgrade, downgrade = schema_steps(revision)
