"""MemoryRepository: the only place that runs SQL. One method per use case.

It knows nothing of HTTP; it raises the domain errors of app.errors.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import asyncpg

from app.embeddings import Embedder, EmbedderIdentity
from app.errors import AgentNotFound, DeploymentMismatch, MemoryNotFound, NotOwner, ProjectNotFound, ScopeViolation
from app.models import (
    Agent,
    AgentConfig,
    AntiPatternCreate,
    ConfigApplied,
    DomainKnowledgeCreate,
    HeuristicCreate,
    LearnRequest,
    MemoryUpdate,
    PreferenceCreate,
    ProjectConfig,
)
from app.queries import Queries
from app.sharing import Edge, edge_warning
from app.ranking import Ranking

READY_SECONDS = 2.0  # /ready answers within this, whatever the database does
LONG_STATEMENT_SECONDS = 120.0  # for the few statements whose work grows with a large project's config
MAX_LISTED_GRANTS = 1_000  # grants spelt out in a config's answer; the counts beside them are exact
MAX_SHARING_WARNINGS = 100  # one-sided declarations spelt out in a config's answer; the rest are counted
MEMORY_KINDS = ("heuristics", "outcomes", "domain_knowledge", "anti_patterns", "preferences")
Vec = list[float]


@dataclass(frozen=True)
class LearnedOutcome:
    """An outcome to store, with the vectors of its task and of its strategy."""

    request: LearnRequest
    task_vector: Vec
    strategy_vector: Vec


class MemoryRepository:
    """Agents, grants and memories of every project, over one asyncpg pool."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        queries: Queries,
        strategy_similarity: float = 0.8,
        ranking: Ranking | None = None,
    ) -> None:
        self.pool = pool
        self.q = queries
        self.strategy_similarity = strategy_similarity
        self.ranking = ranking or Ranking()

    # --- deployment ---------------------------------------------------------------------------

    async def deployment(self) -> asyncpg.Record | None:
        """The recorded embedder of this deployment (see get_deployment.sql), or None before its first start."""
        return await self.pool.fetchrow(self.q.get_deployment)

    async def init_deployment(self, embedder: Embedder) -> int:
        """Record the embedder at the first start; refuse to run later with another one, or on vectors that an
        unfinished `alma reembed` left mixed."""
        row = await self.pool.fetchrow(self.q.init_deployment, embedder.dimension, embedder.name, embedder.model)
        if (problem := deployment_mismatch(row, EmbedderIdentity.of(embedder))) is not None:
            raise DeploymentMismatch(problem)
        if row["embedding_model"] is None:
            await self.pool.execute(self.q.adopt_embedding_model, embedder.model)
        return embedder.dimension

    async def not_ready(self, expected_schema: str) -> str | None:
        """Why the service cannot serve now (database unreachable or not migrated), or None."""
        try:
            async with asyncio.timeout(READY_SECONDS):  # the whole check, connection included
                version = await self.pool.fetchval(self.q.schema_version)
        except asyncpg.UndefinedTableError:
            version = None
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as error:
            return f"The database is unreachable ({type(error).__name__}); the service retries by itself."
        if version != expected_schema:
            return f"The database schema is at {version or 'nothing'}, this version needs {expected_schema}: run `alma migrate`."
        return None

    # --- agents and grants ----------------------------------------------------------------------

    async def apply_config(self, project_id: str, config: ProjectConfig) -> ConfigApplied:
        """Make the project's agents exactly those of `config`, in one transaction: grants follow, and the agent
        keys of removed agents are revoked (a name added again later does not revive them)."""
        async with self.pool.acquire() as connection, connection.transaction():
            project_created = await connection.fetchval(self.q.upsert_project, project_id, config.storage)
            before = {row["name"]: _agent_config(row) for row in await connection.fetch(self.q.list_agents, project_id)}

            created = sorted(name for name in config.agents if name not in before)
            removed = sorted(name for name in before if name not in config.agents)
            updated = sorted(name for name in config.agents if name in before and before[name] != config.agents[name])
            unchanged = sorted(name for name in config.agents if name in before and before[name] == config.agents[name])

            await connection.executemany(
                self.q.upsert_agent,
                [_agent_args(project_id, name, config.agents[name]) for name in created + updated],
            )
            keys_revoked = []
            if removed:
                await connection.execute(self.q.delete_agents, project_id, removed)
                keys_revoked = [row["prefix"] for row in await connection.fetch(self.q.revoke_agent_keys, project_id, removed)]
            if created or updated or removed:
                await connection.execute(self.q.tune_for_grants)
                grants = await connection.fetchrow(
                    self.q.rebuild_grants, project_id, MAX_LISTED_GRANTS, timeout=LONG_STATEMENT_SECONDS
                )
            else:  # the same agents declare the same: the grants stand as they are
                grants = await connection.fetchrow(self.q.current_grants, project_id, MAX_LISTED_GRANTS)
            silent = await connection.fetch(
                self.q.silent_edges, project_id, MAX_SHARING_WARNINGS, timeout=LONG_STATEMENT_SECONDS
            )
        warnings = [edge_warning(project_id, e["source"], e["reader"], e["inherited"], e["status"]) for e in silent]
        if silent and silent[0]["total"] > len(silent):
            warnings.append(f"… and {silent[0]['total'] - len(silent):,} more declarations along which no memory "
                            "flows: GET /sharing/graph lists them all.")  # fmt: skip

        return ConfigApplied(
            project_id=project_id,
            project_created=project_created,
            created=created,
            updated=updated,
            removed=removed,
            unchanged=unchanged,
            **grants,  # grants, grants_added, grants_revoked and their counts
            keys_revoked=keys_revoked,
            warnings=warnings,
        )

    async def agent_settings(self, project_id: str) -> dict[str, AgentConfig]:
        """The project's agents as their configs declare them, without their grants; 404 for an unknown project."""
        async with self.pool.acquire() as connection:
            rows = await connection.fetch(self.q.list_agents, project_id)
            if not rows:
                await self._require_project(connection, project_id)
        return {row["name"]: _agent_config(row) for row in rows}

    async def list_agents(self, project_id: str, name: str | None = None) -> list[Agent]:
        """The project's agents (or the one named) with the grants they hold; 404 for a project that has none."""
        async with self.pool.acquire() as connection:
            rows = await connection.fetch(self.q.agents_with_grants, project_id, name)
            if not rows:
                await self._require_project(connection, project_id)
        # rows come from the database, which holds only configs that were validated: no need to check them again
        return [
            Agent.model_construct(name=row["name"], **_agent_fields(row), reads_from=row["reads_from"], read_by=row["read_by"])
            for row in rows
        ]

    async def agents_json(self, project_id: str) -> list[bytes]:
        """The project's agents with their grants as the API's JSON array, in pieces (one per agent) as the
        database writes it; 404 for an unknown project. A large project's list costs the event loop nothing."""
        async with self.pool.acquire() as connection, connection.transaction():
            await connection.execute(self.q.tune_for_grants)
            rows = await connection.fetch(self.q.agents_json, project_id, timeout=LONG_STATEMENT_SECONDS)
            if not rows:
                await self._require_project(connection, project_id)
                return [b"[]"]
        return [row["piece"] for row in rows]

    async def get_agent(self, project_id: str, name: str) -> Agent:
        agents = await self.list_agents(project_id, name)
        if not agents:
            raise await self._agent_not_found(project_id, name)
        return agents[0]

    async def _require_project(self, connection: asyncpg.Connection, project_id: str) -> None:
        if not await connection.fetchval(self.q.project_exists, project_id):
            raise ProjectNotFound(
                f"Project '{project_id}' does not exist. Create it by applying a config: "
                f"PUT /v1/projects/{project_id}/config, or `alma config apply FILE`."
            )

    async def _agent_not_found(self, project_id: str, name: str) -> AgentNotFound:
        """The error for an unknown agent, naming the agents that do exist."""
        async with self.pool.acquire() as connection:
            await self._require_project(connection, project_id)
            known = [row["name"] for row in await connection.fetch(self.q.list_agents, project_id)]
        return AgentNotFound(
            f"'{name}' is not an agent of project '{project_id}'. Known agents: {', '.join(known) or 'none'}. "
            "Add it to the project's config and apply it.",
            agent=name,
            known_agents=known,
        )

    # --- writing memories -----------------------------------------------------------------------

    async def _writer(
        self, connection: asyncpg.Connection, project_id: str, agent: str, **scoped: str | None
    ) -> asyncpg.Record:
        """The writing agent's row, after checking that every named domain / task type is in its scope."""
        row = await connection.fetchrow(self.q.get_agent, project_id, agent)
        if row is None:
            raise await self._agent_not_found(project_id, agent)
        for field, value in scoped.items():
            if value is not None and not _in_scope(row, value):
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
        self, project_id: str, outcomes: list[LearnedOutcome], facts: list[tuple[DomainKnowledgeCreate, Vec]]
    ) -> dict[str, list[dict[str, Any]]]:
        """Many outcomes and facts in one transaction: the first refusal writes nothing at all."""
        async with self.pool.acquire() as connection, connection.transaction():
            learned = [await self._learn(connection, project_id, outcome) for outcome in outcomes]
            stored = [await self._add_domain_knowledge(connection, project_id, fact, vector) for fact, vector in facts]
        return {"outcomes": learned, "domain_knowledge": stored}

    async def _learn(self, connection: asyncpg.Connection, project_id: str, learned: LearnedOutcome) -> dict[str, Any]:
        request, task_vector, strategy_vector = learned.request, learned.task_vector, learned.strategy_vector
        await connection.execute(self.q.lock_agent_learning, project_id, request.agent)
        agent = await self._writer(
            connection, project_id, request.agent, domain=request.domain, task_type=request.task_type
        )
        success = request.outcome == "success"
        outcome = await connection.fetchval(
            self.q.insert_outcome, project_id, request.agent, request.task, request.task_type, request.domain,
            success, request.strategy_used, request.duration_ms, request.error_message, request.feedback,
            task_vector, strategy_vector,
        )  # fmt: skip
        threshold = self.strategy_similarity
        heuristic = await connection.fetchval(
            self.q.strengthen_heuristic, project_id, request.agent, request.task_type, strategy_vector, threshold,
            success,
        )  # fmt: skip
        if heuristic is None:
            heuristic = await connection.fetchval(
                self.q.create_heuristic_from_outcomes, project_id, request.agent, request.task_type,
                strategy_vector, threshold, agent["min_occurrences_for_heuristic"],
                request.task_type or request.task, request.strategy_used, request.domain, task_vector,
            )  # fmt: skip
        anti_pattern = None
        if not success and request.error_message:
            anti_pattern = await connection.fetchval(
                self.q.strengthen_anti_pattern, project_id, request.agent, request.task_type, strategy_vector,
                threshold,
            )  # fmt: skip
            if anti_pattern is None:
                anti_pattern = await connection.fetchval(
                    self.q.create_anti_pattern_from_failures, project_id, request.agent, request.task_type,
                    strategy_vector, threshold, request.strategy_used, request.error_message, request.domain,
                    task_vector,
                )  # fmt: skip
        return {"outcome": outcome, "heuristic": heuristic, "anti_pattern": anti_pattern}

    async def add_heuristic(self, project_id: str, heuristic: HeuristicCreate, vector: Vec, strategy_vector: Vec) -> dict:
        async with self.pool.acquire() as connection, connection.transaction():
            await self._writer(
                connection, project_id, heuristic.agent, domain=heuristic.domain, task_type=heuristic.task_type
            )
            return await connection.fetchval(
                self.q.insert_heuristic, project_id, heuristic.agent, heuristic.condition, heuristic.strategy,
                heuristic.task_type, heuristic.domain, heuristic.confidence, vector, strategy_vector,
            )  # fmt: skip

    async def add_domain_knowledge(self, project_id: str, fact: DomainKnowledgeCreate, vector: Vec) -> dict:
        async with self.pool.acquire() as connection, connection.transaction():
            return await self._add_domain_knowledge(connection, project_id, fact, vector)

    async def _add_domain_knowledge(
        self, connection: asyncpg.Connection, project_id: str, fact: DomainKnowledgeCreate, vector: Vec
    ) -> dict:
        await self._writer(connection, project_id, fact.agent, domain=fact.domain)
        return await connection.fetchval(
            self.q.insert_domain_knowledge, project_id, fact.agent, fact.domain, fact.fact, fact.source,
            fact.confidence, vector,
        )  # fmt: skip

    async def add_anti_pattern(
        self, project_id: str, anti_pattern: AntiPatternCreate, vector: Vec, pattern_vector: Vec
    ) -> dict:
        async with self.pool.acquire() as connection, connection.transaction():
            await self._writer(
                connection, project_id, anti_pattern.agent, domain=anti_pattern.domain,
                task_type=anti_pattern.task_type,
            )  # fmt: skip
            return await connection.fetchval(
                self.q.insert_anti_pattern, project_id, anti_pattern.agent, anti_pattern.pattern,
                anti_pattern.why_bad, anti_pattern.better_alternative, anti_pattern.task_type, anti_pattern.domain,
                vector, pattern_vector,
            )  # fmt: skip

    async def add_preference(self, project_id: str, preference: PreferenceCreate, vector: Vec) -> dict:
        async with self.pool.acquire() as connection, connection.transaction():
            await self._writer(connection, project_id, preference.agent)
            return await connection.fetchval(
                self.q.insert_preference, project_id, preference.agent, preference.user_id, preference.category,
                preference.preference, preference.source, vector,
            )  # fmt: skip

    # --- reading, changing, forgetting ----------------------------------------------------------

    async def get_memory(self, project_id: str, kind: str, memory_id: int, reader: str) -> dict:
        """One memory the reader may read; 404 alike for one that does not exist and one it may not read."""
        row = await self.pool.fetchrow(self.q.get_memory, project_id, kind, memory_id, reader)
        if row is None:
            await self._require_agent(project_id, reader)
            raise MemoryNotFound(
                f"No {kind} memory {memory_id} that {reader} may read in project '{project_id}'.",
                kind=kind,
                id=memory_id,
            )
        return row["item"]

    async def list_memories(
        self,
        project_id: str,
        kind: str,
        reader: str,
        owner: str | None,
        task_type: str | None,
        domain: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[dict], int]:
        """A page of what the reader may read, newest first, and the total over all pages."""
        rows = await self.pool.fetch(
            self.q.list_memories, project_id, kind, reader, owner, task_type, domain, limit, offset
        )
        if not rows:
            await self._require_agent(project_id, reader)
        return [row["item"] for row in rows], (rows[0]["total"] if rows else 0)

    async def update_memory(
        self, project_id: str, kind: str, memory_id: int, update: MemoryUpdate, vectors: dict[str, Vec | None]
    ) -> dict:
        """Apply the owner's changes; new texts come with their new vectors."""
        async with self.pool.acquire() as connection, connection.transaction():
            await self._writer(
                connection, project_id, update.agent, domain=update.domain, task_type=update.task_type
            )
            statement, arguments = _update_arguments(kind, update, vectors)
            item = await connection.fetchval(getattr(self.q, statement), project_id, memory_id, update.agent, *arguments)
        if item is None:
            raise await self._not_owner(project_id, kind, memory_id, update.agent, "change")
        return item

    async def delete_memory(self, project_id: str, kind: str, memory_id: int, owner: str) -> None:
        if not await self.pool.fetchval(self.q.delete_memory, project_id, kind, memory_id, owner):
            raise await self._not_owner(project_id, kind, memory_id, owner, "delete")

    async def _not_owner(self, project_id: str, kind: str, memory_id: int, agent: str, action: str) -> Exception:
        """403 when the agent can see the memory but does not own it; 404 otherwise."""
        item = await self.get_memory(project_id, kind, memory_id, agent)
        return NotOwner(
            f"{kind} memory {memory_id} belongs to {item['agent']}; only {item['agent']} may {action} it. "
            f"{agent} can read it because it is shared with it.",
            owner=item["agent"],
        )

    async def forget(
        self, project_id: str, agent: str | None, older_than_days: int | None, below_confidence: float | None
    ) -> dict[str, int]:
        if agent is not None:
            await self._require_agent(project_id, agent)
        else:
            async with self.pool.acquire() as connection:
                await self._require_project(connection, project_id)
        row = await self.pool.fetchrow(self.q.forget, project_id, agent, older_than_days, below_confidence)
        return dict(row)

    async def stats(self, project_id: str, agent: str) -> list[asyncpg.Record]:
        """(source, kind, memories) rows for everything the agent owns or may read."""
        rows = await self.pool.fetch(self.q.agent_stats, project_id, agent)
        if not rows:
            await self._require_agent(project_id, agent)
        return rows

    async def _require_agent(self, project_id: str, agent: str) -> None:
        async with self.pool.acquire() as connection:
            if await connection.fetchrow(self.q.get_agent, project_id, agent) is not None:
                return
        raise await self._agent_not_found(project_id, agent)

    # --- retrieval -------------------------------------------------------------------------------

    async def retrieve(
        self,
        project_id: str,
        reader: str,
        query_vector: Vec,
        top_k: int,
        include_shared: bool,
        user_id: str | None,
        ranking: Ranking | None = None,
    ) -> dict[str, list[dict[str, Any]]]:
        """The reader's top memories of each kind, in one statement; each item names its owning agent."""
        parameters = (ranking or self.ranking).parameters()
        row = await self.pool.fetchrow(
            self.q.retrieve, project_id, reader, query_vector, top_k, include_shared, user_id, *parameters
        )
        if not row["reader_known"]:
            raise await self._agent_not_found(project_id, reader)
        return {kind: row[kind] for kind in MEMORY_KINDS}

    # --- sharing diagnostics ---------------------------------------------------------------------

    async def agent_edges(self, project_id: str, agent: str) -> list[Edge]:
        """The agent's declared sharing edges, classified by sharing_edges()."""
        rows = await self.pool.fetch(self.q.agent_edges, project_id, agent, timeout=LONG_STATEMENT_SECONDS)
        return [Edge(**row) for row in rows]

    async def sharing_graph(self, project_id: str) -> tuple[int, list[bytes]]:
        """(edge count, the graph's JSON in pieces, one per source) as the database writes it; 404 for an
        unknown project. Many rows of a few kB rather than one of 80 MB: each is received in a short step."""
        async with self.pool.acquire() as connection, connection.transaction():
            await self._require_project(connection, project_id)
            await connection.execute(self.q.tune_for_grants)
            rows = await connection.fetch(self.q.sharing_graph, project_id, timeout=LONG_STATEMENT_SECONDS)
        return rows[0]["edge_count"], [row["piece"] for row in rows]

    async def memory_counts(self, project_id: str) -> dict[str, dict[str, int]]:
        """Per agent, how many memories of each shareable kind it owns (kinds it has none of are left out)."""
        counts: dict[str, dict[str, int]] = {}
        for row in await self.pool.fetch(self.q.memory_counts, project_id):
            counts.setdefault(row["agent"], {})[row["kind"]] = row["memories"]
        return counts


def recorded_identity(row: asyncpg.Record) -> EmbedderIdentity:
    return EmbedderIdentity(row["embedder"], row["embedding_model"], row["embedding_dim"])


def deployment_mismatch(row: asyncpg.Record | None, configured: EmbedderIdentity) -> str | None:
    """Why the configured embedder cannot serve the recorded deployment, with the fix; None when it can."""
    if row is None:
        return None
    if row["reembed_embedder"] is not None:
        target = EmbedderIdentity(row["reembed_embedder"], row["reembed_model"], row["reembed_dim"])
        return (f"`alma reembed` is moving this database to {target} and has not finished: its vectors are mixed. "
                f"Run `alma reembed` again with {target.settings()} to finish the move.")  # fmt: skip
    recorded = recorded_identity(row)
    if not configured.differs_from(recorded):
        return None
    return (f"This database's vectors were made by {recorded}, but the service is configured with {configured}; "
            "vectors of different embedders cannot be compared. Configure the recorded embedder "
            f"({recorded.settings()}), or move the database to the new one with `alma reembed`, which embeds "
            "every memory again.")  # fmt: skip


def _in_scope(agent: asyncpg.Record, value: str) -> bool:
    """Empty can_learn allows everything but cannot_learn."""
    if value in agent["cannot_learn"]:
        return False
    return not agent["can_learn"] or value in agent["can_learn"]


def _update_arguments(kind: str, u: MemoryUpdate, vectors: dict[str, Vec | None]) -> tuple[str, tuple]:
    """The update statement of a kind and its parameters after (project_id, id, owner)."""
    embedding = vectors.get("embedding")
    if kind == "heuristics":
        return "update_heuristic", (
            u.condition, u.strategy, u.confidence, u.task_type, u.domain, embedding, vectors.get("strategy_embedding")
        )
    if kind == "outcomes":
        return "update_outcome", (u.feedback,)
    if kind == "domain-knowledge":
        return "update_domain_knowledge", (u.domain, u.fact, u.source, u.confidence, embedding)
    if kind == "anti-patterns":
        return "update_anti_pattern", (
            u.pattern, u.why_bad, u.better_alternative, u.task_type, u.domain, embedding, embedding
        )
    return "update_preference", (u.category, u.preference, u.source, embedding)


def _agent_fields(row: asyncpg.Record) -> dict[str, Any]:
    return {field: row[field] for field in AgentConfig.model_fields}


def _agent_config(row: asyncpg.Record) -> AgentConfig:
    return AgentConfig.model_construct(**_agent_fields(row))


def _agent_args(project_id: str, name: str, agent: AgentConfig) -> tuple:
    return (
        project_id,
        name,
        agent.domain,
        agent.can_learn,
        agent.cannot_learn,
        agent.share_with,
        agent.inherit_from,
        agent.min_occurrences_for_heuristic,
    )
