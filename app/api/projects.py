"""The project's config and agents."""

import asyncio
from dataclasses import dataclass, field
from typing import Annotated

from litestar import Controller, MediaType, Request, get, put
from litestar.di import NamedDependency
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import QueryParameter
from litestar.response import Stream

from app.api.dependencies import PROBLEMS, YAML_OR_JSON_BODY, AgentName, CurrentCaller, ProjectId
from app.audit import audit
from app.config_file import parse_config_text
from app.models import Agent, AgentStats, ConfigApplied
from app.services.keys import KeyStore
from app.services.projects import ProjectService

Projects = NamedDependency[ProjectService]

MAX_CONFIG_BYTES = 2 * 1024 * 1024


@dataclass
class ConfigOperation(Operation):
    """The config body is the YAML file as it is (or the same as JSON), so it is read raw."""

    request_body: RequestBody | None = field(
        default_factory=lambda: RequestBody(
            required=True,
            description="The ALMA config file: `agents:` at the top, or everything under `alma:`.",
            content={
                "application/yaml": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING)),
                "application/json": OpenAPIMediaType(schema=Schema(type=OpenAPIType.OBJECT)),
            },
        )
    )


class ProjectController(Controller):
    path = "/v1/projects/{project_id:str}"
    tags = ["projects"]

    @put(
        "/config",
        operation_class=ConfigOperation,
        request_max_body_size=MAX_CONFIG_BYTES,
        responses=PROBLEMS,
        opt={"media_types": YAML_OR_JSON_BODY},
    )
    async def apply_config(
        self,
        project_id: ProjectId,
        request: Request,
        projects: Projects,
        keys: NamedDependency[KeyStore],
        caller: CurrentCaller,
        allow_remove_all: Annotated[
            bool, QueryParameter(description="Let a config whose `agents:` is empty remove every agent.")
        ] = False,
    ) -> ConfigApplied:
        """Apply a whole project config: agents not in it are removed (their agent keys revoked), grants follow,
        all in one transaction. A config with an empty `agents:` needs `allow_remove_all=true`."""
        caller.require_admin(project_id)
        config = await asyncio.to_thread(parse_config_text, await request.body())  # bounded, but not free
        result = await projects.apply_config(project_id, config, allow_remove_all)
        keys.cache.evict_all(result.keys_revoked)
        audit(
            caller,
            "apply_config",
            project_id,
            None,
            created=result.created,
            updated=result.updated,
            removed=result.removed,
            grants=len(result.grants),
        )
        return result

    @get("/agents", responses=PROBLEMS)
    async def list_agents(self, project_id: ProjectId, projects: Projects, caller: CurrentCaller) -> list[Agent]:
        """The project's agents, each with the sources it may read and the agents that may read it."""
        caller.require_project(project_id)
        # as documented; the JSON itself is streamed as the database wrote it
        return Stream(await projects.agents_json(project_id), media_type=MediaType.JSON)  # type: ignore[return-value]

    @get("/agents/{agent:str}", responses=PROBLEMS)
    async def get_agent(
        self, project_id: ProjectId, agent: AgentName, projects: Projects, caller: CurrentCaller
    ) -> Agent:
        """One agent and its grants."""
        caller.require_project(project_id)
        return await projects.get_agent(project_id, agent)

    @get("/agents/{agent:str}/stats", responses=PROBLEMS)
    async def agent_stats(
        self, project_id: ProjectId, agent: AgentName, projects: Projects, caller: CurrentCaller
    ) -> AgentStats:
        """Own memories per kind and, per granted source, how many it lets this agent read."""
        caller.act_as(project_id, agent)
        return await projects.stats(project_id, agent)
