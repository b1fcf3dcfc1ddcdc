"""Fixtures: a live ALMA service on its real (embedded) PostgreSQL for the session, and per test a
project of its own holding the guide's team, so tests never see each other's memories.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from alma import ALMA, AsyncALMA

from live_service import running_service, team_config


@pytest.fixture(scope="session")
def service_url() -> Iterator[str]:
    with running_service() as url:
        yield url


@pytest.fixture(autouse=True)
def no_client_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """The caller's ALMA_URL / ALMA_API_KEY must not steer the tests; a test sets them when it means to."""
    monkeypatch.delenv("ALMA_URL", raising=False)
    monkeypatch.delenv("ALMA_API_KEY", raising=False)


@pytest.fixture
def project_id() -> str:
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def team_config_path(tmp_path: Path, project_id: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(team_config(project_id))
    return path


@pytest.fixture
def alma(service_url: str, team_config_path: Path) -> Iterator[ALMA]:
    """A blocking client of a fresh project holding the guide's team."""
    with ALMA.from_config(team_config_path, base_url=service_url) as client:
        yield client


@pytest.fixture
async def async_alma(service_url: str, team_config_path: Path):
    """An asyncio client of a fresh project holding the guide's team."""
    async with await AsyncALMA.from_config(team_config_path, base_url=service_url) as client:
        yield client
