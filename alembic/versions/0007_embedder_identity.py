"""The embedder (kind and model) is part of the deployment; the state of a move to another one (`alma reembed`).

Revision ID: 0007_embedder_identity
Revises: 0006_vector_index
"""

from app.database import apply_schema

revision = "0007_embedder_identity"
down_revision = "0006_vector_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_schema("0007_embedder_identity")


def downgrade() -> None:
    apply_schema("0007_embedder_identity", down=True)
