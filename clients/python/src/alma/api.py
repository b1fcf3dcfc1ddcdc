"""The service's HTTP API as values: what each client method sends, and how its answer is read.

No I/O here: `ALMA` and `AsyncALMA` send these calls, each over its own transport, so the two clients
share every request and every parser.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar, get_args
from urllib.parse import quote

import yaml

from alma import models
from alma.config import read_text

T = TypeVar("T")

# Path segment and model of each kind, by its MemorySlice attribute name; the path segment names it too. The
# segment spells `_` as `-`; the model is the item type of the kind's list in a MemorySlice.
KINDS: dict[str, tuple[str, type[models.Memory]]] = {
    kind: (kind.replace("_", "-"), get_args(models.MemorySlice.model_fields[kind].annotation)[0])
    for kind in models.MEMORY_KINDS
}
KIND_ALIASES = {**{name: name for name in KINDS}, **{segment: name for name, (segment, _) in KINDS.items()}}

CONFIG_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Call(Generic[T]):
    """One HTTP request and the parser of its successful answer's JSON (None for an empty answer).

    Only `idempotent` calls are retried: sending them twice does what sending them once does.
    """

    method: str
    path: str
    parse: Callable[[Any], T]
    params: dict[str, Any] | None = None
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    idempotent: bool = False


def without_none(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields that were given: the service fills in its defaults for the rest."""
    return {name: value for name, value in fields.items() if value is not None}


def parse_learn(body: Any) -> models.LearnResult:
    """A learn answer: `{outcome, heuristic, anti_pattern}`, or from older services the bare outcome."""
    if isinstance(body, dict) and isinstance(body.get("outcome"), dict):
        return models.LearnResult.model_validate(body)
    return models.LearnResult(outcome=models.Outcome.model_validate(body))


def parse_bulk_learn(body: Any) -> models.BulkLearnResult:
    return models.BulkLearnResult(
        outcomes=[parse_learn(item) for item in body.get("outcomes", [])],
        domain_knowledge=[models.DomainKnowledge.model_validate(item) for item in body.get("domain_knowledge", [])],
    )


def kind_of(kind: str) -> tuple[str, type[models.Memory]]:
    """The path segment and model of a memory kind, named as in a MemorySlice or as in a path."""
    name = KIND_ALIASES.get(kind)
    if name is None:
        raise ValueError(f"Unknown memory kind {kind!r}; use one of {', '.join(KINDS)}.")
    return KINDS[name]


def config_body(config: str | os.PathLike[str] | Mapping[str, Any]) -> tuple[bytes | None, Any, dict[str, str]]:
    """The body of PUT /config: a mapping as JSON, a path's file or a YAML text as it is.

    A string is a path when it is one line ending in .yaml, .yml or .json; otherwise it is the YAML itself.
    """
    if isinstance(config, Mapping):
        return None, dict(config), {}
    if isinstance(config, os.PathLike) or ("\n" not in config and config.strip().endswith(CONFIG_SUFFIXES)):
        config = read_text(config)
    if (stripped := _without_api_key(config)) is not None:
        return None, stripped, {}
    return config.encode("utf-8"), None, {"Content-Type": "application/yaml"}


def _without_api_key(text: str) -> dict[str, Any] | None:
    """The config without the `api_key` it holds (the key goes in a header, never in a body); None when it
    holds none, so that the text is sent as it is and the service can point at its lines."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if not isinstance(document, dict):
        return None
    section = document.get("alma")
    holders = [document] + ([section] if isinstance(section, dict) else [])
    if not any("api_key" in holder for holder in holders):
        return None
    cleaned = {key: value for key, value in document.items() if key != "api_key"}
    if isinstance(section, dict):
        cleaned["alma"] = {key: value for key, value in section.items() if key != "api_key"}
    return cleaned


class ProjectAPI:
    """Every call of one project's API. Methods are named and documented as the clients expose them."""

    def __init__(self, project_id: str) -> None:
        self.project_id = project_id
        self.prefix = f"/v1/projects/{quote(project_id, safe='')}"

    def _call(self, method: str, path: str, parse: Callable[[Any], T], **options: Any) -> Call[T]:
        return Call(method, self.prefix + path, parse, **options)

    def _create(self, kind: models.MemoryKind, **fields: Any) -> Call[Any]:
        """Store a memory of `kind` with the fields that were given."""
        segment, model = kind_of(kind)
        return self._call("POST", f"/{segment}", model.model_validate, json=without_none(fields))

    # --- config and agents ----------------------------------------------------------------------

    def apply_config(
        self, config: str | os.PathLike[str] | Mapping[str, Any], *, allow_remove_all: bool = False
    ) -> Call[models.ConfigApplied]:
        """Make the project's agents those of `config` (a path, YAML text or mapping); agents not in it are removed.

        Applying the same config again changes nothing, so this is safe to call at every start. A config whose
        `agents:` is empty is refused unless `allow_remove_all=True`: it would remove every agent.
        """
        content, json, headers = config_body(config)
        params = {"allow_remove_all": "true"} if allow_remove_all else None
        return self._call("PUT", "/config", models.ConfigApplied.model_validate, content=content, json=json,
                          headers=headers, params=params, idempotent=True)  # fmt: skip

    def agents(self) -> Call[list[models.Agent]]:
        """The project's agents, each with the agents it reads from and is read by."""
        return self._call(
            "GET", "/agents", lambda body: [models.Agent.model_validate(item) for item in body], idempotent=True
        )

    def get_agent(self, agent: str) -> Call[models.Agent]:
        """One agent of the project."""
        return self._call("GET", f"/agents/{quote(agent, safe='')}", models.Agent.model_validate, idempotent=True)

    def stats(self, agent: str) -> Call[models.AgentStats]:
        """How many memories the agent owns and can read, per kind and per source."""
        return self._call(
            "GET", f"/agents/{quote(agent, safe='')}/stats", models.AgentStats.model_validate, idempotent=True
        )

    # --- retrieval ---------------------------------------------------------------------------------

    def retrieve(
        self,
        task: str | None = None,
        agent: str | None = None,
        include_shared: bool = True,
        top_k: int = 5,
        user_id: str | None = None,
        *,
        query: str | None = None,
        include_prompt: bool = False,
        max_prompt_tokens: int | None = None,
        embedding: list[float] | None = None,
    ) -> Call[models.MemorySlice]:
        """The agent's memories most relevant to `task` (or `query`): its own and, with `include_shared`,
        those of the agents that share with it, each tagged `metadata['shared_from']`.

        `top_k` is per kind; `user_id` adds that user's preferences. A read, so it is retried.
        """
        if agent is None:
            raise TypeError("retrieve() needs the agent that retrieves: agent='...'")
        if task is not None and query is not None and task != query:
            raise TypeError("retrieve() takes the task or the query (the same thing), not two different texts")
        text = task if task is not None else query
        if text is None:
            raise TypeError("retrieve() needs the task to find memories for: task='...'")
        body = without_none(
            {
                "agent": agent,
                "query": text,
                "top_k": top_k,
                "include_shared": include_shared,
                "user_id": user_id,
                "include_prompt": include_prompt or None,
                "max_prompt_tokens": max_prompt_tokens,
                "embedding": embedding,
            }
        )
        return self._call("POST", "/retrieve", models.MemorySlice.model_validate, json=body, idempotent=True)

    # --- learning and writing ---------------------------------------------------------------------

    def learn(
        self,
        agent: str,
        task: str,
        outcome: Literal["success", "failure"],
        strategy_used: str,
        task_type: str | None = None,
        duration_ms: int | None = None,
        error_message: str | None = None,
        feedback: str | None = None,
        domain: str | None = None,
        *,
        embedding: list[float] | None = None,
    ) -> Call[models.LearnResult]:
        """Record how a task went, under `agent`'s own id (never under an agent it inherits from).

        Repeated successes of a strategy become a heuristic, repeated failures an anti-pattern; the
        answer says which it created or strengthened. Never retried: a retry could record it twice.
        """
        body = without_none(
            {
                "agent": agent,
                "task": task,
                "outcome": outcome,
                "strategy_used": strategy_used,
                "task_type": task_type,
                "duration_ms": duration_ms,
                "error_message": error_message,
                "feedback": feedback,
                "domain": domain,
                "embedding": embedding,
            }
        )
        return self._call("POST", "/learn", parse_learn, json=body)

    def learn_many(
        self,
        outcomes: Iterable[Mapping[str, Any]] = (),
        domain_knowledge: Iterable[Mapping[str, Any]] = (),
        *,
        agent: str | None = None,
    ) -> Call[models.BulkLearnResult]:
        """Record many outcomes (learn's fields) and facts (add_domain_knowledge's) at once, all or nothing.

        `agent` is used for every entry that names none.
        """

        def entries(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
            return [without_none({"agent": agent, **item}) for item in items]

        body = {"outcomes": entries(outcomes), "domain_knowledge": entries(domain_knowledge)}
        return self._call("POST", "/learn/bulk", parse_bulk_learn, json=body)

    def add_heuristic(
        self,
        agent: str,
        condition: str,
        strategy: str,
        task_type: str | None = None,
        domain: str | None = None,
        confidence: float | None = None,
        *,
        embedding: list[float] | None = None,
    ) -> Call[models.Heuristic]:
        """Store a rule of thumb: when `condition`, do `strategy`."""
        return self._create(
            "heuristics",
            agent=agent,
            condition=condition,
            strategy=strategy,
            task_type=task_type,
            domain=domain,
            confidence=confidence,
            embedding=embedding,
        )

    def add_domain_knowledge(
        self,
        agent: str,
        domain: str,
        fact: str,
        source: str | None = None,
        confidence: float | None = None,
        *,
        embedding: list[float] | None = None,
    ) -> Call[models.DomainKnowledge]:
        """Store a fact of a domain, and where it comes from."""
        return self._create(
            "domain_knowledge",
            agent=agent,
            domain=domain,
            fact=fact,
            source=source,
            confidence=confidence,
            embedding=embedding,
        )

    def add_anti_pattern(
        self,
        agent: str,
        pattern: str,
        why_bad: str,
        better_alternative: str | None = None,
        task_type: str | None = None,
        domain: str | None = None,
        *,
        embedding: list[float] | None = None,
    ) -> Call[models.AntiPattern]:
        """Store something not to do, why, and what to do instead."""
        return self._create(
            "anti_patterns",
            agent=agent,
            pattern=pattern,
            why_bad=why_bad,
            better_alternative=better_alternative,
            task_type=task_type,
            domain=domain,
            embedding=embedding,
        )

    def add_preference(
        self,
        agent: str,
        user_id: str,
        category: str,
        preference: str,
        source: str | None = None,
        *,
        embedding: list[float] | None = None,
    ) -> Call[models.Preference]:
        """Store a user's preference; a retrieve with that `user_id` returns it."""
        return self._create(
            "preferences",
            agent=agent,
            user_id=user_id,
            category=category,
            preference=preference,
            source=source,
            embedding=embedding,
        )

    # --- reading, changing, forgetting ----------------------------------------------------------

    def get_memory(self, kind: models.MemoryKind | str, id: int, agent: str) -> Call[models.Memory]:
        """One memory, if `agent` may read it (it owns it, or its owner shares it with `agent`)."""
        segment, model = kind_of(kind)
        path = f"/memories/{segment}/{id}"
        return self._call("GET", path, model.model_validate, params={"agent": agent}, idempotent=True)

    def list_memories(
        self,
        kind: models.MemoryKind | str,
        agent: str,
        owner: str | None = None,
        task_type: str | None = None,
        domain: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Call[models.MemoryPage[models.Memory]]:
        """A page of the memories of one kind that `agent` may read, newest first; `owner` keeps one owner's."""
        segment, model = kind_of(kind)
        params = without_none(
            {"agent": agent, "owner": owner, "task_type": task_type, "domain": domain, "limit": limit, "offset": offset}
        )
        page = models.MemoryPage[model]  # type: ignore[valid-type]  # the kind's model, known at run time
        return self._call("GET", f"/memories/{segment}", page.model_validate, params=params, idempotent=True)

    def update_memory(
        self, /, kind: models.MemoryKind | str, id: int, agent: str, **fields: Any
    ) -> Call[models.Memory]:
        """Change the given fields of a memory `agent` owns; answers the changed memory."""
        segment, model = kind_of(kind)
        return self._call("PATCH", f"/memories/{segment}/{id}", model.model_validate, json={"agent": agent, **fields})

    def delete_memory(self, kind: models.MemoryKind | str, id: int, agent: str) -> Call[None]:
        """Delete a memory `agent` owns."""
        segment, _ = kind_of(kind)
        path = f"/memories/{segment}/{id}"
        return self._call("DELETE", path, lambda body: None, params={"agent": agent}, idempotent=True)

    def forget(
        self,
        agent: str | None = None,
        older_than_days: int | None = None,
        below_confidence: float | None = None,
    ) -> Call[models.ForgetResult]:
        """Remove old outcomes and weak heuristics (of one agent, or of the whole project); answers the counts."""
        body = without_none({"agent": agent, "older_than_days": older_than_days, "below_confidence": below_confidence})
        return self._call("POST", "/forget", models.ForgetResult.model_validate, json=body)
