"""Bounded work per tenant: read_grants without per-row foreign keys.

Revision ID: 0008_tenant_bounds
Revises: 0007_embedder_identity
"""

from app.database import apply_schema

revision = "0008_tenant_bounds"
down_revision = "0007_embedder_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_schema("0008_tenant_bounds")


def downgrade() -> None:
    apply_schema("0008_tenant_bounds", down=True)
