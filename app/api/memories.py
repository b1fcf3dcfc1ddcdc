"""Learning, writing, reading, changing and forgetting memories; retrieval."""

from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from app.api.dependencies import ProjectId
from app.models import (
    NAME_PATTERN,
    AnyMemory,
    AntiPatternItem,
    AntiPatternCreate,
    BulkLearnRequest,
    BulkLearnResult,
    DomainKnowledgeCreate,
    DomainKnowledgeItem,
    ForgetRequest,
    ForgetResult,
    HeuristicCreate,
    HeuristicItem,
    LearnRequest,
    LearnResult,
    MemoryKind,
    MemoryPage,
    MemoryUpdate,
    PreferenceCreate,
    PreferenceItem,
    RetrieveRequest,
    RetrieveResponse,
)
from app.service import MemoryService

Service = NamedDependency[MemoryService]
Reader = Annotated[str, QueryParameter(name="agent", pattern=NAME_PATTERN, description="The agent reading or acting.")]
Owner = Annotated[str | None, QueryParameter(pattern=NAME_PATTERN, description="Only this owner's memories.")]
Kind = Annotated[MemoryKind, PathParameter(description="The memory kind.")]
MemoryId = Annotated[int, PathParameter(ge=1, le=2**63 - 1)]


class MemoryController(Controller):
    path = "/v1/projects/{project_id:str}"
    tags = ["memories"]

    @post("/learn", status_code=HTTP_201_CREATED)
    async def learn(self, project_id: ProjectId, data: JSONBody[LearnRequest], service: Service) -> LearnResult:
        """Record a task outcome under the learning agent's own id; repeated ones become heuristics."""
        return await service.learn(project_id, data)

    @post("/learn/bulk", status_code=HTTP_201_CREATED)
    async def learn_many(
        self, project_id: ProjectId, data: JSONBody[BulkLearnRequest], service: Service
    ) -> BulkLearnResult:
        """Many outcomes and facts in one transaction: all are written, or none."""
        return await service.learn_many(project_id, data)

    @post("/heuristics", status_code=HTTP_201_CREATED)
    async def add_heuristic(
        self, project_id: ProjectId, data: JSONBody[HeuristicCreate], service: Service
    ) -> HeuristicItem:
        """Write a heuristic ("when condition, do strategy") under the writing agent's own id."""
        return await service.add_heuristic(project_id, data)

    @post("/domain-knowledge", status_code=HTTP_201_CREATED)
    async def add_domain_knowledge(
        self, project_id: ProjectId, data: JSONBody[DomainKnowledgeCreate], service: Service
    ) -> DomainKnowledgeItem:
        """Write a fact of a domain."""
        return await service.add_domain_knowledge(project_id, data)

    @post("/anti-patterns", status_code=HTTP_201_CREATED)
    async def add_anti_pattern(
        self, project_id: ProjectId, data: JSONBody[AntiPatternCreate], service: Service
    ) -> AntiPatternItem:
        """Write an anti-pattern: what not to do, why, and what to do instead."""
        return await service.add_anti_pattern(project_id, data)

    @post("/preferences", status_code=HTTP_201_CREATED)
    async def add_preference(
        self, project_id: ProjectId, data: JSONBody[PreferenceCreate], service: Service
    ) -> PreferenceItem:
        """Record a user's preference; retrieve returns it when asked for that user."""
        return await service.add_preference(project_id, data)

    @get("/memories/{kind:str}/{memory_id:int}")
    async def get_memory(
        self, project_id: ProjectId, kind: Kind, memory_id: MemoryId, agent: Reader, service: Service
    ) -> AnyMemory:
        """One memory, if `agent` may read it (its own or a granted source's)."""
        return await service.get_memory(project_id, kind, memory_id, agent)

    @get("/memories/{kind:str}")
    async def list_memories(
        self,
        project_id: ProjectId,
        kind: Kind,
        agent: Reader,
        service: Service,
        owner: Owner = None,
        task_type: Annotated[str | None, QueryParameter(max_length=200)] = None,
        domain: Annotated[str | None, QueryParameter(max_length=200)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=10_000_000)] = 0,
    ) -> MemoryPage:
        """What `agent` may read of one kind, newest first, filtered and paginated."""
        return await service.list_memories(project_id, kind, agent, owner, task_type, domain, limit, offset)

    @patch("/memories/{kind:str}/{memory_id:int}")
    async def update_memory(
        self,
        project_id: ProjectId,
        kind: Kind,
        memory_id: MemoryId,
        data: JSONBody[MemoryUpdate],
        service: Service,
    ) -> AnyMemory:
        """Change a memory; only its owner may."""
        return await service.update_memory(project_id, kind, memory_id, data)

    @delete("/memories/{kind:str}/{memory_id:int}", status_code=HTTP_204_NO_CONTENT)
    async def delete_memory(
        self, project_id: ProjectId, kind: Kind, memory_id: MemoryId, agent: Reader, service: Service
    ) -> None:
        """Delete a memory; only its owner may."""
        await service.delete_memory(project_id, kind, memory_id, agent)

    @post("/forget", status_code=HTTP_200_OK)
    async def forget(self, project_id: ProjectId, data: JSONBody[ForgetRequest], service: Service) -> ForgetResult:
        """Remove outcomes older than N days and heuristics below a confidence, of an agent or the project."""
        return await service.forget(project_id, data)

    @post("/retrieve", status_code=HTTP_200_OK)
    async def retrieve(
        self, project_id: ProjectId, data: JSONBody[RetrieveRequest], service: Service
    ) -> RetrieveResponse:
        """The agent's own memories and, with include_shared, those its granted sources share with it."""
        return await service.retrieve(project_id, data)
