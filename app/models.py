"""pydantic models of the domain and of the API: requests, responses, the config file.

Field names follow the ALMA guide (`strategy_used`, `include_shared`, `top_k`, `shared_from`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

NAME_PATTERN = r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}$"
NAME_RULE = "1-64 characters: letters, digits, '_', '.', '-'; not starting with '.' or '-'"

Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN), Field(description=NAME_RULE)]
Label = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=4_000)]
LongText = Annotated[str, StringConstraints(max_length=16_000)]
Vector = Annotated[list[float], Field(min_length=1, max_length=4096)]


class Strict(BaseModel):
    """Unknown fields are refused: a misspelt `inherit_from` must not pass silently."""

    model_config = ConfigDict(extra="forbid")


# --- agents and the config file ---------------------------------------------------------------


class AgentConfig(Strict):
    """One agent as the config file declares it."""

    domain: Label | None = None
    can_learn: list[Label] = Field(default_factory=list, max_length=200)
    cannot_learn: list[Label] = Field(default_factory=list, max_length=200)
    share_with: list[Name] = Field(default_factory=list, max_length=1000)
    inherit_from: list[Name] = Field(default_factory=list, max_length=1000)
    min_occurrences_for_heuristic: int = Field(default=3, ge=1, le=1000)


class ProjectConfig(BaseModel):
    """A whole project's config: its agents, and what the file said besides."""

    project_id: Name | None = None
    storage: str | None = None
    agents: dict[Name, AgentConfig] = Field(default_factory=dict, max_length=10_000)
    ignored_keys: list[str] = Field(default_factory=list)


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
    grants_added: list[Grant]
    grants_revoked: list[Grant]
    grants: list[Grant] = Field(description="All grants between different agents after the apply.")
    warnings: list[str]
    notes: list[str]


# --- learning -------------------------------------------------------------------------------------


class LearnRequest(Strict):
    """One task outcome, recorded under the learning agent's own id."""

    agent: Name
    task: ShortText
    outcome: Literal["success", "failure"]
    strategy_used: ShortText
    task_type: Label | None = None
    duration_ms: int | None = Field(default=None, ge=0, le=2_147_483_647)
    error_message: LongText | None = None
    feedback: LongText | None = None
    embedding: Vector | None = Field(default=None, description="The task's vector, if you embed yourself.")


class Outcome(BaseModel):
    id: int
    agent: str
    task: str
    task_type: str | None
    success: bool
    strategy_used: str
    duration_ms: int | None
    error_message: str | None
    feedback: str | None
    created_at: datetime


# --- retrieval ------------------------------------------------------------------------------------


class RetrieveRequest(Strict):
    """What to look for, for which agent."""

    agent: Name
    query: ShortText
    top_k: int = Field(default=5, ge=1, le=100, description="How many memories of each kind.")
    include_shared: bool = True
    user_id: Name | None = Field(default=None, description="Also return this user's preferences.")
    embedding: Vector | None = Field(default=None, description="The query's vector, if you embed yourself.")


class Memory(BaseModel):
    """What every retrieved memory carries."""

    id: int
    agent: str = Field(description="The agent that owns (learned) this memory.")
    similarity: float
    created_at: datetime
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
    last_validated: datetime
    updated_at: datetime

    @property
    def success_rate(self) -> float | None:
        return self.success_count / self.occurrence_count if self.occurrence_count else None


class OutcomeItem(Memory):
    task: str
    task_type: str | None
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
    occurrence_count: int
    last_seen: datetime
    updated_at: datetime


class PreferenceItem(Memory):
    user_id: str
    category: str
    preference: str
    source: str | None
    updated_at: datetime


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
