"""Retrieval across the guide's team: shared memories carry `metadata['shared_from']`, own ones do not."""

from __future__ import annotations

from alma import ALMA

TASK = "Implement user authentication"


def seed_heuristics(alma: ALMA) -> None:
    """One heuristic per agent, each within what the agent can_learn."""
    alma.add_heuristic("tech_lead", "Building authentication", "Use the shared auth library", task_type="architecture")
    alma.add_heuristic(
        "senior_developer", "Implementing user login", "Hash passwords with bcrypt", task_type="implementation_patterns"
    )
    alma.add_heuristic(
        "junior_developer", "Authentication test fails", "Reproduce with a test user", task_type="debugging"
    )
    alma.add_heuristic("qa_engineer", "Testing authentication", "Test expired sessions", task_type="testing_strategies")


def origins(items) -> dict[str, str | None]:
    return {item.agent: item.metadata.get("shared_from") for item in items}


def test_junior_sees_its_own_heuristics_untagged_and_its_sources_tagged(alma):
    seed_heuristics(alma)

    memories = alma.retrieve(task=TASK, agent="junior_developer", include_shared=True, top_k=10)

    assert origins(memories.heuristics) == {
        "junior_developer": None,
        "senior_developer": "senior_developer",
        "tech_lead": "tech_lead",
    }
    own = [h for h in memories.heuristics if not h.metadata.get("shared_from")]
    assert [h.strategy for h in own] == ["Reproduce with a test user"]


def test_qa_engineer_reads_the_tech_lead_only(alma):
    seed_heuristics(alma)

    memories = alma.retrieve(task=TASK, agent="qa_engineer", include_shared=True, top_k=10)

    assert origins(memories.heuristics) == {"qa_engineer": None, "tech_lead": "tech_lead"}


def test_shared_outcomes_are_tagged_with_their_owner(alma):
    for agent in ("tech_lead", "senior_developer", "junior_developer", "qa_engineer"):
        alma.learn(agent=agent, task=f"{TASK} ({agent})", outcome="success", strategy_used="Used OAuth")

    junior = alma.retrieve(task=TASK, agent="junior_developer", top_k=10)
    qa = alma.retrieve(task=TASK, agent="qa_engineer", top_k=10)

    assert origins(junior.outcomes) == {
        "junior_developer": None,
        "senior_developer": "senior_developer",
        "tech_lead": "tech_lead",
    }
    assert origins(qa.outcomes) == {"qa_engineer": None, "tech_lead": "tech_lead"}
    assert all(outcome.shared_from == outcome.metadata.get("shared_from") for outcome in junior.outcomes)


def test_without_include_shared_an_agent_reads_its_own_only(alma):
    for agent in ("tech_lead", "junior_developer"):
        alma.learn(agent=agent, task=f"{TASK} ({agent})", outcome="success", strategy_used="Used OAuth")

    memories = alma.retrieve(task=TASK, agent="junior_developer", include_shared=False, top_k=10)

    assert origins(memories.outcomes) == {"junior_developer": None}


def test_the_slice_says_what_was_asked_and_how_long_it_took(alma):
    memories = alma.retrieve(query=TASK, agent="junior_developer", top_k=3)

    assert (memories.agent, memories.query, memories.top_k, memories.include_shared) == (
        "junior_developer",
        TASK,
        3,
        True,
    )
    assert memories.took_ms is not None and memories.took_ms >= 0
    assert memories.heuristics == memories.outcomes == memories.domain_knowledge == []
