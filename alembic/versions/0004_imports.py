"""Import keys on every memory table, so imports are idempotent.

Revision ID: 0004_imports
Revises: 0003_api_keys
"""

from app.database import apply_schema

revision = "0004_imports"
down_revision = "0003_api_keys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_schema("0004_imports")


def downgrade() -> None:
    apply_schema("0004_imports", down=True)
