"""Deployment: the compose file is valid and wired as documented; SIGTERM lets in-flight requests finish."""

import asyncio
import os
import shutil
import signal
import subprocess
import threading
from pathlib import Path

import httpx
import yaml

from tests.helpers import (
    ALMA,
    OPERATOR_KEY,
    bearer,
    connected,
    free_port,
    put_guide_example,
    wait_until_up,
)

ROOT = Path(__file__).resolve().parent.parent


def compose_command() -> list[str]:
    """`docker compose` where the plugin is installed, else the standalone `docker-compose`."""
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    assert shutil.which("docker-compose"), "install docker compose (or Debian's docker-compose) to check compose.yaml"
    return ["docker-compose"]


def compose_config(**env: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if key != "ALMA_OPERATOR_KEY"} | env
    return subprocess.run(
        [*compose_command(), "-f", str(ROOT / "compose.yaml"), "config"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
    )


def test_compose_file_starts_a_migrated_service_after_a_healthy_database():
    result = compose_config(ALMA_OPERATOR_KEY="k" * 40)
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    assert services["db"]["image"].startswith("pgvector/pgvector:")
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    alma = services["alma"]
    assert alma["depends_on"]["db"]["condition"] == "service_healthy"
    assert alma["environment"]["ALMA_MIGRATE_ON_START"] == "true"
    assert alma["environment"]["ALMA_DATABASE_URL"].startswith("postgresql://alma:")
    assert "/ready" in " ".join(alma["healthcheck"]["test"])
    assert alma["build"]["context"]


def test_compose_refuses_to_start_without_an_operator_key():
    result = compose_config()
    assert result.returncode != 0
    assert "ALMA_OPERATOR_KEY" in result.stderr


def test_sigterm_lets_an_in_flight_bulk_learn_finish(database_url: str, tmp_path: Path):
    port = free_port()
    environment = {
        **os.environ,
        "ALMA_DATABASE_URL": database_url,
        "ALMA_PORT": str(port),
        "ALMA_EMBEDDER": "hashing",
        "ALMA_OPERATOR_KEY": OPERATOR_KEY,
    }
    server = subprocess.Popen([ALMA, "serve"], env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(server, base)
        key = httpx.post(f"{base}/v1/projects", json={"project_id": "my-team"}, headers=bearer(OPERATOR_KEY)).json()
        admin = bearer(key["admin_key"]["key"])
        put_guide_example(base, admin)
        outcomes = [
            {
                "agent": "tech_lead",
                "task": f"Long task number {n} " + "detail " * 40,
                "outcome": "success",
                "strategy_used": f"strategy {n % 7}",
            }
            for n in range(1000)
        ]
        answer: dict = {}
        request = threading.Thread(
            target=lambda: answer.update(
                response=httpx.post(
                    f"{base}/v1/projects/my-team/learn/bulk", json={"outcomes": outcomes}, headers=admin, timeout=60
                )
            )
        )
        request.start()
        threading.Event().wait(0.3)  # the request is in flight
        server.send_signal(signal.SIGTERM)
        request.join(timeout=60)
        server.wait(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
    assert answer["response"].status_code == 201, answer["response"].text[:300]
    assert answer["response"].elapsed.total_seconds() > 0.3, "the request was still running at SIGTERM"
    assert server.returncode == 0 or server.returncode == -signal.SIGTERM

    async def count() -> int:
        async with connected(database_url) as connection:
            return await connection.fetchval("SELECT count(*) FROM outcomes")

    assert asyncio.run(count()) == 1000
