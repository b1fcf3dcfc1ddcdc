"""Projects as tenants, and their API keys: creating, listing, revoking, and the row behind a key."""

from __future__ import annotations

from typing import Any

import asyncpg

from app.errors import Conflict, NotFound
from app.repositories.common import Repository


class KeyRepository(Repository):
    """The projects of the deployment and their keys (secrets are stored hashed, see app.auth)."""

    async def key_row(self, prefix: str) -> asyncpg.Record | None:
        """The live key with this prefix (read only: nothing is written before its secret is checked)."""
        return await self.pool.fetchrow(*self.q.keys.authenticate_key(prefix=prefix))

    async def stamp_use(self, project_id: str, key_id: int) -> None:
        await self.pool.execute(*self.q.keys.stamp_key_use(project_id=project_id, key_id=key_id))

    async def create_project(self, project_id: str, key: tuple[str, str, bytes]) -> dict[str, Any]:
        """A new, empty project and its first admin key: `key` is (key, prefix, hash) from app.auth.new_key."""
        async with self.pool.acquire() as connection, connection.transaction():
            if await connection.fetchval(*self.q.projects.insert_project(project_id=project_id)) is None:
                raise Conflict(
                    f"Project '{project_id}' exists already. To get another admin key, "
                    f"POST /v1/projects/{project_id}/keys with the operator key.",
                    project_id=project_id,
                )
            created = await self._insert_key(connection, project_id, "admin", None, "first admin key", key)
        return {"project_id": project_id, "admin_key": created}

    async def list_projects(self) -> list[dict[str, Any]]:
        return [dict(row) for row in await self.pool.fetch(*self.q.projects.list_projects())]

    async def create_key(
        self, project_id: str, role: str, agent: str | None, name: str | None, key: tuple[str, str, bytes]
    ) -> dict[str, Any]:
        """A new key of the project (of one of its agents, for an agent key)."""
        async with self.pool.acquire() as connection, connection.transaction():
            if not await connection.fetchval(*self.q.projects.project_exists(project_id=project_id)):
                raise NotFound(f"Project '{project_id}' does not exist.", project_id=project_id)
            if agent is not None:
                await self.agent_row(connection, project_id, agent)
            return await self._insert_key(connection, project_id, role, agent, name, key)

    async def _insert_key(
        self,
        connection: asyncpg.Connection,
        project_id: str,
        role: str,
        agent: str | None,
        name: str | None,
        key: tuple[str, str, bytes],
    ) -> dict[str, Any]:
        secret, prefix, digest = key
        row = await connection.fetchrow(
            *self.q.keys.insert_api_key(
                project_id=project_id, prefix=prefix, secret_hash=digest, role=role, agent=agent, name=name
            )
        )
        return {"key": secret, **dict(row)}

    async def list_keys(self, project_id: str) -> list[dict[str, Any]]:
        return [dict(row) for row in await self.pool.fetch(*self.q.keys.list_api_keys(project_id=project_id))]

    async def revoke_key(self, project_id: str, prefix: str) -> dict[str, Any]:
        row = await self.pool.fetchrow(*self.q.keys.revoke_api_key(project_id=project_id, prefix=prefix))
        if row is None:
            raise NotFound(f"Project '{project_id}' has no key '{prefix}'.", prefix=prefix)
        return dict(row)
