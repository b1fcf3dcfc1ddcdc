"""Vectors without a direction never rank: a zero, non-finite or vanishing vector from a client is a 422 naming
the field, a memory text the embedder can give no direction is a 422, and a query without one is ranked by
recency, success and confidence alone. Before this, a zero vector scored NaN and sorted first for every reader."""

import json
import math

import pytest

from tests.helpers import Api, connected, guide_example

DIM = 384
MEMORY_TABLES = ("outcomes", "heuristics", "domain_knowledge", "anti_patterns", "preferences")

# path, body without its vector; every path that takes a client's vector
WRITES = [
    ("learn", {"agent": "tech_lead", "task": "t", "outcome": "success", "strategy_used": "s"}),
    ("heuristics", {"agent": "tech_lead", "condition": "c", "strategy": "s"}),
    ("domain-knowledge", {"agent": "tech_lead", "domain": "architecture", "fact": "f"}),
    ("anti-patterns", {"agent": "tech_lead", "pattern": "p", "why_bad": "w"}),
    ("preferences", {"agent": "tech_lead", "user_id": "u1", "category": "style", "preference": "p"}),
]
DEGENERATE = {  # as JSON text
    "zero": "[" + ", ".join(["0.0"] * DIM) + "]",
    "negative zero": "[" + ", ".join(["-0.0"] * DIM) + "]",
}


async def stored(database_url: str) -> int:
    async with connected(database_url) as connection:
        return sum([await connection.fetchval(f"SELECT count(*) FROM {table}") for table in MEMORY_TABLES])


@pytest.fixture
async def team(api: Api) -> Api:
    await api.apply(guide_example())
    return api


@pytest.mark.parametrize("vector", DEGENERATE.values(), ids=DEGENERATE.keys())
async def test_a_degenerate_client_vector_is_422_on_every_path_and_nothing_is_stored(
    team: Api, database_url: str, vector: str
):
    bodies = [(f"/v1/projects/my-team/{path}", {**body, "embedding": "VECTOR"}) for path, body in WRITES]
    bodies.append(("/v1/projects/my-team/retrieve", {"agent": "tech_lead", "query": "q", "embedding": "VECTOR"}))
    bodies.append(("/v1/projects/my-team/learn/bulk", {"outcomes": [{**WRITES[0][1], "embedding": "VECTOR"}]}))
    for path, body in bodies:
        content = json.dumps(body).replace('"VECTOR"', vector)
        response = await team.client.post(path, content=content, headers={"content-type": "application/json"})
        assert response.status_code == 422, (path, response.text)
        problem = response.json()
        assert problem["errors"][0]["field"].endswith("embedding"), (path, problem)
        assert "finite" in problem["errors"][0]["message"], (path, problem)
    assert await stored(database_url) == 0


async def test_a_number_beyond_float_range_is_a_malformed_request(team: Api, database_url: str):
    content = json.dumps({**WRITES[0][1], "embedding": "VECTOR"}).replace(
        '"VECTOR"', "[1e400" + ", 0.0" * (DIM - 1) + "]"
    )
    response = await team.client.post(
        "/v1/projects/my-team/learn", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "out of range" in response.json()["detail"]
    assert await stored(database_url) == 0


async def test_tiny_and_huge_vectors_are_stored_as_unit_vectors_and_rank_finitely(team: Api):
    # stored as they are, float4 would square the tiny one to a zero length and overflow the huge one
    await team.learn("tech_lead", "tiny", "s", embedding=[1e-30] * DIM)
    await team.learn("tech_lead", "huge", "s", embedding=[-1e200] * DIM)
    await team.learn("tech_lead", "axis", "s", embedding=[1.0] + [0.0] * (DIM - 1))

    slice_ = await team.retrieve("junior_developer", "q", embedding=[0.0] * (DIM - 1) + [1.0])
    scores = {item["task"]: item["score"] for item in slice_["outcomes"]}
    assert all(math.isfinite(score) for score in scores.values()) and len(scores) == 3
    # cosines 1/sqrt(384), 0 and -1/sqrt(384): the order of their directions, not of their lengths
    assert [item["task"] for item in slice_["outcomes"]] == ["tiny", "axis", "huge"]


@pytest.mark.parametrize(
    ("path", "field", "text"),
    [
        ("learn", "task", {"task": "!!! ???"}),
        ("learn", "strategy_used", {"strategy_used": "---"}),
        ("heuristics", "condition", {"condition": "…"}),
        ("heuristics", "strategy", {"strategy": "?!"}),
        ("domain-knowledge", "fact", {"fact": "→ ← ↑"}),
        ("anti-patterns", "pattern", {"pattern": "***"}),
        ("preferences", "preference", {"preference": "!!"}),
    ],
)
async def test_a_memory_text_with_no_words_is_422_naming_its_field(
    team: Api, database_url: str, path: str, field: str, text: dict
):
    body = {**dict(WRITES)[path], **text}
    response = await team.client.post(f"/v1/projects/my-team/{path}", json=body)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["errors"] == [{"field": field, "message": "no words to embed"}]
    assert "send your own `embedding`" in problem["detail"]
    assert await stored(database_url) == 0


async def test_changing_a_memory_to_a_text_with_no_words_is_refused_and_keeps_it(team: Api):
    created = await team.client.post("/v1/projects/my-team/domain-knowledge", json=dict(WRITES)["domain-knowledge"])
    memory_id = created.json()["id"]
    response = await team.client.patch(
        f"/v1/projects/my-team/memories/domain-knowledge/{memory_id}", json={"agent": "tech_lead", "fact": "???"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "fact", "message": "no words to embed"}]
    kept = await team.client.get(f"/v1/projects/my-team/memories/domain-knowledge/{memory_id}?agent=tech_lead")
    assert kept.json()["fact"] == "f"


async def test_a_query_with_no_words_ranks_by_the_other_terms_alone(team: Api):
    await team.learn("tech_lead", "Implement the login form", "first", outcome="failure")
    await team.learn("tech_lead", "Deploy the service", "second", outcome="success")

    slice_ = await team.retrieve("junior_developer", "???", top_k=10)

    outcomes = slice_["outcomes"]
    assert [item["task"] for item in outcomes] == ["Deploy the service", "Implement the login form"]
    assert all(math.isfinite(item["score"]) for item in outcomes)
    # similarity weighs nothing: the success term (0.1) alone separates them, recency being equal within noise
    assert outcomes[0]["score"] - outcomes[1]["score"] == pytest.approx(0.1, abs=1e-3)
    assert all(item["score"] < 0.31 for item in outcomes), "no similarity term in the score"
