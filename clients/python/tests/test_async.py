"""AsyncALMA: the same calls as ALMA, awaited, against the live service."""

from __future__ import annotations

import asyncio

import pytest

from alma import AgentNotFound, AsyncALMA, LearnResult, ValidationError

TASK = "Implement user authentication"


async def test_from_config_applies_the_team(service_url, team_config_path, project_id):
    async with await AsyncALMA.from_config(team_config_path, base_url=service_url) as alma:
        agents = await alma.agents()

    assert alma.project_id == project_id
    assert {agent.name: agent.reads_from for agent in agents}["junior_developer"] == ["senior_developer", "tech_lead"]


async def test_learn_then_retrieve_tags_what_is_shared(async_alma):
    await asyncio.gather(
        *(
            async_alma.learn(agent=agent, task=f"{TASK} ({agent})", outcome="success", strategy_used="Used OAuth")
            for agent in ("tech_lead", "senior_developer", "junior_developer", "qa_engineer")
        )
    )

    memories = await async_alma.retrieve(task=TASK, agent="junior_developer", include_shared=True, top_k=10)

    assert {o.agent: o.metadata.get("shared_from") for o in memories.outcomes} == {
        "junior_developer": None,
        "senior_developer": "senior_developer",
        "tech_lead": "tech_lead",
    }


async def test_learn_answers_the_stored_outcome(async_alma):
    learned = await async_alma.learn(
        agent="junior_developer", task="Fixed null pointer bug", outcome="success", strategy_used="Null checks"
    )

    assert isinstance(learned, LearnResult)
    assert learned.outcome.agent == "junior_developer"


async def test_errors_are_the_same_types(async_alma):
    with pytest.raises(AgentNotFound) as unknown:
        await async_alma.retrieve(task=TASK, agent="intern")
    with pytest.raises(ValidationError) as invalid:
        await async_alma.retrieve(task=TASK, agent="junior_developer", top_k=1000)

    assert "tech_lead" in unknown.value.known_agents
    assert [entry["field"] for entry in invalid.value.errors] == ["top_k"]


async def test_heuristics_are_shared_as_in_the_guide(async_alma):
    await async_alma.add_heuristic(
        "tech_lead", "Building authentication", "Use the auth library", task_type="architecture"
    )
    await async_alma.add_heuristic("junior_developer", "Login test fails", "Reproduce it", task_type="debugging")

    memories = await async_alma.retrieve(task=TASK, agent="junior_developer", top_k=10)

    assert {h.strategy: h.metadata.get("shared_from") for h in memories.heuristics} == {
        "Use the auth library": "tech_lead",
        "Reproduce it": None,
    }
