"""Projects, agents, read grants and the five memory kinds."""

from app.database import schema_steps

revision, down_revision = "0001_init", None
upgrade, downgrade = schema_steps(revision)
