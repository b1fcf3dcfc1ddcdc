"""What an outcome's INSERT costs in a loaded deployment, and which of its indexes makes the cost.

Loads the benchmark's workload (or reuses a data folder it loaded before), then times one-row inserts of
outcomes, spread over the workload's agents, four times in a row, each pass in a transaction that is rolled
back: with every index (the first pass after the server starts: its index pages are not in memory yet),
without the HNSW index, without the covering ranking index (each dropped inside the pass's transaction),
and with every index again. Then learning over HTTP (`alma serve`, concurrency 16) in three passes back to
back, which write for real: how throughput grows as the index pages come into memory.

Usage: python bench/insert_cost.py [--size 1000000] [--inserts 300] [--seconds 10] [--data-dir FOLDER]
Writes bench/results/insert_cost_<size>.json and prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.database import migrate, open_pool, start_embedded, stop_embedded  # noqa: E402
from app.queries import queries  # noqa: E402
from app.settings import Settings  # noqa: E402
from bench.run import BENCH, http_load, learn_request, load, serve, summary  # noqa: E402
from bench.workload import generate  # noqa: E402

PASSES = [
    ("every index, first pass", None),
    ("without the HNSW index", "outcomes_nearest"),
    ("without the covering ranking index", "outcomes_ranking"),
    ("every index, again", None),
]


async def measure(data_dir: Path, size: int, inserts: int) -> tuple[dict, list[tuple[str, str]]]:
    """The insert passes, and the (project, agent) pairs they wrote as."""
    url = start_embedded(data_dir, "stop", Settings().embedded_shared_buffers_mb)
    await asyncio.to_thread(migrate, url)
    pool = await open_pool(url, 1, 2)
    try:
        if not await pool.fetchval("SELECT EXISTS (SELECT FROM outcomes)"):
            print(f"loading {size:,} memories ...", file=sys.stderr)
            await load(pool, generate(size))
        writers = await pool.fetch("SELECT DISTINCT project_id, agent FROM outcomes ORDER BY 1, 2 LIMIT 500")
        rng = np.random.default_rng(1)
        results = {}
        async with pool.acquire() as connection:
            for name, dropped in PASSES:
                latencies = []
                transaction = connection.transaction()  # rolled back: every pass starts from the loaded data
                await transaction.start()
                if dropped:
                    await connection.execute(f"DROP INDEX {dropped}")
                for n in range(inserts):
                    project, agent = writers[n % len(writers)]
                    vector = rng.normal(size=384).astype(np.float32)
                    vector /= np.linalg.norm(vector)
                    statement = queries.memories.insert_outcomes(
                        dict.fromkeys(("task_type", "domain", "duration_ms", "error_message", "feedback")),
                        project_id=project,
                        agent=agent,
                        task=f"insert {n}",
                        strategy_used="s",
                        success=True,
                        embedding=vector,
                        strategy_embedding=vector,
                    )
                    started = time.perf_counter()
                    await connection.fetchval(*statement)
                    latencies.append((time.perf_counter() - started) * 1000)
                await transaction.rollback()
                results[name] = summary(latencies)
                print(f"{name}: p50 {results[name]['p50_ms']} ms, p95 {results[name]['p95_ms']} ms", file=sys.stderr)
        return results, [(row["project_id"], row["agent"]) for row in writers]
    finally:
        await pool.close()
        stop_embedded(data_dir)


def learn_passes(data_dir: Path, writers: list[tuple[str, str]], seconds: float) -> dict:
    """Three runs of learning over HTTP at concurrency 16, one after another on the same server."""
    requests = [learn_request(project, agent, n) for n, (project, agent) in enumerate(writers * 4)]
    service = serve(data_dir, 8893)
    try:
        return {f"learn over HTTP, concurrency 16, pass {n}": http_load(8893, 16, seconds, requests) for n in (1, 2, 3)}
    finally:
        service.terminate()
        service.wait(timeout=60)


def run(data_dir: Path, arguments: argparse.Namespace) -> dict:
    results, writers = asyncio.run(measure(data_dir, arguments.size, arguments.inserts))
    return results | learn_passes(data_dir, writers, arguments.seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="memories to load")
    parser.add_argument("--inserts", type=int, default=300, help="inserts per pass")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each learning run over HTTP")
    parser.add_argument("--data-dir", help="a folder this script loaded before (kept); default: a temporary one")
    arguments = parser.parse_args()
    if arguments.data_dir:
        results = run(Path(arguments.data_dir), arguments)
    else:
        with tempfile.TemporaryDirectory(prefix="alma-bench-") as folder:
            results = run(Path(folder), arguments)
    out = BENCH / "results" / f"insert_cost_{arguments.size}.json"
    out.write_text(json.dumps({"size": arguments.size, "inserts_per_pass": arguments.inserts, **results}, indent=2))
    print("| pass | p50 ms | p95 ms | p99 ms | req/s |\n|---|---|---|---|---|")
    for name, figures in results.items():
        rate = figures.get("requests_per_second", "")
        print(f"| {name} | {figures['p50_ms']} | {figures['p95_ms']} | {figures['p99_ms']} | {rate} |")


if __name__ == "__main__":
    main()
