"""API keys, stored as hashes.

Revision ID: 0003_api_keys
Revises: 0002_memory_model
"""

from app.database import apply_schema

revision = "0003_api_keys"
down_revision = "0002_memory_model"
branch_labels = None
depends_on = None


def upgrade() -> None:
    apply_schema("0003_api_keys")


def downgrade() -> None:
    apply_schema("0003_api_keys", down=True)
