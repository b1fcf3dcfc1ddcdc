"""The guide's code as shipped in examples/, run as a user runs it: from that folder, with ALMA_URL set.

The examples all use the config's project "my-team", so they get a service of their own per layout of the
config file: as shipped (`agents:` beside `alma:`, as the guide prints it) and nested under `alma:`. What each
test checks holds whichever runs first (learning adds an outcome, the retrieve example prints heuristics).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from live_service import EXAMPLES_DIR, running_service, team_config


@pytest.fixture(scope="module", params=["as shipped", "nested"])
def examples_service(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """A service of its own, and the examples folder with the config in the layout of this round."""
    folder = EXAMPLES_DIR
    if request.param == "nested":
        folder = tmp_path_factory.mktemp("examples")
        for script in EXAMPLES_DIR.glob("*.py"):
            shutil.copy(script, folder)
        (folder / ".alma").mkdir()
        (folder / ".alma" / "config.yaml").write_text(team_config("my-team", "nested"))
    with running_service() as url:
        yield url, folder


def run_example(name: str, service: tuple[str, Path]) -> list[str]:
    service_url, folder = service
    env = {key: value for key, value in os.environ.items() if not key.startswith("ALMA_")}
    env["ALMA_URL"] = service_url
    finished = subprocess.run([sys.executable, name], cwd=folder, env=env, capture_output=True, text=True, timeout=60)
    assert finished.returncode == 0, finished.stderr
    return finished.stdout.splitlines()


def test_learning_stores_the_lesson_under_the_junior_alone(examples_service):
    assert run_example("learn_own_scope.py", examples_service) == ["Stored under: junior_developer", "Read by: no one"]


def test_retrieving_shows_own_and_inherited_heuristics_by_origin(examples_service):
    seeded = run_example("seed_team_memories.py", examples_service)
    reseeded = run_example("seed_team_memories.py", examples_service)
    shared = run_example("retrieve_shared.py", examples_service)

    assert len(seeded) == 5 and all(" learned: " in line for line in seeded)
    assert len(reseeded) == 5 and all(" already knows: " in line for line in reseeded)
    heuristic_lines = shared[:-2]
    assert sorted(line.split("] ")[0] + "]" for line in heuristic_lines) == [
        "[From senior_developer]",
        "[From senior_developer]",
        "[From tech_lead]",
        "[From tech_lead]",
        "[Own]",
    ]
    assert "[Own] Reproduce the failure with a minimal test user before changing code" in heuristic_lines
    assert "[From tech_lead] Use the team's shared auth library; never roll your own crypto" in heuristic_lines
    assert "[From senior_developer] Hash passwords with bcrypt and compare them in constant time" in heuristic_lines
    assert shared[-2:] == ["Own memories: 1", "Inherited memories: 4"]


@pytest.fixture(scope="module")
def framework_service() -> Iterator[tuple[str, Path]]:
    """A service of its own for the framework examples: what they write stays out of the guide's examples."""
    with running_service() as url:
        yield url, EXAMPLES_DIR


def test_the_langgraph_example_searches_as_the_junior_and_finds_own_and_shared(framework_service):
    first = run_example("langgraph_store.py", framework_service)
    again = run_example("langgraph_store.py", framework_service)

    assert sorted(first[:-1]) == [
        "[From senior_developer] Hash passwords with bcrypt and compare them in constant time",
        "[From tech_lead] Use the team's shared auth library; never roll your own crypto",
        "[Own] A failing user authentication test is easiest to reproduce with a minimal test user",
    ]
    assert first[-1] == "Namespaces: 20"  # 4 agents, 5 kinds each
    assert again == first  # nothing stored twice
