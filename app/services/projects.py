"""ProjectService: a project's config, agents and sharing, as the API, the CLI and MCP use them.

Not here: SQL (app.repositories) or HTTP (app.api).
"""

from __future__ import annotations

from app.config_file import config_notes
from app.errors import InvalidConfig
from app.memory.kinds import KINDS, SHARED_BY_AGENT
from app.models import Agent, AgentConfig, AgentStats, ConfigApplied, ForgetRequest, ForgetResult, ProjectConfig
from app.repositories.memories import MemoryRepository
from app.repositories.projects import ProjectRepository
from app.sharing.edges import Edge, SharingGraph, project_graph
from app.sharing.explain import SharingExplanation, explain_agent


class ProjectService:
    """What a caller can do with a project's agents and their sharing."""

    def __init__(self, projects: ProjectRepository, memories: MemoryRepository) -> None:
        self.projects = projects
        self.memories = memories

    async def apply_config(
        self, project_id: str, config: ProjectConfig, allow_remove_all: bool = False
    ) -> ConfigApplied:
        """Apply a whole config to the project it names (the two must agree when both are given).

        An empty `agents:` would remove every agent, so it is applied only when `allow_remove_all` says so."""
        if config.project_id and config.project_id != project_id:
            raise InvalidConfig(
                f"The config names project '{config.project_id}' but it is applied to '{project_id}'. "
                "Apply it to the project it names, or change its `project_id`.",
                errors=[{"field": "project_id", "message": f"must be '{project_id}' or absent"}],
            )
        if not config.agents and not allow_remove_all:
            raise InvalidConfig(
                f"`agents:` is empty: applying it would remove every agent of project '{project_id}', with their "
                "grants and agent keys. If that is what you mean, apply it with allow_remove_all=true "
                "(`alma config apply --allow-remove-all`).",
                errors=[{"field": "agents", "message": "empty; pass allow_remove_all=true to remove every agent"}],
            )
        applied = await self.projects.apply_config(project_id, config)
        named = config.model_copy(update={"project_id": project_id})
        warnings = config.warnings + applied.warnings
        if applied.removed:
            warnings.append(
                f"Removed agents: {', '.join(applied.removed)}. Their grants and {len(applied.keys_revoked)} agent "
                "key(s) are revoked; their memories stay in the project under their names and come back into view "
                "if an agent of the same name is added again."
            )
        return applied.model_copy(update={"warnings": warnings, "notes": config_notes(named)})

    async def agents_json(self, project_id: str) -> list[bytes]:
        """The project's agents and their grants as the API's JSON, in pieces as the database writes it."""
        return await self.projects.agents_json(project_id)

    async def get_agent(self, project_id: str, agent: str) -> Agent:
        return await self.projects.get_agent(project_id, agent)

    # --- the memories of the project as a whole ------------------------------------------------------

    async def forget(self, project_id: str, request: ForgetRequest) -> ForgetResult:
        result = await self.memories.forget(
            project_id, request.agent, request.older_than_days, request.below_confidence
        )
        return ForgetResult(**result)

    async def stats(self, project_id: str, agent: str) -> AgentStats:
        """Own counts per kind, and per granted source what it lets the agent read."""
        own: dict[str, int] = {kind.path: 0 for kind in KINDS}
        readable: dict[str, dict[str, int]] = {}
        inherited: dict[str, int] = {kind.path: 0 for kind in SHARED_BY_AGENT}
        rows, reads_from = await self.memories.stats(project_id, agent)
        for row in rows:
            if row["source"] == agent:
                own[row["kind"]] = row["memories"]
            else:
                readable.setdefault(row["source"], {})[row["kind"]] = row["memories"]
                inherited[row["kind"]] += row["memories"]
        for source in reads_from:
            readable.setdefault(source, {})
        return AgentStats(agent=agent, own=own, readable=readable, inherited=inherited)

    # --- sharing: what the explanations read (app.sharing.explain.SharingSource) --------------------------

    async def agent_settings(self, project_id: str) -> dict[str, AgentConfig]:
        return await self.projects.agent_settings(project_id)

    async def memory_counts(self, project_id: str) -> dict[str, dict[str, int]]:
        return await self.memories.memory_counts(project_id)

    async def agent_edges(self, project_id: str, agent: str) -> list[Edge]:
        return await self.projects.agent_edges(project_id, agent)

    async def explain(self, project_id: str, agent: str) -> SharingExplanation:
        """Why the agent does or does not get shared memories, and what to change."""
        return await explain_agent(self, project_id, agent)

    async def graph_json(self, project_id: str) -> list[bytes]:
        """The whole sharing graph as JSON, in pieces as the database writes it."""
        return (await self.projects.sharing_graph(project_id))[1]

    async def graph(self, project_id: str, max_edges: int) -> SharingGraph:
        """The sharing graph as models, for drawing; GraphTooLarge past `max_edges`."""
        return await project_graph(self.projects, project_id, max_edges)
