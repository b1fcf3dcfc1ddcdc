"""Database fixtures: one real PostgreSQL with pgvector for the session, a fresh database per test.

The server is ALMA_TEST_DATABASE_URL when set, else a testcontainers `pgvector/pgvector` container when a
Docker engine answers, else the embedded server. One migrated template database is cloned per test.
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
import uvicorn
from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.asgi import create_app
from app.database import migrate, start_embedded
from app.settings import Settings

TEMPLATE = "alma_test_template"
EXAMPLE_CONFIG = Path(__file__).resolve().parent.parent / "examples" / ".alma" / "config.yaml"
LAYOUTS = ("beside", "nested", "no-alma")


def guide_example(layout: str = "beside") -> str:
    """The guide's complete example in one of the layouts its readers write: `agents:` beside `alma:` (as the
    guide prints it), nested under `alma:`, or with no `alma:` at all (`project_id` at the top)."""
    text = EXAMPLE_CONFIG.read_text()
    head, agents = text.split("agents:\n", 1)
    if layout == "beside":
        return text
    if layout == "nested":
        return head + "  agents:\n" + "".join(f"  {line}\n" if line else "\n" for line in agents.splitlines())
    assert layout == "no-alma", layout
    return "project_id: my-team\nstorage: sqlite\nagents:\n" + agents


def with_database(url: str, database: str) -> str:
    """The same server URL, pointing at another database (works for socket-directory URLs too)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """A PostgreSQL server with pgvector for the whole run."""
    if url := os.environ.get("ALMA_TEST_DATABASE_URL"):
        yield url
    elif _docker_answers():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("pgvector/pgvector:pg17", driver=None) as container:
            yield container.get_connection_url()
    else:
        with tempfile.TemporaryDirectory(prefix="alma-test-") as data_dir:
            yield start_embedded(Path(data_dir), cleanup_mode="delete")


async def _admin(server_url: str) -> asyncpg.Connection:
    return await asyncpg.connect(with_database(server_url, "postgres"))


@pytest.fixture(scope="session")
async def template_url(server_url: str) -> str:
    """A database migrated once, cloned by every test."""
    admin = await _admin(server_url)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {TEMPLATE}")
        await admin.execute(f"CREATE DATABASE {TEMPLATE}")
    finally:
        await admin.close()
    url = with_database(server_url, TEMPLATE)
    import asyncio

    await asyncio.to_thread(migrate, url)
    return url


@pytest.fixture
async def database_url(server_url: str, template_url: str) -> AsyncIterator[str]:
    """A fresh, migrated database of this test's own."""
    name = f"alma_test_{uuid.uuid4().hex[:12]}"
    admin = await _admin(server_url)
    try:
        await admin.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    finally:
        await admin.close()
    yield with_database(server_url, name)
    admin = await _admin(server_url)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    finally:
        await admin.close()


def guide_example_without(agent: str) -> str:
    """The guide's example (agents beside alma:) without one agent's block."""
    head, body = guide_example().split("agents:\n", 1)
    return head + "agents:\n" + "\n\n".join(block for block in body.split("\n\n") if f"  {agent}:" not in block)


OPERATOR_KEY = "operator-test-key-0123456789"


def settings_for(database_url: str, **overrides) -> Settings:
    """A service on a database it does not run itself: API keys are required."""
    chosen = {"embedder": "hashing", "log_level": "WARNING", "operator_key": OPERATOR_KEY, **overrides}
    return Settings(database_url=database_url, **chosen)


class ProjectAdminKeys(httpx.Auth):
    """Test-client auth: the first request to a project has the operator create it and an admin key,
    which then signs every request to that project. A request that brings its own Authorization is left as is."""

    requires_response_body = True

    def __init__(self) -> None:
        self.keys: dict[str, str] = {}

    def auth_flow(self, request: httpx.Request):
        if "authorization" in request.headers:
            yield request
            return
        parts = request.url.path.split("/")
        if len(parts) > 3 and parts[1:3] == ["v1", "projects"] and parts[3]:
            project = unquote(parts[3])
            if project not in self.keys:
                created = yield self._as_operator(request, "/v1/projects", {"project_id": project})
                if created.status_code == 409:
                    created = yield self._as_operator(request, f"/v1/projects/{project}/keys", {"role": "admin"})
                    self.keys[project] = created.json()["key"]
                elif created.status_code == 201:
                    self.keys[project] = created.json()["admin_key"]["key"]
            if project in self.keys:
                request.headers["Authorization"] = f"Bearer {self.keys[project]}"
        else:
            request.headers["Authorization"] = f"Bearer {OPERATOR_KEY}"
        yield request

    def headers_for(self, project: str) -> dict[str, str]:
        """The admin key of a project this client has already used, as a header."""
        return {"Authorization": f"Bearer {self.keys[project]}"}

    @staticmethod
    def _as_operator(request: httpx.Request, path: str, body: dict) -> httpx.Request:
        return httpx.Request(
            "POST", request.url.copy_with(path=path), json=body, headers={"Authorization": f"Bearer {OPERATOR_KEY}"}
        )


@contextmanager
def live_server(app: Litestar) -> Iterator[str]:
    """The app behind a real uvicorn on a free loopback port, in a thread of its own; yields its URL.

    For tests that need real concurrency (the in-process test client serves one request at a time)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning", log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the live server did not start"
        time.sleep(0.02)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@asynccontextmanager
async def live_project(base: str, project: str = "my-team") -> AsyncIterator[httpx.AsyncClient]:
    """A client of a live server, signed with the admin key of a new project holding the guide's team."""
    operator = {"Authorization": f"Bearer {OPERATOR_KEY}"}
    async with httpx.AsyncClient(base_url=base, timeout=60) as bootstrap:
        created = await bootstrap.post("/v1/projects", json={"project_id": project}, headers=operator)
    assert created.status_code == 201, created.text
    client = httpx.AsyncClient(base_url=base, timeout=60,
                               headers={"Authorization": f"Bearer {created.json()['admin_key']['key']}"})  # fmt: skip
    applied = await client.put(f"/v1/projects/{project}/config", content=guide_example().replace("my-team", project),
                               headers={"content-type": "application/yaml"})  # fmt: skip
    assert applied.status_code == 200, applied.text
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def app(database_url: str) -> Litestar:
    return create_app(settings_for(database_url))


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient]:
    """An HTTP client of a running service (lifespan included) on this test's database, signing each
    request with an admin key of the project it names."""
    async with AsyncTestClient(app=app) as test_client:
        test_client.auth = ProjectAdminKeys()
        yield test_client


class Api:
    """Small helpers over the HTTP API, so tests read as what a user does."""

    def __init__(self, client: AsyncTestClient, project: str) -> None:
        self.client = client
        self.project = project

    async def apply(self, config: str, project: str | None = None) -> dict:
        response = await self.client.put(
            f"/v1/projects/{project or self.project}/config",
            content=config.encode(),
            headers={"content-type": "application/yaml"},
        )
        assert response.status_code == 200, response.text
        return response.json()

    async def learn(self, agent: str, task: str, strategy: str, outcome: str = "success", **extra) -> dict:
        body = {"agent": agent, "task": task, "outcome": outcome, "strategy_used": strategy, **extra}
        response = await self.client.post(f"/v1/projects/{self.project}/learn", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    async def retrieve(self, agent: str, query: str, **extra) -> dict:
        body = {"agent": agent, "query": query, **extra}
        response = await self.client.post(f"/v1/projects/{self.project}/retrieve", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    async def owners(self, agent: str, query: str = "task", **extra) -> set[str]:
        """Which agents' outcomes the reader gets back."""
        slice_ = await self.retrieve(agent, query, top_k=100, **extra)
        return {item["agent"] for item in slice_["outcomes"]}


@pytest.fixture
def api(client: AsyncTestClient) -> Api:
    return Api(client, "my-team")
