"""Why memories flow, or do not, between a project's agents: one agent's explanation and the project's graph.

Both are pure functions of the agents' `share_with` / `inherit_from` (and, for the explanation, the memory
counts), so they agree with `read_grants` by construction: a reader reads a source exactly when the reader
inherits from the source AND the source shares with the reader. Drawing the graph as Mermaid, DOT or SVG
lives in app.sharing_render; the SQL in the repository.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from app.errors import AgentNotFound
from app.models import Agent, AgentConfig

SHARED_KINDS = ("heuristics", "outcomes", "domain-knowledge", "anti-patterns")  # preferences are per user

InheritStatus = Literal["granted", "granted_but_empty", "denied", "not_an_agent"]
ShareStatus = Literal["flows", "not_inherited", "not_an_agent"]
EdgeStatus = Literal["granted", "not_shared", "not_inherited", "not_an_agent"]

EDGE_LABELS: dict[str, str | None] = {
    "granted": None,
    "not_shared": "not shared back",
    "not_inherited": "not inherited",
    "not_an_agent": "not an agent",
}


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


class GraphNode(BaseModel):
    id: str
    kind: Literal["agent", "missing"] = Field(description="missing: named in a sharing list, not an agent.")


class GraphEdge(BaseModel):
    """A declared sharing edge, pointing the way memories would flow: from `source` to `reader`."""

    source: str
    reader: str
    status: EdgeStatus = Field(
        description="granted: both sides agree; not_shared: the reader inherits but the source does not share; "
        "not_inherited: the source shares but the reader does not inherit; not_an_agent: one end is no agent."
    )
    label: str | None


class SharingGraph(BaseModel):
    """Who reads whose memories in a project, and the one-sided declarations that move nothing."""

    project_id: str
    nodes: list[GraphNode]
    edges: list[GraphEdge]


def _unique(names: list[str], owner: str) -> list[str]:
    """The names in order, without repeats and without the owner itself."""
    return [name for name in dict.fromkeys(names) if name != owner]


def explain(
    project_id: str, agents: Mapping[str, AgentConfig], counts: Mapping[str, Mapping[str, int]], agent: str
) -> SharingExplanation:
    """Each inherit_from source and share_with reader of `agent`, with its status and what to change."""
    if agent not in agents:
        known = sorted(agents)
        raise AgentNotFound(
            f"'{agent}' is not an agent of project '{project_id}'. Known agents: {', '.join(known) or 'none'}. "
            "Add it to the project's config and apply it.",
            agent=agent,
            known_agents=known,
        )
    settings = agents[agent]
    missing = f"is not an agent of {project_id}: add it to the config"

    sources = []
    for source in _unique(settings.inherit_from, agent):
        if source not in agents:
            status, advice = "not_an_agent", f"{source} {missing}, or remove it from {agent}'s inherit_from"
        elif agent not in agents[source].share_with:
            status, advice = "denied", f"add {agent} to {source}'s share_with"
        elif not any(counts.get(source, {}).values()):
            status = "granted_but_empty"
            advice = f"{source} has no memories yet: nothing to change; {agent} reads them once {source} learns"
        else:
            status, advice = "granted", None
        memories = _per_kind(counts.get(source, {})) if status.startswith("granted") else None
        sources.append(InheritedSource(source=source, status=status, memories=memories, advice=advice))

    readers = []
    for reader in _unique(settings.share_with, agent):
        if reader not in agents:
            status, advice = "not_an_agent", f"{reader} {missing}, or remove it from {agent}'s share_with"
        elif agent not in agents[reader].inherit_from:
            status, advice = "not_inherited", f"add {agent} to {reader}'s inherit_from"
        else:
            status, advice = "flows", None
        readers.append(SharedReader(reader=reader, status=status, advice=advice))

    return SharingExplanation(
        project_id=project_id,
        agent=agent,
        own_memories=_per_kind(counts.get(agent, {})),
        inherit_from=sources,
        share_with=readers,
        notes=_notes(agents, agent, sources),
    )


def _per_kind(counts: Mapping[str, int]) -> dict[str, int]:
    return {kind: counts.get(kind, 0) for kind in SHARED_KINDS}


def _notes(agents: Mapping[str, AgentConfig], agent: str, sources: list[InheritedSource]) -> list[str]:
    notes = []
    if not sources:
        notes.append(f"{agent} inherits from no one, so it reads only its own memories.")
    if any(source.status == "granted" for source in sources):
        notes.append("Shared memories come back from a retrieve only with include_shared=true (the default).")
    for other, settings in sorted(agents.items()):
        if other != agent and agent in settings.inherit_from and other not in agents[agent].share_with:
            notes.append(
                f"{other} inherits from {agent}, but {agent} does not share with it: "
                f"add {other} to {agent}'s share_with if it should read {agent}'s memories."
            )
    if agent in agents[agent].inherit_from or agent in agents[agent].share_with:
        notes.append(f"{agent} names itself in its sharing lists; an agent always reads its own memories.")
    return notes


def graph(project_id: str, agents: Mapping[str, AgentConfig]) -> SharingGraph:
    """Every declared edge between different names, each once, with whether memories flow along it."""
    edges: dict[tuple[str, str], EdgeStatus] = {}
    for reader, settings in agents.items():
        for source in _unique(settings.inherit_from, reader):
            if source not in agents:
                edges[source, reader] = "not_an_agent"
            elif reader in agents[source].share_with:
                edges[source, reader] = "granted"
            else:
                edges[source, reader] = "not_shared"
    for source, settings in agents.items():
        for reader in _unique(settings.share_with, source):
            if reader not in agents:
                edges[source, reader] = "not_an_agent"
            elif source not in agents[reader].inherit_from:
                edges[source, reader] = "not_inherited"
    named = {name for pair in edges for name in pair}
    nodes = [GraphNode(id=name, kind="agent") for name in sorted(agents)]
    nodes += [GraphNode(id=name, kind="missing") for name in sorted(named - set(agents))]
    return SharingGraph(
        project_id=project_id,
        nodes=nodes,
        edges=[
            GraphEdge(source=source, reader=reader, status=status, label=EDGE_LABELS[status])
            for (source, reader), status in sorted(edges.items())
        ],
    )


class SharingSource(Protocol):
    """What the explanations read: the repository."""

    async def list_agents(self, project_id: str) -> list[Agent]: ...

    async def memory_counts(self, project_id: str) -> dict[str, dict[str, int]]: ...


async def explain_agent(repository: SharingSource, project_id: str, agent: str) -> SharingExplanation:
    """explain() over the project as it is stored; 404 for an unknown project or agent."""
    agents = {row.name: row for row in await repository.list_agents(project_id)}
    return explain(project_id, agents, await repository.memory_counts(project_id), agent)


async def project_graph(repository: SharingSource, project_id: str) -> SharingGraph:
    """graph() over the project as it is stored; 404 for an unknown project."""
    return graph(project_id, {row.name: row for row in await repository.list_agents(project_id)})
