"""MemoryRepository: the only place that runs SQL. One method per use case.

It knows nothing of HTTP; it raises the domain errors of app.errors.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from app.config_file import config_notes, sharing_warnings
from app.errors import AgentNotFound, InvalidInput, ProjectNotFound
from app.models import (
    Agent,
    AgentConfig,
    ConfigApplied,
    Grant,
    LearnRequest,
    Outcome,
    ProjectConfig,
)
from app.queries import Queries

MEMORY_KINDS = ("heuristics", "outcomes", "domain_knowledge", "anti_patterns", "preferences")


class MemoryRepository:
    """Agents, grants and memories of every project, over one asyncpg pool."""

    def __init__(self, pool: asyncpg.Pool, queries: Queries) -> None:
        self.pool = pool
        self.q = queries

    # --- deployment ---------------------------------------------------------------------------

    async def init_deployment(self, embedding_dim: int, embedder: str) -> int:
        """Record the vector size at the first start; refuse to run with another one later."""
        row = await self.pool.fetchrow(self.q.init_deployment, embedding_dim, embedder)
        if row["embedding_dim"] != embedding_dim:
            raise InvalidInput(
                f"This database holds {row['embedding_dim']}-dimensional vectors (embedder "
                f"{row['embedder']}), but the configured embedder makes {embedding_dim}. "
                "Configure an embedder of the same size, or use a new database."
            )
        return embedding_dim

    # --- agents and grants ----------------------------------------------------------------------

    async def apply_config(self, project_id: str, config: ProjectConfig) -> ConfigApplied:
        """Make the project's agents exactly those of `config`, and its grants follow, in one transaction."""
        async with self.pool.acquire() as connection, connection.transaction():
            project_created = await connection.fetchval(self.q.upsert_project, project_id, config.storage)
            before = {row["name"]: _agent_config(row) for row in await connection.fetch(self.q.list_agents, project_id)}
            grants_before = await self._grants(connection, project_id)

            created = sorted(name for name in config.agents if name not in before)
            removed = sorted(name for name in before if name not in config.agents)
            updated = sorted(name for name in config.agents if name in before and before[name] != config.agents[name])
            unchanged = sorted(name for name in config.agents if name in before and before[name] == config.agents[name])

            await connection.executemany(
                self.q.upsert_agent,
                [_agent_args(project_id, name, config.agents[name]) for name in created + updated],
            )
            if removed:
                await connection.execute(self.q.delete_agents, project_id, removed)
            await connection.execute(self.q.rebuild_grants, project_id)
            grants_after = await self._grants(connection, project_id)

        named = config.model_copy(update={"project_id": project_id})
        notes = config_notes(named)
        if removed:
            notes.append(
                f"Removed agents keep their memories in the project; add them again to use them: {', '.join(removed)}."
            )
        return ConfigApplied(
            project_id=project_id,
            project_created=project_created,
            created=created,
            updated=updated,
            removed=removed,
            unchanged=unchanged,
            grants_added=[Grant(reader=r, source=s) for r, s in sorted(grants_after - grants_before)],
            grants_revoked=[Grant(reader=r, source=s) for r, s in sorted(grants_before - grants_after)],
            grants=[Grant(reader=r, source=s) for r, s in sorted(grants_after)],
            warnings=sharing_warnings(named),
            notes=notes,
        )

    async def _grants(self, connection: asyncpg.Connection, project_id: str) -> set[tuple[str, str]]:
        return {(row["reader"], row["source"]) for row in await connection.fetch(self.q.list_grants, project_id)}

    async def list_agents(self, project_id: str) -> list[Agent]:
        """The project's agents with the grants they hold; 404 for a project that has none."""
        async with self.pool.acquire() as connection:
            rows = await connection.fetch(self.q.list_agents, project_id)
            if not rows:
                await self._require_project(connection, project_id)
            grants = await self._grants(connection, project_id)
        return [
            Agent(
                name=row["name"],
                **_agent_config(row).model_dump(),
                reads_from=sorted(source for reader, source in grants if reader == row["name"]),
                read_by=sorted(reader for reader, source in grants if source == row["name"]),
            )
            for row in rows
        ]

    async def get_agent(self, project_id: str, name: str) -> Agent:
        for agent in await self.list_agents(project_id):
            if agent.name == name:
                return agent
        raise await self._agent_not_found(project_id, name)

    async def _require_project(self, connection: asyncpg.Connection, project_id: str) -> None:
        if not await connection.fetchval(self.q.project_exists, project_id):
            raise ProjectNotFound(
                f"Project '{project_id}' does not exist. Create it by applying a config: "
                f"PUT /v1/projects/{project_id}/config, or `alma config apply FILE`."
            )

    async def _agent_not_found(self, project_id: str, name: str) -> AgentNotFound:
        """The error for an unknown agent, naming the agents that do exist."""
        async with self.pool.acquire() as connection:
            await self._require_project(connection, project_id)
            known = [row["name"] for row in await connection.fetch(self.q.list_agents, project_id)]
        return AgentNotFound(
            f"'{name}' is not an agent of project '{project_id}'. Known agents: {', '.join(known) or 'none'}. "
            "Add it to the project's config and apply it.",
            agent=name,
            known_agents=known,
        )

    # --- memories -------------------------------------------------------------------------------

    async def learn_outcome(self, project_id: str, request: LearnRequest, embedding: list[float]) -> Outcome:
        """Store an outcome under the learning agent's own id."""
        row = await self.pool.fetchrow(
            self.q.insert_outcome,
            project_id,
            request.agent,
            request.task,
            request.task_type,
            request.outcome == "success",
            request.strategy_used,
            request.duration_ms,
            request.error_message,
            request.feedback,
            embedding,
        )
        if row is None:
            raise await self._agent_not_found(project_id, request.agent)
        return Outcome(**dict(row))

    async def retrieve(
        self,
        project_id: str,
        reader: str,
        query_vector: list[float],
        top_k: int,
        include_shared: bool,
        user_id: str | None,
    ) -> dict[str, list[dict[str, Any]]]:
        """The reader's top memories of each kind, in one statement; each item names its owning agent."""
        row = await self.pool.fetchrow(
            self.q.retrieve, project_id, reader, query_vector, top_k, include_shared, user_id
        )
        if not row["reader_known"]:
            raise await self._agent_not_found(project_id, reader)
        return {kind: row[kind] for kind in MEMORY_KINDS}


def _agent_config(row: asyncpg.Record) -> AgentConfig:
    return AgentConfig(
        domain=row["domain"],
        can_learn=row["can_learn"],
        cannot_learn=row["cannot_learn"],
        share_with=row["share_with"],
        inherit_from=row["inherit_from"],
        min_occurrences_for_heuristic=row["min_occurrences_for_heuristic"],
    )


def _agent_args(project_id: str, name: str, agent: AgentConfig) -> tuple:
    return (
        project_id,
        name,
        agent.domain,
        agent.can_learn,
        agent.cannot_learn,
        agent.share_with,
        agent.inherit_from,
        agent.min_occurrences_for_heuristic,
    )
