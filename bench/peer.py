"""The peer: alma-memory 0.11.0 (PyPI) with its PostgreSQL storage, asked the same questions over the same data.

measure_peer() loads a workload into alma-memory's own schema, in a database of its own on our server, and
times its multi-agent retrieval path, RetrievalEngine.retrieve with a scope that has inherit_from, for each
query: the same reader, project, top_k and query vector (its embedder is replaced by one that returns the
query's vector). Its result cache is off and bypassed, so a retrieve reaches the database every time.
Not here: our side of the comparison (bench/run.py).

alma-memory's import package is `alma`, the same name as our Python SDK's, so it is installed apart from the
environment's packages and put first on the import path only by this module:
    pip install --no-deps --target "$VIRTUAL_ENV/alma-memory" alma-memory==0.11.0
(ALMA_PEER_PATH names another directory). Its driver, psycopg[binary,pool], comes with the bench extra.

Usage: python bench/peer.py [--size 20000] [--queries 200] [--top-k 10]
Starts an embedded PostgreSQL, loads bench.workload's memories into alma-memory and prints the result as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from rich.console import Console
from rich.progress import Progress

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

if TYPE_CHECKING:
    from bench.workload import Memory, Query, Workload

PEER = "alma-memory"
PEER_VERSION = "0.11.0"
PEER_DATABASE = "alma_peer"
SAVE_BATCH = 5_000
WARM_UP = 20
RESULT_KINDS = ("heuristics", "outcomes", "domain_knowledge", "anti_patterns")
WORKLOAD_KIND = {
    "heuristics": "heuristics",
    "outcomes": "outcomes",
    "domain_knowledge": "domain-knowledge",
    "anti_patterns": "anti-patterns",
}
RANK_WEIGHTS = (0.7, 0.1, 0.1, 0.1)  # ours: similarity, recency, success, confidence
MISMATCHES_KEPT = 20

HOW_IT_RETRIEVES = [
    (
        "Statements: 4 per retrieve (a 5th for preferences when a user_id is given), one per memory kind, one after "
        "another; each on a connection from its psycopg pool in a transaction of its own (BEGIN, SELECT, COMMIT: 3 "
        "round trips), so 12 round trips per retrieve, where ours is 1 statement and 1 round trip."
    ),
    (
        "Ranking in SQL: each statement takes WHERE project_id = %s AND agent = ANY(reader + inherit_from), computes "
        "1 - (embedding <=> query) with pgvector and keeps ORDER BY similarity DESC LIMIT 2 x top_k x (number of "
        "agents): an exact scan of its (project_id, agent) btree index and a top-N sort, as its HNSW indexes cannot "
        "serve that ORDER BY. Every candidate row brings its embedding back as text, parsed into Python floats: most "
        "of a retrieve's time, growing with the number of agents read."
    ),
    (
        "Ranking in Python: MemoryScorer ranks the candidates and keeps top_k per kind; the SQL similarity is dropped "
        "when rows become objects, so it counts every candidate as similarity 1.0 and orders them by recency, "
        "success and confidence."
    ),
    (
        "Sharing: retrieve reads the reader's own memories and those of scope.inherit_from; share_with is not "
        "consulted. So that both sides answer the same question, the peer's inherit_from is the reader's "
        "mutual-consent sources (workload.permitted_sources); the declared-inherit_from check shows what it returns "
        "from the config's inherit_from alone."
    ),
    (
        "Loading: alma-memory 0.11.0's batch saves (save_outcomes, save_heuristics, save_domain_knowledge_batch) call "
        "Connection.executemany, which psycopg 3 has on cursors only (AttributeError); the load lends connections "
        "that method so they run as written. Its HNSW indexes are dropped during the load and rebuilt after it by "
        "its own schema setup."
    ),
    (
        "alma-memory 0.11.0's automatic migration fails on a fresh database (migration 1.1.0 reads a dict row as "
        "a tuple: KeyError 0), so its storage is opened with auto_migrate=False; the migrations add workflow tables "
        "and scope columns, which retrieve does not read."
    ),
    (
        "Preferences are loaded but, as on our side, not retrieved (no user_id); alma-memory's preferences belong to "
        "a user_id alone, with no project or agent."
    ),
]


class QueryVector:
    """alma-memory's embedder, replaced: encode() returns the current query's precomputed vector."""

    def __init__(self, dimension: int) -> None:
        self.dimension = dimension
        self.vector: list[float] = []

    def encode(self, text: str) -> list[float]:
        return self.vector


def peer_modules() -> SimpleNamespace:
    """alma-memory's classes, from its own directory when there is one (see the module docstring)."""
    path = Path(os.environ.get("ALMA_PEER_PATH", Path(sys.prefix) / "alma-memory"))
    if path.is_dir() and str(path) not in sys.path:
        sys.path.insert(0, str(path))
    install = f'pip install --no-deps --target "{path}" {PEER}=={PEER_VERSION}'
    try:
        import alma
        from alma.retrieval.engine import RetrievalEngine
        from alma.retrieval.scoring import ScoringWeights
        from alma.storage.postgresql import PostgreSQLStorage
        from alma.types import AntiPattern, DomainKnowledge, Heuristic, MemoryScope, Outcome, UserPreference
    except ImportError as error:
        raise RuntimeError(f"{PEER} {PEER_VERSION} is not importable ({error}). Install it: {install}") from error
    if getattr(alma, "__version__", None) != PEER_VERSION:
        raise RuntimeError(f"`alma` here is {alma.__file__}, not {PEER} {PEER_VERSION}. Install it: {install}")
    return SimpleNamespace(
        **{
            cls.__name__: cls
            for cls in (
                RetrievalEngine,
                ScoringWeights,
                PostgreSQLStorage,
                AntiPattern,
                DomainKnowledge,
                Heuristic,
                MemoryScope,
                Outcome,
                UserPreference,
            )
        }
    )


def storage_arguments(server_url: str, database: str) -> dict[str, Any]:
    """PostgreSQLStorage's connection arguments for `database` on the server of `server_url` (sockets too)."""
    params = conninfo_to_dict(server_url)
    return {
        "host": params.get("host", "localhost"),
        "port": int(params.get("port", 5432)),
        "database": database,
        "user": params.get("user", "postgres"),
        "password": params.get("password", ""),
        "ssl_mode": params.get("sslmode", "prefer"),
    }


def recreate_database(server_url: str, create: bool = True) -> None:
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PEER_DATABASE} WITH (FORCE)")
        if create:
            admin.execute(f"CREATE DATABASE {PEER_DATABASE}")


def open_storage(peer: SimpleNamespace, server_url: str, dim: int, pool_size: int = 10) -> Any:
    """alma-memory's PostgreSQL storage in PEER_DATABASE; opening it creates its schema where missing."""
    return peer.PostgreSQLStorage(
        **storage_arguments(server_url, PEER_DATABASE), embedding_dim=dim, pool_size=pool_size, auto_migrate=False
    )


def peer_memory(peer: SimpleNamespace, memory: Memory, memory_id: str, now: datetime) -> Any:
    """The memory as alma-memory's type of its kind, with the same vector and bench/run.py's field values."""
    m = memory
    owned = {"id": memory_id, "agent": m.agent, "project_id": m.project_id, "embedding": m.vector.tolist()}
    if m.kind == "outcomes":
        task = {"task_type": "general", "task_description": m.text, "strategy_used": m.strategy}
        return peer.Outcome(**owned, **task, success=m.success, timestamp=now)
    if m.kind == "heuristics":
        occurrences = 3 + int(m.confidence * 10)
        counts = {"occurrence_count": occurrences, "success_count": round(occurrences * m.confidence)}
        rule = {"condition": m.text, "strategy": m.strategy, "confidence": m.confidence}
        return peer.Heuristic(**owned, **rule, **counts, last_validated=now, created_at=now)
    if m.kind == "domain-knowledge":
        fact = {"domain": "engineering", "fact": m.text, "source": "benchmark", "confidence": m.confidence}
        return peer.DomainKnowledge(**owned, **fact, last_verified=now)
    if m.kind == "anti-patterns":
        pattern = {"pattern": m.text, "why_bad": m.strategy, "better_alternative": "", "occurrence_count": 1}
        return peer.AntiPattern(**owned, **pattern, last_seen=now, created_at=now)
    preference = {"category": "style", "preference": m.text, "source": "benchmark", "confidence": m.confidence}
    return peer.UserPreference(id=memory_id, user_id=m.user_id or "", **preference, timestamp=now)


@contextmanager
def connection_executemany() -> Iterator[None]:
    """alma-memory's batch saves call Connection.executemany, which psycopg 3 has on cursors only
    (AttributeError); lend it to connections while loading, so that they run as written."""
    if hasattr(psycopg.Connection, "executemany"):
        yield
        return
    psycopg.Connection.executemany = lambda self, query, params_seq: self.cursor().executemany(query, params_seq)
    try:
        yield
    finally:
        del psycopg.Connection.executemany


def save(peer: SimpleNamespace, storage: Any, workload: Workload) -> None:
    """Every memory through alma-memory's save methods: in batches where it has them, one by one elsewhere."""
    now = datetime.now(UTC)
    by_kind: dict[str, list[tuple[int, Memory]]] = {}
    for index, memory in enumerate(workload.memories):
        by_kind.setdefault(memory.kind, []).append((index, memory))
    batch_save = {
        "outcomes": storage.save_outcomes,
        "heuristics": storage.save_heuristics,
        "domain-knowledge": storage.save_domain_knowledge_batch,
    }
    single_save = {"anti-patterns": storage.save_anti_pattern, "preferences": storage.save_user_preference}
    with connection_executemany(), Progress(console=Console(stderr=True)) as progress:
        task = progress.add_task(f"{PEER} save", total=len(workload.memories))
        for kind, memories in by_kind.items():
            for start in range(0, len(memories), SAVE_BATCH):
                batch = [peer_memory(peer, m, f"m{i}", now) for i, m in memories[start : start + SAVE_BATCH]]
                if kind in batch_save:
                    batch_save[kind](batch)
                else:
                    for item in batch:
                        single_save[kind](item)
                progress.advance(task, len(batch))


def load(peer: SimpleNamespace, server_url: str, workload: Workload) -> None:
    """The workload in a fresh PEER_DATABASE. Its HNSW indexes are dropped while saving and built again after
    by alma-memory's own schema setup (faster than row by row; retrieve does not use them, see HOW_IT_RETRIEVES)."""
    recreate_database(server_url)
    storage = open_storage(peer, server_url, workload.dim)
    try:
        with psycopg.connect(server_url, dbname=PEER_DATABASE, autocommit=True) as connection:
            hnsw = connection.execute("SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%USING hnsw%'").fetchall()
            for (name,) in hnsw:
                connection.execute(f'DROP INDEX "{name}"')
        save(peer, storage, workload)
    finally:
        storage.close()
    open_storage(peer, server_url, workload.dim).close()
    with psycopg.connect(server_url, dbname=PEER_DATABASE, autocommit=True) as connection:
        connection.execute("ANALYZE")


def transactions(server_url: str, storage: Any) -> int:
    """Transactions counted in PEER_DATABASE, after its storage's one pooled backend has flushed its statistics
    (which a backend otherwise does up to 10 s later). The flush itself is one transaction."""
    with storage._pool.connection() as connection:
        connection.execute("SELECT pg_stat_force_next_flush()")
    with psycopg.connect(server_url, autocommit=True) as admin:
        sql = "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s"
        return int(admin.execute(sql, (PEER_DATABASE,)).fetchone()[0])


def scope_for(peer: SimpleNamespace, workload: Workload, query: Query, declared: bool = False) -> Any:
    """The reader's scope: inherit_from is its permitted sources (or, if `declared`, its config's inherit_from)."""
    spec = next(agent for agent in workload.projects[query.project_id] if agent.name == query.reader)
    if declared:
        sources = list(spec.inherit_from)
    else:
        sources = sorted(workload.permitted_sources(query.project_id, query.reader) - {query.reader})
    return peer.MemoryScope(
        agent_name=query.reader,
        can_learn=[],
        cannot_learn=[],
        share_with=list(spec.share_with),
        inherit_from=sources or [query.reader],
    )


def check(workload: Workload, query: Query, result: Any, top_k: int, available: dict) -> list[dict]:
    """What is wrong with one result: items not in the query's project or from an agent without mutual consent,
    and kinds with fewer items than min(top_k, what the permitted sources hold). An item's id is "m" and its
    memory's index in workload.memories, so where it comes from is the workload's word, not the peer's."""
    permitted = workload.permitted_sources(query.project_id, query.reader)
    problems = []
    for kind in RESULT_KINDS:
        items = getattr(result, kind)
        for item in items:
            origin = workload.memories[int(item.id[1:])]
            if origin.project_id != query.project_id or origin.agent not in permitted:
                problems.append(
                    {
                        "problem": "not permitted",
                        "project_id": query.project_id,
                        "reader": query.reader,
                        "kind": kind,
                        "id": item.id,
                        "from_project": origin.project_id,
                        "from_agent": origin.agent,
                    }
                )
        expected = min(top_k, available.get((query.project_id, query.reader, WORKLOAD_KIND[kind]), 0))
        if len(items) < expected:
            problems.append(
                {
                    "problem": "too few",
                    "project_id": query.project_id,
                    "reader": query.reader,
                    "kind": kind,
                    "returned": len(items),
                    "expected": expected,
                }
            )
    return problems


def declared_scope_leaks(
    peer: SimpleNamespace, workload: Workload, queries: list[Query], retrieve: Callable[..., Any]
) -> tuple[int, int]:
    """Queries whose reader declares inherit_from an agent that does not share with it, and how many items from
    such agents the peer returns when given that declared inherit_from."""
    one_sided, leaked = 0, 0
    for query in queries:
        scope = scope_for(peer, workload, query, declared=True)
        if set(scope.inherit_from) <= workload.permitted_sources(query.project_id, query.reader):
            continue
        one_sided += 1
        problems = check(workload, query, retrieve(query, query.vector.tolist(), scope), 0, {})
        leaked += sum(1 for problem in problems if problem["problem"] == "not permitted")
    return one_sided, leaked


def percentiles(latencies: list[float]) -> dict[str, float]:
    """As bench/run.py computes them."""
    ordered = sorted(latencies)
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[int(len(ordered) * 0.95)], 3),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 3),
    }


def available_counts(workload: Workload, queries: list[Query]) -> dict[tuple[str, str, str], int]:
    """(project, reader, kind) -> how many memories of that kind the reader's permitted sources hold."""
    owned: dict[tuple[str, str, str], int] = {}
    for memory in workload.memories:
        key = (memory.project_id, memory.agent, memory.kind)
        owned[key] = owned.get(key, 0) + 1
    return {
        (q.project_id, q.reader, kind): sum(
            owned.get((q.project_id, source, kind), 0) for source in workload.permitted_sources(q.project_id, q.reader)
        )
        for q in queries
        for kind in WORKLOAD_KIND.values()
    }


def measure_peer(server_url: str, workload: Workload, queries: list[Query], top_k: int = 10) -> dict:
    """Load the workload into alma-memory's PostgreSQL storage in its own database on the same server,
    run RetrievalEngine.retrieve for each query (its embedder returning the query's vector), and return
    {"p50_ms", "p95_ms", "p99_ms", "requests", "permitted_ok": bool, "mismatches": [...], "notes": [...]}."""
    peer = peer_modules()
    started = time.perf_counter()
    try:
        load(peer, server_url, workload)
        load_seconds = time.perf_counter() - started
        storage = open_storage(peer, server_url, workload.dim, pool_size=1)  # sequential retrieves use one
        try:
            engine = peer.RetrievalEngine(
                storage, enable_cache=False, scoring_weights=peer.ScoringWeights(*RANK_WEIGHTS)
            )
            embedder = QueryVector(workload.dim)
            engine._embedder = embedder  # retrieve() embeds through this attribute, built lazily when unset

            def retrieve(query: Query, vector: list[float], scope: Any) -> Any:
                embedder.vector = vector
                return engine.retrieve(
                    query=query.text,
                    agent=query.reader,
                    project_id=query.project_id,
                    top_k=top_k,
                    scope=scope,
                    bypass_cache=True,
                    include_shared=True,
                )

            asked = [(query, query.vector.tolist(), scope_for(peer, workload, query)) for query in queries]
            alone = sum(1 for q in queries if workload.permitted_sources(q.project_id, q.reader) == {q.reader})
            available = available_counts(workload, queries)
            for job in asked[:WARM_UP]:
                retrieve(*job)
            transactions_before = transactions(server_url, storage)
            latencies, problems = [], []
            for job in asked:
                sent = time.perf_counter()
                result = retrieve(*job)
                latencies.append((time.perf_counter() - sent) * 1000)
                problems += check(workload, job[0], result, top_k, available)
            transactions_per_retrieve = (transactions(server_url, storage) - transactions_before - 1) / len(asked)

            one_sided, leaked = declared_scope_leaks(peer, workload, queries, retrieve)
        finally:
            storage.close()
    finally:
        recreate_database(server_url, create=False)

    not_permitted = sum(1 for problem in problems if problem["problem"] == "not permitted")
    too_few = len(problems) - not_permitted
    return {
        "peer": f"{PEER} {PEER_VERSION}",
        **percentiles(latencies),
        "requests": len(latencies),
        "top_k": top_k,
        "memories": len(workload.memories),
        "load_seconds": round(load_seconds, 1),
        "transactions_per_retrieve": round(transactions_per_retrieve, 2),
        "permitted_ok": not problems,
        "not_permitted_items": not_permitted,
        "short_results": too_few,
        "mismatches": problems[:MISMATCHES_KEPT],
        "declared_inherit_from": {"queries": one_sided, "items_from_agents_not_sharing": leaked},
        "notes": [
            (
                f"{PEER} {PEER_VERSION} with its PostgreSQL storage (pgvector: {storage._pgvector_available}); "
                f"{len(asked)} sequential retrieves after {min(WARM_UP, len(asked))} warm-up ones, its result cache "
                f"off and bypassed, its scoring weights set to ours {RANK_WEIGHTS}; measured "
                f"{transactions_per_retrieve:.2f} transactions per retrieve in its database."
            ),
            *HOW_IT_RETRIEVES,
            (
                f"Asked with the readers' declared inherit_from instead: {one_sided} of the queries come from readers "
                f"who inherit from an agent that does not share with them, and those retrieves returned {leaked} items "
                "from such agents."
            ),
            (
                f"alma-memory 0.11.0's single-agent path passes scope_filter= to PostgreSQLStorage.get_heuristics, "
                f"which has no such parameter (TypeError), so a reader whose only permitted source is itself is asked "
                f"with inherit_from=[reader], the multi-agent path over the reader alone: {alone} of the queries."
            ),
        ],
    }


def main(size: int, query_count: int, top_k: int) -> dict:
    """The peer alone, on an embedded PostgreSQL, over bench.workload's memories."""
    from app.database import start_embedded
    from bench.workload import generate, queries

    workload = generate(size)
    asked = queries(workload, query_count)
    with tempfile.TemporaryDirectory(prefix="alma-peer-") as data_dir:
        url = start_embedded(Path(data_dir), cleanup_mode="delete")
        return measure_peer(url, workload, asked, top_k)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20_000, help="memories (10,000 per 25-agent project)")
    parser.add_argument("--queries", type=int, default=200, help="retrieves to time")
    parser.add_argument("--top-k", type=int, default=10)
    arguments = parser.parse_args()
    print(json.dumps(main(arguments.size, arguments.queries, arguments.top_k), indent=2))
