"""The statements of imports and exports: a batch COPYed into staging and inserted once, the export's stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg

from app.repositories.projects import ProjectRepository
from app.transfer.records import STAGING_COLUMNS, export_record


class TransferRepository(ProjectRepository):
    """A project's memories in bulk, in and out (agents an import brings are created as a config would)."""

    async def ensure_project(self, project_id: str) -> None:
        """ProjectNotFound, saying how to create it, unless the project exists."""
        await self.require_project(self.pool, project_id)

    async def agents(self, project_id: str) -> dict[str, asyncpg.Record]:
        """The project's agents by name; the project must exist."""
        await self.ensure_project(project_id)
        return await self.agent_rows(project_id)

    async def write_batch(
        self, project_id: str, new_agents: list[str], rows: list[tuple[Any, ...]], commit: bool = True
    ) -> dict[str, int]:
        """COPY one batch into a staging table and insert what the project lacks, in one transaction.
        Returns the memories inserted per kind; with commit=False everything is rolled back (a dry run)."""
        async with self.pool.acquire() as connection:
            transaction = connection.transaction()
            await transaction.start()
            try:
                if new_agents:
                    await self.add_agents(connection, project_id, new_agents)
                await connection.execute(*self.q.transfer.create_import_staging())
                await connection.copy_records_to_table("import_staging", records=rows, columns=STAGING_COLUMNS)
                counts = dict(await connection.fetchrow(*self.q.transfer.import_staged(project_id=project_id)))
            except BaseException:
                await transaction.rollback()
                raise
            if commit:
                await transaction.commit()
            else:
                await transaction.rollback()
        return counts

    async def count(self, project_id: str) -> int:
        """How many memories the project holds (0 for a project that does not exist)."""
        return await self.pool.fetchval(*self.q.memories.count_memories(project_id=project_id))

    async def export(self, project_id: str, with_vectors: bool) -> AsyncIterator[dict[str, Any]]:
        """Every memory of the project as an export record, streamed from one consistent snapshot."""
        await self.ensure_project(project_id)
        statement = self.q.transfer.export_memories(project_id=project_id, with_vectors=with_vectors)
        async with self.pool.acquire() as connection, connection.transaction(isolation="repeatable_read"):
            async for row in connection.cursor(*statement, prefetch=500):
                yield export_record(project_id, row)
