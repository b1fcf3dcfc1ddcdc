"""The covering ranking indexes hold unit vectors in half precision; similarity is their inner product."""

from app.database import schema_steps

revision, down_revision = "0011_ranking_vectors", "0010_ranking"
upgrade, downgrade = schema_steps(revision)
