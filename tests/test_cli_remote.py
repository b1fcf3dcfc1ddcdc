"""The `alma` command acts on the running service, from any folder: with ALMA_URL (and a key where the
service requires one), or on the service `alma serve` runs for the data directory; it never creates a
database as a side effect."""

import os
import signal
import subprocess
from pathlib import Path

import httpx

from app.asgi import create_app
from tests.helpers import (
    ALMA,
    OPERATOR_KEY,
    free_port,
    guide_example,
    live_server,
    run_alma,
    settings_for,
    wait_until_up,
)

LOCAL = {key: value for key, value in os.environ.items() if not key.startswith("ALMA_")}


def alma(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """The command as a user runs it in `cwd`: no ALMA_* setting but those given."""
    return subprocess.run([ALMA, *args], env={**LOCAL, **env}, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_from_another_folder_every_command_acts_on_the_service_the_url_names(database_url: str, tmp_path: Path):
    config = tmp_path / "config.yaml"
    config.write_text(guide_example())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with live_server(create_app(settings_for(database_url))) as base:
        operator = {"ALMA_URL": base, "ALMA_API_KEY": OPERATOR_KEY}
        created = alma("keys", "create", "--project", "my-team", cwd=elsewhere, **operator)
        assert created.returncode == 0, created.stderr
        admin = created.stdout.strip().splitlines()[-1]
        signed = {"ALMA_URL": base, "ALMA_API_KEY": admin}

        applied = alma("config", "apply", str(config), cwd=elsewhere, **signed)
        assert applied.returncode == 0, applied.stderr
        assert "+ junior_developer reads senior_developer" in applied.stdout
        assert "warning: tech_lead shares with devops_engineer, which is not an agent of my-team." in applied.stdout
        explained = alma("sharing", "explain", "my-team", "junior_developer", cwd=elsewhere, **signed)
        assert explained.returncode == 0, explained.stderr
        assert "senior_developer" in explained.stdout and "granted" in explained.stdout
        listed = alma("--url", base, "--api-key", admin, "keys", "list", "--project", "my-team", cwd=elsewhere)
        assert listed.returncode == 0 and admin[:17] in listed.stdout, listed.stderr
        drawn = alma("sharing", "graph", "my-team", cwd=elsewhere, **signed)
        assert drawn.returncode == 0 and "junior_developer" in drawn.stdout

        unsigned = alma("config", "apply", str(config), cwd=elsewhere, ALMA_URL=base)
        assert unsigned.returncode == 1 and "ALMA_API_KEY" in unsigned.stderr
        agents = httpx.get(f"{base}/v1/projects/my-team/agents", headers={"Authorization": f"Bearer {admin}"})
        assert sorted(agent["name"] for agent in agents.json())[0] == "junior_developer", "applied on the service"
    assert list(elsewhere.iterdir()) == [], "nothing was created in the folder the commands ran in"


def test_without_a_service_or_a_database_the_command_refuses_and_creates_nothing(tmp_path: Path):
    config = tmp_path / "config.yaml"
    config.write_text(guide_example())
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = alma("config", "apply", str(config), cwd=empty, ALMA_EMBEDDER="hashing")
    assert refused.returncode == 1
    assert "No ALMA service is running" in refused.stderr and "alma serve" in refused.stderr
    assert list(empty.iterdir()) == []


def test_beside_a_running_serve_the_commands_use_it_and_a_second_serve_on_its_port_says_so(tmp_path: Path):
    port = free_port()
    config = tmp_path / "config.yaml"
    config.write_text(guide_example())
    environment = {**LOCAL, "ALMA_PORT": str(port), "ALMA_EMBEDDER": "hashing"}
    server = subprocess.Popen(
        [ALMA, "serve"], env=environment, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        wait_until_up(server, f"http://127.0.0.1:{port}")
        applied = alma("config", "apply", str(config), cwd=tmp_path, ALMA_EMBEDDER="hashing")
        assert applied.returncode == 0, applied.stderr
        assert f"Using the service at http://127.0.0.1:{port}" in applied.stderr
        assert "Starting the embedded PostgreSQL" not in applied.stderr
        assert httpx.get(f"http://127.0.0.1:{port}/v1/projects/my-team/agents").status_code == 200

        migrated = alma("migrate", cwd=tmp_path, ALMA_EMBEDDER="hashing")  # needs the database: joins it, says so
        assert migrated.returncode == 0, migrated.stderr
        assert "Using the embedded PostgreSQL running in" in migrated.stderr
        assert "Starting the embedded PostgreSQL" not in migrated.stderr

        second = run_alma("serve", cwd=tmp_path, ALMA_PORT=str(port))
        assert second.returncode == 1
        assert f"Cannot listen on 127.0.0.1:{port}" in second.stderr and "--port" in second.stderr
        assert "ALMA listening" not in second.stderr
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=30)


def test_export_and_import_go_through_the_service_with_the_same_idempotency(database_url: str, tmp_path: Path):
    config = tmp_path / "config.yaml"
    config.write_text(guide_example())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    exported = tmp_path / "my-team.jsonl"
    with live_server(create_app(settings_for(database_url))) as base:
        admin = httpx.post(
            f"{base}/v1/projects", json={"project_id": "my-team"}, headers={"Authorization": f"Bearer {OPERATOR_KEY}"}
        ).json()["admin_key"]["key"]
        signed = {"ALMA_URL": base, "ALMA_API_KEY": admin}
        assert alma("config", "apply", str(config), cwd=elsewhere, **signed).returncode == 0
        for task in ("Design the API", "Review the schema", "Plan the release"):
            learned = httpx.post(
                f"{base}/v1/projects/my-team/learn",
                headers={"Authorization": f"Bearer {admin}"},
                json={"agent": "tech_lead", "task": task, "outcome": "success", "strategy_used": "s"},
            )
            assert learned.status_code == 201

        out = alma("export", "--project", "my-team", "--output", str(exported), cwd=elsewhere, **signed)
        assert out.returncode == 0, out.stderr
        lines = exported.read_text().splitlines()
        assert len(lines) == 4 and "Exported 4 memories" in out.stderr  # three outcomes and their heuristic

        admin_copy = (
            alma("keys", "create", "--project", "my-team-copy", cwd=elsewhere, ALMA_URL=base, ALMA_API_KEY=OPERATOR_KEY)
            .stdout.strip()
            .splitlines()[-1]
        )
        copy = {"ALMA_URL": base, "ALMA_API_KEY": admin_copy}
        assert alma("config", "apply", str(config), "--project", "my-team-copy", cwd=elsewhere, **copy).returncode == 0
        first = alma("import", str(exported), "--project", "my-team-copy", cwd=elsewhere, **copy)
        assert first.returncode == 0, first.stderr
        assert "read 4, imported 4, already present 0" in first.stdout, first.stdout
        again = alma("import", str(exported), "--project", "my-team-copy", cwd=elsewhere, **copy)
        assert "read 4, imported 0, already present 4" in again.stdout, "the same keys: nothing written twice"
        listed = httpx.get(
            f"{base}/v1/projects/my-team-copy/memories/outcomes",
            params={"agent": "tech_lead"},
            headers={"Authorization": f"Bearer {admin_copy}"},
        ).json()
        assert sorted(item["task"] for item in listed["items"]) == [
            "Design the API",
            "Plan the release",
            "Review the schema",
        ]

        agents = alma("agents", "my-team", cwd=elsewhere, **signed)
        assert agents.returncode == 0, agents.stderr
        assert "junior_developer" in agents.stdout and "reads senior_developer, tech_lead" in agents.stdout
        stats = alma("stats", "my-team", "tech_lead", cwd=elsewhere, **signed)
        assert stats.returncode == 0 and "tech_lead: own heuristics 1, outcomes 3" in stats.stdout, stats.stdout
        forgot = alma("forget", "my-team", "--agent", "tech_lead", "--older-than-days", "0", cwd=elsewhere, **signed)
        assert forgot.returncode == 0 and "Removed 3 outcomes" in forgot.stdout, forgot.stderr

        agent_key = httpx.post(
            f"{base}/v1/projects/my-team/keys",
            json={"role": "agent", "agent": "qa_engineer"},
            headers={"Authorization": f"Bearer {admin}"},
        ).json()["key"]
        refused = alma(
            "export",
            "--project",
            "my-team",
            "--output",
            str(tmp_path / "no.jsonl"),
            cwd=elsewhere,
            ALMA_URL=base,
            ALMA_API_KEY=agent_key,
        )
        assert refused.returncode == 1 and not (tmp_path / "no.jsonl").exists()
        refused_import = httpx.post(
            f"{base}/v1/projects/my-team/import",
            content=exported.read_bytes(),
            headers={"Authorization": f"Bearer {agent_key}", "content-type": "application/x-ndjson"},
        )
        assert refused_import.status_code == 403
    assert list(elsewhere.iterdir()) == []
