"""What the client sends for each call, checked without a service."""

from __future__ import annotations

from pathlib import Path

import pytest

from alma import ConfigError
from alma.api import ProjectAPI

API = ProjectAPI("my-team")


def test_retrieve_sends_the_guide_arguments_under_the_api_names():
    call = API.retrieve(task="Implement user authentication", agent="junior_developer", include_shared=True, top_k=10)

    assert (call.method, call.path, call.idempotent) == ("POST", "/v1/projects/my-team/retrieve", True)
    assert call.json == {
        "agent": "junior_developer",
        "query": "Implement user authentication",
        "top_k": 10,
        "include_shared": True,
    }


def test_query_is_another_name_for_task():
    assert (
        API.retrieve(query="Implement user authentication", agent="junior_developer").json
        == API.retrieve("Implement user authentication", "junior_developer").json
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"task": "a"}, "agent"),
        ({"agent": "junior_developer"}, "task"),
        ({"task": "a", "query": "b", "agent": "junior_developer"}, "not two different texts"),
    ],
)
def test_retrieve_needs_one_task_and_an_agent(arguments, message):
    with pytest.raises(TypeError, match=message):
        API.retrieve(**arguments)


def test_learn_sends_only_the_fields_given_and_is_not_idempotent():
    call = API.learn(
        agent="junior_developer",
        task="Fixed null pointer bug",
        outcome="success",
        strategy_used="Added null checks before dereferencing",
    )

    assert (call.method, call.path, call.idempotent) == ("POST", "/v1/projects/my-team/learn", False)
    assert call.json == {
        "agent": "junior_developer",
        "task": "Fixed null pointer bug",
        "outcome": "success",
        "strategy_used": "Added null checks before dereferencing",
    }


def test_learn_many_fills_in_the_default_agent():
    call = API.learn_many(
        outcomes=[{"task": "t", "outcome": "success", "strategy_used": "s"}, {"agent": "tech_lead", "task": "u"}],
        agent="junior_developer",
    )

    assert [entry["agent"] for entry in call.json["outcomes"]] == ["junior_developer", "tech_lead"]
    assert call.json["domain_knowledge"] == []


def test_memory_paths_use_the_kind_as_the_api_spells_it():
    assert API.get_memory("domain_knowledge", 3, agent="bob").path == "/v1/projects/my-team/memories/domain-knowledge/3"
    assert API.list_memories("anti-patterns", agent="bob").params == {"agent": "bob", "limit": 50, "offset": 0}
    assert API.delete_memory("heuristics", 4, agent="bob").params == {"agent": "bob"}
    assert API.update_memory("outcomes", 5, "bob", feedback="ok").json == {"agent": "bob", "feedback": "ok"}


def test_names_are_escaped_in_paths():
    assert ProjectAPI("my team").stats("a/b").path == "/v1/projects/my%20team/agents/a%2Fb/stats"


def test_a_config_is_sent_from_a_path_a_text_or_a_mapping(tmp_path: Path):
    path = tmp_path / "config.yaml"
    path.write_text("agents:\n  bob: {}\n")

    from_path = API.apply_config(path)
    from_string_path = API.apply_config(str(path))
    from_text = API.apply_config("agents:\n  bob: {}\n")
    from_mapping = API.apply_config({"agents": {"bob": {}}})

    assert from_path.content == from_string_path.content == from_text.content == b"agents:\n  bob: {}\n"
    assert from_text.headers == {"Content-Type": "application/yaml"}
    assert (from_mapping.content, from_mapping.json) == (None, {"agents": {"bob": {}}})
    assert all(call.idempotent and call.method == "PUT" for call in (from_path, from_text, from_mapping))


def test_a_missing_config_file_is_reported_as_such(tmp_path: Path):
    with pytest.raises(ConfigError, match="missing.yaml"):
        API.apply_config(str(tmp_path / "missing.yaml"))
