"""The mutual-consent rule against an independent oracle, over many random projects, on every memory kind and
every query path.

For random agents, `share_with` / `inherit_from` graphs (naming non-agents too) and memories of all five
kinds, in two projects that use the same agent and user names, every reader must get exactly what the rule
allows — zero leaks, zero misses — from a retrieve on the exact path, a retrieve on the nearest-neighbour
(HNSW) path (forced by a threshold of one memory), a listing, and reading one memory by id.

The agent-owned kinds (heuristics, outcomes, domain knowledge, anti-patterns) follow mutual consent between
agents. Preferences belong to a user of the project: any agent of the project that asks for a user's
preferences gets all of them, whichever agent recorded them, and no other project's.
"""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.database import open_pool
from app.embeddings import HashingEmbedder
from app.errors import MemoryNotFound
from app.memory.kinds import BY_PATH
from app.models import (
    AntiPatternCreate,
    BulkLearnRequest,
    DomainKnowledgeCreate,
    HeuristicCreate,
    LearnRequest,
    MemoryFilter,
    PreferenceCreate,
    ProjectConfig,
    RetrieveRequest,
)
from app.queries import queries
from app.ranking import Ranking
from app.repositories.deployment import DeploymentRepository
from app.repositories.memories import MemoryRepository
from app.repositories.projects import ProjectRepository
from app.services.memories import MemoryService
from app.services.projects import ProjectService

NAMES = ["ada", "bob", "cy", "dee", "eve", "fay"]
USERS = ["u1", "u2"]
# kind as a path names it -> (the retrieve answer's attribute, the item's text field)
AGENT_KINDS = {
    "heuristics": ("heuristics", "condition"),
    "outcomes": ("outcomes", "task"),
    "domain-knowledge": ("domain_knowledge", "fact"),
    "anti-patterns": ("anti_patterns", "pattern"),
}
names = st.sampled_from(NAMES)
agent_settings = st.fixed_dictionaries(
    {"share_with": st.lists(names, unique=True, max_size=4), "inherit_from": st.lists(names, unique=True, max_size=4)}
)
projects = st.fixed_dictionaries(
    {
        "agents": st.dictionaries(names, agent_settings, min_size=1, max_size=5),
        "memories": st.dictionaries(names, st.integers(min_value=0, max_value=2)),
        "preferences": st.lists(st.tuples(names, st.sampled_from(USERS)), max_size=4),
    }
)


def allowed(agents: dict, reader: str, source: str, include_shared: bool) -> bool:
    """The rule as the guide states it, written independently of the SQL."""
    if reader == source:
        return True
    return include_shared and source in agents[reader]["inherit_from"] and reader in agents[source]["share_with"]


@pytest.fixture
async def services(database_url: str):
    """The same database through two services: exact ranking, and ranking from the HNSW index at once."""
    pool = await open_pool(database_url, 1, 4)
    embedder = HashingEmbedder(32)
    exact = MemoryService(MemoryRepository(pool, queries), embedder)
    nearest = MemoryService(
        MemoryRepository(pool, queries, ranking=Ranking(approximate_from=1, skip_cost=0.0)), embedder
    )
    await DeploymentRepository(pool, queries).init_deployment(embedder)
    exact.projects = ProjectService(ProjectRepository(pool, queries), exact.repository)  # type: ignore[attr-defined]
    yield exact, nearest
    await pool.close()


async def store(service: MemoryService, project: str, spec: dict) -> tuple[dict, dict]:
    """Apply the project and write its memories; return texts per (kind, agent) and per user, and their ids."""
    await service.projects.apply_config(project, ProjectConfig(agents=spec["agents"]), allow_remove_all=True)
    agents = spec["agents"]
    counts = {agent: count for agent, count in spec["memories"].items() if agent in agents}
    texts: dict[tuple[str, str], set[str]] = {(kind, agent): set() for kind in AGENT_KINDS for agent in agents}
    ids: dict[tuple[str, str], list[int]] = {}
    outcomes = [
        LearnRequest(
            agent=agent, task=f"{project} {agent} outcome {n}", outcome="success", strategy_used=f"strategy {agent} {n}"
        )
        for agent, count in counts.items()
        for n in range(count)
    ]
    learned = await service.learn_many(project, BulkLearnRequest(outcomes=outcomes))
    for result in learned.outcomes:
        texts["outcomes", result.outcome.agent].add(result.outcome.task)
        ids.setdefault(("outcomes", result.outcome.agent), []).append(result.outcome.id)
    for agent, count in counts.items():
        for n in range(count):
            text = f"{project} {agent} memory {n}"
            written = {
                "heuristics": await service.add(
                    BY_PATH["heuristics"], project, HeuristicCreate(agent=agent, condition=text, strategy="s")
                ),
                "domain-knowledge": await service.add(
                    BY_PATH["domain-knowledge"], project, DomainKnowledgeCreate(agent=agent, domain="d", fact=text)
                ),
                "anti-patterns": await service.add(
                    BY_PATH["anti-patterns"], project, AntiPatternCreate(agent=agent, pattern=text, why_bad="w")
                ),
            }
            for kind, item in written.items():
                texts[kind, agent].add(text)
                ids.setdefault((kind, agent), []).append(item.id)
    preferences: dict[str, set[str]] = {user: set() for user in USERS}
    for n, (agent, user) in enumerate(spec["preferences"]):
        if agent in agents:
            text = f"{project} {user} preference {n}"
            await service.add(
                BY_PATH["preferences"],
                project,
                PreferenceCreate(agent=agent, user_id=user, category="c", preference=text),
            )
            preferences[user].add(text)
    return {"texts": texts, "preferences": preferences}, ids


counter = itertools.count()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=projects, second=projects)
async def test_every_kind_and_path_returns_exactly_what_mutual_consent_allows(services, first: dict, second: dict):
    exact, nearest = services
    run = next(counter)
    stored, stored_ids = {}, {}
    for project, spec in ((f"p{run}a", first), (f"p{run}b", second)):
        stored[project], stored_ids[project] = await store(exact, project, spec)

    for project, spec in ((f"p{run}a", first), (f"p{run}b", second)):
        agents, texts = spec["agents"], stored[project]["texts"]
        for reader, include_shared, user in itertools.product(agents, (True, False), USERS):
            expected = {
                kind: {
                    (source, text, None if source == reader else source)
                    for source in agents
                    if allowed(agents, reader, source, include_shared)
                    for text in texts[kind, source]
                }
                for kind in AGENT_KINDS
            }
            request = RetrieveRequest(
                agent=reader, query="memory outcome", top_k=100, include_shared=include_shared, user_id=user
            )
            for path, service in (("exact", exact), ("nearest", nearest)):
                answer = (await service.retrieve(project, request)).model()
                for kind, (attribute, field) in AGENT_KINDS.items():
                    got = {
                        (item.agent, getattr(item, field), item.metadata.get("shared_from"))
                        for item in getattr(answer, attribute)
                    }
                    assert got == expected[kind], (project, path, kind, reader, include_shared)
                assert {item.preference for item in answer.preferences} == stored[project]["preferences"][user], (
                    project,
                    path,
                    reader,
                    user,
                )
            if not include_shared:
                continue
            for kind, (_, field) in AGENT_KINDS.items():
                page = await exact.list_memories(project, BY_PATH[kind], MemoryFilter(reader=reader, limit=500))
                got = {(item.agent, getattr(item, field), item.metadata.get("shared_from")) for item in page.items}
                assert got == expected[kind], (project, "list", kind, reader)
                for source in agents:
                    for memory_id in stored_ids[project].get((kind, source), []):
                        if allowed(agents, reader, source, True):
                            assert (await exact.get_memory(project, BY_PATH[kind], memory_id, reader)).agent == source
                        else:
                            with pytest.raises(MemoryNotFound):
                                await exact.get_memory(project, BY_PATH[kind], memory_id, reader)
        # the other project's ids are not this project's memories, whoever asks
        other = f"p{run}b" if project.endswith("a") else f"p{run}a"
        for (kind, _), memory_ids in stored_ids[other].items():
            for memory_id in memory_ids:
                for reader in agents:
                    with pytest.raises(MemoryNotFound):
                        await exact.get_memory(project, BY_PATH[kind], memory_id, reader)
