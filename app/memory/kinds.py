"""The registry of memory kinds: everything that differs between heuristics, outcomes, domain knowledge,
anti-patterns and preferences, in one place. Models, repository, service, controllers, import/export, sharing
stats, metrics and re-embedding read it; adding a kind is an entry here, a migration and its SQL
(`sql/queries/memories/insert_<name>.sql`, `update_<name>.sql`, its block in `retrieve.sql`).
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from app.models import (
    AntiPatternCreate,
    AntiPatternItem,
    DomainKnowledgeCreate,
    DomainKnowledgeItem,
    HeuristicCreate,
    HeuristicItem,
    Memory,
    OutcomeItem,
    PreferenceCreate,
    PreferenceItem,
)
from app.transfer.records import (
    AntiPatternRecord,
    DomainKnowledgeRecord,
    HeuristicRecord,
    MemoryRecord,
    OutcomeRecord,
    PreferenceRecord,
)


@dataclass(frozen=True)
class MemoryKind:
    """One kind of memory."""

    name: str  # its table, its field in a retrieve answer, its statements: `domain_knowledge`
    path: str  # its API path segment, `kind` in memory_items, exports and metrics: `domain-knowledge`
    item: type[Memory]  # as the API shows one
    record: type[MemoryRecord]  # as an import reads one
    create: type[BaseModel] | None  # the body of POST /{path}; None: outcomes are learned, not written
    text: str  # the field whose vector ranks it (`embedding`)
    learning_text: str | None  # the field whose vector learning compares (`strategy_embedding`), if any
    updatable: frozenset[str]  # the fields its owner may change
    scoped: tuple[str, ...]  # the fields a writer's can_learn / cannot_learn must allow
    by_agent: bool  # shared by its owning agent along grants; False: a user's, read by every agent
    summary: str  # what writing one does, for the API docs

    @property
    def vector_columns(self) -> dict[str, str]:
        """Its texts by the vector column each one fills."""
        columns = {"embedding": self.text}
        if self.learning_text is not None:
            columns["strategy_embedding"] = self.learning_text
        return columns


KINDS = (
    MemoryKind(
        "heuristics",
        "heuristics",
        HeuristicItem,
        HeuristicRecord,
        HeuristicCreate,
        "condition",
        "strategy",
        frozenset({"condition", "strategy", "confidence", "task_type", "domain"}),
        ("domain", "task_type"),
        True,
        'Write a heuristic ("when condition, do strategy") under the writing agent\'s own id.',
    ),
    MemoryKind(
        "outcomes",
        "outcomes",
        OutcomeItem,
        OutcomeRecord,
        None,
        "task",
        "strategy_used",
        frozenset({"feedback"}),
        ("domain", "task_type"),
        True,
        "Record a task outcome (POST /learn).",
    ),
    MemoryKind(
        "domain_knowledge",
        "domain-knowledge",
        DomainKnowledgeItem,
        DomainKnowledgeRecord,
        DomainKnowledgeCreate,
        "fact",
        None,
        frozenset({"domain", "fact", "source", "confidence"}),
        ("domain",),
        True,
        "Write a fact of a domain.",
    ),
    MemoryKind(
        "anti_patterns",
        "anti-patterns",
        AntiPatternItem,
        AntiPatternRecord,
        AntiPatternCreate,
        "pattern",
        None,
        frozenset({"pattern", "why_bad", "better_alternative", "task_type", "domain"}),
        ("domain", "task_type"),
        True,
        "Write an anti-pattern: what not to do, why, and what to do instead.",
    ),
    MemoryKind(
        "preferences",
        "preferences",
        PreferenceItem,
        PreferenceRecord,
        PreferenceCreate,
        "preference",
        None,
        frozenset({"category", "preference", "source"}),
        (),
        False,
        "Record a user's preference; retrieve returns it when asked for that user.",
    ),
)
BY_PATH = {kind.path: kind for kind in KINDS}
BY_NAME = {kind.name: kind for kind in KINDS}
SHARED_BY_AGENT = tuple(kind for kind in KINDS if kind.by_agent)
KIND_PATH_PATTERN = "^(" + "|".join(kind.path for kind in KINDS) + r")\Z"
