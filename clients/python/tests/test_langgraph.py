"""The LangGraph store against the installed langgraph and the live service, with the guide's team.

junior_developer reads senior_developer and tech_lead (both consent); qa_engineer shares with no one.
"""

from __future__ import annotations

import uuid
from typing import TypedDict

import pytest
from langgraph.graph import START, StateGraph
from langgraph.store.base import BaseStore, GetOp, InvalidNamespaceError, Item, PutOp, SearchItem

from alma import ALMA, Forbidden
from alma.integrations.langgraph import ALMAStore

TASK = "Implement user authentication"


@pytest.fixture
def store(alma: ALMA) -> ALMAStore:
    return ALMAStore(alma)


def ns(alma: ALMA, agent: str, kind: str) -> tuple[str, str, str]:
    return (alma.project_id, agent, kind)


def seed_team(store: ALMAStore, alma: ALMA) -> None:
    """One heuristic about authentication per agent, each within its can_learn."""
    for agent, task_type, strategy in [
        ("tech_lead", "architecture", "Use the shared auth library for user authentication"),
        ("senior_developer", "implementation_patterns", "Hash user passwords with bcrypt for authentication"),
        ("junior_developer", "debugging", "Reproduce the user authentication failure with a test user"),
        ("qa_engineer", "testing_strategies", "Test user authentication with expired tokens"),
    ]:
        value = {"condition": f"{TASK} ({agent})", "strategy": strategy, "task_type": task_type}
        store.put(ns(alma, agent, "heuristics"), f"{agent}-auth", value)


class TaskState(TypedDict, total=False):
    project: str
    agent: str
    task: str
    recalled: list[str]


def recall(state: TaskState, *, store: BaseStore) -> TaskState:
    """A node: what the agent may read about the task, marked by origin."""
    found = store.search((state["project"], state["agent"]), query=state["task"], limit=10)
    return {"recalled": [f"{i.value['metadata'].get('shared_from', 'own')}: {i.value['strategy']}" for i in found]}


def learn(state: TaskState, *, store: BaseStore) -> TaskState:
    """A node: the agent records how the task went, as itself."""
    outcome = {"task": state["task"], "outcome": "success", "strategy_used": "Followed the recalled advice"}
    store.put((state["project"], state["agent"], "outcomes"), str(uuid.uuid4()), outcome)
    return {}


def test_the_store_is_a_langgraph_base_store(store):
    assert isinstance(store, BaseStore)


def test_a_compiled_graph_hands_the_store_to_its_nodes(store, alma):
    seed_team(store, alma)
    graph = (
        StateGraph(TaskState)
        .add_node(recall)
        .add_node(learn)
        .add_edge(START, "recall")
        .add_edge("recall", "learn")
        .compile(store=store)
    )

    result = graph.invoke({"project": alma.project_id, "agent": "junior_developer", "task": TASK})

    assert sorted(line.split(": ")[0] for line in result["recalled"]) == ["own", "senior_developer", "tech_lead"]
    learned = alma.list_memories("outcomes", agent="junior_developer", owner="junior_developer").items
    assert [(o.task, o.strategy_used) for o in learned] == [(TASK, "Followed the recalled advice")]


def test_put_then_get_round_trips_under_the_key_given(store, alma):
    namespace = ns(alma, "junior_developer", "heuristics")
    value = {"condition": "A null pointer", "strategy": "Add null checks", "task_type": "debugging"}
    store.put(namespace, "null-checks", value)

    item = store.get(namespace, "null-checks")

    assert isinstance(item, Item)
    assert (item.namespace, item.key) == (namespace, "null-checks")
    assert item.value["strategy"] == "Add null checks"
    assert item.value["agent"] == "junior_developer"
    assert item.value["metadata"] == {}
    stored = alma.list_memories("heuristics", agent="junior_developer", owner="junior_developer").items
    assert [h.strategy for h in stored] == ["Add null checks"]
    assert store.get(namespace, str(stored[0].id)).value == item.value


def test_a_put_under_the_same_key_changes_the_memory_instead_of_adding_one(store, alma):
    namespace = ns(alma, "junior_developer", "domain_knowledge")
    store.put(namespace, "fact", {"domain": "debugging", "fact": "Logs rotate at midnight"})
    store.put(namespace, "fact", {"domain": "debugging", "fact": "Logs rotate hourly", "confidence": 0.7})

    facts = alma.list_memories("domain_knowledge", agent="junior_developer").items
    assert [(f.fact, f.confidence) for f in facts] == [("Logs rotate hourly", 0.7)]

    by_id = store.search(namespace)[0]
    store.put(namespace, by_id.key, {**by_id.value, "fact": "Logs rotate every 30 minutes"})
    assert store.get(namespace, by_id.key).value["fact"] == "Logs rotate every 30 minutes"
    assert alma.list_memories("domain_knowledge", agent="junior_developer").total == 1


def test_each_kind_is_written_with_its_own_fields(store, alma):
    junior = "junior_developer"
    store.put(ns(alma, junior, "outcomes"), "o", {"task": "Fix login", "outcome": "success", "strategy_used": "Retry"})
    store.put(ns(alma, junior, "anti_patterns"), "a", {"pattern": "Catch all", "why_bad": "Hides bugs"})
    store.put(ns(alma, junior, "preferences"), "p", {"user_id": "ana", "category": "style", "preference": "Short"})

    assert store.get(ns(alma, junior, "outcomes"), "o").value["success"] is True
    assert store.get(ns(alma, junior, "anti_patterns"), "a").value["why_bad"] == "Hides bugs"
    assert store.get(ns(alma, junior, "preferences"), "p").value["user_id"] == "ana"
    assert alma.stats(junior).own["outcomes"] == 1


def test_a_put_refuses_unknown_fields_and_changes_the_service_would_drop(store, alma):
    namespace = ns(alma, "junior_developer", "outcomes")
    with pytest.raises(ValueError, match="no field stratgy"):
        store.put(ns(alma, "junior_developer", "heuristics"), "h", {"condition": "c", "stratgy": "s"})
    with pytest.raises(ValueError, match="needs strategy_used"):
        store.put(namespace, "o", {"task": "Fix login", "outcome": "success"})

    store.put(namespace, "o", {"task": "Fix login", "outcome": "failure", "strategy_used": "Retry"})
    with pytest.raises(ValueError, match="task cannot change"):
        store.put(namespace, "o", {"task": "Fix logout", "outcome": "failure", "strategy_used": "Retry"})
    store.put(namespace, "o", {"task": "Fix login", "outcome": "failure", "strategy_used": "Retry", "feedback": "ok"})
    assert store.get(namespace, "o").value["feedback"] == "ok"


def test_search_with_a_query_is_the_agents_retrieve_own_and_shared_not_unconsented(store, alma):
    seed_team(store, alma)

    found = store.search((alma.project_id, "junior_developer"), query=TASK, limit=10)

    assert found and all(isinstance(item, SearchItem) for item in found)
    assert {item.value["agent"]: item.value["metadata"].get("shared_from") for item in found} == {
        "junior_developer": None,
        "senior_developer": "senior_developer",
        "tech_lead": "tech_lead",
    }
    assert all(item.namespace == ns(alma, "junior_developer", "heuristics") for item in found)
    assert all(item.score is not None for item in found)
    assert [item.score for item in found] == sorted((item.score for item in found), reverse=True)
    assert not any("expired tokens" in item.value["strategy"] for item in found)  # qa_engineer did not consent


def test_search_without_a_query_lists_what_the_agent_may_read(store, alma):
    seed_team(store, alma)
    store.put(ns(alma, "qa_engineer", "domain_knowledge"), "qa", {"domain": "bug_patterns", "fact": "Flaky CI"})

    listed = store.search((alma.project_id, "junior_developer"), limit=50)

    assert sorted(item.value["agent"] for item in listed) == ["junior_developer", "senior_developer", "tech_lead"]
    tags = {item.value["agent"]: item.value["metadata"].get("shared_from") for item in listed}
    assert tags == {"junior_developer": None, "senior_developer": "senior_developer", "tech_lead": "tech_lead"}
    assert all(item.score is None for item in listed)
    qa_view = store.search((alma.project_id, "qa_engineer"), limit=50)
    assert sorted(item.value["agent"] for item in qa_view) == ["qa_engineer", "qa_engineer", "tech_lead"]


def test_search_of_the_whole_project_lists_each_memory_once_under_its_owner(store, alma):
    seed_team(store, alma)

    everything = store.search((alma.project_id,), limit=50)

    assert sorted(item.namespace[1] for item in everything) == [
        "junior_developer",
        "qa_engineer",
        "senior_developer",
        "tech_lead",
    ]
    assert all(item.namespace[1] == item.value["agent"] for item in everything)
    assert all(not item.value["metadata"] for item in everything)


def test_search_filters_pages_and_narrows_to_a_kind(store, alma):
    seed_team(store, alma)
    prefix = (alma.project_id, "junior_developer")

    debugging = store.search(prefix, filter={"task_type": "debugging"})
    shared = store.search(prefix, filter={"task_type": {"$ne": "debugging"}}, query=TASK)
    first, second = store.search(prefix, limit=1), store.search(prefix, limit=1, offset=1)

    assert [item.value["agent"] for item in debugging] == ["junior_developer"]
    assert sorted(item.value["agent"] for item in shared) == ["senior_developer", "tech_lead"]
    assert len(first) == len(second) == 1 and first[0].key != second[0].key
    assert store.search((*prefix, "outcomes")) == []
    assert store.search(("another-project",)) == []


def test_delete_removes_an_owned_memory_and_refuses_a_shared_one(store, alma):
    seed_team(store, alma)
    junior = ns(alma, "junior_developer", "heuristics")
    shared = next(item for item in store.search(junior) if item.value["agent"] == "senior_developer")

    store.delete(junior, "junior_developer-auth")

    assert store.get(junior, "junior_developer-auth") is None
    assert [item.value["agent"] for item in store.search(junior, filter={"agent": "junior_developer"})] == []
    with pytest.raises(Forbidden):
        store.delete(junior, shared.key)
    assert store.get(junior, shared.key).value["metadata"] == {"shared_from": "senior_developer"}
    store.delete(junior, "never-stored")  # deleting what is not there changes nothing, as in LangGraph's stores


def test_a_batch_answers_each_operation_in_order(store, alma):
    namespace = ns(alma, "tech_lead", "domain_knowledge")

    results = store.batch(
        [
            PutOp(namespace, "k", {"domain": "architecture", "fact": "Services talk over HTTP"}),
            GetOp(namespace, "k"),
            GetOp(namespace, "999999"),
        ]
    )

    assert results[0] is None
    assert results[1].value["fact"] == "Services talk over HTTP"
    assert results[2] is None


def test_list_namespaces_names_every_agent_and_kind_of_the_project(store, alma):
    p = alma.project_id
    agents = ["junior_developer", "qa_engineer", "senior_developer", "tech_lead"]
    kinds = ["anti_patterns", "domain_knowledge", "heuristics", "outcomes", "preferences"]

    assert store.list_namespaces(limit=100) == [(p, agent, kind) for agent in agents for kind in kinds]
    assert store.list_namespaces(prefix=(p, "qa_engineer")) == [(p, "qa_engineer", kind) for kind in kinds]
    assert store.list_namespaces(suffix=("heuristics",)) == [(p, agent, "heuristics") for agent in agents]
    outcomes = [(p, agent, "outcomes") for agent in agents]
    assert store.list_namespaces(prefix=(p, "*", "outcomes"), limit=2, offset=1) == outcomes[1:3]
    assert store.list_namespaces(max_depth=2) == [(p, agent) for agent in agents]


def test_namespaces_must_be_project_agent_kind(store, alma):
    with pytest.raises(InvalidNamespaceError):
        store.put((alma.project_id, "junior_developer"), "k", {"fact": "x"})
    with pytest.raises(InvalidNamespaceError):
        store.get(("another-project", "junior_developer", "heuristics"), "1")


async def test_the_asyncio_client_runs_the_same_operations(async_alma):
    store = ALMAStore(async_client=async_alma)
    p = async_alma.project_id
    lead = {"condition": TASK, "strategy": "Use OAuth", "task_type": "architecture"}
    await store.aput((p, "tech_lead", "heuristics"), "a", lead)
    await store.aput((p, "qa_engineer", "heuristics"), "b", {"condition": TASK, "strategy": "Fuzz the login form"})

    item = await store.aget((p, "tech_lead", "heuristics"), "a")
    found = await store.asearch((p, "junior_developer"), query=TASK)
    namespaces = await store.alist_namespaces(prefix=(p, "tech_lead"))

    assert item.value["strategy"] == "Use OAuth"
    assert [(i.value["strategy"], i.value["metadata"]) for i in found] == [("Use OAuth", {"shared_from": "tech_lead"})]
    assert len(namespaces) == 5
    with pytest.raises(TypeError, match="abatch"):
        store.get((p, "tech_lead", "heuristics"), "a")


async def test_a_blocking_store_also_answers_awaited_calls(store, alma):
    namespace = ns(alma, "senior_developer", "heuristics")
    await store.aput(namespace, "s", {"condition": TASK, "strategy": "Pair on auth", "task_type": "code_review"})

    assert (await store.aget(namespace, "s")).value["strategy"] == "Pair on auth"
