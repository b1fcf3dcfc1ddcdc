"""Why memories flow, or do not, to and from one agent: the guide's troubleshooting checklist, answered from
the edges as the database classifies them (app.sharing.edges)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from app.errors import AgentNotFound
from app.memory.kinds import SHARED_BY_AGENT
from app.models import AgentConfig
from app.sharing.edges import Edge

InheritStatus = Literal["granted", "granted_but_empty", "denied", "not_an_agent"]
ShareStatus = Literal["flows", "not_inherited", "not_an_agent"]
SHARED_KINDS = tuple(kind.path for kind in SHARED_BY_AGENT)  # preferences are per user
# how the database's classification of an edge reads from each end
INHERIT_STATUS: dict[str, InheritStatus] = {"granted": "granted", "not_shared": "denied"}
SHARE_STATUS: dict[str, ShareStatus] = {"granted": "flows", "not_inherited": "not_inherited"}
# what to change so that memories flow, by status (none where they flow): `other` is the far end of the edge
_NOT_AN_AGENT = "{other} is not an agent of {project_id}: add it to the config, or remove it from {agent}'s "
INHERIT_ADVICE = {
    "not_an_agent": _NOT_AN_AGENT + "inherit_from",
    "denied": "add {agent} to {other}'s share_with",
    "granted_but_empty": "{other} has no memories yet: nothing to change; {agent} reads them once {other} learns",
}
SHARE_ADVICE = {"not_an_agent": _NOT_AN_AGENT + "share_with", "not_inherited": "add {agent} to {other}'s inherit_from"}


class InheritedSource(BaseModel):
    """One name in the agent's `inherit_from`, and whether its memories reach the agent."""

    source: str
    status: InheritStatus = Field(
        description="granted: its memories flow; granted_but_empty: they would, but it has none yet; "
        "denied: the source does not list this agent in share_with; not_an_agent: no such agent in the project."
    )
    memories: dict[str, int] | None = Field(
        description="For a granted source, its memories per kind that this agent reads; null otherwise."
    )
    advice: str | None = Field(description="What to change so that memories flow; null when they do.")


class SharedReader(BaseModel):
    """One name in the agent's `share_with`, and whether it inherits back."""

    reader: str
    status: ShareStatus = Field(
        description="flows: it reads this agent's memories; not_inherited: it does not list this agent in "
        "inherit_from; not_an_agent: no such agent in the project."
    )
    advice: str | None = Field(description="What to change so that memories flow; null when they do.")


class SharingExplanation(BaseModel):
    """The guide's troubleshooting checklist, answered for one agent."""

    project_id: str
    agent: str
    own_memories: dict[str, int] = Field(description="The agent's own memories per shareable kind.")
    inherit_from: list[InheritedSource]
    share_with: list[SharedReader]
    notes: list[str]


def _unique(names: list[str], owner: str) -> list[str]:
    """The names in order, without repeats and without the owner itself."""
    return [name for name in dict.fromkeys(names) if name != owner]


def explain(
    project_id: str,
    agents: Mapping[str, AgentConfig],
    counts: Mapping[str, Mapping[str, int]],
    agent: str,
    edges: Iterable[Edge],
) -> SharingExplanation:
    """Each inherit_from source and share_with reader of `agent`, with its status and what to change. `edges`
    are the agent's declared edges as sharing_edges() classifies them: the rule is applied there, once."""
    if agent not in agents:
        known = sorted(agents)
        raise AgentNotFound(
            f"'{agent}' is not an agent of project '{project_id}'. Known agents: {', '.join(known) or 'none'}. "
            "Add it to the project's config and apply it.",
            agent=agent,
            known_agents=known,
        )
    settings = agents[agent]
    status_of = {(edge.source, edge.reader): edge.status for edge in edges}
    names = {"agent": agent, "project_id": project_id}

    sources = []
    for source in _unique(settings.inherit_from, agent):
        status: InheritStatus = INHERIT_STATUS.get(status_of[source, agent], "not_an_agent")
        if status == "granted" and not any(counts.get(source, {}).values()):
            status = "granted_but_empty"
        advice = INHERIT_ADVICE.get(status, "").format(other=source, **names) or None
        memories = _per_kind(counts.get(source, {})) if status.startswith("granted") else None
        sources.append(InheritedSource(source=source, status=status, memories=memories, advice=advice))

    readers = []
    for reader in _unique(settings.share_with, agent):
        shared: ShareStatus = SHARE_STATUS.get(status_of[agent, reader], "not_an_agent")
        advice = SHARE_ADVICE.get(shared, "").format(other=reader, **names) or None
        readers.append(SharedReader(reader=reader, status=shared, advice=advice))

    not_shared_back = sorted(edge.reader for edge in edges if edge.source == agent and edge.status == "not_shared")
    return SharingExplanation(
        project_id=project_id,
        agent=agent,
        own_memories=_per_kind(counts.get(agent, {})),
        inherit_from=sources,
        share_with=readers,
        notes=_notes(settings, agent, sources, not_shared_back),
    )


def _per_kind(counts: Mapping[str, int]) -> dict[str, int]:
    return {kind: counts.get(kind, 0) for kind in SHARED_KINDS}


def _notes(settings: AgentConfig, agent: str, sources: list[InheritedSource], not_shared_back: list[str]) -> list[str]:
    notes = []
    if not sources:
        notes.append(f"{agent} inherits from no one, so it reads only its own memories.")
    if any(source.status == "granted" for source in sources):
        notes.append("Shared memories come back from a retrieve only with include_shared=true (the default).")
    for other in not_shared_back:
        notes.append(
            f"{other} inherits from {agent}, but {agent} does not share with it: "
            f"add {other} to {agent}'s share_with if it should read {agent}'s memories."
        )
    if agent in settings.inherit_from or agent in settings.share_with:
        notes.append(f"{agent} names itself in its sharing lists; an agent always reads its own memories.")
    return notes


class SharingSource(Protocol):
    """What the explanations read: the repository."""

    async def agent_settings(self, project_id: str) -> dict[str, AgentConfig]: ...

    async def memory_counts(self, project_id: str) -> dict[str, dict[str, int]]: ...

    async def agent_edges(self, project_id: str, agent: str) -> list[Edge]: ...


async def explain_agent(repository: SharingSource, project_id: str, agent: str) -> SharingExplanation:
    """explain() over the project as it is stored; 404 for an unknown project or agent."""
    agents = await repository.agent_settings(project_id)  # not list_agents: a large project's grants are not needed
    edges = await repository.agent_edges(project_id, agent) if agent in agents else []
    return explain(project_id, agents, await repository.memory_counts(project_id), agent, edges)
