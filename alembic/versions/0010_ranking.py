"""Ranking reads a covering index per kind through one view (memory_ranks); the score moves into the statement."""

from app.database import schema_steps

revision, down_revision = "0010_ranking", "0009_reader_grants"
upgrade, downgrade = schema_steps(revision)
