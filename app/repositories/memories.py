"""Memories: learning from outcomes, writing, reading, changing and forgetting them, and retrieval."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import asyncpg
from pydantic import BaseModel

from app.errors import MemoryNotFound, NotOwner, ScopeViolation
from app.memory.kinds import BY_PATH, MemoryKind
from app.models import DomainKnowledgeCreate, LearnRequest, MemoryFilter, MemoryUpdate
from app.queries import Queries
from app.ranking import Ranking
from app.repositories.common import Repository, Vec, in_scope


@dataclass(frozen=True)
class LearnedOutcome:
    """An outcome to store, with the vectors of its task and of its strategy."""

    request: LearnRequest
    task_vector: Vec
    strategy_vector: Vec


@dataclass(frozen=True)
class Retrieved:
    """A retrieve as the database wrote it: `memories` is the JSON text of {kind name: [item, ...]}, which the
    service passes on without decoding; `tally` holds per kind the (own, shared) item counts."""

    memories: str
    tally: dict[str, tuple[int, int]]
    shared_sources: list[str]

    def items(self) -> dict[str, list[dict[str, Any]]]:
        return json.loads(self.memories)


class MemoryRepository(Repository):
    """The memories of every project, and the grants that say who reads them."""

    def __init__(
        self, pool: asyncpg.Pool, queries: Queries, strategy_similarity: float = 0.8, ranking: Ranking | None = None
    ) -> None:
        super().__init__(pool, queries)
        self.strategy_similarity = strategy_similarity
        self.ranking = ranking or Ranking()

    # --- writing -----------------------------------------------------------------------------------

    async def _writer(
        self, connection: asyncpg.Connection, project_id: str, agent: str, **scoped: str | None
    ) -> asyncpg.Record:
        """The writing agent's row, after checking that every named domain / task type is in its scope."""
        row = await self.agent_row(connection, project_id, agent)
        for field, value in scoped.items():
            if value is not None and not in_scope(row, value):
                allowed = ", ".join(row["can_learn"]) or f"anything but {', '.join(row['cannot_learn'])}"
                raise ScopeViolation(
                    f"{agent} may not learn {field} '{value}': it is outside its scope (can_learn: {allowed}). "
                    f"Write it as an agent whose can_learn lists '{value}', or add it to {agent}'s can_learn.",
                    agent=agent,
                    field=field,
                    value=value,
                    can_learn=list(row["can_learn"]),
                    cannot_learn=list(row["cannot_learn"]),
                )
        return row

    async def learn(self, project_id: str, learned: LearnedOutcome) -> dict[str, Any]:
        """Store an outcome and learn from it, in one transaction."""
        async with self.pool.acquire() as connection, connection.transaction():
            return await self._learn(connection, project_id, learned)

    async def learn_many(
        self, project_id: str, outcomes: list[LearnedOutcome], facts: list[tuple[DomainKnowledgeCreate, dict[str, Vec]]]
    ) -> dict[str, list[dict[str, Any]]]:
        """Many outcomes and facts in one transaction: the first refusal writes nothing at all."""
        facts_kind = BY_PATH["domain-knowledge"]
        async with self.pool.acquire() as connection, connection.transaction():
            learned = [await self._learn(connection, project_id, outcome) for outcome in outcomes]
            stored = [await self._add(connection, facts_kind, project_id, fact, vectors) for fact, vectors in facts]
        return {"outcomes": learned, "domain_knowledge": stored}

    async def _learn(self, connection: asyncpg.Connection, project_id: str, learned: LearnedOutcome) -> dict[str, Any]:
        q, request = self.q.memories, learned.request
        await connection.execute(*q.lock_agent_learning(project_id=project_id, agent=request.agent))
        agent = await self._writer(
            connection, project_id, request.agent, domain=request.domain, task_type=request.task_type
        )
        success = request.outcome == "success"
        learning = {
            "project_id": project_id,
            "agent": request.agent,
            "task_type": request.task_type,
            "strategy_embedding": learned.strategy_vector,
            "similarity_threshold": self.strategy_similarity,
        }
        outcome = await connection.fetchval(
            *q.insert_outcomes(
                request.model_dump(),
                project_id=project_id,
                success=success,
                embedding=learned.task_vector,
                strategy_embedding=learned.strategy_vector,
            )
        )
        heuristic = await connection.fetchval(*q.strengthen_heuristic(learning, success=success))
        if heuristic is None:
            heuristic = await connection.fetchval(
                *q.create_heuristic_from_outcomes(
                    learning,
                    min_occurrences=agent["min_occurrences_for_heuristic"],
                    condition=request.task_type or request.task,
                    strategy=request.strategy_used,
                    domain=request.domain,
                    embedding=learned.task_vector,
                )
            )
        anti_pattern = None
        if not success and request.error_message:
            anti_pattern = await connection.fetchval(*q.strengthen_anti_pattern(learning))
            if anti_pattern is None:
                anti_pattern = await connection.fetchval(
                    *q.create_anti_pattern_from_failures(
                        learning,
                        pattern=request.strategy_used,
                        why_bad=request.error_message,
                        domain=request.domain,
                        embedding=learned.task_vector,
                    )
                )
        return {"outcome": outcome, "heuristic": heuristic, "anti_pattern": anti_pattern}

    async def add(self, kind: MemoryKind, project_id: str, body: BaseModel, vectors: dict[str, Vec]) -> dict[str, Any]:
        """Write one memory of a kind under its writing agent's own id; `vectors` fills its vector columns."""
        async with self.pool.acquire() as connection, connection.transaction():
            return await self._add(connection, kind, project_id, body, vectors)

    async def _add(
        self, connection: asyncpg.Connection, kind: MemoryKind, project_id: str, body: Any, vectors: dict[str, Vec]
    ) -> dict[str, Any]:
        await self._writer(connection, project_id, body.agent, **{field: getattr(body, field) for field in kind.scoped})
        insert = getattr(self.q.memories, f"insert_{kind.name}")
        return await connection.fetchval(*insert(body.model_dump(), project_id=project_id, **vectors))

    # --- reading, changing, forgetting --------------------------------------------------------------

    async def get_memory(self, project_id: str, kind: MemoryKind, memory_id: int, reader: str) -> dict[str, Any]:
        """One memory the reader may read; 404 alike for one that does not exist and one it may not read."""
        statement = self.q.memories.get_memory(project_id=project_id, kind=kind.path, id=memory_id, reader=reader)
        row = await self.pool.fetchrow(*statement)
        if row is None:
            await self.require_agent(project_id, reader)
            raise MemoryNotFound(
                f"No {kind.path} memory {memory_id} that {reader} may read in project '{project_id}'.",
                kind=kind.path,
                id=memory_id,
            )
        return row["item"]

    async def list_memories(
        self, project_id: str, kind: MemoryKind, page: MemoryFilter
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of what the reader may read, newest first, and the total over all pages."""
        rows = await self.pool.fetch(
            *self.q.memories.list_memories(page.model_dump(), project_id=project_id, kind=kind.path)
        )
        if not rows:
            await self.require_agent(project_id, page.reader)
        return [row["item"] for row in rows], (rows[0]["total"] if rows else 0)

    async def update_memory(
        self, kind: MemoryKind, project_id: str, memory_id: int, update: MemoryUpdate, vectors: dict[str, Vec]
    ) -> dict[str, Any]:
        """Apply the owner's changes; new texts come with their new vectors (the others stay)."""
        async with self.pool.acquire() as connection, connection.transaction():
            await self._writer(connection, project_id, update.agent, domain=update.domain, task_type=update.task_type)
            statement = getattr(self.q.memories, f"update_{kind.name}")
            values = {**update.model_dump(), **dict.fromkeys(kind.vector_columns), **vectors}  # NULL: unchanged
            item = await connection.fetchval(
                *statement(values, project_id=project_id, id=memory_id, owner=update.agent)
            )
        if item is None:
            raise await self._not_owner(project_id, kind, memory_id, update.agent, "change")
        return item

    async def delete_memory(self, project_id: str, kind: MemoryKind, memory_id: int, owner: str) -> None:
        statement = self.q.memories.delete_memory(project_id=project_id, kind=kind.path, id=memory_id, owner=owner)
        if not await self.pool.fetchval(*statement):
            raise await self._not_owner(project_id, kind, memory_id, owner, "delete")

    async def _not_owner(self, project_id: str, kind: MemoryKind, memory_id: int, agent: str, action: str) -> Exception:
        """403 when the agent can see the memory but does not own it; 404 otherwise."""
        item = await self.get_memory(project_id, kind, memory_id, agent)
        return NotOwner(
            f"{kind.path} memory {memory_id} belongs to {item['agent']}; only {item['agent']} may {action} it. "
            f"{agent} can read it because it is shared with it.",
            owner=item["agent"],
        )

    async def forget(
        self, project_id: str, agent: str | None, older_than_days: int | None, below_confidence: float | None
    ) -> dict[str, int]:
        if agent is not None:
            await self.require_agent(project_id, agent)
        else:
            async with self.pool.acquire() as connection:
                await self.require_project(connection, project_id)
        row = await self.pool.fetchrow(
            *self.q.memories.forget(
                project_id=project_id, agent=agent, older_than_days=older_than_days, below_confidence=below_confidence
            )
        )
        return dict(row)

    async def stats(self, project_id: str, agent: str) -> tuple[list[asyncpg.Record], list[str]]:
        """(source, kind, memories) rows for everything the agent owns or may read, and its granted sources."""
        async with self.pool.acquire() as connection:
            await self.agent_row(connection, project_id, agent)
            rows = await connection.fetch(*self.q.memories.agent_stats(project_id=project_id, agent=agent))
            grants = await connection.fetchrow(*self.q.projects.agents_with_grants(project_id=project_id, name=agent))
        return rows, list(grants["reads_from"])

    async def memory_counts(self, project_id: str) -> dict[str, dict[str, int]]:
        """Per agent, how many memories of each shareable kind it owns (kinds it has none of are left out)."""
        counts: dict[str, dict[str, int]] = {}
        for row in await self.pool.fetch(*self.q.memories.memory_counts(project_id=project_id)):
            counts.setdefault(row["agent"], {})[row["kind"]] = row["memories"]
        return counts

    # --- retrieval ---------------------------------------------------------------------------------

    async def retrieve(
        self,
        project_id: str,
        reader: str,
        query_vector: Vec,
        top_k: int,
        include_shared: bool,
        user_id: str | None,
        ranking: Ranking | None = None,
    ) -> Retrieved:
        """The reader's top memories of each kind, in one statement, as the JSON the API sends."""
        row = await self.pool.fetchrow(
            *self.q.memories.retrieve(
                (ranking or self.ranking).parameters(),
                project_id=project_id,
                reader=reader,
                query_vector=query_vector,
                top_k=top_k,
                include_shared=include_shared,
                user_id=user_id,
            )
        )
        if not row["reader_known"]:
            async with self.pool.acquire() as connection:
                raise await self.agent_not_found(connection, project_id, reader)
        tally = {name: (own, shared) for name, (own, shared) in row["tally"].items()}
        return Retrieved(row["memories"], tally, list(row["shared_sources"]))
