"""Keys, identity and tenant isolation, tried adversarially against the real database."""

import asyncio
import logging

import pytest
from litestar.testing import AsyncTestClient

from app.asgi import create_app
from tests.helpers import (
    EXAMPLE_CONFIG,
    OPERATOR_KEY,
    Api,
    ProjectAdminKeys,
    bearer,
    connected,
    guide_example_without,
    settings_for,
)

OTHER = EXAMPLE_CONFIG.read_text().replace("my-team", "other-team")


@pytest.fixture
async def team(api: Api) -> Api:
    """The guide's team with one memory per agent, and an admin key for it."""
    await api.apply(EXAMPLE_CONFIG.read_text())
    for agent in ("tech_lead", "senior_developer", "junior_developer", "qa_engineer"):
        await api.learn(agent, "Implement user authentication", f"{agent} secret strategy")
    return api


async def new_key(api: Api, project: str = "my-team", **body) -> str:
    response = await api.client.post(f"/v1/projects/{project}/keys", json=body)
    assert response.status_code == 201, response.text
    return response.json()["key"]


async def test_agent_key_acts_only_as_its_agent(team: Api):
    junior = bearer(await new_key(team, role="agent", agent="junior_developer"))
    base = "/v1/projects/my-team"
    own = await team.client.post(
        f"{base}/retrieve", json={"agent": "junior_developer", "query": "auth"}, headers=junior
    )
    assert own.status_code == 200
    assert {item["agent"] for item in own.json()["outcomes"]} == {"junior_developer", "senior_developer", "tech_lead"}
    learned = await team.client.post(
        f"{base}/learn",
        headers=junior,
        json={"agent": "junior_developer", "task": "t", "outcome": "success", "strategy_used": "s"},
    )
    assert learned.status_code == 201

    outcome_id = own.json()["outcomes"][0]["id"]
    forged = [
        await team.client.post(f"{base}/retrieve", json={"agent": "tech_lead", "query": "auth"}, headers=junior),
        await team.client.post(
            f"{base}/learn",
            headers=junior,
            json={"agent": "tech_lead", "task": "t", "outcome": "success", "strategy_used": "s"},
        ),
        await team.client.post(
            f"{base}/learn/bulk",
            headers=junior,
            json={
                "outcomes": [
                    {"agent": "junior_developer", "task": "t", "outcome": "success", "strategy_used": "s"},
                    {"agent": "qa_engineer", "task": "t", "outcome": "success", "strategy_used": "s"},
                ]
            },
        ),
        await team.client.post(
            f"{base}/heuristics", headers=junior, json={"agent": "senior_developer", "condition": "c", "strategy": "s"}
        ),
        await team.client.get(
            f"{base}/memories/outcomes/{outcome_id}", params={"agent": "qa_engineer"}, headers=junior
        ),
        await team.client.get(f"{base}/memories/outcomes", params={"agent": "tech_lead"}, headers=junior),
        await team.client.patch(
            f"{base}/memories/outcomes/{outcome_id}", headers=junior, json={"agent": "tech_lead", "feedback": "x"}
        ),
        await team.client.delete(
            f"{base}/memories/outcomes/{outcome_id}", params={"agent": "tech_lead"}, headers=junior
        ),
        await team.client.get(f"{base}/agents/tech_lead/stats", headers=junior),
        await team.client.post(f"{base}/forget", headers=junior, json={"agent": "tech_lead", "older_than_days": 0}),
    ]
    for response in forged:
        assert response.status_code == 403, (response.request.url, response.text)
        assert response.json()["type"] == "urn:alma:problem:forbidden"
        assert "junior_developer" in response.json()["detail"]

    admin_only = [
        await team.client.put(
            f"{base}/config",
            content=EXAMPLE_CONFIG.read_bytes(),
            headers={**junior, "content-type": "application/yaml"},
        ),
        await team.client.get(f"{base}/keys", headers=junior),
        await team.client.post(f"{base}/keys", json={"role": "admin"}, headers=junior),
        await team.client.post(f"{base}/forget", json={"older_than_days": 0}, headers=junior),
    ]
    assert [response.status_code for response in admin_only] == [403, 403, 403, 403]
    assert await team.owners("tech_lead") == {"tech_lead"}, "nothing forged reached the tech lead"


async def test_revoked_key_stops_working_at_once(team: Api):
    key = await new_key(team, role="agent", agent="qa_engineer")
    request = {"agent": "qa_engineer", "query": "auth"}
    assert (
        await team.client.post("/v1/projects/my-team/retrieve", json=request, headers=bearer(key))
    ).status_code == 200
    prefix = key[:17]
    revoked = await team.client.delete(f"/v1/projects/my-team/keys/{prefix}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    after = await team.client.post("/v1/projects/my-team/retrieve", json=request, headers=bearer(key))
    assert after.status_code == 401
    assert after.json()["type"] == "urn:alma:problem:unauthorized"


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer    ",
        "Token alma_0123456789ab_x",
        "Bearer not-a-key",
        "Bearer alma_0123456789ab_wrongsecret",
        "Bearer alma_zzzzzzzzzzzz_secret",
        "Bearer alma_0123456789ab",
    ],
)
async def test_missing_or_malformed_or_unknown_keys_are_401(team: Api, header: str):
    headers = {"Authorization": header} if header else {}
    response = (
        await team.client.post(
            "/v1/projects/my-team/retrieve", json={"agent": "tech_lead", "query": "auth"}, headers={**headers}
        )
        if header
        else await _without_auth(team)
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "secret strategy" not in response.text


async def _without_auth(team: Api):
    auth, team.client.auth = team.client.auth, None
    try:
        return await team.client.post("/v1/projects/my-team/retrieve", json={"agent": "tech_lead", "query": "auth"})
    finally:
        team.client.auth = auth


async def test_scheme_is_case_insensitive(team: Api):
    key = await new_key(team, role="agent", agent="qa_engineer")
    response = await team.client.post(
        "/v1/projects/my-team/retrieve",
        json={"agent": "qa_engineer", "query": "a"},
        headers={"Authorization": f"bearer {key}"},
    )
    assert response.status_code == 200


async def test_operator_creates_projects_but_reads_no_memories(team: Api):
    operator = bearer(OPERATOR_KEY)
    created = await team.client.post("/v1/projects", json={"project_id": "new-team"}, headers=operator)
    assert created.status_code == 201 and created.json()["admin_key"]["key"].startswith("alma_")
    again = await team.client.post("/v1/projects", json={"project_id": "new-team"}, headers=operator)
    assert again.status_code == 409
    peek = await team.client.post(
        "/v1/projects/my-team/retrieve", json={"agent": "tech_lead", "query": "auth"}, headers=operator
    )
    assert peek.status_code == 404 and "secret" not in peek.text
    admin = bearer(team.client.auth.keys["my-team"])
    assert (await team.client.post("/v1/projects", json={"project_id": "x"}, headers=admin)).status_code == 403
    assert (await team.client.get("/v1/projects", headers=admin)).status_code == 403


async def test_keys_are_stored_as_hashes_and_listed_without_secrets(team: Api, database_url: str):
    key = await new_key(team, role="agent", agent="tech_lead", name="ci bot")
    await team.client.post(
        "/v1/projects/my-team/retrieve", json={"agent": "tech_lead", "query": "a"}, headers=bearer(key)
    )
    listing = (await team.client.get("/v1/projects/my-team/keys")).json()
    entry = next(item for item in listing if item["name"] == "ci bot")
    assert entry["prefix"] == key[:17] and entry["last_used_at"] is not None
    assert "key" not in entry and key not in str(listing)
    async with connected(database_url) as connection:
        rows = await connection.fetch("SELECT * FROM api_keys")
    assert key not in str([dict(row) for row in rows])
    assert key.split("_", 2)[2] not in str([dict(row) for row in rows])


CROSS_PROJECT_CALLS = [
    ("PUT", "/config", None),
    ("GET", "/agents", None),
    ("GET", "/agents/tech_lead", None),
    ("GET", "/agents/tech_lead/stats", None),
    ("POST", "/learn", {"agent": "tech_lead", "task": "t", "outcome": "success", "strategy_used": "s"}),
    (
        "POST",
        "/learn/bulk",
        {"outcomes": [{"agent": "tech_lead", "task": "t", "outcome": "success", "strategy_used": "s"}]},
    ),
    ("POST", "/heuristics", {"agent": "tech_lead", "condition": "c", "strategy": "s"}),
    ("POST", "/domain-knowledge", {"agent": "tech_lead", "domain": "architecture", "fact": "f"}),
    ("POST", "/anti-patterns", {"agent": "tech_lead", "pattern": "p", "why_bad": "w"}),
    ("POST", "/preferences", {"agent": "tech_lead", "user_id": "u", "category": "c", "preference": "p"}),
    ("GET", "/memories/outcomes/{id}?agent=tech_lead", None),
    ("GET", "/memories/outcomes?agent=tech_lead", None),
    ("PATCH", "/memories/outcomes/{id}", {"agent": "tech_lead", "feedback": "pwned"}),
    ("DELETE", "/memories/outcomes/{id}?agent=tech_lead", None),
    ("POST", "/forget", {"older_than_days": 0, "below_confidence": 1.0}),
    ("POST", "/retrieve", {"agent": "tech_lead", "query": "secret"}),
    ("GET", "/keys", None),
    ("POST", "/keys", {"role": "admin"}),
    ("DELETE", "/keys/alma_0123456789ab", None),
]


async def test_another_projects_key_reveals_nothing_not_even_existence(team: Api, database_url: str):
    other = Api(team.client, "other-team")
    await other.apply(OTHER)
    victim = await other.learn("tech_lead", "Other team's plan", "other team's secret strategy")
    victim_id = victim["outcome"]["id"]
    mine = bearer(team.client.auth.keys["my-team"])

    for method, path, body in CROSS_PROJECT_CALLS:
        answers = []
        for project in ("other-team", "no-such-team"):
            url = f"/v1/projects/{project}" + path.replace("{id}", str(victim_id))
            extra = (
                {"content": OTHER.encode(), "headers": {**mine, "content-type": "application/yaml"}}
                if method == "PUT"
                else {"json": body, "headers": mine}
            )
            if method in ("GET", "DELETE"):
                extra.pop("json")
            response = await team.client.request(method, url, **extra)
            assert response.status_code in (403, 404), (method, url, response.text)
            assert "secret" not in response.text
            answers.append((response.status_code, response.json()["detail"].replace(project, "P")))
        assert answers[0] == answers[1], (method, path, answers)

    async with connected(database_url) as connection:
        rows = await connection.fetch("SELECT agent, feedback FROM outcomes WHERE project_id = 'other-team'")
        keys = await connection.fetchval("SELECT count(*) FROM api_keys WHERE project_id = 'other-team'")
    assert [tuple(row) for row in rows] == [("tech_lead", None)]
    assert keys == 1


async def test_input_limits_are_4xx_problems_and_write_nothing(team: Api, database_url: str):
    base = "/v1/projects/my-team"
    good = {"agent": "tech_lead", "task": "t", "outcome": "success", "strategy_used": "s"}
    cases = [
        (await team.client.post(f"{base}/learn", json={**good, "task": "x" * 4001}), 422, "task"),
        (await team.client.post(f"{base}/learn", json={**good, "feedback": "x" * 16_001}), 422, "feedback"),
        (await team.client.post(f"{base}/learn", json={**good, "agent": "a" * 65}), 422, "agent"),
        (await team.client.post(f"{base}/learn/bulk", json={"outcomes": [good] * 1001}), 422, "outcomes"),
        (
            await team.client.post(f"{base}/retrieve", json={"agent": "tech_lead", "query": "q", "top_k": 101}),
            422,
            "top_k",
        ),
        (await team.client.get(f"{base}/memories/outcomes", params={"agent": "tech_lead", "limit": 501}), 422, "limit"),
        (await team.client.post(f"{base}/learn", json={**good, "embedding": [0.1] * 5000}), 422, "embedding"),
    ]
    for response, status, field in cases:
        assert response.status_code == status, (field, response.text[:300])
        assert response.headers["content-type"].startswith("application/problem+json")
        assert field in response.text
    huge = await team.client.post(
        f"{base}/learn",
        content=b'{"task": "' + b"x" * (2 * 1024 * 1024) + b'"}',
        headers={"content-type": "application/json"},
    )
    assert huge.status_code == 413
    assert huge.headers["content-type"].startswith("application/problem+json")
    assert "1,048,576 bytes at most" in huge.json()["detail"] and huge.json()["max_body_bytes"] == 1_048_576
    async with connected(database_url) as connection:
        assert await connection.fetchval("SELECT count(*) FROM outcomes") == 4, "only the team fixture's outcomes"


async def test_audit_log_names_who_and_which_sources_but_no_texts_or_secrets(team: Api, caplog):
    key = await new_key(team, role="agent", agent="junior_developer")
    with caplog.at_level(logging.INFO, logger="alma.audit"):
        caplog.clear()
        await team.client.post(
            "/v1/projects/my-team/learn",
            headers=bearer(key),
            json={
                "agent": "junior_developer",
                "task": "Rotate the TLS certificate",
                "outcome": "success",
                "strategy_used": "certbot renew",
            },
        )
        await team.client.post(
            "/v1/projects/my-team/retrieve",
            headers=bearer(key),
            json={"agent": "junior_developer", "query": "authentication"},
        )
    records = [record.audit for record in caplog.records if record.name == "alma.audit"]
    assert [record["action"] for record in records] == ["learn", "retrieve_shared"]
    assert all(record["key"] == key[:17] and record["agent"] == "junior_developer" for record in records)
    assert records[1]["sources"] == ["senior_developer", "tech_lead"]
    logged = " ".join(f"{record.getMessage()} {getattr(record, 'audit', '')}" for record in caplog.records)
    for secret in ("Rotate the TLS", "certbot", "secret strategy", key):
        assert secret not in logged


async def test_nul_characters_are_refused_as_validation_errors(team: Api):
    base = "/v1/projects/my-team"
    learn = await team.client.post(
        f"{base}/learn", json={"agent": "tech_lead", "task": "a\x00b", "outcome": "success", "strategy_used": "s"}
    )
    listing = await team.client.get(f"{base}/memories/outcomes", params={"agent": "tech_lead", "domain": "x\x00"})
    assert (learn.status_code, listing.status_code) == (422, 422)
    assert learn.json()["errors"][0]["field"] == "task"


async def test_a_revoked_or_removed_agents_key_stops_at_once_on_every_worker(database_url: str):
    """Two service processes on one database: a key cached by one stops there as soon as the other revokes
    it, or removes its agent (revocations are announced at commit), not after the cache's seconds."""
    first, second = create_app(settings_for(database_url)), create_app(settings_for(database_url))
    async with AsyncTestClient(app=first) as one, AsyncTestClient(app=second) as other:
        one.auth = ProjectAdminKeys()
        api = Api(one, "my-team")
        await api.apply(EXAMPLE_CONFIG.read_text())
        keys = {agent: await new_key(api, role="agent", agent=agent) for agent in ("qa_engineer", "tech_lead")}

        async def status_on_other(agent: str) -> int:
            response = await other.post(
                "/v1/projects/my-team/retrieve", json={"agent": agent, "query": "q"}, headers=bearer(keys[agent])
            )
            return response.status_code

        assert await status_on_other("qa_engineer") == 200 and await status_on_other("tech_lead") == 200  # cached
        prefix = keys["qa_engineer"][:17]
        assert (await one.delete(f"/v1/projects/my-team/keys/{prefix}")).status_code == 200
        await api.apply(guide_example_without("tech_lead"))
        for agent in ("qa_engineer", "tech_lead"):
            deadline = asyncio.get_running_loop().time() + 2
            while (status := await status_on_other(agent)) != 401:
                assert status in (200, 404) and asyncio.get_running_loop().time() < deadline, (agent, status)
                await asyncio.sleep(0.05)


async def test_a_lost_revocation_listener_is_opened_again(database_url: str):
    """The connection that hears revocations is cut (as by a database restart): the service listens again,
    and a revocation made afterwards still reaches its key cache at once."""
    first, second = create_app(settings_for(database_url)), create_app(settings_for(database_url))
    async with AsyncTestClient(app=first) as one, AsyncTestClient(app=second) as other:
        one.auth = ProjectAdminKeys()
        api = Api(one, "my-team")
        await api.apply(EXAMPLE_CONFIG.read_text())
        key = await new_key(api, role="agent", agent="qa_engineer")
        request = {"agent": "qa_engineer", "query": "q"}
        assert (await other.post("/v1/projects/my-team/retrieve", json=request, headers=bearer(key))).status_code == 200

        async with connected(database_url) as connection:
            listeners = "SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND datname = current_database()"
            before = {row["pid"] for row in await connection.fetch(listeners)}
            assert len(before) == 2, "one listener per service instance"
            await connection.execute(f"SELECT pg_terminate_backend(pid) FROM ({listeners}) l")
            deadline = asyncio.get_running_loop().time() + 5
            while len({row["pid"] for row in await connection.fetch(listeners)} - before) < 2:
                assert asyncio.get_running_loop().time() < deadline, "the listeners were not opened again"
                await asyncio.sleep(0.1)

        assert (await other.post("/v1/projects/my-team/retrieve", json=request, headers=bearer(key))).status_code == 200
        assert (await one.delete(f"/v1/projects/my-team/keys/{key[:17]}")).status_code == 200
        deadline = asyncio.get_running_loop().time() + 2
        while (await other.post("/v1/projects/my-team/retrieve", json=request, headers=bearer(key))).status_code != 401:
            assert asyncio.get_running_loop().time() < deadline, "the revocation did not reach the other instance"
            await asyncio.sleep(0.05)
