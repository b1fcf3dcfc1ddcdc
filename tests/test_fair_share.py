"""Fair share: one project's burst waits for its in-flight share and is answered 429 when the wait is too
long, never another project's requests. Over a real server: the in-process client serves one at a time."""

import asyncio

import httpx

from app.asgi import create_app
from tests.conftest import EXAMPLE_CONFIG, OPERATOR_KEY, live_server, settings_for


async def project_client(base: str, project: str) -> httpx.AsyncClient:
    operator = {"Authorization": f"Bearer {OPERATOR_KEY}"}
    created = httpx.post(f"{base}/v1/projects", json={"project_id": project}, headers=operator).json()
    client = httpx.AsyncClient(base_url=base, timeout=60,
                               headers={"Authorization": f"Bearer {created['admin_key']['key']}"})  # fmt: skip
    config = EXAMPLE_CONFIG.read_text().replace("my-team", project)
    applied = await client.put(f"/v1/projects/{project}/config", content=config, headers={"content-type": "application/yaml"})
    assert applied.status_code == 200, applied.text
    return client


async def test_a_burst_past_the_projects_share_is_429_and_the_other_project_is_served(database_url: str):
    with live_server(create_app(settings_for(database_url, project_in_flight=2, project_wait_seconds=0.001))) as base:
        noisy, quiet = await project_client(base, "noisy"), await project_client(base, "quiet")
        body = {"agent": "junior_developer", "query": "Implement user authentication", "top_k": 10}

        async def retrieve(client: httpx.AsyncClient, project: str) -> httpx.Response:
            return await client.post(f"/v1/projects/{project}/retrieve", json=body)

        for _ in range(5):  # a few rounds: each is 40 requests of one project at once, and the other's
            burst = [retrieve(noisy, "noisy") for _ in range(40)]
            answers = await asyncio.gather(*burst, *[retrieve(quiet, "quiet") for _ in range(2)])
            noisy_answers, quiet_answers = answers[:40], answers[40:]
            if any(answer.status_code == 429 for answer in noisy_answers):
                break
        refused = [answer for answer in noisy_answers if answer.status_code == 429]
        assert refused, "40 requests at once against a share of 2 must see a 429"
        assert {answer.status_code for answer in noisy_answers} <= {200, 429}
        assert refused[0].headers["Retry-After"] == "1"
        assert refused[0].headers["content-type"].startswith("application/problem+json")
        assert refused[0].json()["type"] == "urn:alma:problem:too-many-requests"
        assert [answer.status_code for answer in quiet_answers] == [200, 200]
        # the slots come back: once the burst is over, the project is served again
        assert (await retrieve(noisy, "noisy")).status_code == 200
        await noisy.aclose()
        await quiet.aclose()
