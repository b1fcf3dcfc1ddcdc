"""Moving a deployment to another embedder: every memory's vectors are computed again, in batches, resumably.

The move is recorded in `deployment` (the service refuses to start on its mixed vectors) and, per kind, the
last memory done in `reembed_progress`, in the same transaction as each batch: an interrupted move resumes
where it stopped. Heuristics and anti-patterns learned from outcomes get their ranking vector from their
condition / pattern text (the outcome's task, whose vector they were given, is not kept with them).
Not here: choosing the embedder (app.embeddings), checking it at start or the SQL (app.repositories.deployment).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from app.embeddings import Embedder, EmbedderIdentity, embed, has_direction
from app.errors import AlmaError
from app.memory.kinds import KINDS, MemoryKind
from app.repositories.common import Vec
from app.repositories.deployment import DeploymentRepository, recorded_identity


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
    """A move of the deployment to `embedder`."""

    def __init__(self, deployment: DeploymentRepository, embedder: Embedder, batch_size: int = 256) -> None:
        self.deployment = deployment
        self.embedder = embedder
        self.target = EmbedderIdentity.of(embedder)
        self.batch_size = batch_size

    async def plan(self) -> ReembedPlan:
        """Check that the move can start (or resume) and count what it has to do; changes nothing."""
        row = await self.deployment.deployment()
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
        remaining = await self.deployment.reembed_remaining()
        return ReembedPlan(source, self.target, remaining, resumed)

    async def run(
        self,
        plan: ReembedPlan,
        on_batch: Callable[[int], None] = lambda done: None,
        on_indexing: Callable[[], None] = lambda: None,
    ) -> int:
        """Embed every memory not yet done, batch by batch, then make the target the deployment's embedder."""
        await self.deployment.reembed_begin(self.target, plan.source.dimension != self.target.dimension)
        done = await self.deployment.reembed_progress()
        moved = 0
        for kind in KINDS:
            after = done.get(kind.path, ("", 0))
            while rows := await self.deployment.reembed_next(kind.path, after, self.batch_size):
                await self.deployment.reembed_store(kind.path, await self._vectors(kind, rows))
                after = (rows[-1]["project_id"], rows[-1]["id"])
                moved += len(rows)
                on_batch(len(rows))
        on_indexing()
        await self.deployment.reembed_finish(self.embedder.dimension)
        return moved

    async def _vectors(self, kind: MemoryKind, rows: list[asyncpg.Record]) -> list[tuple[str, int, Vec, Vec | None]]:
        """A batch's (project_id, id, ranking vector, learning vector), embedded in one call; a text without
        direction stops it."""
        fields = [kind.text] + ([kind.learning_text] if kind.learning_text else [])
        for row in rows:
            for field in fields:
                if not has_direction(self.embedder, row["item"][field]):
                    raise ReembedRefused(
                        f"The {field} of {kind.path} memory {row['id']} in project {row['project_id']} has no word "
                        f"the {self.target.kind} embedder can read, so it would have no vector to rank by. Change "
                        "or delete that memory, then run `alma reembed` again: it resumes where it stopped."
                    )
        computed = iter(await embed(self.embedder, [row["item"][field] for row in rows for field in fields]))
        stored = []
        for row in rows:
            ranking = next(computed)
            learning = next(computed) if kind.learning_text else None
            stored.append((row["project_id"], row["id"], ranking, learning))
        return stored
