"""The `alma` command, run as a user runs it: serve on the embedded default, migrate, apply a config."""

import asyncio
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
from alembic.script import ScriptDirectory

from app.asgi import create_app
from app.database import alembic_config, start_embedded, stop_embedded
from tests.helpers import (
    ALMA,
    EXAMPLE_CONFIG,
    bearer,
    connected,
    free_port,
    live_server,
    put_guide_example,
    run_alma,
    settings_for,
    wait_until_up,
    with_database,
)


def embedded_environment(data: Path, port: int) -> dict[str, str]:
    """`alma serve` with no database URL: the embedded PostgreSQL in `data`, on `port`, with the hashing embedder."""
    environment = {key: value for key, value in os.environ.items() if key != "ALMA_DATABASE_URL"}
    return environment | {"ALMA_DATA_DIR": str(data), "ALMA_PORT": str(port), "ALMA_EMBEDDER": "hashing"}


def test_config_apply_prints_changes_and_warnings(database_url: str):
    result = run_alma("config", "apply", str(EXAMPLE_CONFIG), ALMA_DATABASE_URL=database_url)
    assert result.returncode == 0, result.stderr
    assert "Project my-team (created)" in result.stdout
    assert "+ junior_developer reads senior_developer" in result.stdout
    assert "warning: tech_lead shares with devops_engineer, which is not an agent of my-team." in result.stdout
    assert "note: storage: sqlite is accepted and noted" in result.stdout


def test_config_apply_reports_a_bad_file_without_a_traceback(database_url: str, tmp_path: Path):
    bad = tmp_path / "config.yaml"
    bad.write_text("agents:\n  bob:\n    inherits_from: [alice]\n")
    result = run_alma("config", "apply", str(bad), "--project", "p", ALMA_DATABASE_URL=database_url)
    assert result.returncode == 1
    assert "Did you mean `inherit_from`?" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_yaml_error_names_the_file_it_is_in(database_url: str, tmp_path: Path):
    bad = tmp_path / "config.yaml"
    bad.write_text("agents:\n  bob:\n    share_with: [alice\n  carol: {}\n")
    result = run_alma("config", "apply", str(bad), "--project", "p", ALMA_DATABASE_URL=database_url)
    assert result.returncode == 1
    assert f"{bad} is not valid YAML" in result.stderr and f"in {bad}, line" in result.stderr
    assert "<byte string>" not in result.stderr and "Traceback" not in result.stderr


def test_the_copy_to_a_new_project_of_the_docs_works_as_written(database_url: str, tmp_path: Path):
    """docs/import-export.md: export a project, apply its config to a new one with --project, import there."""
    database = {"ALMA_DATABASE_URL": database_url}
    assert run_alma("config", "apply", str(EXAMPLE_CONFIG), **database).returncode == 0
    admin = run_alma("keys", "create", "--project", "my-team", **database).stdout.strip().splitlines()[-1]
    with live_server(create_app(settings_for(database_url))) as base:
        for task in ("Design the API", "Review the schema"):
            learned = httpx.post(
                f"{base}/v1/projects/my-team/learn",
                headers=bearer(admin),
                json={"agent": "tech_lead", "task": task, "outcome": "success", "strategy_used": "REST"},
            )
            assert learned.status_code == 201, learned.text
    exported = tmp_path / "my-team.jsonl"
    assert run_alma("export", "--project", "my-team", "--output", str(exported), **database).returncode == 0
    copied = run_alma("config", "apply", str(EXAMPLE_CONFIG), "--project", "my-team-copy", **database)
    assert copied.returncode == 0, copied.stderr
    assert "Project my-team-copy (created)" in copied.stdout
    assert "applying to my-team-copy; the file names project my-team" in copied.stderr
    imported = run_alma("import", str(exported), "--project", "my-team-copy", **database)
    assert imported.returncode == 0, imported.stderr
    assert "imported 2" in imported.stdout, imported.stdout


def test_agents_and_stats_read_the_database_when_no_service_runs(database_url: str):
    database = {"ALMA_DATABASE_URL": database_url}
    assert run_alma("config", "apply", str(EXAMPLE_CONFIG), **database).returncode == 0
    agents = run_alma("agents", "my-team", **database)
    assert agents.returncode == 0 and "qa_engineer" in agents.stdout and "reads tech_lead" in agents.stdout
    stats = run_alma("stats", "my-team", "qa_engineer", **database)
    assert stats.returncode == 0 and "reads tech_lead: nothing yet" in stats.stdout, stats.stdout
    forgot = run_alma("forget", "my-team", "--older-than-days", "30", **database)
    assert forgot.returncode == 0 and "Removed 0 outcomes and 0 heuristics of my-team." in forgot.stdout


def test_a_database_that_does_not_answer_is_one_sentence_that_names_it():
    result = run_alma("agents", "my-team", ALMA_DATABASE_URL="postgresql://alma:secret@127.0.0.1:1/alma")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "Using the database alma on 127.0.0.1 (ALMA_DATABASE_URL)." in result.stderr
    assert "Cannot connect to PostgreSQL" in result.stderr and "secret" not in result.stderr


def test_config_apply_removes_every_agent_only_with_allow_remove_all(database_url: str, tmp_path: Path):
    assert run_alma("config", "apply", str(EXAMPLE_CONFIG), ALMA_DATABASE_URL=database_url).returncode == 0
    empty = tmp_path / "config.yaml"
    empty.write_text('alma:\n  project_id: "my-team"\nagents: {}\n')

    refused = run_alma("config", "apply", str(empty), ALMA_DATABASE_URL=database_url)
    assert refused.returncode == 1
    assert "--allow-remove-all" in refused.stderr

    removed = run_alma("config", "apply", str(empty), "--allow-remove-all", ALMA_DATABASE_URL=database_url)
    assert removed.returncode == 0, removed.stderr
    assert "removed: junior_developer, qa_engineer, senior_developer, tech_lead" in removed.stdout
    assert "warning: Removed agents: junior_developer" in removed.stdout


async def test_migrate_reaches_head_on_an_empty_database(server_url: str):
    async with connected(with_database(server_url, "postgres")) as admin:
        await admin.execute("DROP DATABASE IF EXISTS alma_cli_migrate WITH (FORCE)")
        await admin.execute("CREATE DATABASE alma_cli_migrate")
        try:
            url = with_database(server_url, "alma_cli_migrate")
            result = run_alma("migrate", ALMA_DATABASE_URL=url)
            assert result.returncode == 0, result.stderr
            async with connected(url) as connection:
                tables = {row["tablename"] for row in await connection.fetch("SELECT tablename FROM pg_tables")}
                version = await connection.fetchval("SELECT version_num FROM alembic_version")
            assert {"agents", "read_grants", "outcomes", "heuristics"} <= tables
            assert version == ScriptDirectory.from_config(alembic_config(url)).get_current_head()
        finally:
            await admin.execute("DROP DATABASE IF EXISTS alma_cli_migrate WITH (FORCE)")


def test_serve_starts_on_the_embedded_database_and_answers(tmp_path: Path):
    """The README's first command: no database URL, an embedded PostgreSQL in the data directory."""
    port = free_port()
    environment = embedded_environment(tmp_path / "data", port)
    server = subprocess.Popen([ALMA, "serve"], env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(server, base)
        applied = put_guide_example(base)
        assert applied.status_code == 200
        learned = httpx.post(
            f"{base}/v1/projects/my-team/learn",
            json={"agent": "tech_lead", "task": "Design the API", "outcome": "success", "strategy_used": "REST"},
        )
        assert learned.status_code == 201
        slice_ = httpx.post(f"{base}/v1/projects/my-team/retrieve", json={"agent": "qa_engineer", "query": "API"})
        assert slice_.json()["outcomes"][0]["metadata"] == {"shared_from": "tech_lead"}
        assert httpx.get(f"{base}/docs/openapi.json").status_code == 200
        unknown = httpx.post(f"{base}/v1/projects/nowhere/retrieve", json={"agent": "a", "query": "q"})
        assert unknown.status_code == 404
        assert "PUT /v1/projects/nowhere/config" in unknown.json()["detail"]
    finally:
        server.send_signal(signal.SIGTERM)  # what docker stop and systemd send
        output = server.communicate(timeout=30)[0].decode()
    assert "Running OPEN" in output
    records = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    access = [record for record in records if record["logger"] == "uvicorn.access"]
    assert access and all(len(record["request_id"]) == 32 for record in access), "JSON logs carry request ids"
    assert (tmp_path / "data" / "pgdata" / "PG_VERSION").exists()
    assert not (tmp_path / "data" / "pgdata" / "postmaster.pid").exists(), "the embedded server was left running"


def test_serve_stops_the_embedded_server_on_exit_even_after_it_was_restarted_underneath(tmp_path: Path):
    """The postmaster dies under a running service and another `alma` command starts it again: when the
    service stops, the server running then is stopped too (not only the one the service started)."""
    port = free_port()
    environment = embedded_environment(tmp_path / "data", port)
    server = subprocess.Popen([ALMA, "serve"], env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    pgdata = tmp_path / "data" / "pgdata"
    try:
        wait_until_up(server, f"http://127.0.0.1:{port}")
        import psutil

        first = int((pgdata / "postmaster.pid").read_text().split()[0])
        crashed = [psutil.Process(first), *psutil.Process(first).children()]
        for process in crashed:  # the whole server dies, as under the OOM killer
            process.kill()
        psutil.wait_procs(crashed, timeout=10)
        migrated = subprocess.run([ALMA, "migrate"], env=environment, capture_output=True, text=True, timeout=120)
        assert migrated.returncode == 0, migrated.stderr
        restarted = int((pgdata / "postmaster.pid").read_text().split()[0])
        assert restarted != first and _alive(restarted)
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)
    assert not _alive(restarted), "the restarted embedded server was left running"
    assert not (pgdata / "postmaster.pid").exists()


def _alive(pid: int) -> bool:
    """Whether the process runs (an exited one that its parent has not reaped yet does not)."""
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_serve_with_two_workers_shares_one_embedded_database_and_stops_it(tmp_path: Path):
    port = free_port()
    environment = embedded_environment(tmp_path / "data", port)
    server = subprocess.Popen(
        [ALMA, "serve", "--workers", "2"], env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(line.decode() for line in server.stdout), daemon=True)
    reader.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(server, base)
        applied = put_guide_example(base)
        assert applied.status_code == 200
        with httpx.Client(base_url=base) as client:  # requests spread over both workers; all see one database
            learned = [
                client.post(
                    "/v1/projects/my-team/learn",
                    json={"agent": "tech_lead", "task": f"t{n}", "outcome": "success", "strategy_used": "REST"},
                ).status_code
                for n in range(20)
            ]
            counts = {
                client.get("/v1/projects/my-team/agents/tech_lead/stats").json()["own"]["outcomes"] for _ in range(10)
            }
        assert learned == [201] * 20
        assert counts == {20}
        # one worker may still be starting when the first answers: wait for both before stopping them
        deadline = time.monotonic() + 30
        while sum("Running OPEN" in line for line in lines) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        reader.join(timeout=10)
    output = "\n".join(lines)
    assert sum("Running OPEN" in line for line in lines) == 2, output[-2000:]
    assert not (tmp_path / "data" / "pgdata" / "postmaster.pid").exists(), "the embedded server was left running"


def test_the_embedded_server_gets_the_configured_shared_buffers_and_keeps_them(tmp_path: Path):
    """initdb's 128 MB would keep little of a large deployment's indexes in memory; a server the command starts
    is given ALMA_EMBEDDED_SHARED_BUFFERS_MB once, and starts with it from then on."""
    environment = {"ALMA_DATA_DIR": str(tmp_path / "data"), "ALMA_DATABASE_URL": ""}
    migrated = run_alma("migrate", ALMA_EMBEDDED_SHARED_BUFFERS_MB="200", **environment)
    assert migrated.returncode == 0, migrated.stderr
    assert "shared_buffers = '200MB'" in (tmp_path / "data" / "pgdata" / "postgresql.auto.conf").read_text()
    url = start_embedded(tmp_path / "data")  # started again, as it was left stopped
    try:
        assert asyncio.run(_show(url, "shared_buffers")) == "200MB"
    finally:
        stop_embedded(tmp_path / "data")


async def _show(url: str, setting: str) -> str:
    async with connected(url) as connection:
        return await connection.fetchval(f"SHOW {setting}")
