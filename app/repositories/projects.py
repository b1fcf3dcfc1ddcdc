"""Projects, their agents and the grants between them: applying a config, listing agents, the sharing graph."""

from __future__ import annotations

from typing import Any

import asyncpg

from app.models import Agent, AgentConfig, ConfigApplied, ProjectConfig
from app.repositories.common import LONG_STATEMENT_SECONDS, Repository
from app.sharing.edges import Edge, edge_warning

MAX_LISTED_GRANTS = 1_000  # grants spelt out in a config's answer; the counts beside them are exact
MAX_SHARING_WARNINGS = 100  # one-sided declarations spelt out in a config's answer; the rest are counted


class ProjectRepository(Repository):
    """A project's agents as its config declares them, and the grants that follow."""

    async def apply_config(self, project_id: str, config: ProjectConfig) -> ConfigApplied:
        """Make the project's agents exactly those of `config`, in one transaction: grants follow, and the agent
        keys of removed agents are revoked (a name added again later does not revive them)."""
        q = self.q.projects
        async with self.pool.acquire() as connection, connection.transaction():
            project_created = await connection.fetchval(
                *q.upsert_project(project_id=project_id, storage_note=config.storage)
            )
            rows = await connection.fetch(*q.list_agents(project_id=project_id))
            before = {row["name"]: agent_config(row) for row in rows}

            created = sorted(name for name in config.agents if name not in before)
            removed = sorted(name for name in before if name not in config.agents)
            updated = sorted(name for name in config.agents if name in before and before[name] != config.agents[name])
            unchanged = sorted(name for name in config.agents if name in before and before[name] == config.agents[name])

            upsert = q.upsert_agent
            await connection.executemany(
                upsert.sql,
                [
                    upsert(config.agents[name].model_dump(), project_id=project_id, name=name)[1:]
                    for name in created + updated
                ],
            )
            keys_revoked = []
            if removed:
                await connection.execute(*q.delete_agents(project_id=project_id, names=removed))
                revoked = await connection.fetch(*self.q.keys.revoke_agent_keys(project_id=project_id, names=removed))
                keys_revoked = [row["prefix"] for row in revoked]
            if created or updated or removed:
                await connection.execute(*q.tune_for_grants())
                grants = await connection.fetchrow(
                    *q.rebuild_grants(project_id=project_id, listed=MAX_LISTED_GRANTS), timeout=LONG_STATEMENT_SECONDS
                )
            else:  # the same agents declare the same: the grants stand as they are
                grants = await connection.fetchrow(*q.current_grants(project_id=project_id, listed=MAX_LISTED_GRANTS))
            silent = await connection.fetch(
                *q.silent_edges(project_id=project_id, listed=MAX_SHARING_WARNINGS), timeout=LONG_STATEMENT_SECONDS
            )
        warnings = [edge_warning(project_id, e["source"], e["reader"], e["inherited"], e["status"]) for e in silent]
        if silent and silent[0]["total"] > len(silent):
            warnings.append(
                f"… and {silent[0]['total'] - len(silent):,} more declarations along which no memory "
                "flows: GET /sharing/graph lists them all."
            )
        return ConfigApplied(
            project_id=project_id,
            project_created=project_created,
            created=created,
            updated=updated,
            removed=removed,
            unchanged=unchanged,
            **grants,  # grants, grants_added, grants_revoked and their counts
            keys_revoked=keys_revoked,
            warnings=warnings,
        )

    async def add_agents(self, connection: asyncpg.Connection, project_id: str, names: list[str]) -> None:
        """Agents with an empty config for names an import brings (in the caller's transaction); grants follow."""
        await connection.execute(*self.q.projects.add_agents(project_id=project_id, names=names))
        await connection.execute(*self.q.projects.rebuild_grants(project_id=project_id, listed=0))

    async def agent_settings(self, project_id: str) -> dict[str, AgentConfig]:
        """The project's agents as their configs declare them, without their grants; 404 for an unknown project."""
        return {name: agent_config(row) for name, row in (await self.agent_rows(project_id)).items()}

    async def agent_rows(self, project_id: str) -> dict[str, asyncpg.Record]:
        """The project's agents' stored settings by name; 404 for an unknown project."""
        async with self.pool.acquire() as connection:
            rows = await connection.fetch(*self.q.projects.list_agents(project_id=project_id))
            if not rows:
                await self.require_project(connection, project_id)
        return {row["name"]: row for row in rows}

    async def list_agents(self, project_id: str, name: str | None = None) -> list[Agent]:
        """The project's agents (or the one named) with the grants they hold; 404 for a project that has none."""
        async with self.pool.acquire() as connection:
            rows = await connection.fetch(*self.q.projects.agents_with_grants(project_id=project_id, name=name))
            if not rows:
                await self.require_project(connection, project_id)
        # rows come from the database, which holds only configs that were validated: no need to check them again
        return [
            Agent.model_construct(
                name=row["name"], **_agent_fields(row), reads_from=row["reads_from"], read_by=row["read_by"]
            )
            for row in rows
        ]

    async def agents_json(self, project_id: str) -> list[bytes]:
        """The project's agents with their grants as the API's JSON array, in pieces (one per agent) as the
        database writes it; 404 for an unknown project. A large project's list costs the event loop nothing."""
        async with self.pool.acquire() as connection, connection.transaction():
            await connection.execute(*self.q.projects.tune_for_grants())
            rows = await connection.fetch(
                *self.q.projects.agents_json(project_id=project_id), timeout=LONG_STATEMENT_SECONDS
            )
            if not rows:
                await self.require_project(connection, project_id)
                return [b"[]"]
        return [row["piece"] for row in rows]

    async def get_agent(self, project_id: str, name: str) -> Agent:
        agents = await self.list_agents(project_id, name)
        if not agents:
            async with self.pool.acquire() as connection:
                raise await self.agent_not_found(connection, project_id, name)
        return agents[0]

    async def agent_edges(self, project_id: str, agent: str) -> list[Edge]:
        """The agent's declared sharing edges, classified by sharing_edges()."""
        statement = self.q.projects.agent_edges(project_id=project_id, agent=agent)
        return [Edge(**row) for row in await self.pool.fetch(*statement, timeout=LONG_STATEMENT_SECONDS)]

    async def sharing_graph(self, project_id: str) -> tuple[int, list[bytes]]:
        """(edge count, the graph's JSON in pieces, one per source) as the database writes it; 404 for an
        unknown project. Many rows of a few kB rather than one of 80 MB: each is received in a short step."""
        async with self.pool.acquire() as connection, connection.transaction():
            await self.require_project(connection, project_id)
            await connection.execute(*self.q.projects.tune_for_grants())
            rows = await connection.fetch(
                *self.q.projects.sharing_graph(project_id=project_id), timeout=LONG_STATEMENT_SECONDS
            )
        return rows[0]["edge_count"], [row["piece"] for row in rows]


def _agent_fields(row: asyncpg.Record) -> dict[str, Any]:
    return {field: row[field] for field in AgentConfig.model_fields}


def agent_config(row: asyncpg.Record) -> AgentConfig:
    """A stored agent's settings (validated when they were applied)."""
    return AgentConfig.model_construct(**_agent_fields(row))
