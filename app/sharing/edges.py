"""The sharing rule's answers, as the database gives them (sql/schema/0009_reader_grants.sql: `granted_sources()`
writes read_grants, `sharing_edges()` classifies every declared edge): the edge, the graph's models, and the
config warning of an edge along which no memory flows. A property test holds the two functions to each other
(tests/test_sharing_diagnostics.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from pydantic import BaseModel, Field

from app.errors import GraphTooLarge

EdgeStatus = Literal["granted", "not_shared", "not_inherited", "not_an_agent"]


@dataclass(frozen=True)
class Edge:
    """A declared edge as sharing_edges() classifies it."""

    source: str
    reader: str
    inherited: bool
    shared: bool
    status: str


def edge_warning(project_id: str, source: str, reader: str, inherited: bool, status: str) -> str:
    """The config warning of a declared edge along which no memory flows (as sharing_edges() classifies it)."""
    if status == "not_an_agent":
        if inherited:
            return f"{reader} inherits from {source}, which is not an agent of {project_id}."
        return f"{source} shares with {reader}, which is not an agent of {project_id}."
    if status == "not_shared":
        return f"{reader} inherits from {source}, but {source} does not share with {reader}: no memories will flow."
    return f"{source} shares with {reader}, but {reader} does not inherit from {source}: no memories will flow."


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


class GraphSource(Protocol):
    async def sharing_graph(self, project_id: str) -> tuple[int, list[bytes]]: ...


async def project_graph(repository: GraphSource, project_id: str, max_edges: int) -> SharingGraph:
    """The project's graph as models, for drawing; GraphTooLarge past `max_edges` edges."""
    edge_count, graph = await repository.sharing_graph(project_id)
    if edge_count > max_edges:
        raise GraphTooLarge(
            f"The project's sharing graph has {edge_count:,} edges; it is drawn for up to {max_edges:,}. "
            "Ask for format=json, which has them all."
        )
    return SharingGraph.model_validate_json(b"".join(graph))
