"""Learning, writing, reading, changing and forgetting memories; retrieval."""

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, MediaType, Response, Router, delete, get, patch, post
from litestar.di import NamedDependency, Provide
from litestar.handlers import HTTPRouteHandler
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from app.api.dependencies import PROBLEMS, CurrentCaller, ProjectId
from app.api.pages import Page
from app.audit import audit
from app.memory.kinds import BY_PATH, KIND_PATH_PATTERN, KINDS, MemoryKind
from app.models import (
    NO_NUL,
    PARAM_NAME_PATTERN,
    AnyMemory,
    BulkLearnRequest,
    BulkLearnResult,
    ForgetRequest,
    ForgetResult,
    LearnRequest,
    LearnResult,
    MemoryFilter,
    MemoryPage,
    MemoryUpdate,
    RetrieveRequest,
    RetrieveResponse,
)
from app.observability import LEARNED, count_retrieved
from app.services.memories import MemoryService
from app.services.projects import ProjectService

Service = NamedDependency[MemoryService]
Projects = NamedDependency[ProjectService]
BROWSER = Page("memories.html")
Reader = Annotated[
    str, QueryParameter(name="agent", pattern=PARAM_NAME_PATTERN, description="The agent reading or acting.")
]
Owner = Annotated[str | None, QueryParameter(pattern=PARAM_NAME_PATTERN, description="Only this owner's memories.")]
Kind = Annotated[str, PathParameter(pattern=KIND_PATH_PATTERN, description="The memory kind.")]
MemoryId = Annotated[int, PathParameter(ge=1, le=2**63 - 1)]


@dataclass(frozen=True)
class MemoryRef:
    """One memory as a path names it, and the agent asking for it."""

    kind: MemoryKind
    memory_id: int
    agent: str


def provide_memory_ref(kind: Kind, memory_id: MemoryId, agent: Reader) -> MemoryRef:
    return MemoryRef(BY_PATH[kind], memory_id, agent)


OneMemory = NamedDependency[MemoryRef]
ONE_MEMORY = {"memory": Provide(provide_memory_ref, sync_to_thread=False)}


class MemoryController(Controller):
    path = "/v1/projects/{project_id:str}"
    tags = ["memories"]

    @post("/learn", status_code=HTTP_201_CREATED, responses=PROBLEMS)
    async def learn(
        self, project_id: ProjectId, data: JSONBody[LearnRequest], service: Service, caller: CurrentCaller
    ) -> LearnResult:
        """Record a task outcome under the learning agent's own id; repeated ones become heuristics."""
        caller.act_as(project_id, data.agent)
        result = await service.learn(project_id, data)
        LEARNED.labels(data.outcome).inc()
        audit(caller, "learn", project_id, data.agent, outcome_id=result.outcome.id)
        return result

    @post("/learn/bulk", status_code=HTTP_201_CREATED, responses=PROBLEMS)
    async def learn_many(
        self, project_id: ProjectId, data: JSONBody[BulkLearnRequest], service: Service, caller: CurrentCaller
    ) -> BulkLearnResult:
        """Many outcomes and facts in one transaction: all are written, or none."""
        agents = sorted({item.agent for item in data.outcomes} | {item.agent for item in data.domain_knowledge})
        for agent in agents:
            caller.act_as(project_id, agent)
        result = await service.learn_many(project_id, data)
        for outcome in data.outcomes:
            LEARNED.labels(outcome.outcome).inc()
        audit(
            caller,
            "learn_bulk",
            project_id,
            None,
            agents=agents,
            outcomes=len(result.outcomes),
            domain_knowledge=len(result.domain_knowledge),
        )
        return result

    @get("/memories.html", media_type=MediaType.HTML, responses=PROBLEMS)
    async def memory_browser(self, project_id: ProjectId) -> Response[str]:
        """A page to browse what an agent may read, own and shared, and to run a retrieve; static, so it
        needs no key (its script asks for one)."""
        return BROWSER.response()

    @get("/memories/{kind:str}/{memory_id:int}", responses=PROBLEMS, dependencies=ONE_MEMORY)
    async def get_memory(
        self, project_id: ProjectId, memory: OneMemory, service: Service, caller: CurrentCaller
    ) -> AnyMemory:
        """One memory, if `agent` may read it (its own or a granted source's)."""
        caller.act_as(project_id, memory.agent)
        return await service.get_memory(project_id, memory.kind, memory.memory_id, memory.agent)

    @get("/memories/{kind:str}", responses=PROBLEMS)
    async def list_memories(
        self,
        project_id: ProjectId,
        kind: Kind,
        agent: Reader,
        service: Service,
        caller: CurrentCaller,
        owner: Owner = None,
        task_type: Annotated[str | None, QueryParameter(max_length=200, pattern=NO_NUL)] = None,
        domain: Annotated[str | None, QueryParameter(max_length=200, pattern=NO_NUL)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=10_000_000)] = 0,
    ) -> MemoryPage:
        """What `agent` may read of one kind, newest first, filtered and paginated."""
        caller.act_as(project_id, agent)
        page = MemoryFilter(reader=agent, owner=owner, task_type=task_type, domain=domain, limit=limit, offset=offset)
        return await service.list_memories(project_id, BY_PATH[kind], page)

    @patch("/memories/{kind:str}/{memory_id:int}", responses=PROBLEMS)
    async def update_memory(
        self,
        project_id: ProjectId,
        kind: Kind,
        memory_id: MemoryId,
        data: JSONBody[MemoryUpdate],
        service: Service,
        caller: CurrentCaller,
    ) -> AnyMemory:
        """Change a memory; only its owner may."""
        caller.act_as(project_id, data.agent)
        item = await service.update_memory(project_id, BY_PATH[kind], memory_id, data)
        audit(caller, "update", project_id, data.agent, kind=kind, memory_id=memory_id)
        return item

    @delete(
        "/memories/{kind:str}/{memory_id:int}",
        status_code=HTTP_204_NO_CONTENT,
        responses=PROBLEMS,
        dependencies=ONE_MEMORY,
    )
    async def delete_memory(
        self, project_id: ProjectId, memory: OneMemory, service: Service, caller: CurrentCaller
    ) -> None:
        """Delete a memory; only its owner may."""
        caller.act_as(project_id, memory.agent)
        await service.delete_memory(project_id, memory.kind, memory.memory_id, memory.agent)
        audit(caller, "delete", project_id, memory.agent, kind=memory.kind.path, memory_id=memory.memory_id)

    @post("/forget", status_code=HTTP_200_OK, responses=PROBLEMS)
    async def forget(
        self, project_id: ProjectId, data: JSONBody[ForgetRequest], projects: Projects, caller: CurrentCaller
    ) -> ForgetResult:
        """Remove outcomes older than N days and heuristics below a confidence, of an agent or the project."""
        if data.agent is None:
            caller.require_admin(project_id)
        else:
            caller.act_as(project_id, data.agent)
        result = await projects.forget(project_id, data)
        audit(caller, "forget", project_id, data.agent, **result.model_dump())
        return result

    @post("/retrieve", status_code=HTTP_200_OK, responses=PROBLEMS)
    async def retrieve(
        self, project_id: ProjectId, data: JSONBody[RetrieveRequest], service: Service, caller: CurrentCaller
    ) -> Response[RetrieveResponse]:
        """The agent's own memories and, with include_shared, those its granted sources share with it."""
        caller.act_as(project_id, data.agent)
        found = await service.retrieve(project_id, data)
        count_retrieved(found.tally)
        if found.shared_sources:
            audit(caller, "retrieve_shared", project_id, data.agent, sources=found.shared_sources)
        # RetrieveResponse's JSON, already encoded (the OpenAPI schema comes from the annotation)
        return Response(found.body, media_type=MediaType.JSON)  # type: ignore[arg-type]


def _write_handler(kind: MemoryKind) -> HTTPRouteHandler:
    """POST /{kind.path}: write one memory of the kind under the writing agent's own id."""
    assert kind.create is not None

    # the body and answer models are the kind's, which only the registry knows: checked by Litestar, not mypy
    async def write(
        project_id: ProjectId,
        data: JSONBody[kind.create],  # type: ignore[name-defined]
        service: Service,
        caller: CurrentCaller,
    ) -> kind.item:  # type: ignore[name-defined]
        caller.act_as(project_id, data.agent)
        item = await service.add(kind, project_id, data)
        audit(caller, "write", project_id, data.agent, kind=kind.path, memory_id=item.id)
        return item

    write.__doc__ = kind.summary
    write.__name__ = f"add_{kind.name}"
    return post(f"/{kind.path}", status_code=HTTP_201_CREATED, responses=PROBLEMS, name=f"add_{kind.name}")(write)


WriteRouter = Router(
    path="/v1/projects/{project_id:str}",
    tags=["memories"],
    route_handlers=[_write_handler(kind) for kind in KINDS if kind.create is not None],
)
