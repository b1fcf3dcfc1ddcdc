"""The deployment: which embedder made its vectors, whether its schema is current, and the statements of a
move to another embedder (`alma reembed`)."""

from __future__ import annotations

import asyncio

import asyncpg

from app.embeddings import Embedder, EmbedderIdentity
from app.errors import DeploymentMismatch
from app.models import MAX_DIMENSIONS
from app.repositories.common import Repository, Vec

READY_SECONDS = 2.0  # /ready answers within this, whatever the database does


class DeploymentRepository(Repository):
    """The one `deployment` row, the schema version, and re-embedding progress."""

    async def deployment(self) -> asyncpg.Record | None:
        """The recorded embedder of this deployment (see get_deployment.sql), or None before its first start."""
        return await self.pool.fetchrow(*self.q.deployment.get_deployment())

    async def init_deployment(self, embedder: Embedder) -> int:
        """Record the embedder at the first start; refuse to run later with another one, or on vectors that an
        unfinished `alma reembed` left mixed."""
        if embedder.dimension > MAX_DIMENSIONS:
            raise DeploymentMismatch(
                f"{embedder.name} makes vectors of {embedder.dimension} dimensions; the nearest-neighbour indexes take at"
                f" most {MAX_DIMENSIONS}: configure a model with fewer dimensions (or one that can shorten its vectors)"
            )
        row = await self.pool.fetchrow(
            *self.q.deployment.init_deployment(
                embedding_dim=embedder.dimension, embedder=embedder.name, embedding_model=embedder.model
            )
        )
        if (problem := deployment_mismatch(row, EmbedderIdentity.of(embedder))) is not None:
            raise DeploymentMismatch(problem)
        if row["embedding_model"] is None:
            await self.pool.execute(*self.q.deployment.adopt_embedding_model(embedding_model=embedder.model))
        return embedder.dimension

    async def dimension(self, embedder: Embedder, record: bool) -> int:
        """The deployment's vector size, which `embedder` must make; recorded now (when `record`) if the service
        never ran, refused as the service refuses when another embedder made the vectors."""
        if record:
            return await self.init_deployment(embedder)
        if (problem := deployment_mismatch(await self.deployment(), EmbedderIdentity.of(embedder))) is not None:
            raise DeploymentMismatch(problem)
        return embedder.dimension

    async def not_ready(self, expected_schema: str) -> str | None:
        """Why the service cannot serve now (database unreachable or not migrated), or None."""
        try:
            async with asyncio.timeout(READY_SECONDS):  # the whole check, connection included
                version = await self.pool.fetchval(*self.q.deployment.schema_version())
        except asyncpg.UndefinedTableError:
            version = None
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as error:
            return f"The database is unreachable ({type(error).__name__}); the service retries by itself."
        if version != expected_schema:
            return f"The database schema is at {version or 'nothing'}, this version needs {expected_schema}: run `alma migrate`."
        return None

    # --- a move to another embedder -------------------------------------------------------------------

    async def reembed_remaining(self) -> int:
        return await self.pool.fetchval(*self.q.deployment.reembed_remaining())

    async def reembed_begin(self, target: EmbedderIdentity, size_changes: bool) -> None:
        """Record the move and drop the nearest-neighbour indexes (its vectors are mixed until it finishes)."""
        q = self.q.deployment
        async with self.pool.acquire() as connection, connection.transaction():
            await connection.fetchrow(
                *q.reembed_begin(embedder=target.kind, embedding_model=target.model, embedding_dim=target.dimension)
            )
            await connection.execute(*q.reembed_unindex(any_size=size_changes))

    async def reembed_progress(self) -> dict[str, tuple[str, int]]:
        """Per kind, the (project_id, id) of the last memory done."""
        rows = await self.pool.fetch(*self.q.deployment.reembed_progress())
        return {row["kind"]: (row["project_id"], row["id"]) for row in rows}

    async def reembed_next(self, kind: str, after: tuple[str, int], limit: int) -> list[asyncpg.Record]:
        project_id, memory_id = after
        return await self.pool.fetch(
            *self.q.deployment.reembed_next(kind=kind, project_id=project_id, id=memory_id, limit=limit)
        )

    async def reembed_store(self, kind: str, vectors: list[tuple[str, int, Vec, Vec | None]]) -> None:
        """A batch's new vectors ((project_id, id, ranking, learning) each) and the progress, in one transaction."""
        store = self.q.deployment.reembed_store
        async with self.pool.acquire() as connection, connection.transaction():
            await connection.executemany(
                store.sql,
                [
                    store(
                        kind=kind, project_id=project_id, id=memory_id, embedding=ranking, learning_embedding=learning
                    )[1:]
                    for project_id, memory_id, ranking, learning in vectors
                ],
            )
            project_id, memory_id = vectors[-1][:2]
            await connection.execute(*self.q.deployment.reembed_advance(kind=kind, project_id=project_id, id=memory_id))

    async def reembed_finish(self, dimension: int) -> None:
        """Build the indexes again for the new size and make the target the deployment's embedder."""
        async with self.pool.acquire() as connection, connection.transaction():
            await connection.execute(*self.q.deployment.reembed_index(dimension=dimension))
            await connection.fetchrow(*self.q.deployment.reembed_finish())


def recorded_identity(row: asyncpg.Record) -> EmbedderIdentity:
    return EmbedderIdentity(row["embedder"], row["embedding_model"], row["embedding_dim"])


def deployment_mismatch(row: asyncpg.Record | None, configured: EmbedderIdentity) -> str | None:
    """Why the configured embedder cannot serve the recorded deployment, with the fix; None when it can."""
    if row is None:
        return None
    if row["reembed_embedder"] is not None:
        target = EmbedderIdentity(row["reembed_embedder"], row["reembed_model"], row["reembed_dim"])
        return (
            f"`alma reembed` is moving this database to {target} and has not finished: its vectors are mixed. "
            f"Run `alma reembed` again with {target.settings()} to finish the move."
        )
    recorded = recorded_identity(row)
    if not configured.differs_from(recorded):
        return None
    return (
        f"This database's vectors were made by {recorded}, but the service is configured with {configured}; "
        "vectors of different embedders cannot be compared. Configure the recorded embedder "
        f"({recorded.settings()}), or move the database to the new one with `alma reembed`, which embeds "
        "every memory again."
    )
