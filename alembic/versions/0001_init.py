"""Projects, agents, read grants and the five memory kinds.

Revision ID: 0001_init
Revises:
"""

from app.database import apply_schema

revision = "0001_init"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_schema("0001_init")


def downgrade() -> None:
    apply_schema("0001_init", down=True)
