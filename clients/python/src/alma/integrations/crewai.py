"""CrewAI's memory kept in ALMA: a `StorageBackend` for crewai's unified `Memory`.

```python
storage = ALMAStorage(ALMA.from_config(".alma/config.yaml"))
memory = Memory(storage=storage, embedder=storage.embedder, root_scope="/crew/dev-team", llm=...)
senior = Agent(role="Senior Developer", ..., memory=memory.scope(agent_scope("Senior Developer")))
```

A crewai memory is stored as ALMA domain knowledge of the agent its scope names: crewai saves what an agent
learned under `<root>/agent/<role>` (`agent_scope(role)`), and the role maps to an ALMA agent id by
`ALMAStorage.agent_for`: the `agents` override, else the role slugged with `_` ("Senior Developer" ->
`senior_developer`). A scope without an agent segment is written as, and read by, `default_agent`.

| crewai `MemoryRecord` | ALMA domain knowledge |
|---|---|
| `content` | `fact` |
| `scope` | `source`, as `crewai:<scope>` |
| `categories` | `domain`: the first category the agent may learn, else `domains[agent]`, else its first `can_learn` |
| `importance` | `confidence` |
| `id` | `<agent>:<memory id>`, the agent being the one the record was read (or written) as |
| `metadata` | on reading: `agent` (the owner) and, for a memory shared with the reader, `shared_from` |

Reading is the reader's: search (recall) runs the service's retrieve as the agent of the scope, so it finds
that agent's own memories and those the sharing config lets it read, ranked by the service; a scope's agent
segment names who reads, the rest of the scope narrows where. Changing and deleting are the owner's: through a
shared record the owner's memory is left alone. Without an agent in the scope (and no `default_agent`),
listing and resetting cover every agent's crewai memories, while search refuses: someone must read.

ALMA embeds texts itself, and crewai gives a backend only vectors; `storage.embedder` is the embedder to give
`Memory`: a local hashing embedder that remembers which text each of its vectors stands for, so that a search
sends the service the text. Not kept: extra `categories`, `metadata`, `source`; `private` records are refused
(who reads a memory is the project's sharing config).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from crewai.memory.types import MemoryRecord, ScopeInfo
from crewai.memory.utils import normalize_scope_path, sanitize_scope_name

from alma import ALMA, DomainKnowledge, Forbidden, NotFound

__all__ = ["ALMAStorage", "QueryEmbedder", "agent_scope"]

log = logging.getLogger("alma")

KIND = "domain_knowledge"
SOURCE_PREFIX = "crewai:"
FALLBACK_DOMAIN = "general"
MAX_TOP_K = 100  # the service's limit per retrieve
PAGE = 500  # the service's largest listing page
_WORD = re.compile(r"[a-z0-9]+")


def agent_scope(role: str) -> str:
    """The scope under which crewai files what the agent of `role` learned (`/agent/senior-developer`); give an
    agent `memory=memory.scope(agent_scope(role))` so that it reads and writes as itself."""
    return f"/agent/{sanitize_scope_name(role)}"


class QueryEmbedder:
    """Feature hashing of words and word pairs, remembering the text of each vector it made.

    crewai compares these vectors itself (to drop duplicates in a batch); ALMA ranks by the texts, which a
    search looks up here. It remembers the last `remember` texts.
    """

    def __init__(self, dimension: int = 256, remember: int = 4096) -> None:
        self.dimension = dimension
        self.remember = remember
        self._texts: OrderedDict[tuple[float, ...], str] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, texts: Sequence[str]) -> list[list[float]]:
        vectors = [self._vector(text) for text in texts]
        with self._lock:
            for text, vector in zip(texts, vectors, strict=True):
                self._texts[tuple(vector)] = text
                self._texts.move_to_end(tuple(vector))
            while len(self._texts) > self.remember:
                self._texts.popitem(last=False)
        return vectors

    def text_of(self, vector: Sequence[float]) -> str | None:
        """The text this embedder turned into `vector`, if it still remembers it."""
        with self._lock:
            return self._texts.get(tuple(float(value) for value in vector))

    def _vector(self, text: str) -> list[float]:
        words = _WORD.findall(text.lower())
        vector = [0.0] * self.dimension
        for feature in words + [f"{first} {second}" for first, second in zip(words, words[1:], strict=False)]:
            digest = hashlib.sha1(feature.encode(), usedforsecurity=False).digest()
            vector[int.from_bytes(digest[:4], "big") % self.dimension] += 1.0 if digest[4] < 128 else -1.0
        norm = math.sqrt(sum(value * value for value in vector))
        return [value / norm for value in vector] if norm else vector


class ALMAStorage:
    """crewai's `StorageBackend` over one ALMA project; see the module's documentation for the mapping.

    `agents` maps crew roles to ALMA agent ids where the slug is not the id; `default_agent` writes and reads
    scopes that name no agent; `domains` gives an agent's domain for records whose categories it may not learn.
    """

    def __init__(
        self,
        client: ALMA,
        *,
        agents: Mapping[str, str] | None = None,
        default_agent: str | None = None,
        domains: Mapping[str, str] | None = None,
        embedder: QueryEmbedder | None = None,
    ) -> None:
        self.client = client
        self.default_agent = default_agent
        self.domains = dict(domains or {})
        self.embedder = embedder or QueryEmbedder()
        self._agents = {sanitize_scope_name(role): agent for role, agent in (agents or {}).items()}
        self._scopes: dict[str, tuple[list[str], list[str]]] = {}  # agent -> (can_learn, cannot_learn)

    # --- roles, scopes, records ----------------------------------------------------------------------

    def agent_for(self, role: str) -> str:
        """The ALMA agent id of a crew role (or of its scope segment): the override, else the slug with `_`."""
        slug = sanitize_scope_name(role)
        return self._agents.get(slug) or slug.replace("-", "_")

    def _split(self, scope: str | None) -> tuple[str | None, str]:
        """The agent a scope names, if any, and the scope without its `agent/<role>` segment."""
        parts = normalize_scope_path(scope or "/").strip("/").split("/")
        for index, part in enumerate(parts[:-1]):
            if part == "agent":
                rest = parts[:index] + parts[index + 2 :]
                return self.agent_for(parts[index + 1]), "/" + "/".join(rest)
        return None, "/" + "/".join(part for part in parts if part)

    def _reader(self, scope: str | None) -> tuple[str | None, str]:
        agent, place = self._split(scope)
        return agent or self.default_agent, place

    def _writer(self, scope: str) -> str:
        agent = self._split(scope)[0] or self.default_agent
        if agent is None:
            raise ValueError(
                f"the scope {scope!r} names no agent: save under agent_scope(role), or give ALMAStorage a default_agent"
            )
        return agent

    def _domain(self, agent: str, categories: Iterable[str]) -> str:
        """The first category the agent may learn, else its configured domain, else its first can_learn."""
        if agent not in self._scopes:
            profile = self.client.get_agent(agent)
            self._scopes[agent] = (profile.can_learn, profile.cannot_learn)
        can_learn, cannot_learn = self._scopes[agent]
        candidates = [*categories, self.domains.get(agent), *can_learn, FALLBACK_DOMAIN]
        for candidate in candidates:
            if candidate and candidate.strip() and candidate not in cannot_learn:
                if not can_learn or candidate in can_learn:
                    return candidate.strip()
        return next(candidate for candidate in candidates if candidate)  # the service will say why it may not

    def _record(self, reader: str, memory: DomainKnowledge) -> MemoryRecord:
        source = memory.source or ""
        created = _naive(memory.created_at)
        return MemoryRecord(
            id=f"{reader}:{memory.id}",
            content=memory.fact,
            scope=source.removeprefix(SOURCE_PREFIX) if source.startswith(SOURCE_PREFIX) else "/",
            categories=[memory.domain],
            metadata={"agent": memory.agent, **memory.metadata},
            importance=min(max(memory.confidence if memory.confidence is not None else 0.5, 0.0), 1.0),
            created_at=created,
            last_accessed=_naive(memory.updated_at) if memory.updated_at else created,
        )

    def _pages(self, reader: str, owner: str | None) -> list[DomainKnowledge]:
        """Every domain knowledge the reader may read (the owner's only, when given), newest first."""
        found: list[DomainKnowledge] = []
        while True:
            page = self.client.list_memories(KIND, agent=reader, owner=owner, limit=PAGE, offset=len(found))
            found += page.items  # type: ignore[arg-type]  # a domain-knowledge page holds DomainKnowledge
            if not page.items or len(found) >= page.total:
                return found

    def _visible(self, scope_prefix: str | None) -> list[MemoryRecord]:
        """What a listing of the scope shows: the reader's view when the scope (or the default) names one, else
        every agent's crewai memories under the scope."""
        reader, place = self._reader(scope_prefix)
        if reader is None:
            return self._owned(scope_prefix)
        records = [self._record(reader, memory) for memory in self._pages(reader, None)]
        return [record for record in records if _under(self._split(record.scope)[1], place)]

    def _owned(self, scope_prefix: str | None) -> list[MemoryRecord]:
        """The crewai memories under the scope, each read as its owner: the scope's agent, else every agent."""
        agent = self._split(scope_prefix)[0]
        owners = [agent] if agent else [profile.name for profile in self.client.agents()]
        prefix = normalize_scope_path(scope_prefix or "/")
        records = []
        for owner in owners:
            for memory in self._pages(owner, owner):
                if (memory.source or "").startswith(SOURCE_PREFIX):
                    record = self._record(owner, memory)
                    if _under(record.scope, prefix):
                        records.append(record)
        return _newest_first(records)

    # --- the StorageBackend protocol ---------------------------------------------------------------------

    def save(self, records: list[MemoryRecord]) -> None:
        """Store the records in one request, all or nothing; each record's id becomes `<agent>:<memory id>`."""
        writers: list[tuple[str, str]] = []  # (agent, domain) of each record
        for record in records:
            if record.private:
                raise ValueError("ALMA has no private memories: the project's sharing config says who reads one")
            agent = self._writer(record.scope)
            writers.append((agent, self._domain(agent, record.categories)))
        if not records:
            return
        entries = [
            {
                "agent": agent,
                "domain": domain,
                "fact": record.content,
                "source": SOURCE_PREFIX + normalize_scope_path(record.scope),
                "confidence": record.importance,
            }
            for record, (agent, domain) in zip(records, writers, strict=True)
        ]
        stored = self.client.learn_many(domain_knowledge=entries).domain_knowledge
        for record, (agent, domain), memory in zip(records, writers, stored, strict=True):
            record.id = f"{agent}:{memory.id}"
            record.categories = [domain]
            record.created_at = _naive(memory.created_at)

    def search(
        self,
        query_embedding: list[float],
        scope_prefix: str | None = None,
        categories: list[str] | None = None,
        metadata_filter: dict[str, Any] | None = None,
        limit: int = 10,
        min_score: float = 0.0,
    ) -> list[tuple[MemoryRecord, float]]:
        """The reader's most relevant memories under the scope, scored by their similarity to the query."""
        query = self.embedder.text_of(query_embedding)
        if query is None:
            raise ValueError("ALMA ranks by text: give crewai's Memory embedder=storage.embedder")
        reader, place = self._reader(scope_prefix)
        if reader is None:
            raise ValueError(
                f"the scope {scope_prefix!r} names no agent to search as: "
                "search under agent_scope(role), or give ALMAStorage a default_agent"
            )
        found = self.client.retrieve(task=query, agent=reader, top_k=min(MAX_TOP_K, max(limit * 3, 1)))
        results = []
        for memory in found.domain_knowledge:
            record = self._record(reader, memory)
            score = min(max(memory.similarity or 0.0, 0.0), 1.0)
            if (
                _under(self._split(record.scope)[1], place)
                and _matches(record, categories, metadata_filter, None)
                and score >= min_score
            ):
                results.append((record, score))
        return results[:limit]

    def delete(
        self,
        scope_prefix: str | None = None,
        categories: list[str] | None = None,
        record_ids: list[str] | None = None,
        older_than: datetime | None = None,
        metadata_filter: dict[str, Any] | None = None,
    ) -> int:
        """Delete what matches every criterion given (nothing given: every crewai memory); answers how many.

        A record read through sharing is not its reader's to delete: it is left, and not counted.
        """
        if record_ids and not (scope_prefix or categories or older_than or metadata_filter):
            targets = [target for target in map(_parse_id, record_ids) if target]
        else:
            wanted = set(record_ids or ())
            targets = [
                target
                for record in self._owned(scope_prefix)
                if (not wanted or record.id in wanted) and _matches(record, categories, metadata_filter, older_than)
                for target in [_parse_id(record.id)]
                if target
            ]
        deleted = 0
        for agent, memory_id in targets:
            try:
                self.client.delete_memory(KIND, memory_id, agent)
            except NotFound:
                continue
            except Forbidden as error:
                if error.slug != "not-owner":
                    raise
                log.warning("not deleting %s memory %s: %s", KIND, memory_id, error.detail)
                continue
            deleted += 1
        return deleted

    def update(self, record: MemoryRecord) -> None:
        """Change the memory behind the record: only its owner may."""
        parsed = _parse_id(record.id)
        if parsed is None:
            raise ValueError(f"{record.id!r} is not the id of a record this storage made")
        agent, memory_id = parsed
        self.client.update_memory(
            KIND,
            memory_id,
            agent,
            fact=record.content,
            domain=self._domain(agent, record.categories),
            source=SOURCE_PREFIX + normalize_scope_path(record.scope),
            confidence=record.importance,
        )

    def get_record(self, record_id: str) -> MemoryRecord | None:
        """The record, read as the agent its id names (so a shared one still comes tagged `shared_from`)."""
        parsed = _parse_id(record_id)
        if parsed is None:
            return None
        agent, memory_id = parsed
        try:
            memory = self.client.get_memory(KIND, memory_id, agent)
        except NotFound:
            return None
        return self._record(agent, memory)  # type: ignore[arg-type]  # a domain-knowledge id reads one

    def list_records(self, scope_prefix: str | None = None, limit: int = 200, offset: int = 0) -> list[MemoryRecord]:
        """The records the scope shows, newest first."""
        if limit <= 0 or offset < 0:
            return []
        return _newest_first(self._visible(scope_prefix))[offset : offset + limit]

    def get_scope_info(self, scope: str) -> ScopeInfo:
        path = normalize_scope_path(scope)
        records = self._visible(path)
        times = [record.created_at for record in records]
        return ScopeInfo(
            path=path,
            record_count=len(records),
            categories=sorted({category for record in records for category in record.categories}),
            oldest_record=min(times, default=None),
            newest_record=max(times, default=None),
            child_scopes=_children(path, records),
        )

    def list_scopes(self, parent: str = "/") -> list[str]:
        path = normalize_scope_path(parent)
        return _children(path, self._visible(path))

    def list_categories(self, scope_prefix: str | None = None) -> dict[str, int]:
        counts: dict[str, int] = {}
        for record in self._visible(scope_prefix):
            for category in record.categories:
                counts[category] = counts.get(category, 0) + 1
        return counts

    def count(self, scope_prefix: str | None = None) -> int:
        return len(self._visible(scope_prefix))

    def reset(self, scope_prefix: str | None = None) -> None:
        """Delete the crewai memories under the scope: its agent's, else every agent's."""
        self.delete(scope_prefix=scope_prefix or "/")

    # crewai's async methods take the same arguments as the blocking ones, which they run in a worker thread

    async def asave(self, records: list[MemoryRecord]) -> None:
        await asyncio.to_thread(self.save, records)

    async def asearch(self, *args: Any, **kwargs: Any) -> list[tuple[MemoryRecord, float]]:
        return await asyncio.to_thread(self.search, *args, **kwargs)

    async def adelete(self, *args: Any, **kwargs: Any) -> int:
        return await asyncio.to_thread(self.delete, *args, **kwargs)


def _parse_id(record_id: str) -> tuple[str, int] | None:
    agent, _, memory_id = record_id.rpartition(":")
    return (agent, int(memory_id)) if agent and memory_id.isdecimal() else None


def _naive(moment: datetime | None) -> datetime:
    """UTC without a zone, as crewai's records keep time (it subtracts them from `datetime.utcnow()`)."""
    if moment is None:
        return datetime.now(UTC).replace(tzinfo=None)
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _under(scope: str, prefix: str) -> bool:
    prefix = normalize_scope_path(prefix)
    return prefix == "/" or scope == prefix or scope.startswith(prefix + "/")


def _matches(
    record: MemoryRecord,
    categories: list[str] | None,
    metadata_filter: dict[str, Any] | None,
    older_than: datetime | None,
) -> bool:
    if categories and not any(category in record.categories for category in categories):
        return False
    if metadata_filter and any(record.metadata.get(key) != value for key, value in metadata_filter.items()):
        return False
    return not (older_than and record.created_at >= _naive(older_than))


def _newest_first(records: list[MemoryRecord]) -> list[MemoryRecord]:
    return sorted(records, key=lambda record: (record.created_at, _parse_id(record.id) or ("", 0)), reverse=True)


def _children(path: str, records: Iterable[MemoryRecord]) -> list[str]:
    """The scopes one level below `path` that hold records."""
    base = "" if path == "/" else path
    children = set()
    for record in records:
        if record.scope.startswith(base + "/") and record.scope != path:
            children.add(base + "/" + record.scope[len(base) + 1 :].split("/", 1)[0])
    return sorted(children)
