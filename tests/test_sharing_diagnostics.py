"""Sharing diagnostics: for one agent, each inherit_from source and share_with reader, its status and advice."""

import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.database import open_pool
from app.models import ProjectConfig
from app.queries import queries
from app.repositories.memories import MemoryRepository
from app.repositories.projects import ProjectRepository
from app.services.projects import ProjectService
from tests.helpers import (
    ALICE_BOB_CHARLIE,
    EXAMPLE_CONFIG,
    ONE_SIDED,
    Api,
    assert_another_projects_key_gets_the_same_404,
    bearer,
    run_alma,
)

NO_MEMORIES = {"heuristics": 0, "outcomes": 0, "domain-knowledge": 0, "anti-patterns": 0}


async def explain(api: Api, agent: str, **request) -> dict:
    response = await api.client.get(f"/v1/projects/{api.project}/agents/{agent}/sharing", **request)
    assert response.status_code == 200, response.text
    return response.json()


async def post(api: Api, kind: str, body: dict) -> None:
    response = await api.client.post(f"/v1/projects/{api.project}/{kind}", json=body)
    assert response.status_code == 201, response.text


async def teach_tech_lead_one_of_each_kind(api: Api) -> None:
    await api.learn("tech_lead", "Design the API", "REST with versioned paths")
    await post(
        api,
        "heuristics",
        {"agent": "tech_lead", "condition": "designing an API", "strategy": "version it", "domain": "architecture"},
    )
    await post(api, "domain-knowledge", {"agent": "tech_lead", "domain": "architecture", "fact": "We use Postgres"})
    await post(
        api,
        "anti-patterns",
        {"agent": "tech_lead", "pattern": "shared mutable state", "why_bad": "races", "domain": "architecture"},
    )
    await post(
        api,
        "preferences",
        {"agent": "tech_lead", "user_id": "dana", "category": "style", "preference": "short answers"},
    )


async def test_qa_engineer_is_granted_the_tech_leads_memories_with_counts_per_kind(api: Api):
    await api.apply(EXAMPLE_CONFIG.read_text())
    await teach_tech_lead_one_of_each_kind(api)

    explanation = await explain(api, "qa_engineer")

    assert explanation["project_id"] == "my-team"
    assert explanation["agent"] == "qa_engineer"
    assert explanation["own_memories"] == NO_MEMORIES
    # The preference is the user's, not the tech lead's to lend: it is not counted.
    assert explanation["inherit_from"] == [
        {
            "source": "tech_lead",
            "status": "granted",
            "memories": {"heuristics": 1, "outcomes": 1, "domain-knowledge": 1, "anti-patterns": 1},
            "advice": None,
        }
    ]
    assert explanation["share_with"] == []
    assert any("include_shared=true" in note for note in explanation["notes"])


async def test_tech_lead_shares_with_three_agents_and_with_devops_engineer_who_is_not_an_agent(api: Api):
    await api.apply(EXAMPLE_CONFIG.read_text())
    await teach_tech_lead_one_of_each_kind(api)

    explanation = await explain(api, "tech_lead")

    assert explanation["own_memories"] == {"heuristics": 1, "outcomes": 1, "domain-knowledge": 1, "anti-patterns": 1}
    assert explanation["inherit_from"] == []
    assert explanation["share_with"] == [
        {"reader": "senior_developer", "status": "flows", "advice": None},
        {"reader": "junior_developer", "status": "flows", "advice": None},
        {"reader": "qa_engineer", "status": "flows", "advice": None},
        {
            "reader": "devops_engineer",
            "status": "not_an_agent",
            "advice": "devops_engineer is not an agent of my-team: add it to the config, "
            "or remove it from tech_lead's share_with",
        },
    ]


async def test_a_granted_source_without_memories_is_granted_but_empty(api: Api):
    await api.apply(EXAMPLE_CONFIG.read_text())
    await api.learn("tech_lead", "Design the API", "REST")

    explanation = await explain(api, "junior_developer")

    senior, lead = explanation["inherit_from"]
    assert senior == {
        "source": "senior_developer",
        "status": "granted_but_empty",
        "memories": NO_MEMORIES,
        "advice": "senior_developer has no memories yet: nothing to change; "
        "junior_developer reads them once senior_developer learns",
    }
    assert lead["status"] == "granted"
    assert lead["memories"]["outcomes"] == 1


async def test_charlie_is_denied_alice_and_told_to_add_charlie_to_alices_share_with(api: Api):
    await api.apply(ALICE_BOB_CHARLIE)
    await api.learn("alice", "Plan the release", "alice's plan")

    charlie = await explain(api, "charlie")
    bob = await explain(api, "bob")
    alice = await explain(api, "alice")

    # A denied source's counts are not shown: charlie may not know what alice holds.
    assert charlie["inherit_from"] == [
        {"source": "alice", "status": "denied", "memories": None, "advice": "add charlie to alice's share_with"}
    ]
    assert bob["inherit_from"][0]["status"] == "granted"
    assert alice["share_with"] == [{"reader": "bob", "status": "flows", "advice": None}]
    assert (
        "charlie inherits from alice, but alice does not share with it: add charlie to alice's share_with "
        "if it should read alice's memories." in alice["notes"]
    )


async def test_one_sided_share_with_is_not_inherited_and_unknown_sources_are_not_agents(api: Api):
    await api.apply(ONE_SIDED)

    alice = await explain(api, "alice")
    charlie = await explain(api, "charlie")

    assert alice["share_with"] == [
        {"reader": "bob", "status": "flows", "advice": None},
        {"reader": "dave", "status": "not_inherited", "advice": "add alice to dave's inherit_from"},
    ]
    assert charlie["inherit_from"] == [
        {"source": "alice", "status": "denied", "memories": None, "advice": "add charlie to alice's share_with"},
        {
            "source": "zed",
            "status": "not_an_agent",
            "memories": None,
            "advice": "zed is not an agent of my-team: add it to the config, or remove it from charlie's inherit_from",
        },
    ]


async def test_an_unknown_agent_is_a_404_naming_the_known_ones(api: Api):
    await api.apply(ALICE_BOB_CHARLIE)
    response = await api.client.get("/v1/projects/my-team/agents/dora/sharing")
    assert response.status_code == 404
    assert response.json()["known_agents"] == ["alice", "bob", "charlie"]


async def test_an_agent_key_explains_only_its_own_agent(api: Api):
    await api.apply(ALICE_BOB_CHARLIE)
    created = await api.client.post("/v1/projects/my-team/keys", json={"role": "agent", "agent": "bob"})
    bob_key = bearer(created.json()["key"])

    own = await api.client.get("/v1/projects/my-team/agents/bob/sharing", headers=bob_key)
    other = await api.client.get("/v1/projects/my-team/agents/charlie/sharing", headers=bob_key)

    assert own.status_code == 200
    assert other.status_code == 403
    assert other.json()["type"] == "urn:alma:problem:forbidden"


async def test_another_projects_key_gets_the_same_404_whether_or_not_the_project_exists(api: Api):
    await api.apply(ALICE_BOB_CHARLIE)
    await Api(api.client, "other-team").apply(ALICE_BOB_CHARLIE)

    await assert_another_projects_key_gets_the_same_404(api, "/agents/alice/sharing")


async def test_alma_sharing_explain_prints_statuses_counts_and_advice(api: Api, database_url: str):
    await api.apply(ONE_SIDED)
    await api.learn("alice", "Plan the release", "alice's plan")

    charlie = run_alma("sharing", "explain", "my-team", "charlie", ALMA_DATABASE_URL=database_url)
    alice = run_alma("sharing", "explain", "my-team", "alice", ALMA_DATABASE_URL=database_url)
    bob = run_alma("sharing", "explain", "my-team", "bob", ALMA_DATABASE_URL=database_url)

    assert charlie.returncode == 0, charlie.stderr
    assert charlie.stdout.splitlines()[:4] == [
        "charlie in project my-team",
        "  own memories: heuristics 0, outcomes 0, domain-knowledge 0, anti-patterns 0",
        "",
        "  INHERITS FROM  STATUS        HEURISTICS  OUTCOMES  DOMAIN-KNOWLEDGE  ANTI-PATTERNS",
    ]
    assert "  alice          denied                 -         -                 -              -" in charlie.stdout
    assert "    -> add charlie to alice's share_with" in charlie.stdout
    assert "  zed            not_an_agent" in charlie.stdout
    assert "  dave         not_inherited\n    -> add alice to dave's inherit_from" in alice.stdout
    assert "  alice          granted           0         1                 0              0" in bob.stdout


def test_alma_sharing_explain_reports_an_unknown_project_without_a_traceback(database_url: str):
    result = run_alma("sharing", "explain", "no-such-team", "alice", ALMA_DATABASE_URL=database_url)
    assert result.returncode == 1
    assert "Project 'no-such-team' does not exist" in result.stderr
    assert "Traceback" not in result.stderr


# --- the explanation agrees with the grants the database enforces --------------------------------

NAMES = ["ada", "bob", "cy", "dee"]
names = st.sampled_from(NAMES + ["ghost"])
configs = st.dictionaries(
    st.sampled_from(NAMES),
    st.fixed_dictionaries(
        {
            "share_with": st.lists(names, unique=True, max_size=4),
            "inherit_from": st.lists(names, unique=True, max_size=4),
        }
    ),
    min_size=1,
    max_size=4,
)
runs = itertools.count()


@pytest.fixture
async def repository(database_url: str):
    pool = await open_pool(database_url, 1, 2)
    yield ProjectService(ProjectRepository(pool, queries), MemoryRepository(pool, queries))
    await pool.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(agents=configs)
async def test_granted_sources_are_exactly_the_read_grants(repository: ProjectService, agents: dict):
    project = f"p{next(runs)}"
    await repository.apply_config(project, ProjectConfig(agents=agents))
    listed = await repository.projects.list_agents(project)
    streamed = json.loads(b"".join(await repository.agents_json(project)))
    assert streamed == [agent.model_dump(mode="json") for agent in listed], "GET /agents says what the model does"
    for agent in listed:
        explanation = await repository.explain(project, agent.name)
        granted = {edge.source for edge in explanation.inherit_from if edge.status.startswith("granted")}
        flows_to = {edge.reader for edge in explanation.share_with if edge.status == "flows"}
        assert granted == set(agent.reads_from) - {agent.name}
        assert flows_to == set(agent.read_by) - {agent.name}
