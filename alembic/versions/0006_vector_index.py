"""Nearest-neighbour (HNSW) indexes once the deployment's vector size is known; float8 recency.

Revision ID: 0006_vector_index
Revises: 0005_vector_storage
"""

from app.database import apply_schema

revision = "0006_vector_index"
down_revision = "0005_vector_storage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_schema("0006_vector_index")


def downgrade() -> None:
    apply_schema("0006_vector_index", down=True)
