"""The CrewAI storage backend against the installed crewai and the live service, with the guide's team.

The crew's memory is crewai's own `Memory`, given `ALMAStorage`; each agent reads and writes through its view
`memory.scope(agent_scope(role))`, as a crew's agents do. Every remember names scope, categories and importance
and every recall is shallow, so crewai needs no LLM and no embedding service. The crewai example runs here
too, so that everything needing crewai is in this file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from crewai.memory.storage.backend import StorageBackend
from crewai.memory.types import MemoryMatch, MemoryRecord
from crewai.memory.unified_memory import Memory

from alma import ALMA, Forbidden
from alma.integrations.crewai import ALMAStorage, agent_scope

from live_service import EXAMPLES_DIR, running_service

TASK = "Implement user authentication"
ROOT = "/crew/dev-team"
# role -> (a category within its can_learn, what it learned)
TEAM = {
    "Tech Lead": ("team_standards", "Use the team's shared auth library for user authentication"),
    "Senior Developer": ("implementation_patterns", "Hash user passwords with bcrypt during authentication"),
    "Junior Developer": ("debugging", "Reproduce a failing user authentication with a minimal test user"),
    "QA Engineer": ("testing_strategies", "Test user authentication against expired tokens"),
}


@pytest.fixture(autouse=True)
def quiet_crewai(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """crewai sends no telemetry, checks no version and keeps its files in the test's folder."""
    for flag in ("CREWAI_DISABLE_TELEMETRY", "OTEL_SDK_DISABLED", "CREWAI_DISABLE_VERSION_CHECK"):
        monkeypatch.setenv(flag, "true")
    monkeypatch.setenv("CREWAI_TRACING_ENABLED", "false")
    monkeypatch.setenv("CREWAI_STORAGE_DIR", str(tmp_path))


@pytest.fixture
def storage(alma: ALMA) -> ALMAStorage:
    return ALMAStorage(alma)


@pytest.fixture
def memory(storage: ALMAStorage):
    crew_memory = Memory(storage=storage, embedder=storage.embedder, root_scope=ROOT)
    yield crew_memory
    crew_memory.close()


def remember_team(memory: Memory) -> dict[str, MemoryRecord]:
    """What each of the guide's agents learned, remembered through its own view of the crew's memory."""
    records = {}
    for role, (category, content) in TEAM.items():
        record = memory.scope(agent_scope(role)).remember(content, categories=[category], importance=0.8)
        assert record is not None
        records[role] = record
    return records


def owners(matches: list[MemoryMatch]) -> dict[str, str | None]:
    return {match.record.metadata["agent"]: match.record.metadata.get("shared_from") for match in matches}


def test_the_storage_is_a_crewai_storage_backend(storage):
    assert isinstance(storage, StorageBackend)


def test_crew_roles_map_to_agent_ids_by_slug_or_override(alma):
    storage = ALMAStorage(alma, agents={"Team Lead": "tech_lead"})

    assert storage.agent_for("Senior Developer") == "senior_developer"
    assert storage.agent_for("junior-developer") == "junior_developer"
    assert storage.agent_for("Team Lead") == "tech_lead"
    assert storage.agent_for("team lead") == "tech_lead"
    assert agent_scope("Senior Developer") == "/agent/senior-developer"


def test_remember_stores_domain_knowledge_of_the_agent_its_scope_names(memory, alma):
    record = memory.scope(agent_scope("Junior Developer")).remember(
        "A null pointer in login means the token expired", categories=["debugging"], importance=0.6
    )

    agent, memory_id = record.id.split(":")
    stored = alma.get_memory("domain_knowledge", int(memory_id), agent="junior_developer")
    assert agent == "junior_developer"
    assert (stored.agent, stored.fact, stored.domain, stored.confidence) == (
        "junior_developer",
        "A null pointer in login means the token expired",
        "debugging",
        0.6,
    )
    assert stored.source == "crewai:/crew/dev-team/agent/junior-developer"


def test_a_record_round_trips_through_save_and_get(storage):
    scope = f"{ROOT}/agent/tech-lead/auth"
    record = MemoryRecord(
        content="Tokens expire after 30 minutes", scope=scope, categories=["architecture"], importance=0.9
    )
    storage.save([record])

    read = storage.get_record(record.id)

    assert read is not None
    assert (read.id, read.content, read.scope, read.categories, read.importance) == (
        record.id,
        "Tokens expire after 30 minutes",
        f"{ROOT}/agent/tech-lead/auth",
        ["architecture"],
        0.9,
    )
    assert read.metadata == {"agent": "tech_lead"}
    assert abs(read.created_at - record.created_at) < timedelta(seconds=1)
    assert storage.get_record("tech_lead:999999") is None
    assert storage.get_record("not-an-id") is None


def test_a_category_the_agent_may_not_learn_gives_way_to_one_it_may(storage, alma):
    record = MemoryRecord(content="Prefer small pull requests", scope=f"{ROOT}/agent/junior-developer")
    record.categories = ["code_review", "debugging"]
    storage.save([record])
    plain = MemoryRecord(content="Read the stack trace bottom up", scope=f"{ROOT}/agent/junior-developer")
    storage.save([plain])

    assert record.categories == ["debugging"]  # code_review is the senior's
    assert plain.categories == ["basic_patterns"]  # the junior's first can_learn
    assert ALMAStorage(alma, domains={"junior_developer": "debugging"})._domain("junior_developer", []) == "debugging"


def test_recall_as_the_junior_finds_its_own_and_shared_memories_not_the_unconsented(memory):
    remember_team(memory)

    matches = memory.scope(agent_scope("Junior Developer")).recall(TASK, depth="shallow", limit=10)

    assert owners(matches) == {
        "junior_developer": None,
        "senior_developer": "senior_developer",
        "tech_lead": "tech_lead",
    }
    assert all(match.score > 0 for match in matches)
    assert not any("expired tokens" in match.record.content for match in matches)  # qa_engineer's


def test_search_narrows_by_scope_category_metadata_and_score(storage, memory):
    remember_team(memory)
    query = storage.embedder([TASK])[0]
    junior = f"{ROOT}/agent/junior-developer"

    everything = storage.search(query, scope_prefix=junior, limit=10)
    debugging = storage.search(query, scope_prefix=junior, categories=["debugging"])
    from_lead = storage.search(query, scope_prefix=junior, metadata_filter={"shared_from": "tech_lead"})
    other_crew = storage.search(query, scope_prefix="/crew/another/agent/junior-developer")

    assert len(everything) == 3 and all(0.0 < score <= 1.0 for _, score in everything)
    assert [record.metadata["agent"] for record, _ in debugging] == ["junior_developer"]
    assert [record.metadata["agent"] for record, _ in from_lead] == ["tech_lead"]
    assert other_crew == []
    assert storage.search(query, scope_prefix=junior, min_score=1.01) == []
    assert len(storage.search(query, scope_prefix=junior, limit=2)) == 2


def test_search_needs_a_reader_and_the_storages_embedder(storage, alma):
    with pytest.raises(ValueError, match="names no agent"):
        storage.search(storage.embedder([TASK])[0], scope_prefix=ROOT)
    with pytest.raises(ValueError, match="embedder=storage.embedder"):
        storage.search([0.1] * 8, scope_prefix=f"{ROOT}/agent/junior-developer")

    lead = ALMAStorage(alma, default_agent="tech_lead")
    lead.save([MemoryRecord(content="Every service exposes /health", scope=ROOT, categories=["architecture"])])
    found = lead.search(lead.embedder(["service health"])[0], scope_prefix=ROOT)
    assert [(record.content, record.metadata["agent"]) for record, _ in found] == [
        ("Every service exposes /health", "tech_lead")
    ]


def test_private_records_are_refused(storage):
    record = MemoryRecord(content="My password hint", scope=f"{ROOT}/agent/junior-developer", private=True)

    with pytest.raises(ValueError, match="no private memories"):
        storage.save([record])


def test_list_records_is_the_readers_view_or_with_no_agent_the_whole_crew(storage, memory):
    records = remember_team(memory)

    junior_view = storage.list_records(f"{ROOT}/agent/junior-developer")
    crew = storage.list_records(ROOT)

    assert sorted(record.metadata["agent"] for record in junior_view) == [
        "junior_developer",
        "senior_developer",
        "tech_lead",
    ]
    assert {record.id for record in crew} == {record.id for record in records.values()}
    assert [record.id for record in crew] == [record.id for record in reversed(records.values())]  # newest first
    assert storage.list_records(ROOT, limit=2, offset=1) == crew[1:3]
    assert memory.list_records() == crew
    assert storage.count(ROOT) == 4
    assert storage.count(f"{ROOT}/agent/qa-engineer") == 2  # its own and the tech lead's


def test_scopes_and_categories_describe_what_is_stored(storage, memory):
    remember_team(memory)
    roles = ["junior-developer", "qa-engineer", "senior-developer", "tech-lead"]

    info = storage.get_scope_info(ROOT)

    assert info.record_count == 4
    assert info.categories == sorted(category for category, _ in TEAM.values())
    assert info.oldest_record <= info.newest_record <= datetime.now(UTC).replace(tzinfo=None)
    assert info.child_scopes == [f"{ROOT}/agent"]
    assert storage.list_scopes(f"{ROOT}/agent") == [f"{ROOT}/agent/{role}" for role in roles]
    assert storage.list_scopes("/") == ["/crew"]
    senior_view = storage.list_categories(f"{ROOT}/agent/senior-developer")
    assert senior_view == {"implementation_patterns": 1, "team_standards": 1}


def test_update_changes_an_owned_memory_and_refuses_a_shared_one(storage, memory):
    records = remember_team(memory)
    junior = f"{ROOT}/agent/junior-developer"
    own = records["Junior Developer"]

    memory.update(own.id, content="Reproduce it with a minimal test user first")

    assert storage.get_record(own.id).content == "Reproduce it with a minimal test user first"
    shared = next(record for record in storage.list_records(junior) if record.metadata.get("shared_from"))
    with pytest.raises(Forbidden):
        storage.update(shared.model_copy(update={"content": "Rewritten by the junior"}))


def test_delete_by_id_removes_owned_records_and_leaves_shared_ones(storage, memory):
    records = remember_team(memory)
    junior = f"{ROOT}/agent/junior-developer"
    shared = next(record for record in storage.list_records(junior) if record.metadata.get("shared_from"))

    assert storage.delete(record_ids=[records["Junior Developer"].id]) == 1
    assert storage.delete(record_ids=[shared.id]) == 0

    assert storage.get_record(records["Junior Developer"].id) is None
    assert storage.get_record(shared.id) is not None
    assert memory.forget(record_ids=[records["Senior Developer"].id]) == 1
    assert storage.count(ROOT) == 2


def test_delete_by_criteria_takes_each_agents_own(storage, memory):
    remember_team(memory)

    assert storage.delete(scope_prefix=ROOT, categories=["testing_strategies"]) == 1
    assert storage.delete(scope_prefix=ROOT, metadata_filter={"agent": "tech_lead"}) == 1
    assert storage.delete(scope_prefix=ROOT, older_than=datetime.now(UTC).replace(tzinfo=None) - timedelta(days=1)) == 0
    assert sorted(record.metadata["agent"] for record in storage.list_records(ROOT)) == [
        "junior_developer",
        "senior_developer",
    ]


def test_reset_clears_an_agents_scope_or_every_crewai_memory_and_nothing_else(storage, memory, alma):
    remember_team(memory)
    alma.add_domain_knowledge("tech_lead", "architecture", "Written without crewai")

    storage.reset(f"{ROOT}/agent/qa-engineer")
    assert sorted(record.metadata["agent"] for record in storage.list_records(ROOT)) == [
        "junior_developer",
        "senior_developer",
        "tech_lead",
    ]

    memory.reset()
    assert storage.list_records(ROOT) == []
    assert [fact.fact for fact in alma.list_memories("domain_knowledge", agent="tech_lead").items] == [
        "Written without crewai"
    ]


async def test_the_awaited_operations_do_the_same(storage):
    scope = f"{ROOT}/agent/senior-developer"
    record = MemoryRecord(content="Cache tokens for five minutes", scope=scope, categories=["implementation_patterns"])

    await storage.asave([record])
    found = await storage.asearch(storage.embedder(["cache tokens"])[0], scope_prefix=f"{ROOT}/agent/junior-developer")
    deleted = await storage.adelete(record_ids=[record.id])

    assert [(r.content, r.metadata["shared_from"]) for r, _ in found] == [
        ("Cache tokens for five minutes", "senior_developer")
    ]
    assert deleted == 1


def test_the_crewai_example_recalls_the_juniors_own_and_shared_lessons():
    with running_service() as url:  # a service of its own: the example writes to the guide's project, my-team
        env = {key: value for key, value in os.environ.items() if not key.startswith("ALMA_")} | {"ALMA_URL": url}
        runs = [
            subprocess.run(
                [sys.executable, "crewai_memory.py"],
                cwd=EXAMPLES_DIR,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            for _ in range(2)
        ]

    assert [run.returncode for run in runs] == [0, 0], runs[0].stderr + runs[1].stderr
    first, again = (run.stdout.splitlines() for run in runs)
    assert sorted(first) == [
        "[From senior_developer] Hash passwords with bcrypt and compare them in constant time",
        "[From tech_lead] Use the team's shared auth library; never roll your own crypto",
        "[Own] Reproduce a failing user authentication with a minimal test user",
    ]
    assert again == first  # nothing stored twice
