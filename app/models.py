"""pydantic models of the domain and of the API: requests, responses, the config file.

Field names follow the ALMA guide (`strategy_used`, `include_shared`, `top_k`, `shared_from`).
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

NAME_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}$"
# Query and path parameters are checked by Python's `re`, where `$` also matches before a final newline:
# there the pattern ends at `\Z`. (pydantic's regex engine has no `\Z`, and its `$` is the end of the text.)
PARAM_NAME_PATTERN = NAME_PATTERN.removesuffix("$") + r"\Z"
NAME_RULE = "1-64 characters: letters, digits, '_', '.', '-'; not starting with '.' or '-'"

Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN), Field(description=NAME_RULE)]
NO_NUL = r"^[^\x00]*$"  # PostgreSQL text cannot hold NUL characters
Label = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True, pattern=NO_NUL)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=4_000, pattern=NO_NUL)]
LongText = Annotated[str, StringConstraints(max_length=16_000, pattern=NO_NUL)]


def vector_has_direction(vector: list[float]) -> bool:
    """A vector ranks by its direction: all-zero or non-finite ones have none (their scores would be NaN)."""
    return all(math.isfinite(value) for value in vector) and 0.0 < math.hypot(*vector) < math.inf


def unit(vector: list[float]) -> list[float]:
    """The vector scaled to length 1: the same cosine to everything, and no component that float4 storage
    would overflow or whose square would vanish (pgvector would then see a zero length and score NaN)."""
    norm = math.hypot(*vector)
    return [value / norm for value in vector]


def _has_direction(vector: list[float]) -> list[float]:
    if not all(math.isfinite(value) for value in vector):
        raise ValueError("every component must be a finite number")
    if not vector_has_direction(vector):
        raise ValueError("the vector must have a non-zero, finite length (an all-zero vector has no direction)")
    return unit(vector)


MAX_DIMENSIONS = 4000  # the most pgvector's HNSW indexes take (half-precision vectors)
Vector = Annotated[list[float], Field(min_length=1, max_length=MAX_DIMENSIONS), AfterValidator(_has_direction)]


class Strict(BaseModel):
    """Unknown fields are refused (a misspelt `inherit_from` must not pass silently), and so are values of
    another type: no string or boolean is read as a number, no number as a string."""

    model_config = ConfigDict(extra="forbid", strict=True)


# --- agents and the config file ---------------------------------------------------------------


class AgentConfig(Strict):
    """One agent as the config file declares it."""

    domain: Label | None = None
    can_learn: list[Label] = Field(default_factory=list, max_length=200)
    cannot_learn: list[Label] = Field(default_factory=list, max_length=200)
    share_with: list[Name] = Field(default_factory=list, max_length=1000)
    inherit_from: list[Name] = Field(default_factory=list, max_length=1000)
    min_occurrences_for_heuristic: int = Field(default=3, ge=1, le=1000)


MAX_AGENTS = 1_000  # per project: a full mesh of this many applies in a few seconds (bench/big_config.py)


class ProjectConfig(BaseModel):
    """A whole project's config: its agents, and what the file said besides."""

    model_config = ConfigDict(strict=True)

    project_id: Name | None = None
    storage: Label | None = Field(default=None, description="Noted only: memories live in PostgreSQL.")
    agents: dict[Name, AgentConfig] = Field(default_factory=dict, max_length=MAX_AGENTS)
    warnings: list[str] = Field(default_factory=list, description="Keys of the file this service does not use.")


class Agent(AgentConfig):
    """An agent of a project, with the grants that its config and its peers' produce."""

    name: Name
    reads_from: list[str] = Field(description="Sources whose memories this agent may read (mutual consent).")
    read_by: list[str] = Field(description="Agents that may read this agent's memories.")


class Grant(BaseModel):
    """The reader may read the source's memories."""

    reader: str
    source: str


class ConfigApplied(BaseModel):
    """What applying a config changed, and what in it will not work as its author may expect."""

    project_id: str
    project_created: bool
    created: list[str]
    updated: list[str]
    removed: list[str]
    unchanged: list[str]
    grants_added: list[Grant] = Field(description="Grants the apply added (the first 1,000; see the count).")
    grants_revoked: list[Grant] = Field(description="Grants the apply revoked (the first 1,000; see the count).")
    grants: list[Grant] = Field(
        description="The grants between different agents after the apply (the first 1,000, by reader and source)."
    )
    grant_count: int = Field(default=0, description="How many grants there are after the apply.")
    grants_added_count: int = 0
    grants_revoked_count: int = 0
    keys_revoked: list[str] = Field(
        default_factory=list, description="Prefixes of the agent keys of removed agents, revoked by the apply."
    )
    warnings: list[str] = Field(
        default_factory=list,
        description="What will not work as the file's author may expect: unknown keys, one-sided sharing, removals.",
    )
    notes: list[str] = Field(default_factory=list)


# --- writing memories ---------------------------------------------------------------------------

Confidence = Annotated[float, Field(ge=0.0, le=1.0)]


class LearnRequest(Strict):
    """One task outcome, recorded under the learning agent's own id."""

    agent: Name
    task: ShortText
    outcome: Literal["success", "failure"]
    strategy_used: ShortText
    task_type: Label | None = None
    domain: Label | None = None
    duration_ms: int | None = Field(default=None, ge=0, le=2_147_483_647)
    error_message: LongText | None = None
    feedback: LongText | None = None
    embedding: Vector | None = Field(default=None, description="The task's vector, if you embed yourself.")


class HeuristicCreate(Strict):
    """ "When `condition`, do `strategy`", written directly."""

    agent: Name
    condition: ShortText
    strategy: ShortText
    task_type: Label | None = None
    domain: Label | None = None
    confidence: Confidence = 0.5
    embedding: Vector | None = Field(default=None, description="The condition's vector, if you embed yourself.")


class DomainKnowledgeCreate(Strict):
    agent: Name
    domain: Label
    fact: ShortText
    source: Label | None = None
    confidence: Confidence = 1.0
    embedding: Vector | None = Field(default=None, description="The fact's vector, if you embed yourself.")


class AntiPatternCreate(Strict):
    agent: Name
    pattern: ShortText
    why_bad: ShortText
    better_alternative: ShortText | None = None
    task_type: Label | None = None
    domain: Label | None = None
    embedding: Vector | None = Field(default=None, description="The pattern's vector, if you embed yourself.")


class PreferenceCreate(Strict):
    agent: Name = Field(description="The agent that records the preference.")
    user_id: Name
    category: Label
    preference: ShortText
    source: Label | None = None
    embedding: Vector | None = Field(default=None, description="The preference's vector, if you embed yourself.")


class BulkLearnRequest(Strict):
    """Many outcomes and facts, written in one transaction: all or nothing."""

    outcomes: list[LearnRequest] = Field(default_factory=list, max_length=1000)
    domain_knowledge: list[DomainKnowledgeCreate] = Field(default_factory=list, max_length=1000)


class MemoryUpdate(Strict):
    """The owner's changes to one memory; fields that do not belong to its kind are refused."""

    agent: Name = Field(description="The agent making the change; it must own the memory.")
    condition: ShortText | None = None
    strategy: ShortText | None = None
    confidence: Confidence | None = None
    task_type: Label | None = None
    domain: Label | None = None
    feedback: LongText | None = None
    fact: ShortText | None = None
    source: Label | None = None
    pattern: ShortText | None = None
    why_bad: ShortText | None = None
    better_alternative: ShortText | None = None
    category: Label | None = None
    preference: ShortText | None = None


class ForgetRequest(Strict):
    """Prune old outcomes and weak heuristics, of one agent or of the whole project."""

    agent: Name | None = None
    older_than_days: int | None = Field(default=None, ge=0, le=36_500)
    below_confidence: Confidence | None = None


class ForgetResult(BaseModel):
    outcomes_removed: int
    heuristics_removed: int


class AgentStats(BaseModel):
    """The guide's "monitor inherited memory counts": own memories and what each granted source lends."""

    agent: str
    own: dict[str, int]
    readable: dict[str, dict[str, int]] = Field(description="Per granted source, its memories per kind.")
    inherited: dict[str, int] = Field(description="Per kind, all memories readable from other agents.")


# --- memories as the API shows them ---------------------------------------------------------------


class Memory(BaseModel):
    """What every memory carries."""

    model_config = ConfigDict(extra="ignore")

    id: int
    agent: str = Field(description="The agent that owns (learned) this memory.")
    created_at: datetime
    similarity: float | None = Field(default=None, description="Cosine similarity to the query (retrieve only).")
    score: float | None = Field(default=None, description="The ranking score (retrieve only).")
    metadata: dict[str, Any] = Field(
        default_factory=dict, description="`shared_from` names the source when the memory is not the reader's own."
    )


class HeuristicItem(Memory):
    condition: str
    strategy: str
    task_type: str | None
    domain: str | None
    confidence: float
    occurrence_count: int
    success_count: int
    success_rate: float | None
    last_validated: datetime
    updated_at: datetime


class OutcomeItem(Memory):
    task: str
    task_type: str | None
    domain: str | None = None
    success: bool
    strategy_used: str
    duration_ms: int | None
    error_message: str | None
    feedback: str | None


class DomainKnowledgeItem(Memory):
    domain: str
    fact: str
    source: str | None
    confidence: float
    updated_at: datetime


class AntiPatternItem(Memory):
    pattern: str
    why_bad: str
    better_alternative: str | None
    task_type: str | None
    domain: str | None = None
    occurrence_count: int
    last_seen: datetime
    updated_at: datetime


class PreferenceItem(Memory):
    user_id: str
    category: str
    preference: str
    source: str | None
    updated_at: datetime


AnyMemory = HeuristicItem | OutcomeItem | DomainKnowledgeItem | AntiPatternItem | PreferenceItem


class LearnResult(BaseModel):
    """The stored outcome, and what learning from it created or strengthened."""

    outcome: OutcomeItem
    heuristic: HeuristicItem | None = None
    anti_pattern: AntiPatternItem | None = None


class BulkLearnResult(BaseModel):
    outcomes: list[LearnResult]
    domain_knowledge: list[DomainKnowledgeItem]


class MemoryFilter(BaseModel):
    """Which page of one kind a reader lists: whose memories (all it may read when None), of what, where."""

    reader: str
    owner: str | None = None
    task_type: str | None = None
    domain: str | None = None
    limit: int = 50
    offset: int = 0


class MemoryPage(BaseModel):
    items: list[AnyMemory]
    total: int
    limit: int
    offset: int


# --- retrieval ------------------------------------------------------------------------------------


class RetrieveRequest(Strict):
    """What to look for, for which agent."""

    agent: Name
    query: ShortText
    top_k: int = Field(default=5, ge=1, le=100, description="How many memories of each kind.")
    include_shared: bool = True
    user_id: Name | None = Field(default=None, description="Also return this user's preferences.")
    embedding: Vector | None = Field(default=None, description="The query's vector, if you embed yourself.")
    include_prompt: bool = Field(default=False, description="Also return the slice as text for the agent's context.")
    max_prompt_tokens: int = Field(default=1000, ge=50, le=32_000)


class RetrieveResponse(BaseModel):
    """The reader's slice of memory: its own plus what its granted sources share, per kind."""

    project_id: str
    agent: str
    query: str
    top_k: int
    include_shared: bool
    took_ms: float = Field(description="Time spent in the service, embedding included.")
    heuristics: list[HeuristicItem]
    outcomes: list[OutcomeItem]
    domain_knowledge: list[DomainKnowledgeItem]
    anti_patterns: list[AntiPatternItem]
    preferences: list[PreferenceItem]
    prompt: str | None = Field(default=None, description="With include_prompt: the slice as context text.")

    def shared_sources(self) -> list[str]:
        """The other agents whose memories this answer holds."""
        kinds = (self.heuristics, self.outcomes, self.domain_knowledge, self.anti_patterns)
        return sorted({item.metadata["shared_from"] for items in kinds for item in items if item.metadata})


# --- errors ----------------------------------------------------------------------------------------


class FieldError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """An error, as RFC 9457 problem details; some carry more members (`errors`, `known_agents`, …)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldError] | None = None
