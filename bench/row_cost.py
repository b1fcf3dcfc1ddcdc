"""What exact ranking costs per visible memory, piece by piece, on a loaded deployment.

The retrieval statement's exact path scores every memory a reader may see. This script times its pieces
alone on the outcomes of the same readers, steady state (each piece's second pass over the queries), and
divides by the rows each query reads: an index-only count, the sum of inner products with the query, the
top 10 by inner product, the top 10 by the documented score, and then the whole statement over every kind.
The difference between two lines is what that piece adds per row; the last line is the floor the
statement works from.

Usage: python bench/row_cost.py [--size 1000000] [--queries 300] [--data-dir FOLDER]
Writes bench/results/row_cost_<size>.json and prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.database import migrate, open_pool, start_embedded, stop_embedded  # noqa: E402
from app.settings import Settings  # noqa: E402
from bench.run import BENCH, RANKING, load, retrieve  # noqa: E402
from bench.workload import generate, queries  # noqa: E402

OUTCOMES = "FROM outcomes r WHERE r.project_id = $1 AND r.agent = ANY ($2::text[])"
SCORE = (
    "$4::float8 * -(r.ranking_vector <#> $3::halfvec)"
    " + $5::float8 * exp(least(date_part('epoch', r.created_at - now()), 0) * $6::float8)"
    " + $7::float8 * r.success::int + $8::float8 * 0.5"
)
PIECES = {  # each reads the same covering index (outcomes_ranking), index-only
    "count the rows": f"SELECT count(*) {OUTCOMES} AND $3::halfvec IS NOT NULL",
    "sum their inner products with the query": f"SELECT sum(r.ranking_vector <#> $3::halfvec) {OUTCOMES}",
    "top 10 by inner product": f"SELECT r.id {OUTCOMES} ORDER BY r.ranking_vector <#> $3::halfvec, r.id LIMIT 10",
    "top 10 by the score": f"SELECT r.id {OUTCOMES} ORDER BY {SCORE} DESC, r.id LIMIT 10",
}


async def measure(data_dir: Path, size: int, count: int) -> dict:
    url = start_embedded(data_dir, "stop", Settings().embedded_shared_buffers_mb)
    await asyncio.to_thread(migrate, url)
    pool = await open_pool(url, 1, 1)
    try:
        workload = generate(size)
        if not await pool.fetchval("SELECT EXISTS (SELECT FROM outcomes)"):
            print(f"loading {size:,} memories ...", file=sys.stderr)
            await load(pool, workload)
        asked = queries(workload, count)
        weights = RANKING.parameters()
        decay = math.log(2) / (86400 * float(weights["half_life_days"]))  # as retrieve.sql computes recency
        score = [weights["similarity_weight"], weights["recency_weight"], decay]
        score += [weights["success_weight"], weights["confidence_weight"]]
        results: dict[str, dict] = {}
        async with pool.acquire() as connection:
            readers = []
            for query in asked:
                sources = await connection.fetchval(
                    "SELECT reader || sources FROM read_grants WHERE project_id = $1 AND reader = $2",
                    query.project_id,
                    query.reader,
                )
                outcomes = await connection.fetchval(f"SELECT count(*) {OUTCOMES}", query.project_id, sources)
                everything = await connection.fetchval(
                    "SELECT count(*) FROM memory_ranks r WHERE r.project_id = $1 AND r.owner = ANY ($2::text[]) "
                    "AND r.kind <> 'preferences'",
                    query.project_id,
                    sources,
                )
                vector = query.vector / np.linalg.norm(query.vector)
                readers.append((query, sources, vector, outcomes, everything))
            for name, statement in PIECES.items():
                extra = score if "$4" in statement else []
                calls = [
                    (statement, query.project_id, sources, vector, *extra) for query, sources, vector, _, _ in readers
                ]
                results[name] = await per_row(connection, calls, [r[3] for r in readers])
            results["the whole retrieval statement (every kind, rows of every kind)"] = await per_row(
                connection, [retrieve(q, RANKING, 10) for q, *_ in readers], [r[4] for r in readers]
            )
        return results
    finally:
        await pool.close()
        stop_embedded(data_dir)


async def per_row(connection: asyncpg.Connection, calls: list[tuple], rows: list[int]) -> dict:
    """p50 of one pass over `calls` ((statement, *arguments) each) after a first one, and the median per-row
    cost over the queries that read ≥ 200 rows."""
    for _ in range(2):
        latencies = []
        for call in calls:
            started = time.perf_counter()
            await connection.fetch(*call)
            latencies.append((time.perf_counter() - started) * 1000)
    per_row_us = [latency / n * 1000 for latency, n in zip(latencies, rows) if n >= 200]
    figures = {
        "p50_ms": round(statistics.median(latencies), 3),
        "rows_p50": statistics.median(rows),
        "us_per_row_p50": round(statistics.median(per_row_us), 3),
    }
    print(figures, file=sys.stderr)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000, help="memories to load")
    parser.add_argument("--queries", type=int, default=300, help="queries per piece")
    parser.add_argument(
        "--data-dir", help="a folder this script (or insert_cost.py) loaded before; default: a temporary one"
    )
    arguments = parser.parse_args()
    if arguments.data_dir:
        results = asyncio.run(measure(Path(arguments.data_dir), arguments.size, arguments.queries))
    else:
        with tempfile.TemporaryDirectory(prefix="alma-bench-") as folder:
            results = asyncio.run(measure(Path(folder), arguments.size, arguments.queries))
    out = BENCH / "results" / f"row_cost_{arguments.size}.json"
    out.write_text(json.dumps({"size": arguments.size, **results}, indent=2))
    print("| piece | p50 ms | rows read p50 | µs per row p50 |\n|---|---|---|---|")
    for name, figures in results.items():
        print(f"| {name} | {figures['p50_ms']} | {figures['rows_p50']:,.0f} | {figures['us_per_row_p50']} |")


if __name__ == "__main__":
    main()
