"""What PostgreSQL row-level security would cost the retrieve path, measured.

Three ways to run the same retrieve statement over the same data:
  app-filter   the service as it is: one statement, the project filtered in SQL by the repository;
  rls-local    a non-superuser role under RLS policies, the project set per transaction
               (BEGIN; SELECT set_config(..., true); retrieve; COMMIT);
  rls-session  the same role, the project set per request at session level (2 statements, no transaction).

Usage: python bench/rls_cost.py [--requests 3000] [--concurrency 8] [--memories-per-agent 200]
Writes bench/results/rls_cost_<memories>.json and prints a table. Needs nothing but the service's own dependencies.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

import asyncpg

from app.database import migrate, open_pool, start_embedded
from app.queries import queries
from app.ranking import Ranking

TABLES = ["agents", "read_grants", "outcomes", "heuristics", "domain_knowledge", "anti_patterns", "preferences"]
DIM = 384
PROJECTS = 10
AGENTS = 10


def unit_vector(rng: random.Random) -> list[float]:
    vector = [rng.gauss(0, 1) for _ in range(DIM)]
    norm = sum(value * value for value in vector) ** 0.5
    return [value / norm for value in vector]


async def load(url: str, memories_per_agent: int) -> None:
    """PROJECTS projects of AGENTS agents; each agent reads the two before it and holds some outcomes."""
    rng = random.Random(7)
    pool = await open_pool(url, 1, 2)
    async with pool.acquire() as connection:
        for p in range(PROJECTS):
            project = f"project-{p}"
            await connection.execute(*queries.projects.upsert_project(project_id=project, storage_note=None))
            for a in range(AGENTS):
                readers = [f"agent-{(a + step) % AGENTS}" for step in (1, 2)]
                sources = [f"agent-{(a - step) % AGENTS}" for step in (1, 2)]
                await connection.execute(
                    *queries.projects.upsert_agent(
                        project_id=project,
                        name=f"agent-{a}",
                        domain=None,
                        can_learn=[],
                        cannot_learn=[],
                        share_with=readers,
                        inherit_from=sources,
                        min_occurrences_for_heuristic=3,
                    )
                )
            await connection.fetchrow(*queries.projects.rebuild_grants(project_id=project, listed=0))
            records = [
                (project, f"agent-{a}", f"task {n}", True, f"strategy {n}", vector, vector)
                for a in range(AGENTS)
                for n in range(memories_per_agent)
                for vector in [unit_vector(rng)]
            ]
            await connection.copy_records_to_table(
                "outcomes",
                records=records,
                columns=["project_id", "agent", "task", "success", "strategy_used", "embedding", "strategy_embedding"],
            )
        await connection.execute("ANALYZE")
    await pool.close()


async def enable_rls(url: str) -> str:
    """A login role without superuser or BYPASSRLS, and a project policy on every tenant table."""
    connection = await asyncpg.connect(url)
    await connection.execute("DROP ROLE IF EXISTS alma_rls")
    await connection.execute("CREATE ROLE alma_rls LOGIN NOSUPERUSER NOBYPASSRLS")
    await connection.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO alma_rls")
    for table in TABLES:
        await connection.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        await connection.execute(
            f"CREATE POLICY project_isolation ON {table} USING (project_id = current_setting('alma.project_id', true))"
        )
    await connection.close()
    return url.replace("postgresql://postgres:@", "postgresql://alma_rls:@")


async def measure(url: str, mode: str, requests: int, concurrency: int) -> dict:
    rng = random.Random(11)
    pool = await open_pool(url, concurrency, concurrency)
    weights = Ranking().parameters()
    jobs = [
        (f"project-{rng.randrange(PROJECTS)}", f"agent-{rng.randrange(AGENTS)}", unit_vector(rng))
        for _ in range(requests)
    ]
    latencies: list[float] = []
    leaks = 0

    async def one(project: str, reader: str, vector: list[float]) -> None:
        nonlocal leaks
        started = time.perf_counter()
        async with pool.acquire() as connection:
            args = queries.memories.retrieve(
                weights,
                project_id=project,
                reader=reader,
                query_vector=vector,
                top_k=10,
                include_shared=True,
                user_id=None,
            )[1:]
            if mode == "app-filter":
                row = await connection.fetchrow(queries.memories.retrieve.sql, *args)
            elif mode == "rls-local":
                async with connection.transaction():
                    await connection.execute("SELECT set_config('alma.project_id', $1, true)", project)
                    row = await connection.fetchrow(queries.memories.retrieve.sql, *args)
            else:
                await connection.execute("SELECT set_config('alma.project_id', $1, false)", project)
                row = await connection.fetchrow(queries.memories.retrieve.sql, *args)
        latencies.append((time.perf_counter() - started) * 1000)
        leaks += sum(1 for item in row["outcomes"] if not item["agent"].startswith("agent-"))

    async def worker(queue: asyncio.Queue) -> None:
        while not queue.empty():
            await one(*queue.get_nowait())

    for job in jobs[:200]:  # warm the statement caches
        await one(*job)
    latencies.clear()
    queue: asyncio.Queue = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    started = time.perf_counter()
    await asyncio.gather(*(worker(queue) for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    await pool.close()
    latencies.sort()
    return {
        "mode": mode,
        "requests_per_second": round(requests / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 3),
        "p95_ms": round(latencies[int(len(latencies) * 0.95)], 3),
        "leaks": leaks,
    }


async def main(requests: int, concurrency: int, memories_per_agent: int) -> None:
    with tempfile.TemporaryDirectory(prefix="alma-rls-") as data_dir:
        url = start_embedded(Path(data_dir), cleanup_mode="delete")
        await asyncio.to_thread(migrate, url)
        print(f"loading {PROJECTS * AGENTS * memories_per_agent:,} outcomes ...", flush=True)
        await load(url, memories_per_agent)
        rls_url = await enable_rls(url)
        results = [
            await measure(url, "app-filter", requests, concurrency),
            await measure(rls_url, "rls-local", requests, concurrency),
            await measure(rls_url, "rls-session", requests, concurrency),
        ]
    base = results[0]["requests_per_second"]
    print(f"{'mode':<12} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'vs app-filter':>14}")
    for result in results:
        result["throughput_vs_app_filter"] = round(result["requests_per_second"] / base, 3)
        print(
            f"{result['mode']:<12} {result['requests_per_second']:>8} {result['p50_ms']:>8} "
            f"{result['p95_ms']:>8} {result['throughput_vs_app_filter']:>14}"
        )
    out = Path(__file__).parent / "results" / f"rls_cost_{memories_per_agent}.json"
    out.parent.mkdir(exist_ok=True)
    summary = {"requests": requests, "concurrency": concurrency, "memories_per_agent": memories_per_agent}
    out.write_text(json.dumps({**summary, "results": results}, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--memories-per-agent", type=int, default=200, help="a reader sees three agents' worth")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.requests, arguments.concurrency, arguments.memories_per_agent))
