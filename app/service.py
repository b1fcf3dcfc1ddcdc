"""MemoryService: the use cases the API and the CLI share — embed, call the repository, shape the answer.

Not here: SQL (repository) or HTTP (api/).
"""

from __future__ import annotations

import time
from typing import Any

from app.config_file import config_notes
from app.embeddings import Embedder, embed, has_direction
from app.errors import InvalidConfig, InvalidInput
from app.models import (
    ITEM_MODELS,
    AgentStats,
    AntiPatternCreate,
    BulkLearnRequest,
    BulkLearnResult,
    ConfigApplied,
    DomainKnowledgeCreate,
    ForgetRequest,
    ForgetResult,
    HeuristicCreate,
    LearnRequest,
    LearnResult,
    Memory,
    MemoryPage,
    MemoryUpdate,
    PreferenceCreate,
    ProjectConfig,
    RetrieveRequest,
    RetrieveResponse,
)
from app.prompt import format_prompt
from app.repository import LearnedOutcome, MemoryRepository

# The fields a change may touch, per kind, and the texts whose vectors must follow them.
UPDATABLE = {
    "heuristics": {"condition", "strategy", "confidence", "task_type", "domain"},
    "outcomes": {"feedback"},
    "domain-knowledge": {"domain", "fact", "source", "confidence"},
    "anti-patterns": {"pattern", "why_bad", "better_alternative", "task_type", "domain"},
    "preferences": {"category", "preference", "source"},
}
EMBEDDED_TEXT = {
    "heuristics": {"condition": "embedding", "strategy": "strategy_embedding"},
    "domain-knowledge": {"fact": "embedding"},
    "anti-patterns": {"pattern": "embedding"},
    "preferences": {"preference": "embedding"},
}
RESPONSE_KINDS = {
    "heuristics": "heuristics",
    "outcomes": "outcomes",
    "domain_knowledge": "domain-knowledge",
    "anti_patterns": "anti-patterns",
    "preferences": "preferences",
}


class MemoryService:
    """What a caller can do with a project's memory."""

    def __init__(self, repository: MemoryRepository, embedder: Embedder) -> None:
        self.repository = repository
        self.embedder = embedder

    async def apply_config(self, project_id: str, config: ProjectConfig, allow_remove_all: bool = False) -> ConfigApplied:
        """Apply a whole config to the project it names (the two must agree when both are given).

        An empty `agents:` would remove every agent, so it is applied only when `allow_remove_all` says so."""
        if config.project_id and config.project_id != project_id:
            raise InvalidConfig(
                f"The config names project '{config.project_id}' but it is applied to '{project_id}'. "
                "Apply it to the project it names, or change its `project_id`.",
                errors=[{"field": "project_id", "message": f"must be '{project_id}' or absent"}],
            )
        if not config.agents and not allow_remove_all:
            raise InvalidConfig(
                f"`agents:` is empty: applying it would remove every agent of project '{project_id}', with their "
                "grants and agent keys. If that is what you mean, apply it with allow_remove_all=true "
                "(`alma config apply --allow-remove-all`).",
                errors=[{"field": "agents", "message": "empty; pass allow_remove_all=true to remove every agent"}],
            )
        applied = await self.repository.apply_config(project_id, config)
        named = config.model_copy(update={"project_id": project_id})
        warnings = config.warnings + applied.warnings
        if applied.removed:
            warnings.append(
                f"Removed agents: {', '.join(applied.removed)}. Their grants and {len(applied.keys_revoked)} agent "
                "key(s) are revoked; their memories stay in the project under their names and come back into view "
                "if an agent of the same name is added again."
            )
        return applied.model_copy(update={"warnings": warnings, "notes": config_notes(named)})

    # --- vectors -----------------------------------------------------------------------------------

    def _check_size(self, vector: list[float], field: str) -> list[float]:
        if len(vector) != self.embedder.dimension:
            raise InvalidInput(
                f"`{field}` has {len(vector)} dimensions; this deployment uses {self.embedder.dimension}. "
                "Send a vector of that size, or leave the field out to let the service embed the text.",
                errors=[{"field": field, "message": f"expected {self.embedder.dimension} dimensions"}],
            )
        return vector

    async def _vectors(
        self, texts: list[tuple[str, str]], given: list[list[float] | None] | None = None
    ) -> list[list[float]]:
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
        fact_vectors = await self._vectors(
            [("fact", fact.fact) for fact in bulk.domain_knowledge], [fact.embedding for fact in bulk.domain_knowledge]
        )
        result = await self.repository.learn_many(project_id, learned, list(zip(bulk.domain_knowledge, fact_vectors)))
        return BulkLearnResult(
            outcomes=[_learn_result(item, outcome.agent) for item, outcome in zip(result["outcomes"], bulk.outcomes)],
            domain_knowledge=[_item("domain-knowledge", item, None) for item in result["domain_knowledge"]],
        )

    async def add_heuristic(self, project_id: str, body: HeuristicCreate) -> Memory:
        condition, strategy = await self._vectors(
            [("condition", body.condition), ("strategy", body.strategy)], [body.embedding, None]
        )
        return _item("heuristics", await self.repository.add_heuristic(project_id, body, condition, strategy), None)

    async def add_domain_knowledge(self, project_id: str, body: DomainKnowledgeCreate) -> Memory:
        (vector,) = await self._vectors([("fact", body.fact)], [body.embedding])
        return _item("domain-knowledge", await self.repository.add_domain_knowledge(project_id, body, vector), None)

    async def add_anti_pattern(self, project_id: str, body: AntiPatternCreate) -> Memory:
        (vector,) = await self._vectors([("pattern", body.pattern)], [body.embedding])
        return _item("anti-patterns", await self.repository.add_anti_pattern(project_id, body, vector, vector), None)

    async def add_preference(self, project_id: str, body: PreferenceCreate) -> Memory:
        (vector,) = await self._vectors([("preference", body.preference)], [body.embedding])
        return _item("preferences", await self.repository.add_preference(project_id, body, vector), None)

    # --- reading, changing, forgetting ---------------------------------------------------------------

    async def get_memory(self, project_id: str, kind: str, memory_id: int, reader: str) -> Memory:
        return _item(kind, await self.repository.get_memory(project_id, kind, memory_id, reader), reader)

    async def list_memories(
        self, project_id: str, kind: str, reader: str, owner: str | None, task_type: str | None,
        domain: str | None, limit: int, offset: int,
    ) -> MemoryPage:  # fmt: skip
        items, total = await self.repository.list_memories(
            project_id, kind, reader, owner, task_type, domain, limit, offset
        )
        return MemoryPage(items=[_item(kind, item, reader) for item in items], total=total, limit=limit, offset=offset)

    async def update_memory(self, project_id: str, kind: str, memory_id: int, update: MemoryUpdate) -> Memory:
        """The owner's change; fields of another kind are refused, changed texts are embedded again."""
        changed = update.model_fields_set - {"agent"}
        foreign = sorted(changed - UPDATABLE[kind])
        if foreign:
            raise InvalidInput(
                f"A {kind} memory has no field(s) {', '.join(foreign)} to change; "
                f"it accepts {', '.join(sorted(UPDATABLE[kind]))}.",
                errors=[{"field": field, "message": f"not a field of {kind}"} for field in foreign],
            )
        texts = {column: (field, getattr(update, field)) for field, column in EMBEDDED_TEXT.get(kind, {}).items()
                 if getattr(update, field) is not None}  # fmt: skip
        vectors = dict(zip(texts, await self._vectors(list(texts.values())))) if texts else {}
        item = await self.repository.update_memory(project_id, kind, memory_id, update, vectors)
        return _item(kind, item, update.agent)

    async def delete_memory(self, project_id: str, kind: str, memory_id: int, agent: str) -> None:
        await self.repository.delete_memory(project_id, kind, memory_id, agent)

    async def forget(self, project_id: str, request: ForgetRequest) -> ForgetResult:
        result = await self.repository.forget(
            project_id, request.agent, request.older_than_days, request.below_confidence
        )
        return ForgetResult(**result)

    async def stats(self, project_id: str, agent: str) -> AgentStats:
        """Own counts per kind, and per granted source what it lets the agent read."""
        own: dict[str, int] = dict.fromkeys(ITEM_MODELS, 0)
        readable: dict[str, dict[str, int]] = {}
        inherited: dict[str, int] = {kind: 0 for kind in ITEM_MODELS if kind != "preferences"}
        for row in await self.repository.stats(project_id, agent):
            if row["source"] == agent:
                own[row["kind"]] = row["memories"]
            else:
                readable.setdefault(row["source"], {})[row["kind"]] = row["memories"]
                inherited[row["kind"]] += row["memories"]
        for source in (await self.repository.get_agent(project_id, agent)).reads_from:
            readable.setdefault(source, {})
        return AgentStats(agent=agent, own=own, readable=readable, inherited=inherited)

    # --- retrieval ---------------------------------------------------------------------------------

    async def retrieve(self, project_id: str, request: RetrieveRequest) -> RetrieveResponse:
        """The reader's memories and those shared with it; shared ones carry `metadata.shared_from`."""
        started = time.perf_counter()
        ranking = None
        if request.embedding is None and not has_direction(self.embedder, request.query):
            # no word to compare by: rank by recency, success and confidence alone, over every visible memory
            vector = [1.0] + [0.0] * (self.embedder.dimension - 1)
            ranking = self.repository.ranking.without_similarity()
        else:
            (vector,) = await self._vectors([("query", request.query)], [request.embedding])
        kinds = await self.repository.retrieve(
            project_id, request.agent, vector, request.top_k, request.include_shared, request.user_id, ranking
        )
        items = {key: [_item(RESPONSE_KINDS[key], item, request.agent) for item in kinds[key]] for key in kinds}
        prompt = format_prompt(items, request.max_prompt_tokens) if request.include_prompt else None
        return RetrieveResponse(
            project_id=project_id,
            agent=request.agent,
            query=request.query,
            top_k=request.top_k,
            include_shared=request.include_shared,
            took_ms=round((time.perf_counter() - started) * 1000, 3),
            prompt=prompt,
            **items,
        )


def _item(kind: str, item: dict[str, Any], reader: str | None) -> Memory:
    """The API model of a stored item; `shared_from` when it belongs to another agent than the reader."""
    shared = reader is not None and kind != "preferences" and item["agent"] != reader
    return ITEM_MODELS[kind].model_validate({**item, "metadata": {"shared_from": item["agent"]} if shared else {}})


def _learn_result(result: dict[str, Any], agent: str) -> LearnResult:
    return LearnResult(
        outcome=_item("outcomes", result["outcome"], agent),
        heuristic=_item("heuristics", result["heuristic"], agent) if result["heuristic"] else None,
        anti_pattern=_item("anti-patterns", result["anti_pattern"], agent) if result["anti_pattern"] else None,
    )
