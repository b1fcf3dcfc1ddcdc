"""The embedder (kind and model) is part of the deployment; the state of a move to another one (`alma reembed`)."""

from app.database import schema_steps

revision, down_revision = "0007_embedder_identity", "0006_vector_index"
upgrade, downgrade = schema_steps(revision)
