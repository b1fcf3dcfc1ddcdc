"""MemoryService: the memory use cases the API, the CLI and MCP share — embed, call the repository, shape the
answer. What differs between kinds comes from the registry (app.memory.kinds).

Not here: SQL (app.repositories) or HTTP (app.api).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from app.embeddings import Embedder, embed, has_direction
from app.errors import InvalidInput
from app.memory.kinds import BY_NAME, BY_PATH, MemoryKind
from app.models import (
    AnyMemory,
    BulkLearnRequest,
    BulkLearnResult,
    LearnRequest,
    LearnResult,
    Memory,
    MemoryFilter,
    MemoryPage,
    MemoryUpdate,
    RetrieveRequest,
    RetrieveResponse,
)
from app.prompt import format_prompt
from app.repositories.common import Vec
from app.repositories.memories import LearnedOutcome, MemoryRepository

OUTCOMES, HEURISTICS, ANTI_PATTERNS, DOMAIN_KNOWLEDGE = (
    BY_PATH[path] for path in ("outcomes", "heuristics", "anti-patterns", "domain-knowledge")
)


class MemoryService:
    """What a caller can do with a project's memory."""

    def __init__(self, repository: MemoryRepository, embedder: Embedder) -> None:
        self.repository = repository
        self.embedder = embedder

    # --- vectors -----------------------------------------------------------------------------------

    def _check_size(self, vector: list[float], field: str) -> list[float]:
        if len(vector) != self.embedder.dimension:
            raise InvalidInput(
                f"`{field}` has {len(vector)} dimensions; this deployment uses {self.embedder.dimension}. "
                "Send a vector of that size, or leave the field out to let the service embed the text.",
                errors=[{"field": field, "message": f"expected {self.embedder.dimension} dimensions"}],
            )
        return vector

    async def _vectors(self, texts: list[tuple[str, str]], given: list[Vec | None] | None = None) -> list[Vec]:
        """One vector per (field, text): the client's where it sent one (checked), else the embedder's, in one
        batch. A text the embedder can give no direction (no words, for `hashing`) is refused, naming its field."""
        given = given or [None] * len(texts)
        for vector in given:
            if vector is not None:
                self._check_size(vector, "embedding")
        missing = [text for text, vector in zip(texts, given) if vector is None]
        for field, text in missing:
            if not has_direction(self.embedder, text):
                raise InvalidInput(
                    f"`{field}` has no word the {self.embedder.name} embedder can read (letters a-z, digits), so it "
                    "would have no vector to rank by. Write it with words, or send your own `embedding`.",
                    errors=[{"field": field, "message": "no words to embed"}],
                )
        computed = iter(await embed(self.embedder, [text for _, text in missing]) if missing else [])
        return [vector if vector is not None else next(computed) for vector in given]

    async def _memory_vectors(self, kind: MemoryKind, body: Any) -> dict[str, Vec]:
        """A new memory's vector columns: its texts embedded (the client's `embedding` stands for the first)."""
        columns = kind.vector_columns
        texts = [(field, getattr(body, field)) for field in columns.values()]
        given = [body.embedding] + [None] * (len(texts) - 1)
        return dict(zip(columns, await self._vectors(texts, given)))

    # --- writing -----------------------------------------------------------------------------------

    async def _prepare(self, outcomes: list[LearnRequest]) -> list[LearnedOutcome]:
        tasks = await self._vectors([("task", o.task) for o in outcomes], [o.embedding for o in outcomes])
        strategies = await self._vectors([("strategy_used", o.strategy_used) for o in outcomes])
        return [LearnedOutcome(o, task, strategy) for o, task, strategy in zip(outcomes, tasks, strategies)]

    async def learn(self, project_id: str, request: LearnRequest) -> LearnResult:
        """Record an outcome under the learning agent's own id, and learn heuristics / anti-patterns from it."""
        (learned,) = await self._prepare([request])
        result = await self.repository.learn(project_id, learned)
        return _learn_result(result, request.agent)

    async def learn_many(self, project_id: str, bulk: BulkLearnRequest) -> BulkLearnResult:
        """All the outcomes and facts in one transaction, or none of them."""
        learned = await self._prepare(bulk.outcomes)
        facts = [(fact, await self._memory_vectors(DOMAIN_KNOWLEDGE, fact)) for fact in bulk.domain_knowledge]
        result = await self.repository.learn_many(project_id, learned, facts)
        return BulkLearnResult(
            outcomes=[_learn_result(item, outcome.agent) for item, outcome in zip(result["outcomes"], bulk.outcomes)],
            domain_knowledge=[_item(DOMAIN_KNOWLEDGE, item, None) for item in result["domain_knowledge"]],
        )

    async def add(self, kind: MemoryKind, project_id: str, body: BaseModel) -> Memory:
        """Write one memory of a kind (not an outcome: those are learned) under the writing agent's own id."""
        vectors = await self._memory_vectors(kind, body)
        return _item(kind, await self.repository.add(kind, project_id, body, vectors), None)

    # --- reading, changing, forgetting ---------------------------------------------------------------

    async def get_memory(self, project_id: str, kind: MemoryKind, memory_id: int, reader: str) -> AnyMemory:
        return _item(kind, await self.repository.get_memory(project_id, kind, memory_id, reader), reader)

    async def list_memories(self, project_id: str, kind: MemoryKind, page: MemoryFilter) -> MemoryPage:
        items, total = await self.repository.list_memories(project_id, kind, page)
        return MemoryPage(
            items=[_item(kind, item, page.reader) for item in items], total=total, limit=page.limit, offset=page.offset
        )

    async def update_memory(self, project_id: str, kind: MemoryKind, memory_id: int, update: MemoryUpdate) -> AnyMemory:
        """The owner's change; fields of another kind are refused, changed texts are embedded again."""
        changed = update.model_fields_set - {"agent"}
        foreign = sorted(changed - kind.updatable)
        if foreign:
            raise InvalidInput(
                f"A {kind.path} memory has no field(s) {', '.join(foreign)} to change; "
                f"it accepts {', '.join(sorted(kind.updatable))}.",
                errors=[{"field": field, "message": f"not a field of {kind.path}"} for field in foreign],
            )
        texts = {
            column: (field, getattr(update, field))
            for column, field in kind.vector_columns.items()
            if field in kind.updatable and getattr(update, field) is not None
        }
        vectors = dict(zip(texts, await self._vectors(list(texts.values())))) if texts else {}
        item = await self.repository.update_memory(kind, project_id, memory_id, update, vectors)
        return _item(kind, item, update.agent)

    async def delete_memory(self, project_id: str, kind: MemoryKind, memory_id: int, agent: str) -> None:
        await self.repository.delete_memory(project_id, kind, memory_id, agent)

    # --- retrieval ---------------------------------------------------------------------------------

    async def retrieve(self, project_id: str, request: RetrieveRequest) -> Slice:
        """The reader's memories and those shared with it; shared ones carry `metadata.shared_from`. The items'
        JSON comes from the database as it is sent: decoding and validating 5 × top_k items only to encode
        them again cost about as much as the statement's own execution."""
        started = time.perf_counter()
        ranking = None
        if request.embedding is None and not has_direction(self.embedder, request.query):
            # no word to compare by: rank by recency, success and confidence alone, over every visible memory
            vector = [1.0] + [0.0] * (self.embedder.dimension - 1)
            ranking = self.repository.ranking.without_similarity()
        else:
            (vector,) = await self._vectors([("query", request.query)], [request.embedding])
        found = await self.repository.retrieve(
            project_id, request.agent, vector, request.top_k, request.include_shared, request.user_id, ranking
        )
        prompt = None
        if request.include_prompt:
            stored = found.items()  # decoded once, only when a prompt is asked for
            items = {name: [BY_NAME[name].item.model_validate(item) for item in stored[name]] for name in BY_NAME}
            prompt = format_prompt(items, request.max_prompt_tokens)
        head = {
            "project_id": project_id,
            "agent": request.agent,
            "query": request.query,
            "top_k": request.top_k,
            "include_shared": request.include_shared,
            "took_ms": round((time.perf_counter() - started) * 1000, 3),
            "prompt": prompt,
        }
        body = json.dumps(head, ensure_ascii=False)[:-1] + ", " + found.memories[1:]
        return Slice(body.encode(), found.tally, found.shared_sources)


@dataclass(frozen=True)
class Slice:
    """A retrieve's answer: the JSON body the API sends (RetrieveResponse's shape), and for metrics and audit
    the (own, shared) item counts per kind and the other agents whose memories it holds."""

    body: bytes
    tally: dict[str, tuple[int, int]]
    shared_sources: list[str]

    def model(self) -> RetrieveResponse:
        return RetrieveResponse.model_validate_json(self.body)


def _item(kind: MemoryKind, item: dict[str, Any], reader: str | None) -> Any:
    """The API model of a stored item; `shared_from` when it belongs to another agent than the reader."""
    shared = reader is not None and kind.by_agent and item["agent"] != reader
    return kind.item.model_validate({**item, "metadata": {"shared_from": item["agent"]} if shared else {}})


def _learn_result(result: dict[str, Any], agent: str) -> LearnResult:
    return LearnResult(
        outcome=_item(OUTCOMES, result["outcome"], agent),
        heuristic=_item(HEURISTICS, result["heuristic"], agent) if result["heuristic"] else None,
        anti_pattern=_item(ANTI_PATTERNS, result["anti_pattern"], agent) if result["anti_pattern"] else None,
    )
