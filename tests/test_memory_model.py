"""The full memory model: learning from outcomes, scope, ownership, bulk writes, forgetting, stats, ranking."""

import asyncio
from datetime import datetime

import httpx
import numpy as np
import pytest

from app.asgi import create_app
from tests.helpers import (
    EXAMPLE_CONFIG,
    Api,
    connected,
    live_project,
    live_server,
    settings_for,
)

SCOPED = """
agents:
  tech_lead:
    can_learn: [architecture, security]
    cannot_learn: [gossip]
    share_with: [junior]
  junior:
    inherit_from: [tech_lead]
    cannot_learn: [production_access]
"""


async def write(api: Api, path: str, **body) -> httpx.Response:
    """POST a body to one of the project's write paths ("learn", "heuristics", ...); the answer, whatever it is."""
    return await api.client.post(f"/v1/projects/{api.project}/{path}", json=body)


async def test_three_similar_successes_make_a_heuristic_and_a_failure_lowers_its_confidence(api: Api):
    await api.apply(EXAMPLE_CONFIG.read_text())
    strategy = "Use bcrypt to hash passwords before storing them"
    results = [
        await api.learn("junior_developer", f"Store passwords for service {n}", strategy, task_type="debugging")
        for n in range(3)
    ]
    assert results[0]["heuristic"] is None and results[1]["heuristic"] is None
    heuristic = results[2]["heuristic"]
    assert heuristic["agent"] == "junior_developer"
    assert (heuristic["occurrence_count"], heuristic["success_count"], heuristic["confidence"]) == (3, 3, 1.0)
    assert (heuristic["condition"], heuristic["strategy"]) == ("debugging", strategy)

    fourth = await api.learn("junior_developer", "Store passwords again", strategy, "failure", task_type="debugging")
    assert fourth["heuristic"]["id"] == heuristic["id"]
    assert (fourth["heuristic"]["occurrence_count"], fourth["heuristic"]["success_count"]) == (4, 3)
    assert fourth["heuristic"]["confidence"] == 0.75
    assert fourth["heuristic"]["success_rate"] == 0.75


async def test_different_task_types_or_strategies_do_not_merge(api: Api):
    await api.apply(EXAMPLE_CONFIG.read_text())
    for n in range(3):
        await api.learn("junior_developer", f"t{n}", "Add null checks before dereferencing", task_type="debugging")
    other_type = await api.learn(
        "junior_developer", "t", "Add null checks before dereferencing", task_type="basic_patterns"
    )
    other_strategy = await api.learn("junior_developer", "t", "Rewrite the module in Rust", task_type="debugging")
    assert other_type["heuristic"] is None
    assert other_strategy["heuristic"] is None


async def test_fifty_concurrent_learns_leave_exact_counts(database_url: str):
    """Over a real server: the in-process client would serve the learns one at a time."""
    strategy = "Retry the flaky integration test with a fresh database"
    with live_server(create_app(settings_for(database_url, project_in_flight=50))) as base:
        async with live_project(base) as client:

            async def one(n: int) -> None:
                response = await client.post(
                    "/v1/projects/my-team/learn",
                    json={
                        "agent": "qa_engineer",
                        "task": f"Run integration suite {n}",
                        "strategy_used": strategy,
                        "outcome": "success" if n % 5 else "failure",
                        "task_type": "testing_strategies",
                    },
                )
                assert response.status_code == 201, response.text

            await asyncio.gather(*(one(n) for n in range(50)))

    async with connected(database_url) as connection:
        rows = await connection.fetch("SELECT occurrence_count, success_count, confidence FROM heuristics")
        outcomes = await connection.fetchval("SELECT count(*) FROM outcomes")
    assert outcomes == 50
    assert [(row["occurrence_count"], row["success_count"]) for row in rows] == [(50, 40)]
    assert abs(rows[0]["confidence"] - 0.8) < 1e-6


async def test_repeated_failures_with_an_error_become_an_anti_pattern(api: Api):
    await api.apply(EXAMPLE_CONFIG.read_text())
    strategy = "Store the session token in localStorage"
    first = await api.learn(
        "junior_developer",
        "Keep users logged in",
        strategy,
        "failure",
        task_type="debugging",
        error_message="XSS stole the token",
    )
    assert first["anti_pattern"] is None
    second = await api.learn(
        "junior_developer",
        "Keep users logged in",
        strategy,
        "failure",
        task_type="debugging",
        error_message="XSS again",
    )
    anti_pattern = second["anti_pattern"]
    assert (anti_pattern["pattern"], anti_pattern["why_bad"]) == (strategy, "XSS again")
    assert anti_pattern["occurrence_count"] == 2
    third = await api.learn(
        "junior_developer",
        "Keep users logged in",
        strategy,
        "failure",
        task_type="debugging",
        error_message="and again",
    )
    assert third["anti_pattern"]["id"] == anti_pattern["id"]
    assert third["anti_pattern"]["occurrence_count"] == 3


async def test_shared_heuristic_is_tagged_and_only_its_owner_may_change_or_delete_it(api: Api):
    await api.apply(EXAMPLE_CONFIG.read_text())
    created = await api.client.post(
        "/v1/projects/my-team/heuristics",
        json={
            "agent": "senior_developer",
            "condition": "implementing authentication",
            "strategy": "Use a vetted library, never roll your own crypto",
            "confidence": 0.9,
        },
    )
    assert created.status_code == 201
    heuristic_id = created.json()["id"]

    slice_ = await api.retrieve("junior_developer", "Implement user authentication", top_k=10)
    assert [(h["strategy"], h["metadata"]) for h in slice_["heuristics"]] == [
        ("Use a vetted library, never roll your own crypto", {"shared_from": "senior_developer"})
    ]

    path = f"/v1/projects/my-team/memories/heuristics/{heuristic_id}"
    change = await api.client.patch(path, json={"agent": "junior_developer", "strategy": "roll your own"})
    removal = await api.client.delete(path, params={"agent": "junior_developer"})
    for response in (change, removal):
        assert response.status_code == 403
        assert response.json()["type"] == "urn:alma:problem:not-owner"
        assert response.json()["owner"] == "senior_developer"
    seen = await api.client.get(path, params={"agent": "junior_developer"})
    assert seen.json()["strategy"] == "Use a vetted library, never roll your own crypto"
    assert seen.json()["metadata"] == {"shared_from": "senior_developer"}

    owner_change = await api.client.patch(path, json={"agent": "senior_developer", "confidence": 0.95})
    assert owner_change.status_code == 200 and owner_change.json()["confidence"] == 0.95
    assert (await api.client.delete(path, params={"agent": "senior_developer"})).status_code == 204
    assert (await api.client.get(path, params={"agent": "senior_developer"})).status_code == 404


async def test_a_memory_the_reader_may_not_read_is_indistinguishable_from_a_missing_one(api: Api):
    await api.apply(EXAMPLE_CONFIG.read_text())
    created = await api.client.post(
        "/v1/projects/my-team/domain-knowledge",
        json={"agent": "junior_developer", "domain": "debugging", "fact": "Core dumps live in /var/crash"},
    )
    fact_id = created.json()["id"]
    hidden = await api.client.get(
        f"/v1/projects/my-team/memories/domain-knowledge/{fact_id}", params={"agent": "tech_lead"}
    )
    missing = await api.client.get(
        "/v1/projects/my-team/memories/domain-knowledge/999999", params={"agent": "tech_lead"}
    )
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["type"] == missing.json()["type"] == "urn:alma:problem:memory-not-found"
    delete = await api.client.delete(
        f"/v1/projects/my-team/memories/domain-knowledge/{fact_id}", params={"agent": "tech_lead"}
    )
    assert delete.status_code == 404


async def test_writes_outside_scope_are_refused_and_nothing_is_written(api: Api, database_url: str):
    await api.apply(SCOPED)
    refused = [
        await write(api, "domain-knowledge", agent="tech_lead", domain="cooking", fact="salt the water"),
        await write(api, "domain-knowledge", agent="tech_lead", domain="gossip", fact="who said what"),
        await write(
            api, "learn", agent="junior", task="t", outcome="success", strategy_used="s", task_type="production_access"
        ),
        await write(api, "heuristics", agent="tech_lead", condition="c", strategy="s", task_type="cooking"),
    ]
    for response in refused:
        assert response.status_code == 403, response.text
        problem = response.json()
        assert problem["type"] == "urn:alma:problem:scope-violation"
        assert problem["agent"] in problem["detail"] and problem["value"] in problem["detail"]
    assert refused[0].json()["can_learn"] == ["architecture", "security"]
    assert "architecture, security" in refused[0].json()["detail"]

    async with connected(database_url) as connection:
        counts = [
            await connection.fetchval(f"SELECT count(*) FROM {table}")
            for table in ("outcomes", "heuristics", "domain_knowledge")
        ]
    assert counts == [0, 0, 0]

    allowed = [
        await write(api, "domain-knowledge", agent="tech_lead", domain="security", fact="rotate keys"),
        await write(api, "domain-knowledge", agent="junior", domain="anything", fact="empty can_learn allows it"),
        await write(api, "learn", agent="tech_lead", task="no domain named", outcome="success", strategy_used="s"),
    ]
    assert [response.status_code for response in allowed] == [201, 201, 201]


async def test_bulk_learn_with_one_bad_item_writes_nothing(api: Api, database_url: str):
    await api.apply(SCOPED)
    good = {"agent": "junior", "task": "t", "outcome": "success", "strategy_used": "s"}
    cases = [
        {"outcomes": [good, good, {**good, "agent": "ghost"}]},
        {"outcomes": [good], "domain_knowledge": [{"agent": "tech_lead", "domain": "cooking", "fact": "f"}]},
        {"outcomes": [good, {**good, "outcome": "maybe"}]},
    ]
    statuses = []
    for body in cases:
        statuses.append((await api.client.post("/v1/projects/my-team/learn/bulk", json=body)).status_code)
    assert statuses == [404, 403, 422]
    async with connected(database_url) as connection:
        assert await connection.fetchval("SELECT count(*) FROM outcomes") == 0
        assert await connection.fetchval("SELECT count(*) FROM domain_knowledge") == 0

    accepted = await api.client.post(
        "/v1/projects/my-team/learn/bulk",
        json={
            "outcomes": [good, {**good, "agent": "tech_lead"}],
            "domain_knowledge": [{"agent": "tech_lead", "domain": "security", "fact": "f"}],
        },
    )
    assert accepted.status_code == 201
    assert [item["outcome"]["agent"] for item in accepted.json()["outcomes"]] == ["junior", "tech_lead"]


async def test_list_filters_and_paginates_what_the_reader_may_read(api: Api):
    await api.apply(EXAMPLE_CONFIG.read_text())
    for n in range(5):
        await api.learn("tech_lead", f"lead task {n}", f"s{n}", task_type="architecture" if n % 2 else None)
    await api.learn("junior_developer", "junior task", "s")
    await api.learn("qa_engineer", "qa task", "s")

    page = (
        await api.client.get("/v1/projects/my-team/memories/outcomes", params={"agent": "junior_developer", "limit": 4})
    ).json()
    assert page["total"] == 6 and len(page["items"]) == 4
    assert page["items"][0]["task"] == "junior task"
    rest = (
        await api.client.get(
            "/v1/projects/my-team/memories/outcomes", params={"agent": "junior_developer", "limit": 4, "offset": 4}
        )
    ).json()
    assert [item["task"] for item in rest["items"]] == ["lead task 1", "lead task 0"]
    filtered = (
        await api.client.get(
            "/v1/projects/my-team/memories/outcomes",
            params={"agent": "junior_developer", "owner": "tech_lead", "task_type": "architecture"},
        )
    ).json()
    assert [item["task"] for item in filtered["items"]] == ["lead task 3", "lead task 1"]
    assert all(item["metadata"] == {"shared_from": "tech_lead"} for item in filtered["items"])
    bad_kind = await api.client.get("/v1/projects/my-team/memories/gossip", params={"agent": "junior_developer"})
    assert bad_kind.status_code in (404, 422)


async def test_patch_refuses_fields_of_another_kind(api: Api):
    await api.apply(EXAMPLE_CONFIG.read_text())
    stored = await api.learn("tech_lead", "t", "s")
    response = await api.client.patch(
        f"/v1/projects/my-team/memories/outcomes/{stored['outcome']['id']}",
        json={"agent": "tech_lead", "strategy": "x"},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "strategy", "message": "not a field of outcomes"}]


async def test_forget_prunes_old_outcomes_and_weak_heuristics_and_reports_counts(api: Api, database_url: str):
    await api.apply(EXAMPLE_CONFIG.read_text())
    for agent in ("tech_lead", "junior_developer"):
        await api.learn(agent, "old task", "s")
        await api.learn(agent, "new task", "s")
        for confidence in (0.2, 0.9):
            await api.client.post(
                "/v1/projects/my-team/heuristics",
                json={"agent": agent, "condition": "c", "strategy": "s", "confidence": confidence},
            )
    async with connected(database_url) as connection:
        await connection.execute("UPDATE outcomes SET created_at = now() - interval '40 days' WHERE task = 'old task'")

        mine = await api.client.post(
            "/v1/projects/my-team/forget",
            json={"agent": "junior_developer", "older_than_days": 30, "below_confidence": 0.5},
        )
        assert mine.json() == {"outcomes_removed": 1, "heuristics_removed": 1}
        everyone = await api.client.post("/v1/projects/my-team/forget", json={"older_than_days": 30})
        assert everyone.json() == {"outcomes_removed": 1, "heuristics_removed": 0}
        remaining = await connection.fetch("SELECT agent, task FROM outcomes ORDER BY agent")
    assert [tuple(row) for row in remaining] == [("junior_developer", "new task"), ("tech_lead", "new task")]


async def test_stats_count_own_and_inherited_memories_per_source(api: Api):
    await api.apply(EXAMPLE_CONFIG.read_text())
    await api.learn("tech_lead", "a", "s")
    await api.learn("tech_lead", "b", "s")
    await api.learn("junior_developer", "c", "s")
    await api.client.post(
        "/v1/projects/my-team/heuristics", json={"agent": "senior_developer", "condition": "c", "strategy": "s"}
    )
    await api.learn("qa_engineer", "d", "s")  # junior_developer does not inherit from qa_engineer
    await api.client.post(
        "/v1/projects/my-team/preferences",
        json={"agent": "tech_lead", "user_id": "u", "category": "style", "preference": "terse"},
    )  # a user's, not lent
    other = EXAMPLE_CONFIG.read_text().replace("my-team", "other-team")
    await api.apply(other, project="other-team")
    await api.client.post(
        "/v1/projects/other-team/learn",
        json={"agent": "tech_lead", "task": "e", "outcome": "success", "strategy_used": "s"},
    )
    stats = (await api.client.get("/v1/projects/my-team/agents/junior_developer/stats")).json()
    assert stats["own"]["outcomes"] == 1 and stats["own"]["heuristics"] == 0
    assert stats["readable"] == {"senior_developer": {"heuristics": 1}, "tech_lead": {"outcomes": 2}}
    assert stats["inherited"]["outcomes"] == 2 and stats["inherited"]["heuristics"] == 1


async def test_ranking_weighs_confidence_and_breaks_ties_by_id(api: Api, database_url: str):
    await api.apply(EXAMPLE_CONFIG.read_text())
    ids = []
    for agent, confidence in (("tech_lead", 0.2), ("senior_developer", 0.9), ("tech_lead", 0.9)):
        response = await api.client.post(
            "/v1/projects/my-team/heuristics",
            json={
                "agent": agent,
                "condition": "implementing authentication",
                "strategy": f"{agent} {confidence}",
                "confidence": confidence,
            },
        )
        ids.append(response.json()["id"])
    # the same moment for all: the two of confidence 0.9 now score exactly alike
    async with connected(database_url) as connection:
        await connection.execute("UPDATE heuristics SET last_validated = '2026-01-01', updated_at = '2026-01-01'")
    slice_ = await api.retrieve("junior_developer", "implementing authentication", top_k=10)
    ranked = [item["id"] for item in slice_["heuristics"]]
    scores = [item["score"] for item in slice_["heuristics"]]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] == scores[1], "a tie"
    assert ranked == [*sorted(ids[1:]), ids[0]], "ties go to the lower id; the low-confidence heuristic ranks last"


async def test_a_prolific_source_does_not_crowd_out_a_relevant_one(api: Api):
    await api.apply(EXAMPLE_CONFIG.read_text())
    bulk = [
        {"agent": "tech_lead", "task": f"Plan sprint number {n}", "outcome": "success", "strategy_used": "s"}
        for n in range(60)
    ]
    assert (await api.client.post("/v1/projects/my-team/learn/bulk", json={"outcomes": bulk})).status_code == 201
    await api.learn("senior_developer", "Implement user authentication", "use OAuth")
    slice_ = await api.retrieve("junior_developer", "Implement user authentication", top_k=3)
    assert slice_["outcomes"][0]["agent"] == "senior_developer"


async def test_preferences_come_back_for_the_user_named_and_untagged(api: Api):
    await api.apply(EXAMPLE_CONFIG.read_text())
    await api.client.post(
        "/v1/projects/my-team/preferences",
        json={"agent": "tech_lead", "user_id": "ada", "category": "style", "preference": "Prefer small pull requests"},
    )
    await api.client.post(
        "/v1/projects/my-team/preferences",
        json={"agent": "tech_lead", "user_id": "bob", "category": "style", "preference": "Prefer big pull requests"},
    )
    for_ada = await api.retrieve("junior_developer", "pull requests", user_id="ada")
    assert [(p["preference"], p["metadata"]) for p in for_ada["preferences"]] == [("Prefer small pull requests", {})]
    assert (await api.retrieve("junior_developer", "pull requests"))["preferences"] == []


async def test_prompt_text_has_sections_and_respects_the_token_budget(api: Api):
    await api.apply(EXAMPLE_CONFIG.read_text())
    await api.client.post(
        "/v1/projects/my-team/heuristics",
        json={"agent": "tech_lead", "condition": "implementing authentication", "strategy": "Use a vetted library"},
    )
    await api.client.post(
        "/v1/projects/my-team/anti-patterns",
        json={"agent": "junior_developer", "pattern": "Storing tokens in localStorage", "why_bad": "XSS can read them"},
    )
    for n in range(40):
        await api.learn("junior_developer", f"Implement authentication step {n} " + "detail " * 20, "s")

    roomy = await api.retrieve(
        "junior_developer", "implementing authentication", top_k=50, include_prompt=True, max_prompt_tokens=5000
    )
    prompt = roomy["prompt"]
    assert "## Strategies that worked" in prompt and "Use a vetted library (confidence 0.50) (from tech_lead)" in prompt
    assert "## Avoid\n- Storing tokens in localStorage: XSS can read them" in prompt
    tight = await api.retrieve(
        "junior_developer", "implementing authentication", top_k=50, include_prompt=True, max_prompt_tokens=100
    )
    assert len(tight["prompt"]) <= 400
    assert tight["prompt"].startswith("## Strategies that worked")
    assert (await api.retrieve("junior_developer", "x"))["prompt"] is None


# kind -> (a body the tech lead writes, a change of one of its fields)
OWNED = {
    "heuristics": ({"condition": "reviewing a design", "strategy": "ask for the data flow"}, {"strategy": "skip it"}),
    "outcomes": (None, {"feedback": "not mine to judge"}),
    "domain-knowledge": ({"domain": "architecture", "fact": "tokens expire after a day"}, {"fact": "they never do"}),
    "anti-patterns": ({"pattern": "sharing one database user", "why_bad": "no audit"}, {"why_bad": "it is fine"}),
    "preferences": ({"user_id": "ana", "category": "style", "preference": "short answers"}, {"preference": "long"}),
}


@pytest.mark.parametrize("kind", OWNED)
async def test_only_the_writer_changes_or_deletes_a_memory_of_any_kind(api: Api, kind: str):
    """tech_lead writes; junior_developer, who may read it, may neither change nor delete it (403 naming the
    owner); the owner may."""
    await api.apply(EXAMPLE_CONFIG.read_text())
    body, change = OWNED[kind]
    if body is None:
        memory_id = (await api.learn("tech_lead", "Design the queue", "one topic per event"))["outcome"]["id"]
    else:
        created = await api.client.post(f"/v1/projects/my-team/{kind}", json={"agent": "tech_lead", **body})
        assert created.status_code == 201, created.text
        memory_id = created.json()["id"]
    path = f"/v1/projects/my-team/memories/{kind}/{memory_id}"

    if kind != "preferences":  # preferences are the project's; an agent-owned memory must be shared to be seen
        assert (await api.client.get(path, params={"agent": "junior_developer"})).status_code == 200
    refused = [
        await api.client.patch(path, json={"agent": "junior_developer", **change}),
        await api.client.delete(path, params={"agent": "junior_developer"}),
    ]
    for response in refused:
        assert response.status_code == 403, response.text
        assert response.json()["type"] == "urn:alma:problem:not-owner"
        assert response.json()["owner"] == "tech_lead"
    assert (await api.client.patch(path, json={"agent": "tech_lead", **change})).status_code == 200
    assert (await api.client.delete(path, params={"agent": "tech_lead"})).status_code in (200, 204)
    assert (await api.client.get(path, params={"agent": "tech_lead"})).status_code == 404


async def test_similarity_is_the_cosine_to_within_a_thousandth_on_every_kind(api: Api):
    """Ranking compares half-precision unit vectors by inner product: what it reports (and ranks by) must stay
    the cosine of the vectors as given, for vectors of any length and sign."""
    await api.apply(EXAMPLE_CONFIG.read_text())
    rng = np.random.default_rng(11)
    texts = {  # each text ends in a word of its own: no two outcomes are alike enough to become a heuristic
        "learn": {"task": "task", "strategy_used": "strategy"},
        "heuristics": {"condition": "condition", "strategy": "strategy"},
        "domain-knowledge": {"fact": "fact"},
        "anti-patterns": {"pattern": "pattern", "why_bad": "why"},
        "preferences": {"category": "category", "preference": "preference"},
    }
    fixed = {
        "learn": {"outcome": "success"},
        "domain-knowledge": {"domain": "architecture"},
        "preferences": {"user_id": "ada"},
    }
    written: dict[int, np.ndarray] = {}
    for path, fields in texts.items():
        for word in ("red", "green", "blue", "amber"):
            vector = rng.normal(size=384) * rng.uniform(0.1, 10)
            body = {name: f"{text} {word}" for name, text in fields.items()} | fixed.get(path, {})
            response = await write(api, path, agent="tech_lead", embedding=vector.tolist(), **body)
            assert response.status_code == 201, response.text
            answer = response.json()
            written[(answer.get("outcome") or answer)["id"]] = vector
    query = rng.normal(size=384) * 3
    answer = await api.retrieve("tech_lead", "q", embedding=query.tolist(), top_k=10, user_id="ada")
    items = [
        item
        for name in ("outcomes", "heuristics", "domain_knowledge", "anti_patterns", "preferences")
        for item in answer[name]
    ]
    assert len(items) == 20
    for item in items:
        vector = written[item["id"]]
        cosine = float(vector @ query / np.linalg.norm(vector) / np.linalg.norm(query))
        assert abs(item["similarity"] - cosine) < 1e-3, (item["id"], item["similarity"], cosine)


async def test_texts_with_json_syntax_come_back_exactly_from_retrieve_on_every_kind(api: Api):
    """The retrieve writes its answer as JSON text from each item's own: quotes, backslashes, brackets, line
    breaks and characters beyond ASCII in any field must come back as written, beside similarity, score and
    shared_from, and as the item reads on its own."""
    await api.apply(EXAMPLE_CONFIG.read_text())
    nasty = 'say "}], \\"x\\": 1, {" \\ back\\slash\nnew line\ttab ünïcödé 😀 </script>'
    bodies = {
        "learn": {"task": f"task {nasty}", "strategy_used": f"strategy {nasty}", "outcome": "failure",
                  "error_message": nasty, "feedback": nasty},
        "heuristics": {"condition": f"condition {nasty}", "strategy": nasty},
        "domain-knowledge": {"fact": f"fact {nasty}", "domain": "architecture", "source": nasty},
        "anti-patterns": {"pattern": f"pattern {nasty}", "why_bad": nasty, "better_alternative": nasty},
    }  # fmt: skip
    for path, body in bodies.items():
        response = await write(api, path, agent="tech_lead", **body)
        assert response.status_code == 201, response.text
    answer = await api.retrieve("junior_developer", nasty, top_k=5)
    kinds = {"outcomes": "outcomes", "heuristics": "heuristics", "domain_knowledge": "domain-knowledge"}
    kinds["anti_patterns"] = "anti-patterns"
    for name, kind in kinds.items():
        [item] = answer[name]
        assert item["metadata"] == {"shared_from": "tech_lead"}
        assert isinstance(item["similarity"], float) and isinstance(item["score"], float)
        alone = await api.client.get(
            f"/v1/projects/{api.project}/memories/{kind}/{item['id']}", params={"agent": "junior_developer"}
        )
        assert alone.status_code == 200, alone.text
        assert comparable(item) == comparable(alone.json())
        texts = [value for value in item.values() if isinstance(value, str) and nasty in value]
        assert texts, item


def comparable(item: dict) -> dict:
    """A memory's stored fields, timestamps as instants (the retrieve writes them as PostgreSQL does, +00:00)."""
    fields = {k: v for k, v in item.items() if k not in ("similarity", "score", "metadata")}
    return {
        k: datetime.fromisoformat(v) if k.endswith(("_at", "_validated", "_seen")) else v for k, v in fields.items()
    }
