"""The tools and resources over the service's use cases, and which project a call acts in: what /mcp, `POST /`
and, through `POST /`, the stdio server serve."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from mcp_types import INVALID_PARAMS

from app.auth import Caller
from app.errors import TYPE_BASE, AlmaError
from app.mcp.rpc import RESOURCE_NOT_FOUND, SERVICE_REFUSED, RpcError, database_answers, refused
from app.mcp.tools import TOOLS, Call, definitions
from app.services.keys import KeyStore
from app.services.memories import MemoryService
from app.services.projects import ProjectService

CONFIG_URI, AGENTS_URI = "alma://config", "alma://agents"
RESOURCES = (
    {
        "uri": CONFIG_URI,
        "name": "config",
        "description": "The project's config: its agents, as applied.",
        "mimeType": "application/json",
    },
    {
        "uri": AGENTS_URI,
        "name": "agents",
        "description": "The project's agents, each with the sources it reads and the agents that read it.",
        "mimeType": "application/json",
    },
)


class Toolbox:
    """The tools and resources over the service's use cases, and the project each caller's calls act in."""

    def __init__(
        self, memories: MemoryService, projects: ProjectService, keys: KeyStore, default_project: str | None
    ) -> None:
        self.memories = memories
        self.projects = projects
        self.keys = keys
        self.default_project = default_project

    @staticmethod
    def tools() -> list[dict[str, Any]]:
        return definitions()

    @staticmethod
    def resources() -> list[dict[str, Any]]:
        return list(RESOURCES)

    async def call_tool(self, caller: Caller, name: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """The tool's result, `{"success": ..., ...}`; RpcError for an unknown tool or unreadable arguments."""
        tool = TOOLS.get(name)
        if tool is None:
            raise RpcError(INVALID_PARAMS, f"There is no tool '{name}'. Tools: {', '.join(TOOLS)}.")
        request = tool.read(arguments, caller)
        with database_answers():
            try:
                call = Call(caller, await self.project_for(caller), self.memories, self.projects)
                return {"success": True, **await tool.run(call, request)}
            except AlmaError as error:
                return {"success": False, "error": error.detail}

    async def read_resource(self, caller: Caller, uri: str) -> dict[str, Any]:
        """One resource's contents, for a key of the project."""
        if uri not in (CONFIG_URI, AGENTS_URI):
            raise RpcError(RESOURCE_NOT_FOUND, f"There is no resource '{uri}'. Resources: {CONFIG_URI}, {AGENTS_URI}.")
        with database_answers():
            project_id = await self.project_for(caller)
            try:
                caller.require_project(project_id)
                if uri == CONFIG_URI:
                    agents = await self.projects.agent_settings(project_id)
                    text = json.dumps(
                        {"project_id": project_id, "agents": {n: a.model_dump() for n, a in agents.items()}}
                    )
                else:
                    text = b"".join(await self.projects.agents_json(project_id)).decode()
            except AlmaError as error:
                raise refused(error, status=200) from error
        return {"contents": [{"uri": uri, "mimeType": "application/json", "text": text}]}

    async def project_for(self, caller: Caller) -> str:
        """The project a call acts in: the key's; with no key (where none is required) ALMA_DEFAULT_PROJECT, else
        the only project there is. ALMA's clients send no project."""
        if caller.project_id is not None:
            return caller.project_id
        if caller.role == "operator":
            raise RpcError(
                SERVICE_REFUSED,
                "The operator key creates projects but acts in none. Send a key of the project (admin or agent).",
            )
        if self.default_project is not None:
            return self.default_project
        projects = [row["project_id"] for row in await self.keys.list_projects()]
        if len(projects) == 1:
            return str(projects[0])
        how = (
            "start the service with ALMA_DEFAULT_PROJECT=<project>, or send a key of the project "
            "(Authorization: Bearer <key>)"
        )
        if not projects:
            detail = "This service holds no project yet: create one by applying a config (`alma config apply FILE`)."
        else:
            listed = ", ".join(projects[:10]) + (", ..." if len(projects) > 10 else "")
            detail = f"This service holds several projects ({listed}) and the call names none. Choose one: {how}."
        raise RpcError(SERVICE_REFUSED, detail, {"type": TYPE_BASE + "no-project", "projects": projects[:100]})
