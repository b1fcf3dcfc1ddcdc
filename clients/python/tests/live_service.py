"""Running `alma serve` for the tests, and the guide's team config for a project of a test's own.

The command is ALMA_SERVE_COMMAND when set (split like a shell would), else the `alma` next to this
Python; `serve` is added to it. The service gets its own embedded database in a temporary folder.
"""

from __future__ import annotations

import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import yaml

EXAMPLES_DIR = Path(__file__).resolve().parents[3] / "examples"
TEAM_CONFIG = EXAMPLES_DIR / ".alma" / "config.yaml"
START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_command() -> list[str]:
    configured = os.environ.get("ALMA_SERVE_COMMAND")
    return [*shlex.split(configured), "serve"] if configured else [str(Path(sys.executable).parent / "alma"), "serve"]


@contextmanager
def running_service() -> Iterator[str]:
    """`alma serve` on a free port with its own embedded database; yields its URL once it is healthy."""
    with tempfile.TemporaryDirectory(prefix="alma-client-test-") as workdir:
        port = free_port()
        env = {key: value for key, value in os.environ.items() if not key.startswith("ALMA_")}
        env |= {
            "ALMA_DATA_DIR": str(Path(workdir) / "data"),
            "ALMA_HOST": "127.0.0.1",
            "ALMA_PORT": str(port),
            "ALMA_EMBEDDER": "hashing",
        }
        log_path = Path(workdir) / "service.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(serve_command(), cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(process, url, log_path)
            yield url
        finally:
            # SIGINT, not SIGTERM: after SIGTERM uvicorn re-raises it and the process dies before the
            # embedded PostgreSQL is stopped; after SIGINT it exits through its exit handlers.
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_healthy(process: subprocess.Popen[bytes], url: str, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"`alma serve` exited with {process.returncode}:\n{log_path.read_text(errors='replace')}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"`alma serve` was not healthy within {START_TIMEOUT:g} s:\n{log_path.read_text(errors='replace')}")


LAYOUTS = ("beside", "nested", "no-alma")


def team_config(project_id: str | None, layout: str = "beside", **client_keys: str) -> str:
    """The guide's complete example config for another project, with client keys added, in a layout its
    readers write: `agents:` beside `alma:` (as the guide prints it), nested under `alma:`, or no `alma:`."""
    document = yaml.safe_load(TEAM_CONFIG.read_text())
    section, agents = document["alma"], document["agents"]
    if project_id is None:
        section.pop("project_id")
    else:
        section["project_id"] = project_id
    section |= client_keys
    if layout == "beside":
        shaped = {"alma": section, "agents": agents}
    elif layout == "nested":
        shaped = {"alma": {**section, "agents": agents}}
    else:
        shaped = {**section, "agents": agents}
    return yaml.safe_dump(shaped, sort_keys=False)
