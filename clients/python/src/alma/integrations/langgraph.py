"""A LangGraph long-term memory store kept in ALMA: `ALMAStore(ALMA.from_config(".alma/config.yaml"))`.

Namespaces are `(project, agent, kind)`: the agent acts (writes as itself, reads what the sharing config lets
it read) and `kind` is one of `alma.MEMORY_KINDS`. A key is the memory's id as a string. An item's value is
the memory's fields (those of `Heuristic`, `Outcome`, ...) with `agent`, its owner, and `metadata`, where
`shared_from` names the owner of a memory another agent shared. Put writes these fields:

- heuristics: condition, strategy; optional task_type, domain, confidence; all of them can change later.
- outcomes: task, outcome ("success" / "failure", or success: True / False), strategy_used; optional task_type,
  domain, duration_ms, error_message, feedback (written through learn, so repeated ones become heuristics);
  only feedback can change later.
- domain_knowledge: domain, fact; optional source, confidence; all of them can change later.
- anti_patterns: pattern, why_bad; optional better_alternative, task_type, domain; all of them can change later.
- preferences: user_id, category, preference; optional source; category, preference, source can change later.

A put under a key that is not a memory of that namespace stores a new memory; its id is chosen by the service,
and this store remembers the key you gave for as long as it lives, so that get, put and delete under that key
reach the new memory. Search, and every later process, see the id. A put of None deletes (only the owner may).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Generator, Iterable, Mapping
from datetime import UTC, datetime
from itertools import islice
from typing import Any, TypeVar, cast

from langgraph.store.base import (
    BaseStore,
    GetOp,
    InvalidNamespaceError,
    Item,
    ListNamespacesOp,
    MatchCondition,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
    validate_op_namespace,
)

from alma import (
    ALMA,
    MEMORY_KINDS,
    AgentNotFound,
    ALMAError,
    AntiPattern,
    AsyncALMA,
    DomainKnowledge,
    Heuristic,
    LearnResult,
    Memory,
    NotFound,
    Outcome,
    Preference,
    ProjectNotFound,
)

__all__ = ["ALMAStore"]

T = TypeVar("T")

# A call of the client: its method's name and arguments. Each operation is written once, as a generator of
# calls, and run by the blocking or the asyncio client alike.
Call = tuple[str, tuple[Any, ...], dict[str, Any]]
Plan = Generator[Call, Any, T]

MODELS: dict[str, type[Memory]] = {
    "heuristics": Heuristic,
    "outcomes": Outcome,
    "domain_knowledge": DomainKnowledge,
    "anti_patterns": AntiPattern,
    "preferences": Preference,
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "heuristics": ("condition", "strategy"),
    "outcomes": ("task", "outcome", "strategy_used"),
    "domain_knowledge": ("domain", "fact"),
    "anti_patterns": ("pattern", "why_bad"),
    "preferences": ("user_id", "category", "preference"),
}
OPTIONAL: dict[str, tuple[str, ...]] = {
    "heuristics": ("task_type", "domain", "confidence"),
    "outcomes": ("task_type", "domain", "duration_ms", "error_message", "feedback"),
    "domain_knowledge": ("source", "confidence"),
    "anti_patterns": ("better_alternative", "task_type", "domain"),
    "preferences": ("source",),
}
UPDATABLE: dict[str, frozenset[str]] = {
    "heuristics": frozenset({"condition", "strategy", "task_type", "domain", "confidence"}),
    "outcomes": frozenset({"feedback"}),
    "domain_knowledge": frozenset({"domain", "fact", "source", "confidence"}),
    "anti_patterns": frozenset({"pattern", "why_bad", "better_alternative", "task_type", "domain"}),
    "preferences": frozenset({"category", "preference", "source"}),
}
WRITERS = {
    "heuristics": "add_heuristic",
    "domain_knowledge": "add_domain_knowledge",
    "anti_patterns": "add_anti_pattern",
    "preferences": "add_preference",
}
# What a value read from this store holds besides the kind's fields: put accepts them back and ignores them,
# so that a value read, changed and put again works.
READ_ONLY = frozenset({"agent", "metadata", "id", "created_at", "updated_at", "similarity", "score"})
NOT_IN_VALUE = {"id", "created_at", "updated_at", "similarity", "score"}
MAX_TOP_K = 100  # the service's limit per kind and retrieve
PAGE = 500  # the service's largest listing page


def _call(method: str, *args: Any, **kwargs: Any) -> Call:
    return method, args, kwargs


async def _drive(plan: Plan[T], call: Callable[..., Awaitable[Any]]) -> T:
    """Run a plan: each client call it yields is made with `call`, and its answer (or ALMAError) sent back."""
    answer: Any = None
    error: ALMAError | None = None
    while True:
        try:
            method, args, kwargs = plan.throw(error) if error else plan.send(answer)
        except StopIteration as done:
            return cast(T, done.value)
        try:
            answer, error = await call(method, *args, **kwargs), None
        except ALMAError as failed:
            answer, error = None, failed


def _missing(error: ALMAError) -> bool:
    """A memory that is not there (or that the agent may not read): not an unknown agent or project."""
    return isinstance(error, NotFound) and not isinstance(error, AgentNotFound | ProjectNotFound)


class ALMAStore(BaseStore):
    """LangGraph's `BaseStore` over one ALMA project: namespaces `(project, agent, kind)`, keys memory ids.

    Give the blocking client for `batch` and the store's sync methods, the asyncio one for `abatch` and the
    `a*` methods, or both; with only a blocking client, `abatch` runs `batch` in a worker thread.
    """

    __slots__ = ("client", "async_client", "project_id", "_aliases")

    def __init__(self, client: ALMA | None = None, *, async_client: AsyncALMA | None = None) -> None:
        if client is None and async_client is None:
            raise TypeError("ALMAStore needs a client: ALMAStore(ALMA(...)) or ALMAStore(async_client=AsyncALMA(...))")
        if client is not None and async_client is not None and client.project_id != async_client.project_id:
            raise ValueError("both clients must be of the same project")
        self.client = client
        self.async_client = async_client
        self.project_id = (client or async_client).project_id  # type: ignore[union-attr]
        # (namespace, key) -> id of the memories a put stored under a key of the caller's choosing
        self._aliases: dict[tuple[tuple[str, ...], str], int] = {}

    # --- running operations ---------------------------------------------------------------------

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        """Run the operations in order with the blocking client."""
        if self.client is None:
            raise TypeError("this ALMAStore has only an AsyncALMA client: use abatch() or the store's a* methods")
        return [self._run(self._plan(op)) for op in ops]

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        """Run the operations in order with the asyncio client (else `batch` in a worker thread)."""
        if self.async_client is None:
            return await asyncio.to_thread(self.batch, list(ops))
        return [await self._arun(self._plan(op)) for op in ops]

    def _run(self, plan: Plan[T]) -> T:
        """The plan with the blocking client: its calls never suspend, so the runner ends at its first step."""
        client = self.client
        assert client is not None

        async def call(method: str, *args: Any, **kwargs: Any) -> Any:
            return getattr(client, method)(*args, **kwargs)

        running = _drive(plan, call)
        try:
            running.send(None)
        except StopIteration as done:
            return cast(T, done.value)
        raise RuntimeError("a blocking plan waited")  # unreachable: `call` never awaits

    async def _arun(self, plan: Plan[T]) -> T:
        client = self.async_client
        assert client is not None

        async def call(method: str, *args: Any, **kwargs: Any) -> Any:
            return await getattr(client, method)(*args, **kwargs)

        return await _drive(plan, call)

    def _plan(self, op: Op) -> Plan[Result]:
        validate_op_namespace(op)
        if isinstance(op, GetOp):
            return self._get(op)
        if isinstance(op, PutOp):
            return self._put(op)
        if isinstance(op, SearchOp):
            return self._search(op)
        if isinstance(op, ListNamespacesOp):
            return self._list_namespaces(op)
        raise TypeError(f"unknown store operation {op!r}")

    # --- namespaces, keys, items ------------------------------------------------------------------

    def _namespace(self, namespace: tuple[str, ...]) -> tuple[str, str]:
        """The agent and kind a full namespace names."""
        if len(namespace) != 3 or namespace[2] not in MEMORY_KINDS:
            raise InvalidNamespaceError(
                f"ALMA namespaces are (project, agent, kind), kind one of {', '.join(MEMORY_KINDS)}; got {namespace}"
            )
        if namespace[0] != self.project_id:
            raise InvalidNamespaceError(f"this store holds project {self.project_id!r}, not {namespace[0]!r}")
        return namespace[1], namespace[2]

    def _memory_id(self, namespace: tuple[str, ...], key: str) -> int | None:
        if (namespace, key) in self._aliases:
            return self._aliases[(namespace, key)]
        return int(key) if key.isdecimal() else None

    def _item(self, namespace: tuple[str, ...], key: str, memory: Memory, score: float | None = None) -> SearchItem:
        created = memory.created_at or datetime.now(UTC)
        updated = getattr(memory, "updated_at", None) or created
        value = memory.model_dump(mode="json", exclude=NOT_IN_VALUE)
        return SearchItem(namespace, key, value, created, updated, score)

    # --- get --------------------------------------------------------------------------------------

    def _get(self, op: GetOp) -> Plan[Item | None]:
        agent, kind = self._namespace(op.namespace)
        memory_id = self._memory_id(op.namespace, op.key)
        if memory_id is None:
            return None
        try:
            memory = yield _call("get_memory", kind, memory_id, agent)
        except ALMAError as error:
            if _missing(error):
                return None
            raise
        item = self._item(op.namespace, op.key, memory)
        return Item(
            value=item.value,
            key=item.key,
            namespace=item.namespace,
            created_at=item.created_at,
            updated_at=item.updated_at,
        )

    # --- put and delete ----------------------------------------------------------------------------

    def _put(self, op: PutOp) -> Plan[None]:
        agent, kind = self._namespace(op.namespace)
        memory_id = self._memory_id(op.namespace, op.key)
        if op.value is None:
            if memory_id is not None:
                try:
                    yield _call("delete_memory", kind, memory_id, agent)
                except ALMAError as error:
                    if not _missing(error):
                        raise
                self._aliases.pop((op.namespace, op.key), None)
            return None
        fields = _fields(kind, op.value)
        if memory_id is not None:
            try:
                current = yield _call("get_memory", kind, memory_id, agent)
            except ALMAError as error:
                if not _missing(error):
                    raise
            else:
                _check_unchanged(kind, current, fields)
                changes = {name: value for name, value in fields.items() if name in UPDATABLE[kind]}
                yield _call("update_memory", kind, memory_id, agent, **changes)
                return None
        created = yield from self._create(agent, kind, fields)
        if op.key != str(created.id):
            self._aliases[(op.namespace, op.key)] = created.id
        return None

    def _create(self, agent: str, kind: str, fields: dict[str, Any]) -> Plan[Memory]:
        absent = [name for name in REQUIRED[kind] if fields.get(name) is None]
        if kind == "outcomes" and "outcome" in absent and isinstance(fields.get("success"), bool):
            fields["outcome"] = "success" if fields["success"] else "failure"
            absent.remove("outcome")
        if absent:
            raise ValueError(f"a new {kind} memory needs {', '.join(absent)} in its value")
        given = {name: fields[name] for name in REQUIRED[kind] + OPTIONAL[kind] if fields.get(name) is not None}
        if kind == "outcomes":
            learned: LearnResult = yield _call("learn", agent=agent, **given)
            return learned.outcome
        memory: Memory = yield _call(WRITERS[kind], agent=agent, **given)
        return memory

    # --- search -------------------------------------------------------------------------------------

    def _search(self, op: SearchOp) -> Plan[list[SearchItem]]:
        prefix = op.namespace_prefix
        if len(prefix) > 3 or (prefix and prefix[0] != self.project_id):
            return []
        if len(prefix) == 3 and prefix[2] not in MEMORY_KINDS:
            return []
        kinds: list[str] = [prefix[2]] if len(prefix) == 3 else list(MEMORY_KINDS)
        if len(prefix) >= 2:
            readers = [(prefix[1], True)]  # the agent's view: its own memories and those shared with it
        else:
            agents = yield _call("agents")
            readers = [(agent.name, False) for agent in agents]  # every memory once, in its owner's namespace
        wanted = op.offset + op.limit
        found: list[SearchItem] = []
        for reader, shared in readers:
            if op.query:
                found += yield from self._retrieved(op, reader, shared, kinds, wanted)
            else:
                for kind in kinds:
                    found += yield from self._listed(op, reader, shared, kind, wanted)
        if op.query:
            found.sort(key=lambda item: -(item.score or 0.0))
        else:
            found.sort(key=lambda item: (item.created_at, int(item.key)), reverse=True)
        return found[op.offset : wanted]

    def _retrieved(
        self, op: SearchOp, reader: str, shared: bool, kinds: list[str], wanted: int
    ) -> Plan[list[SearchItem]]:
        """The reader's most relevant memories of the kinds, ranked by the service."""
        top_k = min(MAX_TOP_K, wanted * 3 if op.filter else wanted)
        user_id = (op.filter or {}).get("user_id")
        found = yield _call(
            "retrieve",
            task=op.query,
            agent=reader,
            include_shared=shared,
            top_k=top_k,
            user_id=user_id if isinstance(user_id, str) else None,
        )
        items = []
        for kind in kinds:
            for memory in getattr(found, kind):
                if not shared and memory.agent != reader:
                    continue  # a user's preference recorded by another agent: it is listed under that agent
                item = self._item((self.project_id, reader, kind), str(memory.id), memory, memory.score)
                if _matches(item.value, op.filter):
                    items.append(item)
        return items

    def _listed(self, op: SearchOp, reader: str, shared: bool, kind: str, wanted: int) -> Plan[list[SearchItem]]:
        """Up to `wanted` of the memories of a kind the reader may read (its own only unless `shared`), newest
        first."""
        items: list[SearchItem] = []
        offset = 0
        while len(items) < wanted:
            page = yield _call(
                "list_memories", kind, agent=reader, owner=None if shared else reader, limit=PAGE, offset=offset
            )
            for memory in page.items:
                item = self._item((self.project_id, reader, kind), str(memory.id), memory)
                if _matches(item.value, op.filter):
                    items.append(item)
            offset += len(page.items)
            if not page.items or offset >= page.total:
                break
        return items[:wanted]

    # --- namespaces ---------------------------------------------------------------------------------

    def _list_namespaces(self, op: ListNamespacesOp) -> Plan[list[tuple[str, ...]]]:
        agents = yield _call("agents")
        namespaces: list[tuple[str, ...]] = [
            (self.project_id, agent.name, kind) for agent in agents for kind in MEMORY_KINDS
        ]
        conditions = op.match_conditions or ()
        chosen = [ns for ns in namespaces if all(_namespace_matches(ns, condition) for condition in conditions)]
        if op.max_depth is not None:
            chosen = [ns[: op.max_depth] for ns in chosen]
        unique = sorted(dict.fromkeys(chosen))
        return list(islice(unique, op.offset, op.offset + op.limit))


def _fields(kind: str, value: Mapping[str, Any]) -> dict[str, Any]:
    """The value's fields of the kind; a key that is neither one of them nor read-only is refused, so that a
    misspelt field is not dropped in silence."""
    known = set(REQUIRED[kind]) | set(OPTIONAL[kind]) | set(MODELS[kind].model_fields) | READ_ONLY
    unknown = sorted(set(value) - known)
    if unknown:
        writable = ", ".join(REQUIRED[kind] + OPTIONAL[kind])
        raise ValueError(f"{kind} values have no field {', '.join(unknown)}; a put writes {writable}")
    return {name: field for name, field in value.items() if name not in READ_ONLY}


def _check_unchanged(kind: str, current: Memory, fields: Mapping[str, Any]) -> None:
    """Refuse a put that changes what the service keeps as written (an outcome's task, a preference's user):
    it would otherwise be dropped without a word."""
    written = set(REQUIRED[kind]) | set(OPTIONAL[kind]) | ({"success"} if kind == "outcomes" else set())
    fixed = written - UPDATABLE[kind]
    for name in sorted(fixed & set(fields)):
        stored = getattr(current, name, None)
        if name == "outcome" and isinstance(current, Outcome):
            stored = "success" if current.success else "failure"  # what learn was told; the memory keeps a bool
        if fields[name] != stored:
            raise ValueError(f"{kind}: {name} cannot change once written (only {', '.join(sorted(UPDATABLE[kind]))})")


OPERATORS = {
    "$eq": lambda actual, expected: actual == expected,
    "$ne": lambda actual, expected: actual != expected,
    "$gt": lambda actual, expected: actual is not None and actual > expected,
    "$gte": lambda actual, expected: actual is not None and actual >= expected,
    "$lt": lambda actual, expected: actual is not None and actual < expected,
    "$lte": lambda actual, expected: actual is not None and actual <= expected,
}


def _matches(value: Mapping[str, Any], conditions: Mapping[str, Any] | None) -> bool:
    """Whether the value passes a search filter: equal values, or LangGraph's $eq, $ne, $gt, $gte, $lt, $lte."""
    for key, expected in (conditions or {}).items():
        actual = value.get(key)
        if isinstance(expected, Mapping) and expected and all(op in OPERATORS for op in expected):
            if not all(OPERATORS[op](actual, operand) for op, operand in expected.items()):
                return False
        elif actual != expected:
            return False
    return True


def _namespace_matches(namespace: tuple[str, ...], condition: MatchCondition) -> bool:
    path = tuple(condition.path)
    if len(path) > len(namespace):
        return False
    part = namespace[: len(path)] if condition.match_type == "prefix" else namespace[len(namespace) - len(path) :]
    return all(wanted in ("*", label) for wanted, label in zip(path, part, strict=True))
