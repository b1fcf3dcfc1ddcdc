"""Projects and their API keys: the operator creates projects, project admins manage keys."""

from datetime import datetime
from typing import Annotated, Literal

from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED
from pydantic import BaseModel, Field

from app.api.dependencies import PROBLEMS, CurrentCaller, ProjectId
from app.audit import audit
from app.errors import InvalidInput
from app.models import Label, Name, Strict
from app.services.keys import KeyStore

Keys = NamedDependency[KeyStore]


# --- the projects and keys of the API ----------------------------------------------------------------


class ProjectCreate(Strict):
    project_id: Name


class KeyCreate(Strict):
    """An admin key manages the project and acts as any agent; an agent key acts only as its agent."""

    role: Literal["admin", "agent"]
    agent: Name | None = Field(default=None, description="The agent of an agent key.")
    name: Label | None = Field(default=None, description="A note to recognise the key by.")


class ApiKey(BaseModel):
    """A key as lists show it: never its secret."""

    key_id: int
    prefix: str = Field(description="The visible start of the key, which identifies it.")
    role: Literal["admin", "agent"]
    agent: str | None
    name: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewApiKey(ApiKey):
    key: str = Field(description="The key itself. It is shown this once and never again: store it now.")


class ProjectCreated(BaseModel):
    project_id: str
    admin_key: NewApiKey


class ProjectSummary(BaseModel):
    project_id: str
    agents: int
    created_at: datetime


KeyPrefix = Annotated[str, PathParameter(pattern=r"^alma_[0-9a-f]{12}\Z", description="The key's visible prefix.")]


class KeyController(Controller):
    path = "/v1/projects"
    tags = ["projects and keys"]

    @post("/", status_code=HTTP_201_CREATED, responses=PROBLEMS)
    async def create_project(self, data: JSONBody[ProjectCreate], keys: Keys, caller: CurrentCaller) -> ProjectCreated:
        """Create a project and its first admin key (deployment operator only)."""
        caller.require_operator()
        created = await keys.create_project(data.project_id)
        audit(caller, "create_project", data.project_id, None, key_created=created["admin_key"]["prefix"])
        return ProjectCreated(**created)

    @get("/", responses=PROBLEMS)
    async def list_projects(self, keys: Keys, caller: CurrentCaller) -> list[ProjectSummary]:
        """Every project of the deployment (deployment operator only)."""
        caller.require_operator()
        return [ProjectSummary(**row) for row in await keys.list_projects()]

    @post("/{project_id:str}/keys", status_code=HTTP_201_CREATED, responses=PROBLEMS)
    async def create_key(
        self, project_id: ProjectId, data: JSONBody[KeyCreate], keys: Keys, caller: CurrentCaller
    ) -> NewApiKey:
        """A new admin or agent key; its secret is in this answer only. The operator may create admin keys."""
        if caller.role != "operator" or data.role != "admin":
            caller.require_admin(project_id)
        if (data.role == "agent") != (data.agent is not None):
            raise InvalidInput(
                "An agent key names its agent; an admin key names none.",
                errors=[{"field": "agent", "message": "required for role agent, absent for role admin"}],
            )
        key = await keys.create_key(project_id, data.role, data.agent, data.name)
        audit(caller, "create_key", project_id, data.agent, key_created=key["prefix"], role=data.role)
        return NewApiKey(**key)

    @get("/{project_id:str}/keys", responses=PROBLEMS)
    async def list_keys(self, project_id: ProjectId, keys: Keys, caller: CurrentCaller) -> list[ApiKey]:
        """The project's keys, without their secrets."""
        caller.require_admin(project_id)
        return [ApiKey(**row) for row in await keys.list_keys(project_id)]

    @delete("/{project_id:str}/keys/{prefix:str}", status_code=HTTP_200_OK, responses=PROBLEMS)
    async def revoke_key(self, project_id: ProjectId, prefix: KeyPrefix, keys: Keys, caller: CurrentCaller) -> ApiKey:
        """Revoke a key: it stops working at once (within seconds on other workers)."""
        caller.require_admin(project_id)
        revoked = await keys.revoke_key(project_id, prefix)
        audit(caller, "revoke_key", project_id, None, key_revoked=prefix)
        return ApiKey(**revoked)
