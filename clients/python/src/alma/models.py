"""What the service answers, as pydantic models with the guide's names (`strategy`, `confidence`, ...).

Every model keeps fields the service adds later (`extra="allow"`), so a newer service never breaks an
older client; such fields are attributes too. Not here: requests (the client builds them from arguments).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    model_config = ConfigDict(extra="allow")


# --- memories ---------------------------------------------------------------------------------


class Memory(Model):
    """What every memory carries: its owner, and `metadata.shared_from` when it is not the reader's own."""

    id: int
    agent: str = Field(description="The agent that owns (learned) this memory.")
    created_at: datetime | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)
    similarity: float | None = Field(default=None, description="Only in a retrieve.")
    score: float | None = Field(default=None, description="Only in a retrieve.")

    @property
    def shared_from(self) -> str | None:
        """The owner when another agent shared this memory with the reader; None for the reader's own."""
        return self.metadata.get("shared_from")


class Heuristic(Memory):
    condition: str
    strategy: str
    task_type: str | None = None
    domain: str | None = None
    confidence: float | None = None
    occurrence_count: int | None = None
    success_count: int | None = None
    success_rate: float | None = None
    last_validated: datetime | None = None
    updated_at: datetime | None = None


class Outcome(Memory):
    task: str
    success: bool
    strategy_used: str
    task_type: str | None = None
    domain: str | None = None
    duration_ms: int | None = None
    error_message: str | None = None
    feedback: str | None = None


class DomainKnowledge(Memory):
    domain: str
    fact: str
    source: str | None = None
    confidence: float | None = None
    updated_at: datetime | None = None


class AntiPattern(Memory):
    pattern: str
    why_bad: str
    better_alternative: str | None = None
    task_type: str | None = None
    domain: str | None = None
    occurrence_count: int | None = None
    last_seen: datetime | None = None
    updated_at: datetime | None = None


class Preference(Memory):
    user_id: str
    category: str
    preference: str
    source: str | None = None
    updated_at: datetime | None = None


MemoryKind = Literal["outcomes", "heuristics", "domain_knowledge", "anti_patterns", "preferences"]
"""A kind of memory, named as its MemorySlice attribute; its path segment spells `_` as `-` (`domain-knowledge`)."""

MEMORY_KINDS: tuple[MemoryKind, ...] = get_args(MemoryKind)
"""Every memory kind, in the service's order: the one list of them, that every other use derives from."""

MemoryT = TypeVar("MemoryT", bound=Memory)


class MemorySlice(Model):
    """What one agent retrieved for one task: its own memories and those shared with it, per kind."""

    agent: str
    query: str
    project_id: str | None = None
    top_k: int | None = None
    include_shared: bool | None = None
    took_ms: float | None = Field(default=None, description="Time spent in the service.")
    heuristics: list[Heuristic] = Field(default_factory=list)
    outcomes: list[Outcome] = Field(default_factory=list)
    domain_knowledge: list[DomainKnowledge] = Field(default_factory=list)
    anti_patterns: list[AntiPattern] = Field(default_factory=list)
    preferences: list[Preference] = Field(default_factory=list)
    prompt: str | None = Field(default=None, description="The slice as prompt text, when asked for.")


class MemoryPage(Model, Generic[MemoryT]):
    """One page of a listing, newest first; `total` counts every match."""

    items: list[MemoryT]
    total: int
    limit: int
    offset: int


# --- learning and forgetting --------------------------------------------------------------------


class LearnResult(Model):
    """The stored outcome, and the heuristic or anti-pattern it created or strengthened."""

    outcome: Outcome
    heuristic: Heuristic | None = None
    anti_pattern: AntiPattern | None = None


class BulkLearnResult(Model):
    outcomes: list[LearnResult] = Field(default_factory=list)
    domain_knowledge: list[DomainKnowledge] = Field(default_factory=list)


class ForgetResult(Model):
    outcomes_removed: int = 0
    heuristics_removed: int = 0


# --- agents and config ---------------------------------------------------------------------------


class Agent(Model):
    """An agent as configured, with whom it reads from and who reads it (both sides consented)."""

    name: str
    domain: str | None = None
    can_learn: list[str] = Field(default_factory=list)
    cannot_learn: list[str] = Field(default_factory=list)
    share_with: list[str] = Field(default_factory=list)
    inherit_from: list[str] = Field(default_factory=list)
    min_occurrences_for_heuristic: int | None = None
    reads_from: list[str] = Field(default_factory=list)
    read_by: list[str] = Field(default_factory=list)


class AgentStats(Model):
    """How many memories of each kind an agent owns, can read from each source, and inherits in all."""

    agent: str
    own: dict[str, int] = Field(default_factory=dict)
    readable: dict[str, dict[str, int]] = Field(default_factory=dict)
    inherited: dict[str, int] = Field(default_factory=dict)


class Grant(Model):
    """The reader may read the source's memories."""

    reader: str
    source: str


class ConfigApplied(Model):
    """What applying a config changed, and warnings about sharing that moves no memory."""

    project_id: str
    project_created: bool = False
    created: list[str] = Field(default_factory=list)
    updated: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    unchanged: list[str] = Field(default_factory=list)
    grants_added: list[Grant] = Field(default_factory=list)
    grants_revoked: list[Grant] = Field(default_factory=list)
    grants: list[Grant] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
