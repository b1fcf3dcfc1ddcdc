"""What the tests share besides fixtures (those are in conftest.py): the guide's example config, the service's
settings and clients, a live server, the `alma` command, and a direct look at the database."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
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

from app.settings import Settings

# --- the guide's example and small configs ------------------------------------------------------------

EXAMPLE_CONFIG = Path(__file__).resolve().parent.parent / "examples" / ".alma" / "config.yaml"
LAYOUTS = ("beside", "nested", "no-alma")

ALICE_BOB_CHARLIE = """
agents:
  alice:
    share_with: [bob]
  bob:
    inherit_from: [alice]
  charlie:
    inherit_from: [alice]
"""

ONE_SIDED = """
agents:
  alice:
    share_with: [bob, dave]
  bob:
    inherit_from: [alice]
  charlie:
    inherit_from: [alice, zed]
  dave:
"""


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


def guide_example_without(agent: str) -> str:
    """The guide's example (agents beside alma:) without one agent's block."""
    head, body = guide_example().split("agents:\n", 1)
    return head + "agents:\n" + "\n\n".join(block for block in body.split("\n\n") if f"  {agent}:" not in block)


# --- the database -------------------------------------------------------------------------------------


def with_database(url: str, database: str) -> str:
    """The same server URL, pointing at another database (works for socket-directory URLs too)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


@asynccontextmanager
async def connected(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection of its own to the database, to look at (or change) it directly; closed on the way out."""
    connection = await asyncpg.connect(database_url)
    try:
        yield connection
    finally:
        await connection.close()


# --- the service and its clients ----------------------------------------------------------------------

OPERATOR_KEY = "operator-test-key-0123456789"


def settings_for(database_url: str, **overrides) -> Settings:
    """A service on a database it does not run itself: API keys are required."""
    chosen = {"embedder": "hashing", "log_level": "WARNING", "operator_key": OPERATOR_KEY, **overrides}
    return Settings(database_url=database_url, **chosen)


def bearer(key: str) -> dict[str, str]:
    """The Authorization header that presents `key`."""
    return {"Authorization": f"Bearer {key}"}


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
        return bearer(self.keys[project])

    @staticmethod
    def _as_operator(request: httpx.Request, path: str, body: dict) -> httpx.Request:
        return httpx.Request("POST", request.url.copy_with(path=path), json=body, headers=bearer(OPERATOR_KEY))


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


async def assert_another_projects_key_gets_the_same_404(api: Api, path: str) -> None:
    """An admin key of other-team asks for `path` (e.g. "/sharing/graph") of my-team and of a project that does
    not exist: both are 404s, and their details differ only by the project's name."""
    foreign = api.client.auth.headers_for("other-team")
    answers = []
    for project in ("my-team", "no-such-team"):
        response = await api.client.get(f"/v1/projects/{project}{path}", headers=foreign)
        assert response.status_code == 404
        answers.append(response.json()["detail"].replace(project, "P"))
    assert answers[0] == answers[1]


# --- a live server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def live_server(app: Litestar) -> Iterator[str]:
    """The app behind a real uvicorn on a free loopback port, in a thread of its own; yields its URL.

    For tests that need real concurrency (the in-process test client serves one request at a time)."""
    port = free_port()
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
    async with httpx.AsyncClient(base_url=base, timeout=60) as bootstrap:
        created = await bootstrap.post("/v1/projects", json={"project_id": project}, headers=bearer(OPERATOR_KEY))
    assert created.status_code == 201, created.text
    client = httpx.AsyncClient(base_url=base, timeout=60, headers=bearer(created.json()["admin_key"]["key"]))
    applied = await client.put(
        f"/v1/projects/{project}/config",
        content=guide_example().replace("my-team", project),
        headers={"content-type": "application/yaml"},
    )
    assert applied.status_code == 200, applied.text
    try:
        yield client
    finally:
        await client.aclose()


# --- the `alma` command -------------------------------------------------------------------------------

ALMA = str(Path(sys.executable).parent / "alma")


def run_alma(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "ALMA_EMBEDDER": "hashing", **env}
    return subprocess.run([ALMA, *args], env=environment, capture_output=True, text=True, timeout=120, cwd=cwd)


def put_guide_example(base: str, headers: dict[str, str] | None = None) -> httpx.Response:
    """PUT the guide's complete example (examples/.alma/config.yaml) as project my-team's config, over a live server."""
    return httpx.put(
        f"{base}/v1/projects/my-team/config",
        content=EXAMPLE_CONFIG.read_bytes(),
        headers={**(headers or {}), "content-type": "application/yaml"},
    )


def wait_until_up(server: subprocess.Popen, base: str, seconds: float = 60) -> None:
    """Wait for a started `alma serve` to answer /health; fail with its output if it dies or takes too long."""
    started = time.monotonic()
    while True:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert server.poll() is None, server.stdout.read().decode()
        assert time.monotonic() - started < seconds, f"alma serve did not answer within {seconds} s"
        time.sleep(0.1)


def seed_project(base: str, config: str, agent: str | None = None, project: str = "my-team") -> tuple[str, str | None]:
    """Through a live service's API, as the operator: create the project and apply `config` with its first admin
    key. Returns that admin key and, when `agent` is named, an agent key of it."""
    admin = httpx.post(f"{base}/v1/projects", json={"project_id": project}, headers=bearer(OPERATOR_KEY))
    signed = bearer(admin.json()["admin_key"]["key"])
    applied = httpx.put(
        f"{base}/v1/projects/{project}/config",
        content=config.encode(),
        headers={**signed, "content-type": "application/yaml"},
    )
    assert applied.status_code == 200, applied.text
    if agent is None:
        return admin.json()["admin_key"]["key"], None
    key = httpx.post(f"{base}/v1/projects/{project}/keys", json={"role": "agent", "agent": agent}, headers=signed)
    return admin.json()["admin_key"]["key"], key.json()["key"]


# --- a browser ----------------------------------------------------------------------------------------


def need(program: str, package: str) -> str:
    """The path of a program these tests cannot do without; failing, not skipping, when it is missing."""
    path = shutil.which(program)
    if path is None:
        pytest.fail(f"`{program}` is not installed: apt-get install -y {package}")
    return path


def chromium(url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    browser = need("chromium", "chromium")
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--window-size=1200,800",
        "--virtual-time-budget=5000",
        # nothing but this machine answers: a page that needs another host shows it
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ]
    return subprocess.run([browser, *flags, *extra, url], capture_output=True, text=True, timeout=120)


def page_dom(url: str, profile: Path) -> str:
    """The DOM Chromium holds once the page has run its scripts (with every other host unresolvable)."""
    dumped = chromium(url, profile, "--dump-dom")
    assert dumped.returncode == 0, dumped.stderr[-2000:]
    return dumped.stdout
