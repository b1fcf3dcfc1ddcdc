"""How a retrieve ranks memories: the weights of its score, and when the nearest-neighbour index is used.

Not here: the ranking itself, which `sql/queries/memories/retrieve.sql` does in the database.
"""

from dataclasses import dataclass, replace

EVERY_MEMORY = 2**31 - 1  # as approximate_from: never use the index


@dataclass(frozen=True)
class Ranking:
    """The retrieve statement's ranking parameters, from the settings."""

    similarity: float = 0.7
    recency: float = 0.1
    success: float = 0.1
    confidence: float = 0.1
    recency_half_life_days: float = 30.0
    candidates: int = 100  # nearest memories taken from the HNSW index, then ranked exactly
    approximate_from: int = 5_000  # visible memories of one kind below which the HNSW index is never used
    # what an index entry skipped costs against a memory scored exactly: the index is used once the visible
    # memories v of a kind reach sqrt(skip_cost × candidates × rows of the kind), where the candidates' scan
    # (candidates × rows / v entries) costs less than scoring v (measured in bench/README.md)
    skip_cost: float = 6.0

    def without_similarity(self) -> "Ranking":
        """For a query with no direction: the other terms alone, exactly (index candidates would be arbitrary)."""
        return replace(self, similarity=0.0, approximate_from=EVERY_MEMORY)

    def parameters(self) -> dict[str, float | int]:
        """As memories/retrieve.sql names them."""
        return {
            "similarity_weight": self.similarity,
            "recency_weight": self.recency,
            "success_weight": self.success,
            "confidence_weight": self.confidence,
            "half_life_days": self.recency_half_life_days,
            "candidates": self.candidates,
            "approximate_from": self.approximate_from,
            "skip_cost": self.skip_cost,
        }
