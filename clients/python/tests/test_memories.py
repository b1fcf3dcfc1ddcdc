"""Writing each kind of memory, then reading, listing, changing, deleting and forgetting it."""

from __future__ import annotations

import pytest

from alma import AntiPattern, DomainKnowledge, Forbidden, Heuristic, NotFound, Preference

TASK = "Implement user authentication"


def test_each_kind_is_stored_under_its_agent_and_retrieved(alma):
    heuristic = alma.add_heuristic(
        "senior_developer",
        "Implementing login",
        "Hash passwords with bcrypt",
        task_type="implementation_patterns",
        confidence=0.8,
    )
    fact = alma.add_domain_knowledge(
        "senior_developer", "code_review", "Auth code needs two reviewers", source="policy"
    )
    anti_pattern = alma.add_anti_pattern(
        "senior_developer",
        "Storing plain-text passwords",
        "A leak exposes every user",
        better_alternative="Hash them",
        task_type="implementation_patterns",
    )
    preference = alma.add_preference("junior_developer", "alice", "style", "Short functions")

    assert isinstance(heuristic, Heuristic) and heuristic.agent == "senior_developer"
    assert (heuristic.strategy, heuristic.confidence) == ("Hash passwords with bcrypt", 0.8)
    assert isinstance(fact, DomainKnowledge) and fact.source == "policy"
    assert isinstance(anti_pattern, AntiPattern) and anti_pattern.better_alternative == "Hash them"
    assert isinstance(preference, Preference) and preference.user_id == "alice"

    memories = alma.retrieve(task=TASK, agent="junior_developer", user_id="alice", top_k=10)
    assert [(h.id, h.shared_from) for h in memories.heuristics] == [(heuristic.id, "senior_developer")]
    assert [(d.id, d.shared_from) for d in memories.domain_knowledge] == [(fact.id, "senior_developer")]
    assert [(a.id, a.shared_from) for a in memories.anti_patterns] == [(anti_pattern.id, "senior_developer")]
    assert [p.preference for p in memories.preferences] == ["Short functions"]


def test_a_reader_gets_a_shared_memory_and_an_outsider_does_not(alma):
    heuristic = alma.add_heuristic("tech_lead", "Designing services", "Split by team", task_type="architecture")

    shared = alma.get_memory("heuristics", heuristic.id, agent="junior_developer")

    assert isinstance(shared, Heuristic)
    assert (shared.strategy, shared.shared_from) == ("Split by team", "tech_lead")
    juniors = alma.add_heuristic("junior_developer", "Test fails", "Reproduce it", task_type="debugging")
    with pytest.raises((NotFound, Forbidden)):
        alma.get_memory("heuristics", juniors.id, agent="tech_lead")


def test_listing_pages_what_the_agent_may_read(alma):
    for number in range(3):
        alma.add_heuristic("tech_lead", f"Condition {number}", f"Strategy {number}", task_type="architecture")
    alma.add_heuristic("junior_developer", "Test fails", "Reproduce it", task_type="debugging")

    page = alma.list_memories("heuristics", agent="junior_developer", owner="tech_lead", limit=2)
    everything = alma.list_memories("heuristics", agent="junior_developer")

    assert (page.total, page.limit, page.offset) == (3, 2, 0)
    assert [h.strategy for h in page.items] == ["Strategy 2", "Strategy 1"]
    assert all(isinstance(h, Heuristic) for h in page.items)
    assert everything.total == 4


def test_only_the_owner_changes_or_deletes_a_memory(alma):
    heuristic = alma.add_heuristic("tech_lead", "Designing services", "Split by team", task_type="architecture")

    changed = alma.update_memory("heuristics", heuristic.id, agent="tech_lead", strategy="Split by domain")
    with pytest.raises(Forbidden) as refused:
        alma.update_memory("heuristics", heuristic.id, agent="junior_developer", strategy="Never split")
    with pytest.raises(Forbidden):
        alma.delete_memory("heuristics", heuristic.id, agent="junior_developer")
    alma.delete_memory("heuristics", heuristic.id, agent="tech_lead")

    assert changed.strategy == "Split by domain"
    assert refused.value.slug == "not-owner"
    with pytest.raises(NotFound):
        alma.get_memory("heuristics", heuristic.id, agent="tech_lead")


def test_kinds_are_named_as_in_a_slice_or_as_in_a_path(alma):
    fact = alma.add_domain_knowledge("tech_lead", "architecture", "Deploys happen on Tuesdays")

    by_attribute = alma.get_memory("domain_knowledge", fact.id, agent="tech_lead")
    by_path = alma.get_memory("domain-knowledge", fact.id, agent="tech_lead")

    assert by_attribute == by_path
    with pytest.raises(ValueError, match="Unknown memory kind"):
        alma.get_memory("facts", fact.id, agent="tech_lead")


def test_stats_count_own_and_inherited_memories(alma):
    alma.add_heuristic("tech_lead", "Designing services", "Split by team", task_type="architecture")
    alma.add_heuristic("senior_developer", "Implementing login", "Use bcrypt", task_type="implementation_patterns")
    alma.learn(agent="junior_developer", task="Fixed null pointer bug", outcome="success", strategy_used="Null checks")

    stats = alma.stats("junior_developer")

    assert stats.agent == "junior_developer"
    assert stats.own.get("outcomes") == 1
    assert stats.readable["tech_lead"].get("heuristics") == 1
    assert stats.readable["senior_developer"].get("heuristics") == 1
    assert stats.inherited.get("heuristics") == 2


def test_forget_removes_weak_heuristics(alma):
    alma.add_heuristic("tech_lead", "Designing services", "Split by team", task_type="architecture", confidence=0.1)
    alma.add_heuristic("tech_lead", "Reviewing designs", "Ask why twice", task_type="architecture", confidence=0.9)

    forgotten = alma.forget(agent="tech_lead", below_confidence=0.5)

    assert forgotten.heuristics_removed == 1
    remaining = alma.list_memories("heuristics", agent="tech_lead")
    assert [h.strategy for h in remaining.items] == ["Ask why twice"]
