"""Learning and retrieval."""

from litestar import Controller, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from app.api.dependencies import ProjectId
from app.models import LearnRequest, Outcome, RetrieveRequest, RetrieveResponse
from app.service import MemoryService


class MemoryController(Controller):
    path = "/v1/projects/{project_id:str}"
    tags = ["memories"]

    @post("/learn", status_code=HTTP_201_CREATED)
    async def learn(self, project_id: ProjectId, data: JSONBody[LearnRequest], service: NamedDependency[MemoryService]) -> Outcome:
        """Record a task outcome under the learning agent's own id."""
        return await service.learn(project_id, data)

    @post("/retrieve", status_code=HTTP_200_OK)
    async def retrieve(self, project_id: ProjectId, data: JSONBody[RetrieveRequest], service: NamedDependency[MemoryService]) -> RetrieveResponse:
        """The agent's own memories and, with include_shared, those its granted sources share with it."""
        return await service.retrieve(project_id, data)
