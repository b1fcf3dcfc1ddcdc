"""`alma import` and `alma export`, run as a user runs them, against the real database.

The alma-memory database is the dump in tests/fixtures/alma_memory/, written by alma-memory 0.11.0's own
SQLite storage (see make_database.py there): project my-team with memories of all five kinds and 64-dimensional
vectors, one memory of another project, and one of `devops_engineer`, who is no agent of the example config.
"""

from __future__ import annotations

import json
import os
import sqlite3
import struct
import subprocess
import tempfile
from pathlib import Path

import asyncpg
import pytest

from tests.helpers import ALMA, EXAMPLE_CONFIG, connected

ALMA_MEMORY_DUMP = Path(__file__).resolve().parent / "fixtures" / "alma_memory" / "alma-memory-0.11.0.sql"
KINDS = ("heuristics", "outcomes", "domain-knowledge", "anti-patterns", "preferences")
FROM_MY_TEAM = ("--from-project", "my-team", "--preference-agent", "tech_lead")


def run_alma(database_url: str, *args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "ALMA_DATABASE_URL": database_url, "ALMA_EMBEDDER": "hashing", **env}
    return subprocess.run([ALMA, *args], env=environment, input=stdin, capture_output=True, text=True, timeout=120)


@pytest.fixture
def alma_memory_db(tmp_path: Path) -> Path:
    """A real alma-memory SQLite file, loaded from the dump."""
    path = tmp_path / "alma.db"
    connection = sqlite3.connect(path)
    connection.executescript(ALMA_MEMORY_DUMP.read_text())
    connection.close()
    return path


def apply_example(database_url: str, project: str = "my-team") -> None:
    """The example config's agents and sharing, applied to `project` with `alma config apply`."""
    with tempfile.TemporaryDirectory() as directory:
        config = Path(directory) / "config.yaml"
        config.write_text(EXAMPLE_CONFIG.read_text().replace('project_id: "my-team"', f'project_id: "{project}"'))
        result = run_alma(database_url, "config", "apply", str(config))
    assert result.returncode == 0, result.stderr


async def fetch(database_url: str, statement: str, *arguments) -> list[asyncpg.Record]:
    async with connected(database_url) as connection:
        return await connection.fetch(statement, *arguments)


async def counts(database_url: str, project: str) -> dict[str, int]:
    rows = await fetch(
        database_url, "SELECT kind, count(*) AS n FROM memory_items WHERE project_id = $1 GROUP BY kind", project
    )
    return {kind: 0 for kind in KINDS} | {row["kind"]: row["n"] for row in rows}


async def memories(database_url: str, project: str) -> list[tuple[str, dict]]:
    """The project's memories as the API shows them, without their ids, in a stable order."""
    rows = await fetch(database_url, "SELECT kind, item FROM memory_items WHERE project_id = $1", project)
    items = [(row["kind"], {k: v for k, v in json.loads(row["item"]).items() if k != "id"}) for row in rows]
    return sorted(items, key=lambda pair: (pair[0], json.dumps(pair[1], sort_keys=True)))


def jsonl(*records: dict | str) -> str:
    return "".join((record if isinstance(record, str) else json.dumps(record)) + "\n" for record in records)


def outcome(task: str, agent: str = "tech_lead", **extra) -> dict:
    return {
        "kind": "outcomes",
        "agent": agent,
        "task": task,
        "success": True,
        "strategy_used": "Pair on it",
        "task_type": "architecture",
        **extra,
    }


# --- from alma-memory -------------------------------------------------------------------------------------


async def test_imports_all_five_kinds_from_alma_memory_embedding_them_at_the_deployment_size(
    database_url: str, alma_memory_db: Path
):
    apply_example(database_url)
    first = run_alma(
        database_url, "import", str(alma_memory_db), "--project", "my-team", *FROM_MY_TEAM, "--on-error", "skip"
    )
    assert first.returncode == 0, first.stderr
    assert "read 11, imported 10, already present 0, skipped 1 (unknown agent: 1)" in first.stdout
    assert "vectors kept 0, computed 10 (the source's vectors of 64 dimensions were replaced)" in first.stdout
    assert "table anti_patterns row id anti_deploy1: devops_engineer is not an agent of project my-team" in first.stderr
    expected = {"heuristics": 2, "outcomes": 3, "domain-knowledge": 2, "anti-patterns": 1, "preferences": 2}
    assert await counts(database_url, "my-team") == expected

    sizes = await fetch(
        database_url,
        """
        SELECT vector_dims(embedding) AS d FROM heuristics UNION SELECT vector_dims(strategy_embedding) FROM heuristics
        UNION SELECT vector_dims(embedding) FROM outcomes UNION SELECT vector_dims(strategy_embedding) FROM outcomes
        UNION SELECT vector_dims(embedding) FROM domain_knowledge UNION SELECT vector_dims(embedding) FROM anti_patterns
        UNION SELECT vector_dims(pattern_embedding) FROM anti_patterns
        UNION SELECT vector_dims(embedding) FROM preferences
        UNION SELECT embedding_dim FROM deployment""",
    )
    assert [row["d"] for row in sizes] == [384]

    review_key = "alma-sqlite:outcomes:out_review01"
    (review,) = await fetch(database_url, "SELECT * FROM outcomes WHERE import_key = $1", review_key)
    assert (review["agent"], review["task"], review["task_type"], review["success"]) == (
        "senior_developer",
        "Review the login form change",
        "code_review",
        True,
    )
    assert (review["feedback"], review["created_at"].isoformat()) == ("Thorough", "2025-03-07T10:00:00+00:00")
    (heuristic,) = await fetch(database_url, "SELECT * FROM heuristics WHERE agent = 'senior_developer'")
    assert (heuristic["confidence"], heuristic["occurrence_count"], heuristic["success_count"]) == (
        pytest.approx(0.8),
        5,
        4,
    )
    preferences = await fetch(database_url, "SELECT user_id, agent, category FROM preferences ORDER BY category")
    assert [tuple(row) for row in preferences] == [
        ("alice", "tech_lead", "code_style"),
        ("alice", "tech_lead", "communication"),
    ]

    again = run_alma(
        database_url, "import", str(alma_memory_db), "--project", "my-team", *FROM_MY_TEAM, "--on-error", "skip"
    )
    assert again.returncode == 0, again.stderr
    assert "read 11, imported 0, already present 10, skipped 1 (unknown agent: 1)" in again.stdout
    assert await counts(database_url, "my-team") == expected


async def test_imported_memories_are_retrieved_and_shared_as_the_grants_say(
    api, database_url: str, alma_memory_db: Path
):
    await api.apply(EXAMPLE_CONFIG.read_text())
    result = run_alma(
        database_url, "import", str(alma_memory_db), "--project", "my-team", *FROM_MY_TEAM, "--on-error", "skip"
    )
    assert result.returncode == 0, result.stderr

    junior = await api.retrieve("junior_developer", "Review the login form change", top_k=10, user_id="alice")
    owners = {item["agent"]: item["metadata"] for item in junior["outcomes"]}
    assert owners == {
        "junior_developer": {},
        "senior_developer": {"shared_from": "senior_developer"},
        "tech_lead": {"shared_from": "tech_lead"},
    }
    assert {item["strategy"] for item in junior["heuristics"]} == {
        "Review the tests before the implementation",
        "Split services along team ownership",
    }
    assert {item["preference"] for item in junior["preferences"]} == {
        "No emojis in docs",
        "Short answers first, details after",
    }
    qa = await api.retrieve("qa_engineer", "Review the login form change", top_k=10)
    assert {item["agent"] for item in qa["outcomes"]} == {"tech_lead"}  # senior_developer does not share with qa


async def test_source_vectors_of_the_deployment_size_are_kept(database_url: str, alma_memory_db: Path):
    apply_example(database_url)
    result = run_alma(
        database_url,
        "import",
        str(alma_memory_db),
        "--project",
        "my-team",
        *FROM_MY_TEAM,
        "--on-error",
        "skip",
        ALMA_EMBEDDING_DIM="64",
    )
    assert result.returncode == 0, result.stderr
    # Kept: 1 heuristic, 3 outcomes, 2 facts, 1 anti-pattern; computed: the heuristic without one, 2 preferences.
    assert "vectors kept 7, computed 3." in result.stdout

    source = sqlite3.connect(alma_memory_db)
    (blob,) = source.execute("SELECT embedding FROM embeddings WHERE memory_id = 'out_debug001'").fetchone()
    source.close()
    (stored,) = await fetch(
        database_url, "SELECT embedding::text AS v FROM outcomes WHERE import_key = 'alma-sqlite:outcomes:out_debug001'"
    )
    assert json.loads(stored["v"]) == pytest.approx(list(struct.unpack("<64f", blob)), rel=1e-6)
    assert [row["embedding_dim"] for row in await fetch(database_url, "SELECT embedding_dim FROM deployment")] == [64]


async def test_an_unknown_agent_aborts_by_default_writing_nothing_of_its_batch(database_url: str, alma_memory_db: Path):
    apply_example(database_url)
    dry = run_alma(database_url, "import", str(alma_memory_db), "--project", "my-team", *FROM_MY_TEAM, "--dry-run")
    assert dry.returncode == 1
    aborted = run_alma(database_url, "import", str(alma_memory_db), "--project", "my-team", *FROM_MY_TEAM)
    assert aborted.returncode == 1
    assert "table anti_patterns row id anti_deploy1: devops_engineer is not an agent" in aborted.stderr
    assert "nothing was written" in aborted.stderr and "Traceback" not in aborted.stderr
    assert sum((await counts(database_url, "my-team")).values()) == 0  # all 11 rows were one batch

    created = run_alma(
        database_url, "import", str(alma_memory_db), "--project", "my-team", *FROM_MY_TEAM, "--create-agents"
    )
    assert created.returncode == 0, created.stderr
    assert "imported 11, already present 0, skipped 0" in created.stdout
    assert "agents created: devops_engineer" in created.stdout
    agents = await fetch(database_url, "SELECT name, share_with FROM agents WHERE name = 'devops_engineer'")
    assert [tuple(row) for row in agents] == [("devops_engineer", [])]


def test_a_database_of_several_projects_needs_from_project(database_url: str, alma_memory_db: Path):
    apply_example(database_url)
    result = run_alma(database_url, "import", str(alma_memory_db), "--project", "my-team")
    assert result.returncode == 2
    assert "holds memories of 2 projects: my-team, other-team. Choose one with --from-project." in result.stderr


def test_import_needs_an_existing_project(database_url: str, alma_memory_db: Path):
    result = run_alma(database_url, "import", str(alma_memory_db), "--project", "nowhere", *FROM_MY_TEAM)
    assert result.returncode == 1
    assert "Project 'nowhere' does not exist" in result.stderr and "alma config apply" in result.stderr


# --- JSON Lines ------------------------------------------------------------------------------------------------


async def test_export_then_import_elsewhere_gives_the_same_memories(
    api, database_url: str, alma_memory_db: Path, tmp_path: Path
):
    await api.apply(EXAMPLE_CONFIG.read_text())
    await api.learn("qa_engineer", "Test the login form", "Boundary values first", task_type="testing_strategies")
    imported = run_alma(
        database_url, "import", str(alma_memory_db), "--project", "my-team", *FROM_MY_TEAM, "--create-agents"
    )
    assert imported.returncode == 0, imported.stderr
    export = tmp_path / "my-team.jsonl"
    exported = run_alma(database_url, "export", "--project", "my-team", "--output", str(export), "--with-vectors")
    assert exported.returncode == 0, exported.stderr
    assert "Exported 12 memories of my-team" in exported.stderr
    records = [json.loads(line) for line in export.read_text().splitlines()]
    assert len(records) == 12 and all(len(record["embedding"]) == 384 for record in records)

    apply_example(database_url, "copy")
    into_copy = run_alma(database_url, "import", str(export), "--project", "copy", "--create-agents")
    assert into_copy.returncode == 0, into_copy.stderr
    assert "read 12, imported 12, already present 0, skipped 0" in into_copy.stdout
    assert "vectors kept 12, computed 0" in into_copy.stdout
    assert await memories(database_url, "copy") == await memories(database_url, "my-team")
    vectors = """SELECT array_agg(embedding::text ORDER BY embedding::text) FROM (
        SELECT embedding FROM outcomes WHERE project_id = $1 UNION ALL SELECT embedding FROM heuristics
        WHERE project_id = $1 UNION ALL SELECT embedding FROM preferences WHERE project_id = $1) v"""
    assert (await fetch(database_url, vectors, "copy")) == (await fetch(database_url, vectors, "my-team"))

    # Idempotent both ways: into the copy again, and back into the project it came from.
    again = run_alma(database_url, "import", str(export), "--project", "copy")
    assert "read 12, imported 0, already present 12, skipped 0" in again.stdout, again.stderr
    back = run_alma(database_url, "import", str(export), "--project", "my-team")
    assert "read 12, imported 0, already present 12, skipped 0" in back.stdout, back.stderr
    # An export of the copy names the memories' origin, so it does not duplicate them in my-team either.
    from_copy = run_alma(database_url, "export", "--project", "copy")
    assert len(from_copy.stdout.splitlines()) == 12
    into_origin = run_alma(database_url, "import", "-", "--project", "my-team", stdin=from_copy.stdout)
    assert "read 12, imported 0, already present 12, skipped 0" in into_origin.stdout, into_origin.stderr


async def test_malformed_lines_are_reported_with_their_line_numbers_and_skipped(database_url: str, tmp_path: Path):
    apply_example(database_url)
    source = tmp_path / "memories.jsonl"
    source.write_text(
        jsonl(
            outcome("Design the API"),
            '{"kind": "outcomes", "agent": ',
            outcome("x" * 4001),
            {"kind": "recipes", "agent": "tech_lead"},
            "",
            outcome("Design the queue"),
            outcome("Design the cache", agent="devops_engineer"),
            outcome("Design the login", success="yes"),
            outcome("Design the schema", task_type="cooking"),
            {"kind": "domain-knowledge", "agent": "tech_lead", "fact": "Tokens last a day"},
        )
    )
    result = run_alma(database_url, "import", str(source), "--project", "my-team", "--on-error", "skip")
    assert result.returncode == 0, result.stderr
    assert (
        "read 9, imported 2, already present 0, skipped 7 (bad JSON: 1, invalid field: 3, outside scope: 1, "
        "unknown agent: 1, unknown kind: 1)"
    ) in result.stdout
    for message in (
        "line 2: not valid JSON",
        "line 3: task: String should have at most 4000 characters",
        "line 4: unknown kind 'recipes'; expected one of heuristics, outcomes, domain-knowledge",
        "line 7: devops_engineer is not an agent of project my-team",
        "line 8: success: Input should be a valid boolean",
        "line 9: tech_lead may not learn task_type 'cooking'",
        "line 10: domain: Field required",
    ):
        assert message in result.stderr
    assert await counts(database_url, "my-team") == {**dict.fromkeys(KINDS, 0), "outcomes": 2}


async def test_abort_keeps_the_earlier_batches_and_nothing_of_the_failing_one(database_url: str, tmp_path: Path):
    apply_example(database_url)
    tasks = ["Design the API", "Design the queue", "Design the cache", "Design the login", "Design the schema"]
    source = tmp_path / "memories.jsonl"
    rows = [outcome(task) for task in tasks[:3]] + [outcome(tasks[3], success="yes"), outcome(tasks[4])]
    source.write_text(jsonl(*rows))
    aborted = run_alma(database_url, "import", str(source), "--project", "my-team", "--batch-size", "2")
    assert aborted.returncode == 1
    assert "line 4: success: Input should be a valid boolean" in aborted.stderr
    assert "1 earlier batch(es) were written (2 memories imported)" in aborted.stderr
    assert "read 4, imported 2, already present 0, skipped 0; 1 batch(es)" in aborted.stdout
    stored = await fetch(database_url, "SELECT task FROM outcomes")
    assert sorted(row["task"] for row in stored) == sorted(tasks[:2])  # line 3 shared the failing batch: not written

    source.write_text(jsonl(*[outcome(task) for task in tasks]))
    fixed = run_alma(database_url, "import", str(source), "--project", "my-team", "--batch-size", "2")
    assert fixed.returncode == 0, fixed.stderr
    assert "read 5, imported 3, already present 2, skipped 0; 3 batch(es) of up to 2" in fixed.stdout
    assert sorted(row["task"] for row in await fetch(database_url, "SELECT task FROM outcomes")) == sorted(tasks)


async def test_five_rows_in_batches_of_two_are_three_batches(database_url: str, tmp_path: Path):
    apply_example(database_url)
    source = tmp_path / "memories.jsonl"
    source.write_text(jsonl(*[outcome(f"Design part {number}") for number in range(5)]))
    result = run_alma(database_url, "import", str(source), "--project", "my-team", "--batch-size", "2")
    assert result.returncode == 0, result.stderr
    assert "read 5, imported 5, already present 0, skipped 0; 3 batch(es) of up to 2" in result.stdout
    assert (await counts(database_url, "my-team"))["outcomes"] == 5


async def test_a_dry_run_counts_but_writes_nothing(database_url: str, tmp_path: Path):
    apply_example(database_url)
    source = tmp_path / "memories.jsonl"
    source.write_text(jsonl(outcome("Design the API"), outcome("Design the queue")))
    result = run_alma(database_url, "import", str(source), "--project", "my-team", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "Dry run into my-team: read 2, would import 2, already present 0" in result.stdout
    assert sum((await counts(database_url, "my-team")).values()) == 0
    assert await fetch(database_url, "SELECT * FROM deployment") == []


async def test_a_record_whose_text_has_no_words_and_no_vector_is_skipped_as_such(database_url: str, tmp_path: Path):
    apply_example(database_url)
    source = tmp_path / "memories.jsonl"
    zero = [0.0] * 384
    source.write_text(
        jsonl(
            outcome("Design the API"),
            outcome("???"),
            {**outcome("Design the queue"), "embedding": zero},
            {**outcome("!!!"), "embedding": zero},
        )
    )
    result = run_alma(database_url, "import", str(source), "--project", "my-team", "--on-error", "skip")
    assert result.returncode == 0, result.stderr
    assert "read 4, imported 1, already present 0, skipped 3 (invalid field: 2, no words: 1)" in result.stdout
    assert "line 2: the text behind `embedding` has no word the hashing embedder can read" in result.stderr
    assert await counts(database_url, "my-team") == {**dict.fromkeys(KINDS, 0), "outcomes": 1}
