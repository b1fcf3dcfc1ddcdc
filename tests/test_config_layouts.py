"""The guide's config as its readers write it: every layout loads the same agents, and no file wipes a
project by accident. Removing an agent ends its identity (its keys) but keeps its memories under its name."""

import pytest

from tests.helpers import (
    LAYOUTS,
    Api,
    bearer,
    connected,
    guide_example,
    guide_example_without,
)

GUIDE_AGENTS = ["junior_developer", "qa_engineer", "senior_developer", "tech_lead"]


async def put_config(api: Api, text: str, project: str = "my-team", **params) -> dict:
    response = await api.client.put(
        f"/v1/projects/{project}/config",
        content=text.encode(),
        headers={"content-type": "application/yaml"},
        params=params,
    )
    return {"status": response.status_code, **response.json()}


async def agents_and_grants(api: Api, project: str = "my-team") -> list[tuple[str, list[str], list[str]]]:
    listing = (await api.client.get(f"/v1/projects/{project}/agents")).json()
    return [(agent["name"], agent["reads_from"], agent["read_by"]) for agent in listing]


@pytest.mark.parametrize("layout", LAYOUTS)
async def test_every_layout_of_the_guide_example_loads_the_same_agents_and_grants(api: Api, layout: str):
    project = f"team-{layout}"
    result = await api.apply(guide_example(layout).replace("my-team", project), project=project)
    reference = await api.apply(guide_example("beside"), project="my-team")

    assert result["created"] == reference["created"] == GUIDE_AGENTS
    assert result["grants"] == reference["grants"]
    assert {"reader": "junior_developer", "source": "tech_lead"} in result["grants"]
    assert await agents_and_grants(api, project) == await agents_and_grants(api)
    assert not any("Unknown key" in warning for warning in result["warnings"])


async def test_guide_layout_on_a_project_with_agents_changes_nothing(api: Api):
    await api.apply(guide_example("nested"))
    again = await api.apply(guide_example("beside"))
    assert again["removed"] == [] and again["grants_revoked"] == []
    assert again["unchanged"] == GUIDE_AGENTS


async def test_agents_in_both_places_is_refused_naming_both(api: Api):
    both = guide_example("beside").replace("  storage: sqlite\n", "  storage: sqlite\n  agents:\n    extra: {}\n")
    problem = await put_config(api, both)
    assert problem["status"] == 422
    assert "beside `alma:`" in problem["detail"] and "under `alma:`" in problem["detail"]
    assert [error["field"] for error in problem["errors"]] == ["agents", "alma.agents"]
    assert await agents_and_grants(api) == []


@pytest.mark.parametrize(
    ("text", "typo"),
    [
        (guide_example("beside").replace("\nagents:\n", "\nAgents:\n"), "`Agents`: did you mean `agents`?"),
        (guide_example("nested").replace("alma:\n", "almaa:\n", 1), "`almaa`: did you mean `alma`?"),
        ('alma:\n  project_id: "my-team"\n', None),
    ],
)
async def test_a_config_without_agents_is_refused_and_changes_nothing(api: Api, text: str, typo: str | None):
    await api.apply(guide_example())
    problem = await put_config(api, text)
    assert problem["status"] == 422, problem
    assert "names no agents" in problem["detail"]
    assert "Found top-level keys:" in problem["detail"]
    assert "Expected an `agents:` mapping" in problem["detail"]
    if typo:
        assert typo in problem["detail"]
    assert [name for name, _, _ in await agents_and_grants(api)] == GUIDE_AGENTS


@pytest.mark.parametrize("empty", ["agents: {}\n", "agents:\n", "alma:\n  agents: {}\n"])
async def test_an_empty_agents_section_removes_everything_only_when_allowed(api: Api, empty: str):
    await api.apply(guide_example())
    refused = await put_config(api, empty)
    assert refused["status"] == 422
    assert "allow_remove_all=true" in refused["detail"] and "--allow-remove-all" in refused["detail"]
    assert len(await agents_and_grants(api)) == 4

    applied = await put_config(api, empty, allow_remove_all="true")
    assert applied["status"] == 200
    assert applied["removed"] == GUIDE_AGENTS and applied["grants"] == []
    assert await agents_and_grants(api) == []


async def test_unknown_keys_are_warnings_with_a_suggestion(api: Api):
    text = guide_example("beside").replace(
        "  storage: sqlite\n", "  storage: sqlite\n  projet_id: x\n  embedding_provider: local\n"
    )
    result = await api.apply(text + "serverurl: http://x\n")
    assert (
        "Unknown key `alma.projet_id` is ignored: this service does not use it. `projet_id`: did you mean `project_id`?"
        in result["warnings"]
    )
    assert "Unknown key `alma.embedding_provider` is ignored: this service does not use it." in result["warnings"]
    assert any(
        warning.startswith("Unknown key `serverurl`") and "`server_url`" in warning for warning in result["warnings"]
    )
    assert result["created"] == GUIDE_AGENTS


async def test_all_unknown_agent_keys_are_reported_in_one_answer(api: Api):
    text = "agents:\n  bob:\n    inherits_from: [alice]\n    share: [alice]\n  alice:\n    sharewith: [bob]\n    domain: [1, 2]\n"
    problem = await put_config(api, text)
    assert problem["status"] == 422
    fields = {error["field"] for error in problem["errors"]}
    assert {"agents.bob.inherits_from", "agents.bob.share", "agents.alice.sharewith", "agents.alice.domain"} <= fields
    assert "Did you mean `inherit_from`?" in problem["detail"] and "Did you mean `share_with`?" in problem["detail"]
    assert await agents_and_grants(api) == []


async def test_project_id_in_two_places_must_agree(api: Api):
    problem = await put_config(api, "project_id: other\n" + guide_example("beside"))
    assert problem["status"] == 422
    assert [error["field"] for error in problem["errors"]] == ["project_id", "alma.project_id"]


async def agent_key(api: Api, agent: str) -> dict[str, str]:
    response = await api.client.post("/v1/projects/my-team/keys", json={"role": "agent", "agent": agent})
    assert response.status_code == 201, response.text
    return bearer(response.json()["key"])


async def test_removing_an_agent_revokes_its_keys_and_adding_it_again_does_not_revive_them(api: Api, database_url: str):
    await api.apply(guide_example())
    qa = await agent_key(api, "qa_engineer")
    junior = await agent_key(api, "junior_developer")
    request = {"agent": "qa_engineer", "query": "login"}
    assert (await api.client.post("/v1/projects/my-team/retrieve", json=request, headers=qa)).status_code == 200

    result = await api.apply(guide_example_without("qa_engineer"))
    assert result["removed"] == ["qa_engineer"]
    assert len(result["keys_revoked"]) == 1
    assert any("Removed agents: qa_engineer" in warning for warning in result["warnings"])
    after = await api.client.post("/v1/projects/my-team/retrieve", json=request, headers=qa)
    assert after.status_code == 401

    await api.apply(guide_example())
    revived = await api.client.post("/v1/projects/my-team/retrieve", json=request, headers=qa)
    assert revived.status_code == 401, "a key of a removed agent must stay revoked"
    still = await api.client.post(
        "/v1/projects/my-team/retrieve", json={"agent": "junior_developer", "query": "x"}, headers=junior
    )
    assert still.status_code == 200, "keys of agents that stayed keep working"
    async with connected(database_url) as connection:
        revoked = await connection.fetchval(
            "SELECT count(*) FROM api_keys WHERE agent = 'qa_engineer' AND revoked_at IS NOT NULL"
        )
    assert revoked == 1


async def test_a_removed_agents_memories_are_kept_but_no_one_reads_them_until_it_returns(api: Api):
    await api.apply(guide_example())
    await api.learn("tech_lead", "Review the login flow", "threat model first")
    assert await api.owners("junior_developer", "login flow") == {"tech_lead"}

    result = await api.apply(guide_example_without("tech_lead"))
    assert result["removed"] == ["tech_lead"]
    assert await api.owners("junior_developer", "login flow") == set()

    await api.apply(guide_example())
    assert await api.owners("junior_developer", "login flow") == {"tech_lead"}
    assert await api.owners("tech_lead", "login flow", include_shared=False) == {"tech_lead"}
