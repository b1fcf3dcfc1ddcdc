"""The HNSW indexes hold the half-precision unit vectors (inner product), as the covering indexes do."""

from app.database import schema_steps

revision, down_revision = "0012_nearest_ranking_vectors", "0011_ranking_vectors"
upgrade, downgrade = schema_steps(revision)
