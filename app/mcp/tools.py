"""The MCP tools, defined once: their names and arguments (ALMA's), how the arguments are checked (by the API's
own request models, so the same bounds apply) and what each runs (the services, behind the same key checks as
the REST API).

A tool's own refusals (a write outside the agent's scope, a key acting as another agent, an unknown agent)
are its result, `{"success": false, "error": "..."}`, as ALMA answers them; arguments that cannot be read are
a JSON-RPC error (RpcError).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from mcp_types import INVALID_PARAMS
from pydantic import BaseModel, ValidationError

from app.audit import audit
from app.auth import Caller
from app.mcp.rpc import RpcError
from app.memory.kinds import BY_NAME, BY_PATH
from app.models import (
    DomainKnowledgeCreate,
    ForgetRequest,
    LearnRequest,
    Name,
    PreferenceCreate,
    RetrieveRequest,
    Strict,
)
from app.observability import LEARNED, count_retrieved
from app.services.memories import MemoryService
from app.services.projects import ProjectService

DEFAULT_AGENT = "mcp"  # records a preference for a key of no agent (ALMA's preferences name none)


@dataclass(frozen=True)
class Call:
    """One tool call: who calls, in which project, and the services it runs on."""

    caller: Caller
    project_id: str
    memories: MemoryService
    projects: ProjectService


@dataclass(frozen=True)
class Argument:
    """One argument of a tool, as ALMA names it, and the request model's field it fills."""

    name: str
    description: str
    required: bool = False
    field: str | None = None  # the model's field, where its name differs (ALMA's `task` is a retrieve's `query`)
    default: Any = None  # ALMA's value when it is left out (None: the model's own default)
    key_agent: bool = False  # left out by an agent key: that key's agent

    @property
    def target(self) -> str:
        return self.field or self.name


@dataclass(frozen=True)
class Tool:
    """A tool: what it is called and takes, and what it runs with its arguments read into `model`."""

    name: str
    description: str
    model: type[BaseModel] | None
    arguments: tuple[Argument, ...]
    run: Callable[[Call, Any], Awaitable[dict[str, Any]]]
    fixed: Mapping[str, Any] = field(default_factory=dict)  # model fields the tool always sets

    def read(self, arguments: Mapping[str, Any], caller: Caller) -> Any:
        """The arguments as the request model; unknown ones are ignored, and null is the same as left out. Every
        argument missing or refused is named in one error."""
        values = dict(self.fixed)
        missing = []
        for argument in self.arguments:
            value = arguments.get(argument.name)
            if value is None and argument.key_agent and caller.role == "agent":
                value = caller.agent
            if value is None:
                value = argument.default
            if value is not None:
                values[argument.target] = value
            elif argument.required:
                missing.append(argument)
        errors = [{"field": argument.name, "message": "required"} for argument in missing]
        problems = [f"`{argument.name}` is required ({argument.description})" for argument in missing]
        request = None
        try:
            request = self.model.model_validate(values) if self.model is not None else None
        except ValidationError as error:
            names = {argument.target: argument.name for argument in self.arguments}
            for problem in error.errors():
                name = names.get(str(problem["loc"][0]), str(problem["loc"][0])) if problem["loc"] else "arguments"
                if name not in {argument.name for argument in missing}:
                    errors.append({"field": name, "message": problem["msg"]})
                    problems.append(f"`{name}`: {problem['msg']}")
        if errors:
            raise RpcError(
                INVALID_PARAMS, f"{self.name} cannot take its arguments: {'; '.join(problems)}.", {"errors": errors}
            )
        return request

    def definition(self) -> dict[str, Any]:
        """The tool as tools/list shows it; each argument's schema is its model field's, bounds included."""
        fields = self.model.model_json_schema()["properties"] if self.model else {}
        properties = {}
        for argument in self.arguments:
            schema = fields[argument.target]
            given = next((option for option in schema.get("anyOf", []) if option.get("type") != "null"), schema)
            shown = {key: value for key, value in given.items() if key not in ("title", "description", "default")}
            default = argument.default if argument.default is not None else schema.get("default")
            properties[argument.name] = {
                **shown,
                "description": argument.description,
                **({"default": default} if default is not None else {}),
            }
        # an argument an agent key may leave out is not required of every caller
        required = [argument.name for argument in self.arguments if argument.required and not argument.key_agent]
        return {
            "name": self.name,
            "description": self.description,
            "inputSchema": {"type": "object", "properties": properties, **({"required": required} if required else {})},
        }


# --- the tools ------------------------------------------------------------------------------------------


class AnyAgent(Strict):
    agent: Name | None = None


class OneAgent(Strict):
    agent: Name


async def _retrieve(call: Call, request: RetrieveRequest) -> dict[str, Any]:
    call.caller.act_as(call.project_id, request.agent)
    found = await call.memories.retrieve(call.project_id, request)
    count_retrieved(found.tally)
    if found.shared_sources:
        audit(call.caller, "retrieve_shared", call.project_id, request.agent, sources=found.shared_sources)
    answer = json.loads(found.body)  # the REST retrieve's JSON: its items as they are
    memories = {name: answer[name] for name in BY_NAME}
    total = sum(len(items) for items in memories.values())
    return {
        "memories": {**memories, "agent": request.agent, "query": request.query, "total_items": total},
        "prompt_injection": answer["prompt"],
    }


async def _learn(call: Call, request: LearnRequest) -> dict[str, Any]:
    call.caller.act_as(call.project_id, request.agent)
    result = await call.memories.learn(call.project_id, request)
    LEARNED.labels(request.outcome).inc()
    audit(call.caller, "learn", call.project_id, request.agent, outcome_id=result.outcome.id)
    return {"learned": True, **result.model_dump(mode="json")}


async def _add(call: Call, kind_path: str, request: PreferenceCreate | DomainKnowledgeCreate) -> dict[str, Any]:
    call.caller.act_as(call.project_id, request.agent)
    item = await call.memories.add(BY_PATH[kind_path], call.project_id, request)
    audit(call.caller, "write", call.project_id, request.agent, kind=kind_path, memory_id=item.id)
    return item.model_dump(mode="json")


async def _add_preference(call: Call, request: PreferenceCreate) -> dict[str, Any]:
    return {"preference": await _add(call, "preferences", request)}


async def _add_knowledge(call: Call, request: DomainKnowledgeCreate) -> dict[str, Any]:
    return {"knowledge": await _add(call, "domain-knowledge", request)}


async def _forget(call: Call, request: ForgetRequest) -> dict[str, Any]:
    if request.agent is None:
        call.caller.require_admin(call.project_id)
    else:
        call.caller.act_as(call.project_id, request.agent)
    result = await call.projects.forget(call.project_id, request)
    audit(call.caller, "forget", call.project_id, request.agent, **result.model_dump())
    pruned = result.outcomes_removed + result.heuristics_removed
    return {
        "pruned_count": pruned,
        **result.model_dump(),
        "message": f"Pruned {pruned} stale or low-confidence memories",
    }


async def _project_counts(call: Call) -> dict[str, dict[str, int]]:
    """Every agent of the project with its own memories per shareable kind."""
    agents = await call.projects.agent_settings(call.project_id)
    counts = await call.projects.memory_counts(call.project_id)
    return {name: counts.get(name, {}) for name in sorted(agents)}


async def _stats(call: Call, request: AnyAgent) -> dict[str, Any]:
    if request.agent is not None:
        call.caller.act_as(call.project_id, request.agent)
        return {"stats": (await call.projects.stats(call.project_id, request.agent)).model_dump(mode="json")}
    call.caller.require_project(call.project_id)  # an agent key always names its agent (Argument.key_agent)
    agents = await _project_counts(call)
    total = sum(sum(kinds.values()) for kinds in agents.values())
    return {"stats": {"project_id": call.project_id, "agents": agents, "total_count": total}}


async def _health(call: Call, request: None) -> dict[str, Any]:
    call.caller.require_project(call.project_id)
    agents = await _project_counts(call)
    return {
        "status": "healthy",
        "project_id": call.project_id,
        "total_memories": sum(sum(kinds.values()) for kinds in agents.values()),
        "registered_agents": list(agents),
        "timestamp": datetime.now(UTC).isoformat(),
    }


async def _sharing_explain(call: Call, request: OneAgent) -> dict[str, Any]:
    call.caller.act_as(call.project_id, request.agent)
    return {"sharing": (await call.projects.explain(call.project_id, request.agent)).model_dump(mode="json")}


AGENT_OF_KEY = "an agent key's own agent when left out"
TOOLS = {
    tool.name: tool
    for tool in (
        Tool(
            "alma_retrieve",
            "Retrieve the memories relevant to a task, for an agent: its own and, with include_shared, those of "
            "the agents that share with it by mutual consent (each marked metadata.shared_from). Returns "
            "heuristics, outcomes, domain knowledge, anti-patterns and the user's preferences, and the slice "
            "as text for the agent's context (prompt_injection).",
            RetrieveRequest,
            (
                Argument("task", "Description of the task to perform.", required=True, field="query"),
                Argument("agent", "The agent retrieving (e.g. junior_developer).", required=True),
                Argument("user_id", "Also return this user's preferences."),
                Argument("top_k", "The most memories of each kind."),
                Argument("include_shared", "Also return what other agents share with this one."),
            ),
            _retrieve,
            {"include_prompt": True},
        ),
        Tool(
            "alma_learn",
            "Record a task outcome under the agent's own name; repeated successes of a strategy become a "
            "heuristic, repeated failures with an error an anti-pattern. A task_type outside the agent's "
            "can_learn is refused.",
            LearnRequest,
            (
                Argument("agent", "The agent that did the task.", required=True),
                Argument("task", "Description of the task.", required=True),
                Argument("outcome", "Whether the task succeeded or failed.", required=True),
                Argument("strategy_used", "What approach was taken.", required=True),
                Argument("task_type", "Category of the task, for grouping (within the agent's can_learn)."),
                Argument("duration_ms", "How long the task took, in milliseconds."),
                Argument("error_message", "Error details, if it failed."),
                Argument("feedback", "User feedback, if any."),
            ),
            _learn,
        ),
        Tool(
            "alma_add_preference",
            "Record a user's preference; every agent of the project gets it when retrieving for that user.",
            PreferenceCreate,
            (
                Argument("user_id", "The user it belongs to.", required=True),
                Argument("category", "Category (communication, code_style, workflow, ...).", required=True),
                Argument("preference", "The preference.", required=True),
                Argument("source", "How it was learned.", default="explicit_instruction"),
                Argument(
                    "agent",
                    f"The agent recording it: {AGENT_OF_KEY}, else '{DEFAULT_AGENT}'.",
                    default=DEFAULT_AGENT,
                    key_agent=True,
                ),
            ),
            _add_preference,
        ),
        Tool(
            "alma_add_knowledge",
            "Record a fact of a domain under the agent's own name; a domain outside its can_learn is refused.",
            DomainKnowledgeCreate,
            (
                Argument("agent", "The agent it belongs to.", required=True),
                Argument("domain", "The domain of the fact.", required=True),
                Argument("fact", "The fact to remember.", required=True),
                Argument("source", "How it was learned.", default="user_stated"),
            ),
            _add_knowledge,
        ),
        Tool(
            "alma_forget",
            "Prune outcomes older than older_than_days and heuristics below below_confidence, of one agent or "
            "(with an admin key) of the whole project.",
            ForgetRequest,
            (
                Argument("agent", f"The agent to prune: {AGENT_OF_KEY}; else the whole project.", key_agent=True),
                Argument("older_than_days", "Remove outcomes older than this.", default=90),
                Argument("below_confidence", "Remove heuristics below this confidence.", default=0.3),
            ),
            _forget,
        ),
        Tool(
            "alma_stats",
            "Memory counts: an agent's own per kind and what each source shares with it, or (without an agent) "
            "each agent's own.",
            AnyAgent,
            (Argument("agent", f"The agent: {AGENT_OF_KEY}; else every agent.", key_agent=True),),
            _stats,
        ),
        Tool(
            "alma_health",
            "Whether the service answers, with the project's agents and its number of memories.",
            None,
            (),
            _health,
        ),
        Tool(
            "alma_sharing_explain",
            "Why an agent does or does not get each source's memories (mutual consent: the reader lists the "
            "source in inherit_from and the source lists the reader in share_with), and what to change.",
            OneAgent,
            (Argument("agent", f"The agent: {AGENT_OF_KEY} (other keys name one).", required=True, key_agent=True),),
            _sharing_explain,
        ),
    )
}


@cache
def definitions() -> list[dict[str, Any]]:
    return [tool.definition() for tool in TOOLS.values()]
