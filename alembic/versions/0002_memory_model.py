"""The full memory model: learning vectors, domains, success rates, the memory_items view.

Revision ID: 0002_memory_model
Revises: 0001_init
"""

from app.database import apply_schema

revision = "0002_memory_model"
down_revision = "0001_init"
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_schema("0002_memory_model")


def downgrade() -> None:
    apply_schema("0002_memory_model", down=True)
