"""Learning and retrieval over HTTP: what is stored, how it ranks, and how bad input is refused."""

from litestar.testing import AsyncTestClient

from app.asgi import create_app
from tests.helpers import EXAMPLE_CONFIG, Api, ProjectAdminKeys, connected, settings_for

DIM = 384


def unit(index: int, other: int | None = None) -> list[float]:
    """A unit vector along one axis (or halfway between two)."""
    vector = [0.0] * DIM
    vector[index] = 1.0
    if other is not None:
        vector[other] = 1.0
        vector = [value / 2**0.5 for value in vector]
    return vector


async def count_rows(database_url: str, table: str) -> int:
    async with connected(database_url) as connection:
        return await connection.fetchval(f"SELECT count(*) FROM {table}")


async def test_learn_stores_every_field_under_the_learning_agent(api: Api):
    await api.apply(EXAMPLE_CONFIG.read_text())
    stored = await api.learn(
        "junior_developer",
        "Fixed null pointer bug",
        "Added null checks before dereferencing",
        outcome="failure",
        task_type="debugging",
        duration_ms=1200,
        error_message="NPE in UserService",
        feedback="too defensive",
    )
    outcome = stored["outcome"]
    assert outcome["agent"] == "junior_developer"
    assert outcome["success"] is False
    assert (outcome["task_type"], outcome["duration_ms"]) == ("debugging", 1200)
    assert (outcome["error_message"], outcome["feedback"]) == ("NPE in UserService", "too defensive")


async def test_learn_for_unknown_agent_is_404_naming_known_agents_and_writes_nothing(api: Api, database_url: str):
    await api.apply(EXAMPLE_CONFIG.read_text())
    response = await api.client.post(
        "/v1/projects/my-team/learn",
        json={"agent": "intern", "task": "t", "outcome": "success", "strategy_used": "s"},
    )
    assert response.status_code == 404
    problem = response.json()
    assert problem["type"] == "urn:alma:problem:agent-not-found"
    assert problem["known_agents"] == ["junior_developer", "qa_engineer", "senior_developer", "tech_lead"]
    assert "intern" in problem["detail"] and "tech_lead" in problem["detail"]
    assert await count_rows(database_url, "outcomes") == 0
    assert await count_rows(database_url, "agents") == 4


async def test_another_project_looks_the_same_whether_or_not_it_exists(api: Api):
    await api.apply(EXAMPLE_CONFIG.read_text())
    await api.apply(EXAMPLE_CONFIG.read_text().replace("my-team", "other-team"), project="other-team")
    my_key = {"Authorization": api.client.auth.headers_for("my-team")["Authorization"]}
    answers = []
    for project in ("other-team", "nowhere"):
        response = await api.client.post(
            f"/v1/projects/{project}/retrieve", json={"agent": "tech_lead", "query": "q"}, headers=my_key
        )
        body = response.json()
        answers.append((response.status_code, body["type"], body["detail"].replace(project, "P")))
    assert (
        answers[0]
        == answers[1]
        == (404, "urn:alma:problem:not-found", "Project 'P' was not found for this key. Use a key of that project.")
    )


async def test_retrieve_ranks_by_cosine_similarity_and_caps_each_kind_at_top_k(api: Api):
    await api.apply(EXAMPLE_CONFIG.read_text())
    for axis in range(4):
        await api.learn("tech_lead", f"task {axis}", f"strategy {axis}", embedding=unit(axis))
    await api.learn("junior_developer", "halfway", "own strategy", embedding=unit(0, 1))

    slice_ = await api.retrieve("junior_developer", "q", embedding=unit(0), top_k=3)

    assert [item["task"] for item in slice_["outcomes"]][:2] == ["task 0", "halfway"]
    assert len(slice_["outcomes"]) == 3
    similarities = [item["similarity"] for item in slice_["outcomes"]]
    assert similarities[0] > 0.99 and abs(similarities[1] - 0.7071) < 1e-3 and abs(similarities[2]) < 1e-6
    assert (slice_["query"], slice_["agent"], slice_["top_k"]) == ("q", "junior_developer", 3)
    assert slice_["took_ms"] > 0
    assert slice_["heuristics"] == slice_["domain_knowledge"] == slice_["anti_patterns"] == []


async def test_embedder_ranks_similar_text_first(api: Api):
    await api.apply(EXAMPLE_CONFIG.read_text())
    await api.learn("junior_developer", "Deploy the service to production with blue-green", "switch traffic")
    await api.learn("junior_developer", "Implement user authentication with OAuth", "use the provider SDK")
    slice_ = await api.retrieve("junior_developer", "implement authentication for users")
    assert slice_["outcomes"][0]["task"] == "Implement user authentication with OAuth"


async def test_wrong_sized_vector_is_422_and_nothing_is_stored(api: Api, database_url: str):
    await api.apply(EXAMPLE_CONFIG.read_text())
    body = {"agent": "tech_lead", "task": "t", "outcome": "success", "strategy_used": "s", "embedding": [1.0, 0.0]}
    learn = await api.client.post("/v1/projects/my-team/learn", json=body)
    retrieve = await api.client.post(
        "/v1/projects/my-team/retrieve", json={"agent": "tech_lead", "query": "q", "embedding": [0.5] * 10}
    )
    for response in (learn, retrieve):
        assert response.status_code == 422
        assert response.json()["errors"] == [{"field": "embedding", "message": f"expected {DIM} dimensions"}]
    assert await count_rows(database_url, "outcomes") == 0


async def test_validation_errors_are_problem_details_naming_the_field(api: Api):
    cases = [
        ({"agent": "a", "task": "t", "outcome": "maybe", "strategy_used": "s"}, "outcome"),
        ({"agent": "a", "task": "t", "outcome": "success"}, "strategy_used"),
        ({"agent": "a b", "task": "t", "outcome": "success", "strategy_used": "s"}, "agent"),
        ({"agent": "a", "task": "", "outcome": "success", "strategy_used": "s"}, "task"),
        ({"agent": "a", "task": "t", "outcome": "success", "strategy_used": "s", "colour": 1}, "colour"),
    ]
    for body, field in cases:
        response = await api.client.post("/v1/projects/my-team/learn", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["type"] == "urn:alma:problem:validation-error"
        assert field in {error["field"] for error in problem["errors"]}, problem
        assert field in problem["detail"]

    for top_k in (0, 101, "ten"):
        response = await api.client.post(
            "/v1/projects/my-team/retrieve", json={"agent": "a", "query": "q", "top_k": top_k}
        )
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "top_k"


async def test_malformed_json_and_bad_path_are_4xx_problems(api: Api):
    await api.apply(EXAMPLE_CONFIG.read_text())
    response = await api.client.post(
        "/v1/projects/my-team/learn", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["type"] == "urn:alma:problem:malformed-request"
    bad_project = await api.client.post(
        "/v1/projects/bad%20name/retrieve",
        json={"agent": "a", "query": "q"},
        headers=api.client.auth.headers_for("my-team"),
    )
    assert bad_project.status_code in (400, 422)
    assert bad_project.headers["content-type"].startswith("application/problem+json")
    missing = await api.client.get("/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


async def test_a_retrieve_issues_exactly_one_statement(database_url: str):
    app = create_app(settings_for(database_url, pool_min_size=1, pool_size=1))
    async with AsyncTestClient(app=app) as client:
        client.auth = ProjectAdminKeys()
        api = Api(client, "my-team")
        await api.apply(EXAMPLE_CONFIG.read_text())
        for agent in ("tech_lead", "senior_developer", "junior_developer"):
            await api.learn(agent, "Implement user authentication", f"{agent} strategy")

        statements: list[str] = []
        pool = app.state.service.repository.pool
        async with pool.acquire() as connection:
            connection.add_query_logger(lambda record: statements.append(record.query))
        slice_ = await api.retrieve("junior_developer", "Implement user authentication", top_k=10)

    assert len(slice_["outcomes"]) == 3
    assert len(statements) == 1, statements
    assert "read_grants" in statements[0]
