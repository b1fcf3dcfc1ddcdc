"""Database fixtures: one real PostgreSQL with pgvector for the session, a fresh database per test.

The server is ALMA_TEST_DATABASE_URL when set, else a testcontainers `pgvector/pgvector` container when a
Docker engine answers, else the embedded server. One migrated template database is cloned per test.
Helpers the tests share are in tests/helpers.py.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from app.asgi import create_app
from app.database import migrate, start_embedded

pytest.register_assert_rewrite("tests.helpers")  # before it is imported: its asserts explain their failures

from tests.helpers import Api, ProjectAdminKeys, connected, settings_for, with_database

TEMPLATE = "alma_test_template"


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


def _admin(server_url: str):
    """A connection to the server's `postgres` database, to create and drop the others."""
    return connected(with_database(server_url, "postgres"))


@pytest.fixture(scope="session")
async def template_url(server_url: str) -> str:
    """A database migrated once, cloned by every test."""
    async with _admin(server_url) as admin:
        await admin.execute(f"DROP DATABASE IF EXISTS {TEMPLATE}")
        await admin.execute(f"CREATE DATABASE {TEMPLATE}")
    url = with_database(server_url, TEMPLATE)
    import asyncio

    await asyncio.to_thread(migrate, url)
    return url


@pytest.fixture
async def database_url(server_url: str, template_url: str) -> AsyncIterator[str]:
    """A fresh, migrated database of this test's own."""
    name = f"alma_test_{uuid.uuid4().hex[:12]}"
    async with _admin(server_url) as admin:
        await admin.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    yield with_database(server_url, name)
    async with _admin(server_url) as admin:
        await admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


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


@pytest.fixture
def api(client: AsyncTestClient) -> Api:
    return Api(client, "my-team")
