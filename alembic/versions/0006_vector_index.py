"""Nearest-neighbour (HNSW) indexes once the deployment's vector size is known; float8 recency."""

from app.database import schema_steps

revision, down_revision = "0006_vector_index", "0005_vector_storage"
upgrade, downgrade = schema_steps(revision)
