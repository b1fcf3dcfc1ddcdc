"""Grants as one row per reader (its sources as an array), and a sharing rule that works per agent.

Revision ID: 0009_reader_grants
Revises: 0008_tenant_bounds
"""

from app.database import apply_schema

revision = "0009_reader_grants"
down_revision = "0008_tenant_bounds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_schema("0009_reader_grants")


def downgrade() -> None:
    apply_schema("0009_reader_grants", down=True)
