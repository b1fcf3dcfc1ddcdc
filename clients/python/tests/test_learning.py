"""Learning: a memory is stored under the learning agent's own id, and only within its scope."""

from __future__ import annotations

import pytest

from alma import LearnResult, ScopeViolation
from alma.api import parse_learn

TASK = "Fixed null pointer bug"
STRATEGY = "Added null checks before dereferencing"

OUTCOME = {
    "id": 7,
    "agent": "junior_developer",
    "task": TASK,
    "task_type": None,
    "success": True,
    "strategy_used": STRATEGY,
    "duration_ms": None,
    "error_message": None,
    "feedback": None,
    "created_at": "2026-01-02T03:04:05Z",
}


def test_junior_learns_under_its_own_id_and_shares_with_no_one(alma):
    learned = alma.learn(agent="junior_developer", task=TASK, outcome="success", strategy_used=STRATEGY)

    assert isinstance(learned, LearnResult)
    assert learned.outcome.agent == "junior_developer"
    assert learned.outcome.success is True
    junior = alma.retrieve(task=TASK, agent="junior_developer", top_k=10)
    assert [(o.id, o.metadata) for o in junior.outcomes] == [(learned.outcome.id, {})]
    for reader in ("senior_developer", "tech_lead", "qa_engineer"):
        assert alma.retrieve(task=TASK, agent=reader, top_k=10).outcomes == []


def test_learn_sends_the_optional_fields_it_is_given(alma):
    learned = alma.learn(
        agent="junior_developer",
        task="Fix flaky login test",
        outcome="failure",
        strategy_used="Retried the test",
        task_type="debugging",
        duration_ms=1200,
        error_message="Still flaky",
        feedback="Find the race instead",
    )

    outcome = learned.outcome
    assert (outcome.success, outcome.task_type, outcome.duration_ms) == (False, "debugging", 1200)
    assert (outcome.error_message, outcome.feedback) == ("Still flaky", "Find the race instead")


def test_learning_outside_can_learn_is_a_scope_violation(alma):
    with pytest.raises(ScopeViolation) as raised:
        alma.learn(
            agent="junior_developer",
            task="Split the monolith",
            outcome="success",
            strategy_used="Drew the boundaries",
            task_type="architecture",
        )

    assert raised.value.status == 403
    assert raised.value.slug == "scope-violation"


def test_learn_many_stores_every_entry_under_its_agent(alma):
    result = alma.learn_many(
        outcomes=[
            {"task": "Fix login bug", "outcome": "success", "strategy_used": "Added a test first"},
            {"task": "Fix logout bug", "outcome": "failure", "strategy_used": "Guessed"},
        ],
        domain_knowledge=[{"domain": "debugging", "fact": "Sessions expire after 30 minutes"}],
        agent="junior_developer",
    )

    assert [entry.outcome.agent for entry in result.outcomes] == ["junior_developer", "junior_developer"]
    assert [entry.outcome.success for entry in result.outcomes] == [True, False]
    assert [(fact.agent, fact.fact) for fact in result.domain_knowledge] == [
        ("junior_developer", "Sessions expire after 30 minutes")
    ]


def test_a_learn_answer_is_read_in_both_shapes():
    """`{outcome, heuristic, anti_pattern}` as documented, and the bare outcome older services answer."""
    bare = parse_learn(OUTCOME)
    full = parse_learn({"outcome": OUTCOME, "heuristic": None, "anti_pattern": None})

    assert bare == full
    assert bare.outcome.strategy_used == "Added null checks before dereferencing"
    assert bare.heuristic is None and bare.anti_pattern is None
