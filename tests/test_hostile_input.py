"""Input a tenant controls never costs others or answers 500: alias bombs and deep nesting are refused fast
with small answers, types are strict, bodies are read only as the type they declare, names end where they end."""

import json
import time

import pytest

from app.config_file import MAX_NODES
from app.models import MAX_AGENTS
from tests.helpers import Api, bearer, connected, guide_example


def alias_bomb(levels: int) -> str:
    """Nine-fold aliases: `levels` levels stand for 9**(levels + 1) strings in a few hundred bytes."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + f"\nalma:\n  storage: *a{levels}\nagents:\n  bob: {{}}\n"


async def put_config(api: Api, text: str, content_type: str = "application/yaml"):
    return await api.client.put(
        "/v1/projects/my-team/config", content=text.encode(), headers={"content-type": content_type}
    )


async def agent_count(database_url: str) -> int:
    async with connected(database_url) as connection:
        return await connection.fetchval("SELECT count(*) FROM agents")


@pytest.mark.parametrize("levels", [5, 7, 9])
async def test_an_alias_bomb_is_refused_quickly_with_a_small_answer_and_stores_nothing(
    api: Api, database_url: str, levels: int
):
    bomb = alias_bomb(levels)
    assert len(bomb) < 600
    started = time.perf_counter()
    response = await put_config(api, bomb)
    assert time.perf_counter() - started < 1.0
    assert response.status_code == 422
    assert len(response.content) < 2_000
    detail = response.json()["detail"]
    assert ("expand to more than" in detail) if 9 ** (levels + 1) > MAX_NODES else ("storage" in detail)
    assert await agent_count(database_url) == 0


async def test_yaml_and_json_nested_a_thousand_deep_are_4xx_not_500(api: Api):
    deep_yaml = "agents:\n  bob:\n    share_with: " + "[" * 1000 + "]" * 1000 + "\n"
    refused = await put_config(api, deep_yaml)
    assert refused.status_code == 422 and "nests deeper than" in refused.json()["detail"]

    deep_json = '{"agent": "bob", "query": "q", "x": ' + "[" * 1000 + "]" * 1000 + "}"
    for path in ("retrieve", "learn", "heuristics"):
        response = await api.client.post(
            f"/v1/projects/my-team/{path}", content=deep_json, headers={"content-type": "application/json"}
        )
        assert response.status_code == 400, (path, response.text)
        assert "nests too deeply" in response.json()["detail"]
    config_json = await put_config(api, '{"agents": ' + "[" * 1000 + "]" * 1000 + "}", "application/json")
    assert config_json.status_code == 422


async def test_more_agents_than_the_limit_is_refused_naming_it(api: Api, database_url: str):
    agents = {f"agent_{n}": {} for n in range(MAX_AGENTS + 1)}
    response = await put_config(api, json.dumps({"agents": agents}), "application/json")
    assert response.status_code == 422
    assert f"at most {MAX_AGENTS}" in response.json()["detail"]
    assert await agent_count(database_url) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("top_k", "5"),
        ("top_k", True),
        ("include_shared", "yes"),
        ("include_shared", 1),
        ("query", 42),
        ("embedding", ["1"] * 384),
        ("embedding", [True] * 384),
    ],
)
async def test_request_types_are_strict(api: Api, field: str, value):
    await api.apply(guide_example())
    response = await api.client.post(
        "/v1/projects/my-team/retrieve", json={"agent": "tech_lead", "query": "q", field: value}
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"].startswith(field)


async def test_config_types_are_strict_and_storage_is_bounded(api: Api, database_url: str):
    for text in (
        "agents:\n  bob:\n    min_occurrences_for_heuristic: '3'\n",
        "project_id: 7\nagents:\n  bob: {}\n",
        "alma:\n  storage: " + "x" * 201 + "\nagents:\n  bob: {}\n",
        "alma:\n  storage: [a, b]\nagents:\n  bob: {}\n",
    ):
        response = await put_config(api, text)
        assert response.status_code == 422, (text[:60], response.text)
    assert await agent_count(database_url) == 0


async def test_a_body_is_read_only_as_the_type_it_declares(api: Api, database_url: str):
    await api.apply(guide_example())
    learn = {"agent": "tech_lead", "task": "t", "outcome": "success", "strategy_used": "s"}
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/yaml"):
        response = await api.client.post(
            "/v1/projects/my-team/learn", content=json.dumps(learn), headers={"content-type": content_type}
        )
        assert response.status_code == 415, response.text
        assert "Content-Type: application/json" in response.json()["detail"]
    config = await put_config(api, guide_example(), "text/plain")
    assert config.status_code == 415
    assert (await api.client.post("/v1/projects/my-team/learn", json=learn)).status_code == 201


@pytest.mark.parametrize("name", ["tech_lead%0A", "tech_lead%0D%0A", "tech_lead%00"])
async def test_a_name_with_a_trailing_newline_is_refused_in_queries_and_paths(api: Api, name: str):
    await api.apply(guide_example())
    for path in (
        f"/v1/projects/my-team/memories/outcomes?agent={name}",
        f"/v1/projects/my-team/agents/{name}",
        f"/v1/projects/{name}/agents",
    ):
        response = await api.client.get(path, headers=api.client.auth.headers_for("my-team"))
        assert response.status_code == 422, (path, response.text)


class Recording:
    """A pool that records the statements run through it, then runs them."""

    def __init__(self, pool) -> None:
        self.pool = pool
        self.statements: list[str] = []

    def __getattr__(self, name):
        method = getattr(self.pool, name)

        async def run(statement, *args, **kwargs):
            self.statements.append(statement)
            return await method(statement, *args, **kwargs)

        return run


async def test_a_wrong_secret_writes_nothing_and_does_the_same_work_as_an_unknown_prefix(api: Api, database_url: str):
    await api.apply(guide_example())
    created = await api.client.post("/v1/projects/my-team/keys", json={"role": "agent", "agent": "qa_engineer"})
    key = created.json()["key"]
    keys = api.client.app.state.key_store.keys  # the key repository, whose statements are recorded
    keys.pool = recording = Recording(keys.pool)
    request = {"agent": "qa_engineer", "query": "q"}

    attempts = {"wrong secret": key[:18] + "x" * 43, "unknown prefix": "alma_0123456789ab_" + "x" * 43}
    done = {}
    for label, attempt in attempts.items():
        recording.statements.clear()
        response = await api.client.post("/v1/projects/my-team/retrieve", json=request, headers=bearer(attempt))
        assert response.status_code == 401, label
        done[label] = list(recording.statements)
    assert done["wrong secret"] == done["unknown prefix"], "both refusals must do the same work"
    code = [line for statement in done["wrong secret"] for line in statement.splitlines() if not line.startswith("--")]
    assert code and not any(word in line.upper() for line in code for word in ("UPDATE", "INSERT", "DELETE"))
    async with connected(database_url) as connection:
        assert await connection.fetchval("SELECT last_used_at FROM api_keys WHERE agent = 'qa_engineer'") is None

    ok = await api.client.post("/v1/projects/my-team/retrieve", json=request, headers=bearer(key))
    assert ok.status_code == 200
    async with connected(database_url) as connection:
        assert await connection.fetchval("SELECT last_used_at FROM api_keys WHERE agent = 'qa_engineer'") is not None


async def test_memory_ids_reveal_nothing_of_other_tenants_writes(api: Api):
    """Ids are random below 2^53: a tenant cannot count another's writes between two of its own."""
    other = guide_example().replace("my-team", "other-team")
    await api.apply(guide_example())
    await api.apply(other, project="other-team")
    first = (await api.learn("tech_lead", "Design the queue", "one topic per event"))["outcome"]["id"]
    for n in range(20):
        response = await api.client.post(
            "/v1/projects/other-team/learn",
            json={"agent": "tech_lead", "task": f"task {n}", "outcome": "success", "strategy_used": "s"},
        )
        assert response.status_code == 201
    second = (await api.learn("tech_lead", "Design the cache", "write through"))["outcome"]["id"]
    assert abs(second - first) > 1_000, "consecutive ids would count the other tenant's 20 writes"
    assert 0 < first < 2**53 and 0 < second < 2**53


async def test_a_memory_id_drawn_twice_is_a_409_that_writes_nothing(api: Api, database_url: str):
    """One in 2^53 per write and per memory of the project, but not a 500: the learning is rolled back whole
    (no outcome without its heuristic), and the same request again succeeds once ids differ."""
    await api.apply(guide_example())
    async with connected(database_url) as connection:
        drawn = await connection.fetchval("SELECT prosrc FROM pg_proc WHERE proname = 'random_memory_id'")
        await connection.execute(
            "CREATE OR REPLACE FUNCTION random_memory_id() RETURNS bigint LANGUAGE sql AS 'SELECT 42'"
        )
        await api.learn("tech_lead", "Design the queue", "one topic per event")
        before = await connection.fetchval("SELECT count(*) FROM memory_items")
        collided = await api.client.post(
            "/v1/projects/my-team/learn",
            json={"agent": "tech_lead", "task": "Design the cache", "outcome": "success", "strategy_used": "s"},
        )
        assert collided.status_code == 409, collided.text
        assert collided.json()["type"] == "urn:alma:problem:write-conflict"
        assert "send the same request again" in collided.json()["detail"]
        assert await connection.fetchval("SELECT count(*) FROM memory_items") == before
        await connection.execute(
            f"CREATE OR REPLACE FUNCTION random_memory_id() RETURNS bigint LANGUAGE sql AS $${drawn}$$"
        )
        again = await api.client.post(
            "/v1/projects/my-team/learn",
            json={"agent": "tech_lead", "task": "Design the cache", "outcome": "success", "strategy_used": "s"},
        )
        assert again.status_code == 201, again.text
