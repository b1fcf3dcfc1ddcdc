"""What every repository shares: the pool, the statements, and the lookups behind their 404s."""

from __future__ import annotations

import asyncpg

from app.errors import AgentNotFound, ProjectNotFound
from app.queries import Queries

LONG_STATEMENT_SECONDS = 120.0  # for the few statements whose work grows with a large project's config
Vec = list[float]


class Repository:
    """A repository over one asyncpg pool and the statements of sql/queries/."""

    def __init__(self, pool: asyncpg.Pool, queries: Queries) -> None:
        self.pool = pool
        self.q = queries

    async def require_project(self, connection: asyncpg.Connection | asyncpg.Pool, project_id: str) -> None:
        if not await connection.fetchval(*self.q.projects.project_exists(project_id=project_id)):
            raise ProjectNotFound(
                f"Project '{project_id}' does not exist. Create it by applying its config first: "
                f"PUT /v1/projects/{project_id}/config, or `alma config apply FILE --project {project_id}`."
            )

    async def agent_row(self, connection: asyncpg.Connection, project_id: str, name: str) -> asyncpg.Record:
        """The agent's settings; AgentNotFound (naming the agents that exist) when it is none of the project's."""
        row = await connection.fetchrow(*self.q.projects.get_agent(project_id=project_id, name=name))
        if row is None:
            raise await self.agent_not_found(connection, project_id, name)
        return row

    async def require_agent(self, project_id: str, name: str) -> None:
        async with self.pool.acquire() as connection:
            await self.agent_row(connection, project_id, name)

    async def agent_not_found(self, connection: asyncpg.Connection, project_id: str, name: str) -> AgentNotFound:
        """The error for an unknown agent, naming the agents that do exist."""
        await self.require_project(connection, project_id)
        known = [row["name"] for row in await connection.fetch(*self.q.projects.list_agents(project_id=project_id))]
        return AgentNotFound(
            f"'{name}' is not an agent of project '{project_id}'. Known agents: {', '.join(known) or 'none'}. "
            "Add it to the project's config and apply it.",
            agent=name,
            known_agents=known,
        )


def in_scope(agent: asyncpg.Record, value: str) -> bool:
    """Whether an agent may learn a domain / task type: cannot_learn refuses; a non-empty can_learn must list it."""
    if value in agent["cannot_learn"]:
        return False
    return not agent["can_learn"] or value in agent["can_learn"]
