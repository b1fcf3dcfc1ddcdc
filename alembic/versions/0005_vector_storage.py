"""Ranking vectors stored inline, learning vectors out of line; float8 recency.

Revision ID: 0005_vector_storage
Revises: 0004_imports
"""

from app.database import apply_schema

revision = "0005_vector_storage"
down_revision = "0004_imports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_schema("0005_vector_storage")


def downgrade() -> None:
    apply_schema("0005_vector_storage", down=True)
