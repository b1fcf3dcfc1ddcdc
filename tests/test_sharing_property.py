"""The mutual-consent rule against an independent oracle, over hundreds of random projects.

For random agents, `share_with` / `inherit_from` graphs (naming non-agents too) and memories, in two
projects that use the same agent names, every reader's retrieve must return exactly the memories the rule
allows: zero leaks, zero misses.
"""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.database import open_pool
from app.embeddings import HashingEmbedder
from app.models import BulkLearnRequest, LearnRequest, ProjectConfig, RetrieveRequest
from app.queries import queries
from app.repository import MemoryRepository
from app.service import MemoryService

NAMES = ["ada", "bob", "cy", "dee", "eve", "fay"]
names = st.sampled_from(NAMES)
agent_settings = st.fixed_dictionaries(
    {"share_with": st.lists(names, unique=True, max_size=4), "inherit_from": st.lists(names, unique=True, max_size=4)}
)
projects = st.fixed_dictionaries(
    {
        "agents": st.dictionaries(names, agent_settings, min_size=1, max_size=6),
        "memories": st.dictionaries(names, st.integers(min_value=0, max_value=3)),
    }
)


def allowed(agents: dict, reader: str, source: str, include_shared: bool) -> bool:
    """The rule as the guide states it, written independently of the SQL."""
    if reader == source:
        return True
    return include_shared and source in agents[reader]["inherit_from"] and reader in agents[source]["share_with"]


@pytest.fixture
async def service(database_url: str):
    pool = await open_pool(database_url, 1, 4)
    yield MemoryService(MemoryRepository(pool, queries), HashingEmbedder(32))
    await pool.close()


counter = itertools.count()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=projects, second=projects)
async def test_retrieve_returns_exactly_what_mutual_consent_allows(service: MemoryService, first: dict, second: dict):
    run = next(counter)
    stored: dict[str, dict[str, set[str]]] = {}
    for project, spec in ((f"p{run}a", first), (f"p{run}b", second)):
        await service.apply_config(project, ProjectConfig(agents=spec["agents"]))
        outcomes = [
            LearnRequest(agent=agent, task=f"{project} {agent} {n}", outcome="success", strategy_used=f"s{n}")
            for agent, count in spec["memories"].items()
            if agent in spec["agents"]
            for n in range(count)
        ]
        await service.learn_many(project, BulkLearnRequest(outcomes=outcomes))
        stored[project] = {agent: set() for agent in spec["agents"]}
        for outcome in outcomes:
            stored[project][outcome.agent].add(outcome.task)

    for project, spec in ((f"p{run}a", first), (f"p{run}b", second)):
        agents = spec["agents"]
        for reader, include_shared in itertools.product(agents, (True, False)):
            answer = await service.retrieve(
                project, RetrieveRequest(agent=reader, query="task", top_k=100, include_shared=include_shared)
            )
            got = {(item.agent, item.task, item.metadata.get("shared_from")) for item in answer.outcomes}
            expected = {
                (source, task, None if source == reader else source)
                for source in agents
                if allowed(agents, reader, source, include_shared)
                for task in stored[project][source]
            }
            assert got == expected, (project, reader, include_shared)
