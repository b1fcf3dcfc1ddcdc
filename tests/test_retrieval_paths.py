"""Which path a retrieve takes, and what it costs in statements: a reader whose memories are a small share of a
big table is ranked exactly (the HNSW index would skip most of what it reads); one that sees a large share is
ranked from the index; either way, and for a query with no direction, one statement. And the answer the
database writes is exactly the API's items: no vector, project or import key leaks, nothing is missing."""

import asyncpg
import numpy as np
import pytest

from app.config_file import parse_config_text
from app.database import open_pool
from app.embeddings import HashingEmbedder
from app.memory.kinds import KINDS
from app.queries import queries
from app.ranking import Ranking
from app.repositories.deployment import DeploymentRepository
from app.repositories.memories import MemoryRepository
from app.repositories.projects import ProjectRepository
from tests.helpers import Api

DIM = 32
CONFIG = "agents:\n  small:\n  big:\n"
COLUMNS = ["project_id", "agent", "task", "success", "strategy_used", "embedding", "strategy_embedding"]
RANKING = Ranking(candidates=40, approximate_from=1000)  # the default skip cost


@pytest.fixture
async def pool(database_url: str):
    pool = await open_pool(database_url, 1, 1)  # one connection: every statement of a retrieve passes its logger
    yield pool
    await pool.close()


async def load(pool: asyncpg.Pool) -> None:
    """`small` sees 1,500 outcomes and `big` 8,000, in a table of 34,500: 25,000 are another project's, whose
    agents bear the same names (5,000 of them are a `small`'s, which must not count towards the path)."""
    await DeploymentRepository(pool, queries).init_deployment(HashingEmbedder(DIM))
    for project in ("team", "crowd"):
        await ProjectRepository(pool, queries).apply_config(project, parse_config_text(CONFIG))
    rng = np.random.default_rng(5)
    records = []
    loads = [("team", "small", 1500), ("team", "big", 8000), ("crowd", "big", 20000), ("crowd", "small", 5000)]
    for project, agent, count in loads:
        vectors = rng.normal(size=(count, DIM)).astype(np.float32)
        records += [(project, agent, f"task {n}", True, "s", v, v) for n, v in enumerate(vectors)]
    await pool.copy_records_to_table("outcomes", records=records, columns=COLUMNS)
    await pool.execute("ANALYZE outcomes")


async def hnsw_scans_run(pool: asyncpg.Pool, reader: str) -> bool:
    """Whether the retrieve of `reader` reads the outcomes' HNSW index (EXPLAIN ANALYZE of the statement)."""
    sql, *arguments = queries.memories.retrieve(
        RANKING.parameters(),
        project_id="team",
        reader=reader,
        query_vector=np.ones(DIM, dtype=np.float32),
        top_k=5,
        include_shared=True,
        user_id=None,
    )
    plan = [row[0] for row in await pool.fetch("EXPLAIN (ANALYZE, COSTS OFF) " + sql, *arguments)]
    scans = [line for line in plan if "Index Scan using outcomes_nearest" in line]
    assert scans, "\n".join(plan)
    return not all("never executed" in line for line in scans)


async def test_the_index_is_used_only_where_the_reader_sees_a_large_share_of_the_table(pool: asyncpg.Pool):
    await load(pool)
    # the threshold here is sqrt(6 × 40 × 34,500) ≈ 2,880 visible outcomes: above approximate_from (1,000)
    assert not await hnsw_scans_run(pool, "small")  # 1,500 visible: past approximate_from, a small share
    assert await hnsw_scans_run(pool, "big")  # 8,000 visible


async def test_a_retrieve_is_one_statement_on_every_path(pool: asyncpg.Pool):
    await load(pool)
    statements: list[str] = []
    async with pool.acquire() as connection:
        connection.add_query_logger(lambda record: statements.append(record.query))
    repository = MemoryRepository(pool, queries, ranking=RANKING)
    vector = np.ones(DIM, dtype=np.float32)
    for reader, ranking in (("small", None), ("big", None), ("big", RANKING.without_similarity())):
        statements.clear()
        found = await repository.retrieve("team", reader, vector, 5, True, None, ranking)
        assert len(found.items()["outcomes"]) == 5
        assert len(statements) == 1, (reader, ranking, statements)


async def test_each_retrieved_item_has_exactly_its_kinds_fields(api: Api):
    await api.apply("agents:\n  lead:\n    share_with: [dev]\n  dev:\n    inherit_from: [lead]\n")
    for task in ("Design the API", "Design the API again", "Design the API once more"):  # a heuristic
        await api.learn("dev", task, "REST", task_type="api")
    for task in ("Ship the API", "Ship the API again"):  # an anti-pattern of the lead's
        await api.learn("lead", task, "Big bang", "failure", task_type="api", error_message="Broke")
    for path, body in (
        ("domain-knowledge", {"agent": "lead", "domain": "api", "fact": "The API speaks JSON"}),
        ("preferences", {"agent": "dev", "user_id": "ada", "category": "style", "preference": "Short API docs"}),
    ):
        assert (await api.client.post(f"/v1/projects/{api.project}/{path}", json=body)).status_code == 201
    answer = await api.retrieve("dev", "the API", top_k=10, user_id="ada")
    for kind in KINDS:
        items = answer[kind.name]
        assert items, kind.name
        allowed = set(kind.item.model_fields)
        for item in items:
            assert set(item) <= allowed, (kind.name, set(item) - allowed)  # no vector, project or import key
            required = {name for name, field in kind.item.model_fields.items() if field.is_required()}
            assert required <= set(item), (kind.name, required - set(item))
            kind.item.model_validate(item)
    shared = answer["anti_patterns"] + answer["domain_knowledge"]
    assert shared and all(item["metadata"] == {"shared_from": "lead"} for item in shared)
    assert all(item["metadata"] == {} for item in answer["heuristics"] + answer["preferences"])
