"""The nearest-neighbour path of a retrieve: the HNSW indexes exist once the vector size is known, and a reader
that sees many memories is ranked from them with high recall, permitted memories only, in one statement."""

import asyncpg
import numpy as np
import pytest

from app.config_file import parse_config_text
from app.database import open_pool
from app.embeddings import HashingEmbedder
from app.errors import DeploymentMismatch
from app.models import MAX_DIMENSIONS
from app.queries import queries
from app.ranking import Ranking
from app.repositories.deployment import DeploymentRepository
from app.repositories.memories import MemoryRepository
from app.repositories.projects import ProjectRepository

DIM = 64
TABLES = ("outcomes", "heuristics", "domain_knowledge", "anti_patterns", "preferences")
CONFIG = """agents:
  reader:
    inherit_from: [mentor, stranger]
  mentor:
    share_with: [reader]
  stranger:
    share_with: []
"""


@pytest.fixture
async def pool(database_url: str):
    pool = await open_pool(database_url, 1, 2)
    yield pool
    await pool.close()


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)


async def test_recording_the_vector_size_fixes_it_and_builds_an_hnsw_index_per_kind(pool: asyncpg.Pool):
    assert await pool.fetchval("SELECT count(*) FROM pg_indexes WHERE indexname LIKE '%\\_nearest'") == 0

    await DeploymentRepository(pool, queries).init_deployment(HashingEmbedder(DIM))

    columns = await pool.fetch(
        "SELECT attrelid::regclass::text AS memory_table, atttypmod, attstorage::text FROM pg_attribute "
        "WHERE attname = 'embedding' AND attrelid::regclass::text = ANY($1)",
        list(TABLES),
    )
    assert {(c["memory_table"], c["atttypmod"], c["attstorage"]) for c in columns} == {(t, DIM, "m") for t in TABLES}
    indexes = await pool.fetch("SELECT tablename, indexdef FROM pg_indexes WHERE indexname LIKE '%\\_nearest'")
    assert sorted(i["tablename"] for i in indexes) == sorted(TABLES)
    assert all("USING hnsw (ranking_vector halfvec_ip_ops)" in i["indexdef"] for i in indexes)


async def load_team(pool: asyncpg.Pool, rng: np.random.Generator) -> np.ndarray:
    """600 memories of the reader and of its mentor around 6 topics. The stranger (no consent) and the mentor
    of another project (same config) hold 600 each that lie nearer to every topic than anything the reader
    may see. Returns the topics."""
    await DeploymentRepository(pool, queries).init_deployment(HashingEmbedder(DIM))
    repository = ProjectRepository(pool, queries)
    for project in ("team", "other-team"):
        await repository.apply_config(project, parse_config_text(CONFIG))
    topics = unit(rng.normal(size=(6, DIM)))
    records = []
    for project, agent, spread in (
        ("team", "reader", 0.8),
        ("team", "mentor", 0.8),
        ("team", "stranger", 0.1),
        ("other-team", "mentor", 0.1),
    ):
        near = topics[rng.integers(len(topics), size=600)]
        vectors = unit(near + rng.normal(scale=spread / np.sqrt(DIM), size=(600, DIM)))
        records += [(project, agent, f"{agent} task {n}", n % 3 > 0, "s", v, v) for n, v in enumerate(vectors)]
    async with pool.acquire() as connection:
        await connection.copy_records_to_table(
            "outcomes",
            records=records,
            columns=["project_id", "agent", "task", "success", "strategy_used", "embedding", "strategy_embedding"],
        )
        await connection.execute("ANALYZE outcomes")
    return topics


async def test_a_reader_past_the_threshold_is_ranked_from_the_hnsw_index_with_permitted_memories_only(
    pool: asyncpg.Pool,
):
    rng = np.random.default_rng(1)
    topics = await load_team(pool, rng)
    exact = MemoryRepository(pool, queries, ranking=Ranking(approximate_from=10**9))
    approximate = MemoryRepository(pool, queries, ranking=Ranking(candidates=60, approximate_from=1000))
    queries_ = unit(topics[rng.integers(len(topics), size=30)] + rng.normal(scale=0.5 / np.sqrt(DIM), size=(30, DIM)))

    forbidden = {
        row["id"]
        for row in await pool.fetch("SELECT id FROM outcomes WHERE project_id = 'other-team' OR agent = 'stranger'")
    }
    recalls = []
    for vector in queries_:
        truth = (await exact.retrieve("team", "reader", vector, 10, True, None)).items()
        found = (await approximate.retrieve("team", "reader", vector, 10, True, None)).items()
        assert not forbidden & {item["id"] for item in found["outcomes"]}
        assert len(found["outcomes"]) == 10
        truth_ids = {item["id"] for item in truth["outcomes"]}
        recalls.append(len(truth_ids & {item["id"] for item in found["outcomes"]}) / 10)
    assert np.mean(recalls) >= 0.95, recalls

    plans = {}
    for name, repository in (("exact", exact), ("approximate", approximate)):
        sql, *arguments = queries.memories.retrieve(
            repository.ranking.parameters(),
            project_id="team",
            reader="reader",
            query_vector=queries_[0],
            top_k=10,
            include_shared=True,
            user_id=None,
        )
        rows = await pool.fetch("EXPLAIN (ANALYZE, COSTS OFF) " + sql, *arguments)
        plans[name] = [row[0] for row in rows if "Index Scan using outcomes_nearest" in row[0]]
    assert plans["exact"] and all("never executed" in line for line in plans["exact"])
    assert plans["approximate"] and not any("never executed" in line for line in plans["approximate"])


async def test_the_approximate_path_is_still_one_statement(pool: asyncpg.Pool):
    topics = await load_team(pool, np.random.default_rng(2))
    repository = MemoryRepository(pool, queries, ranking=Ranking(candidates=40, approximate_from=100))
    statements: list[str] = []
    async with pool.acquire() as connection:
        connection.add_query_logger(lambda record: statements.append(record.query))
    found = (await repository.retrieve("team", "reader", topics[0], 5, True, None)).items()
    assert len(found["outcomes"]) == 5
    assert len(statements) == 1


@pytest.mark.parametrize("dimension", [1200, 1201, MAX_DIMENSIONS])
async def test_the_longest_names_and_the_largest_vectors_fit_the_ranking_indexes(pool: asyncpg.Pool, dimension: int):
    """A B-tree entry holds at most about 2.7 kB: the covering ranking indexes hold the half-precision vector up
    to 1,200 dimensions beside the longest names (64 characters), and leave it to the table past that. The HNSW
    indexes take the largest vectors a deployment may have."""
    await DeploymentRepository(pool, queries).init_deployment(HashingEmbedder(dimension))
    project, agent, user = "p" * 64, "a" * 64, "u" * 64
    await ProjectRepository(pool, queries).apply_config(project, parse_config_text(f"agents:\n  {agent}:\n"))
    vector = unit(np.random.default_rng(3).normal(size=dimension))
    rows = {
        "outcomes": ("task, success, strategy_used, embedding, strategy_embedding", ("t", True, "s", vector, vector)),
        "heuristics": (
            "condition, strategy, confidence, embedding, strategy_embedding",
            ("c", "s", 0.5, vector, vector),
        ),
        "domain_knowledge": ("domain, fact, embedding", ("d", "f", vector)),
        "anti_patterns": ("pattern, why_bad, embedding, pattern_embedding", ("p", "w", vector, vector)),
        "preferences": ("user_id, category, preference, embedding", (user, "c", "p", vector)),
    }
    for table, (columns, values) in rows.items():
        marks = ", ".join(f"${n}" for n in range(3, len(values) + 3))
        await pool.execute(
            f"INSERT INTO {table} (project_id, agent, {columns}) VALUES ($1, $2, {marks})", project, agent, *values
        )
    assert await pool.fetchval("SELECT count(*) FROM pg_indexes WHERE indexname LIKE '%\\_nearest'") == 5
    covering = await pool.fetch("SELECT indexdef FROM pg_indexes WHERE indexname LIKE '%\\_ranking'")
    assert len(covering) == 5 and all(("ranking_vector" in i["indexdef"]) == (dimension <= 1200) for i in covering)

    found = (await MemoryRepository(pool, queries).retrieve(project, agent, vector, 5, True, user)).items()
    assert {name: len(items) for name, items in found.items()} == dict.fromkeys(found, 1)
    assert all(abs(items[0]["similarity"] - 1) < 1e-3 for items in found.values())


async def test_a_model_with_vectors_too_large_for_the_indexes_is_refused_and_nothing_is_recorded(pool: asyncpg.Pool):
    with pytest.raises(DeploymentMismatch, match="4001 dimensions; the nearest-neighbour indexes take at most 4000"):
        await DeploymentRepository(pool, queries).init_deployment(HashingEmbedder(MAX_DIMENSIONS + 1))
    assert await pool.fetchval("SELECT count(*) FROM deployment") == 0
