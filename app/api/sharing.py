"""Sharing diagnostics: why memories flow or not, for one agent and as the project's graph.

The graph page (`/sharing/graph.html`) is static: it holds no data and needs no key. Its script fetches the
graph as JSON with the key the user gives it (kept in the tab's sessionStorage, or read from the URL
fragment, which browsers never send), so a key never travels in a URL the server or a proxy could log.
"""

from dataclasses import dataclass
from typing import Annotated, Literal

from litestar import Controller, MediaType, Response, get
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Schema
from litestar.params import QueryParameter
from litestar.response import Stream

from app.api.dependencies import PROBLEMS, AgentName, CurrentCaller, ProjectId
from app.api.pages import Page
from app.errors import PROBLEM_JSON
from app.models import Problem
from app.services.projects import ProjectService
from app.sharing import render as sharing_render
from app.sharing.edges import SharingGraph
from app.sharing.explain import SharingExplanation

GraphFormat = Literal["json", "mermaid", "dot", "svg"]
TEXT_FORMATS = {
    "mermaid": ("text/plain; charset=utf-8", sharing_render.mermaid),
    "dot": ("text/vnd.graphviz; charset=utf-8", sharing_render.dot),
}
SVG_MEDIA_TYPE = "image/svg+xml"
PAGE = Page("sharing_graph.html")
SVG_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
}


@dataclass
class GraphOperation(Operation):
    """The graph's 200 answer in each format's own media type, as `format` chooses."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse) and ok.content is not None:
            text = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))
            for media_type, _ in TEXT_FORMATS.values():
                ok.content[media_type] = text
            ok.content[SVG_MEDIA_TYPE] = text


GRAPH_RESPONSES = {
    **PROBLEMS,
    501: ResponseSpec(
        data_container=Problem,
        description="format=svg, and Graphviz is not installed where the service runs",
        media_type=PROBLEM_JSON,
        generate_examples=False,
    ),
}
Format = Annotated[
    GraphFormat,
    QueryParameter(
        name="format",
        description="json (nodes and edges), mermaid, dot (Graphviz), or svg (drawn by Graphviz on the server).",
    ),
]


class SharingController(Controller):
    path = "/v1/projects/{project_id:str}"
    tags = ["sharing"]

    @get("/agents/{agent:str}/sharing", responses=PROBLEMS)
    async def explain_sharing(
        self, project_id: ProjectId, agent: AgentName, projects: NamedDependency[ProjectService], caller: CurrentCaller
    ) -> SharingExplanation:
        """Each inherit_from source and share_with reader of the agent: does it flow, and if not, what to change."""
        caller.act_as(project_id, agent)
        return await projects.explain(project_id, agent)

    @get("/sharing/graph", responses=GRAPH_RESPONSES, operation_class=GraphOperation)
    async def sharing_graph(
        self,
        project_id: ProjectId,
        projects: NamedDependency[ProjectService],
        caller: CurrentCaller,
        graph_format: Format = "json",
    ) -> Response[SharingGraph]:  # as documented; the JSON itself is streamed as the database wrote it
        """The project's agents and their declared sharing edges: granted ones, and one-sided ones that move nothing."""
        caller.require_project(project_id)
        if graph_format == "json":  # written by the database in pieces, streamed as they are: no step is long
            pieces = await projects.graph_json(project_id)
            return Stream(pieces, media_type=MediaType.JSON)  # type: ignore[return-value]
        if graph_format == "svg":
            drawn = await projects.graph(project_id, sharing_render.MAX_SVG_EDGES)
            svg = await sharing_render.svg(drawn)
            return Response(svg, media_type=SVG_MEDIA_TYPE, headers=SVG_HEADERS)  # type: ignore[arg-type]
        media_type, render = TEXT_FORMATS[graph_format]
        drawn = await projects.graph(project_id, sharing_render.MAX_TEXT_EDGES)
        return Response(render(drawn), media_type=media_type)  # type: ignore[arg-type]  # text, as documented

    @get("/sharing/graph.html", media_type=MediaType.HTML, responses=PROBLEMS)
    async def sharing_graph_page(self, project_id: ProjectId) -> Response[str]:
        """A page that draws the graph in the browser; static, so it needs no key (its script asks for one)."""
        return PAGE.response()
