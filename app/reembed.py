"""Moving a deployment to another embedder: every memory's vectors are computed again, in batches, resumably.

The move is recorded in `deployment` (the service refuses to start on its mixed vectors) and, per kind, the
last memory done in `reembed_progress`, in the same transaction as each batch: an interrupted move resumes
where it stopped. Heuristics and anti-patterns learned from outcomes get their ranking vector from their
condition / pattern text (the outcome's task, whose vector they were given, is not kept with them).
Not here: choosing the embedder (app.embeddings) or checking it at start (app.repository).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from app.embeddings import Embedder, EmbedderIdentity, embed, has_direction
from app.errors import AlmaError
from app.queries import Queries
from app.repository import recorded_identity
from app.transfer import EMBEDDED_TEXT

KINDS = tuple(EMBEDDED_TEXT)  # as memory_items names them


class ReembedRefused(AlmaError):
    status, slug, title = 409, "reembed-refused", "Cannot re-embed"


@dataclass(frozen=True)
class ReembedPlan:
    """What a move will do: from which embedder to which, and how many memories are left."""

    source: EmbedderIdentity
    target: EmbedderIdentity
    remaining: int
    resumed: bool


class Reembedding:
    """A move of the deployment on `pool` to `embedder`."""

    def __init__(self, pool: asyncpg.Pool, queries: Queries, embedder: Embedder, batch_size: int = 256) -> None:
        self.pool = pool
        self.q = queries
        self.embedder = embedder
        self.target = EmbedderIdentity.of(embedder)
        self.batch_size = batch_size

    async def plan(self) -> ReembedPlan:
        """Check that the move can start (or resume) and count what it has to do; changes nothing."""
        row = await self.pool.fetchrow(self.q.get_deployment)
        if row is None:
            raise ReembedRefused(
                "This database has never been served, so it has no vectors to move: start the service with the "
                "new embedder instead."
            )
        source = recorded_identity(row)
        resumed = row["reembed_embedder"] is not None
        if resumed:
            under_way = EmbedderIdentity(row["reembed_embedder"], row["reembed_model"], row["reembed_dim"])
            if self.target.differs_from(under_way):
                raise ReembedRefused(
                    f"A move to {under_way} is under way, not to {self.target}. Finish it first "
                    f"(`alma reembed` with {under_way.settings()}), then move again."
                )
        elif not self.target.differs_from(source):
            raise ReembedRefused(f"This database already uses {self.target}: there is nothing to re-embed.")
        remaining = await self.pool.fetchval(self.q.reembed_remaining)
        return ReembedPlan(source, self.target, remaining, resumed)

    async def run(
        self,
        plan: ReembedPlan,
        on_batch: Callable[[int], None] = lambda done: None,
        on_indexing: Callable[[], None] = lambda: None,
    ) -> int:
        """Embed every memory not yet done, batch by batch, then make the target the deployment's embedder."""
        async with self.pool.acquire() as connection, connection.transaction():
            await connection.fetchrow(self.q.reembed_begin, self.target.kind, self.target.model, self.target.dimension)
            await connection.execute(self.q.reembed_unindex, plan.source.dimension != self.target.dimension)
        done = {row["kind"]: (row["project_id"], row["id"]) for row in await self.pool.fetch(self.q.reembed_progress)}
        moved = 0
        for kind in KINDS:
            after = done.get(kind, ("", 0))
            while rows := await self.pool.fetch(self.q.reembed_next, kind, *after, self.batch_size):
                vectors = await self._vectors(kind, rows)
                after = (rows[-1]["project_id"], rows[-1]["id"])
                async with self.pool.acquire() as connection, connection.transaction():
                    await connection.executemany(self.q.reembed_store, vectors)
                    await connection.execute(self.q.reembed_advance, kind, *after)
                moved += len(rows)
                on_batch(len(rows))
        on_indexing()
        async with self.pool.acquire() as connection, connection.transaction():
            await connection.execute(self.q.reembed_index, self.target.dimension)
            await connection.fetchrow(self.q.reembed_finish)
        return moved

    async def _vectors(self, kind: str, rows: list[asyncpg.Record]) -> list[tuple]:
        """The reembed_store parameters of a batch, embedded in one call; a text without direction stops it."""
        ranking_field, learning_field = EMBEDDED_TEXT[kind]
        fields = [field for field in (ranking_field, learning_field) if field is not None]
        for row in rows:
            for field in fields:
                if not has_direction(self.embedder, row["item"][field]):
                    raise ReembedRefused(
                        f"The {field} of {kind} memory {row['id']} in project {row['project_id']} has no word the "
                        f"{self.target.kind} embedder can read, so it would have no vector to rank by. Change or "
                        "delete that memory, then run `alma reembed` again: it resumes where it stopped."
                    )
        computed = iter(await embed(self.embedder, [row["item"][field] for row in rows for field in fields]))
        stored = []
        for row in rows:
            ranking = next(computed)
            learning = next(computed) if learning_field else None
            stored.append((kind, row["project_id"], row["id"], ranking, learning))
        return stored
