"""Applying the ALMA config file: both layouts, the guide's example unchanged, clear answers and errors."""

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.config_file import parse_config, parse_config_text
from app.errors import InvalidConfig
from tests.helpers import EXAMPLE_CONFIG, Api

GUIDE_GRANTS = [
    {"reader": "junior_developer", "source": "senior_developer"},
    {"reader": "junior_developer", "source": "tech_lead"},
    {"reader": "qa_engineer", "source": "tech_lead"},
    {"reader": "senior_developer", "source": "tech_lead"},
]


async def test_guide_complete_example_applies_unchanged(api: Api):
    result = await api.apply(EXAMPLE_CONFIG.read_text())

    assert result["created"] == ["junior_developer", "qa_engineer", "senior_developer", "tech_lead"]
    assert result["grants"] == GUIDE_GRANTS
    assert result["grants_added"] == GUIDE_GRANTS
    assert result["warnings"] == ["tech_lead shares with devops_engineer, which is not an agent of my-team."]
    assert any("storage: sqlite is accepted and noted" in note for note in result["notes"])


async def test_reapplying_the_same_config_changes_nothing(api: Api):
    await api.apply(EXAMPLE_CONFIG.read_text())
    again = await api.apply(EXAMPLE_CONFIG.read_text())
    assert again["project_created"] is False
    assert again["created"] == again["updated"] == again["removed"] == []
    assert len(again["unchanged"]) == 4
    assert again["grants_added"] == again["grants_revoked"] == []


async def test_top_level_agents_layout_and_json_body(api: Api):
    document = {"agents": {"mentor": {"share_with": ["mentee"]}, "mentee": {"inherit_from": ["mentor"]}}}
    response = await api.client.put("/v1/projects/json-team/config", json=document)
    assert response.status_code == 200, response.text
    assert response.json()["grants"] == [{"reader": "mentee", "source": "mentor"}]


async def test_one_sided_edge_is_warned_about(api: Api):
    result = await api.apply(
        """
agents:
  senior_developer:
    share_with: [junior_developer]
  junior_developer:
    inherit_from: [senior_developer]
  qa_engineer:
    inherit_from: [senior_developer, ghost]
"""
    )
    assert (
        "qa_engineer inherits from senior_developer, but senior_developer does not share with qa_engineer: "
        "no memories will flow." in result["warnings"]
    )
    assert "qa_engineer inherits from ghost, which is not an agent of my-team." in result["warnings"]


async def test_removing_an_agent_keeps_its_memories_for_when_it_returns(api: Api):
    config = EXAMPLE_CONFIG.read_text()
    await api.apply(config)
    await api.learn("qa_engineer", "Test the login form", "boundary values first")
    without_qa = config.split("  # QA learns from tech lead")[0]

    result = await api.apply(without_qa)
    assert result["removed"] == ["qa_engineer"]
    assert {"reader": "qa_engineer", "source": "tech_lead"} in result["grants_revoked"]
    missing = await api.client.post("/v1/projects/my-team/retrieve", json={"agent": "qa_engineer", "query": "login"})
    assert missing.status_code == 404

    await api.apply(config)
    assert await api.owners("qa_engineer", "login form") == {"qa_engineer"}


async def test_misspelt_agent_key_is_refused_with_a_suggestion(api: Api):
    response = await api.client.put(
        "/v1/projects/my-team/config",
        content=b"agents:\n  bob:\n    inherits_from: [alice]\n",
        headers={"content-type": "application/yaml"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert "Did you mean `inherit_from`?" in problem["detail"]
    assert problem["errors"] == [{"field": "agents.bob.inherits_from", "message": "unknown key"}]
    listing = await api.client.get("/v1/projects/my-team/agents")
    assert listing.json() == [], "a refused config must not create agents"


async def test_invalid_yaml_and_bad_names_are_422_naming_the_problem(api: Api):
    broken = await api.client.put(
        "/v1/projects/my-team/config", content=b"agents:\n  bob: [\n", headers={"content-type": "application/yaml"}
    )
    assert broken.status_code == 422
    assert "not valid YAML" in broken.json()["detail"]

    bad_name = await api.client.put("/v1/projects/my-team/config", json={"agents": {"bad name!": {}}})
    assert bad_name.status_code == 422
    assert bad_name.json()["errors"][0]["field"] == "agents.bad name!.[key]"


async def test_config_for_another_project_is_refused(api: Api):
    response = await api.client.put(
        "/v1/projects/other/config", content=EXAMPLE_CONFIG.read_bytes(), headers={"content-type": "application/yaml"}
    )
    assert response.status_code == 422
    assert "names project 'my-team'" in response.json()["detail"]


async def test_agents_endpoint_shows_grants_both_ways(api: Api):
    await api.apply(EXAMPLE_CONFIG.read_text())
    response = await api.client.get("/v1/projects/my-team/agents/tech_lead")
    agent = response.json()
    assert agent["read_by"] == ["junior_developer", "qa_engineer", "senior_developer"]
    assert agent["reads_from"] == []
    unknown = await api.client.get("/v1/projects/my-team/agents/nobody")
    assert unknown.status_code == 404
    assert unknown.json()["known_agents"] == ["junior_developer", "qa_engineer", "senior_developer", "tech_lead"]


def test_both_layouts_parse_to_the_same_agents():
    nested = parse_config_text(EXAMPLE_CONFIG.read_text())
    flat = parse_config({"agents": json.loads(nested.model_dump_json())["agents"]})
    assert nested.project_id == "my-team"
    assert flat.agents == nested.agents


def test_agent_without_settings_gets_defaults():
    config = parse_config_text("agents:\n  bob:\n")
    assert config.agents["bob"].share_with == []
    assert config.agents["bob"].min_occurrences_for_heuristic == 3


def test_non_mapping_config_is_refused():
    for text in ("- a\n- b\n", "agents: [a, b]\n", "alma: 3\n"):
        try:
            parse_config_text(text)
        except InvalidConfig as error:
            assert "mapping" in error.detail or "map" in error.detail
        else:
            raise AssertionError(f"{text!r} was accepted")


names = st.sampled_from(["a", "b", "c", "d", "e"])
graphs = st.dictionaries(
    names,
    st.fixed_dictionaries({"share_with": st.lists(names, unique=True), "inherit_from": st.lists(names, unique=True)}),
    min_size=1,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(graph=graphs)
async def test_grants_hold_exactly_the_mutual_pairs(api: Api, graph: dict):
    result = await api.apply(json.dumps({"agents": graph}), project="prop")
    expected = sorted(
        (reader, source)
        for reader, declared in graph.items()
        for source in declared["inherit_from"]
        if source != reader and source in graph and reader in graph[source]["share_with"]
    )
    assert [(grant["reader"], grant["source"]) for grant in result["grants"]] == expected
    one_sided = sum(
        1
        for reader, declared in graph.items()
        for source in declared["inherit_from"]
        if source != reader and (source not in graph or reader not in graph[source]["share_with"])
    )
    assert sum("inherits from" in text for text in result["warnings"]) == one_sided
