"""Fair share: one project's burst waits for its in-flight share and is answered 429 when the wait is too
long, never another project's requests. Over a real server: the in-process client serves one at a time."""

import asyncio

import httpx

from app.asgi import create_app
from tests.helpers import live_project, live_server, settings_for


async def test_a_burst_past_the_projects_share_is_429_and_the_other_project_is_served(database_url: str):
    with live_server(create_app(settings_for(database_url, project_in_flight=2, project_wait_seconds=0.001))) as base:
        async with live_project(base, "noisy") as noisy, live_project(base, "quiet") as quiet:
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


def full_mesh(project: str, agents: int) -> str:
    """Every agent shares with and inherits from every agent, each list one YAML anchor."""
    names = [f"agent_{n:04d}" for n in range(agents)]
    lines = ["alma:", f"  project_id: {project}", "everyone: &everyone", *(f"  - {name}" for name in names), "agents:"]
    lines += [
        line for name in names for line in (f"  {name}:", "    share_with: *everyone", "    inherit_from: *everyone")
    ]
    return "\n".join(lines) + "\n"


async def test_a_big_config_and_its_graph_do_not_stall_another_tenant(database_url: str):
    """While one tenant applies a 300-agent full mesh (90,000 grants), draws its graph and lists its agents,
    another tenant's retrieves keep being answered: before, the graph held the event loop for 8 s at this size."""
    with live_server(create_app(settings_for(database_url))) as base:
        async with live_project(base, "quiet") as quiet, live_project(base, "mesh") as big:
            latencies: list[float] = []
            done = asyncio.Event()

            body = {"agent": "junior_developer", "query": "Implement user authentication"}

            async def retrieve() -> float:
                started = asyncio.get_running_loop().time()
                response = await quiet.post("/v1/projects/quiet/retrieve", json=body)
                assert response.status_code == 200
                return asyncio.get_running_loop().time() - started

            idle = sorted([await retrieve() for _ in range(100)])  # the same machine, as loaded as it is now

            async def neighbour() -> None:
                while not done.is_set():
                    latencies.append(await retrieve())
                    await asyncio.sleep(0.005)

            async def big_tenant() -> None:
                try:
                    applied = await big.put(
                        "/v1/projects/mesh/config",
                        content=full_mesh("mesh", 300),
                        headers={"content-type": "application/yaml"},
                    )
                    assert applied.status_code == 200, applied.text[:300]
                    assert applied.json()["grant_count"] == 300 * 299
                    assert len(applied.json()["grants"]) == 1_000, "the answer lists the first 1,000 grants"
                    drawn = await big.get("/v1/projects/mesh/sharing/graph")
                    assert drawn.status_code == 200 and drawn.content.count(b'"status":"granted"') == 300 * 299
                    listed = await big.get("/v1/projects/mesh/agents")
                    assert (
                        listed.status_code == 200 and [len(agent["read_by"]) for agent in listed.json()] == [299] * 300
                    )
                    too_big = await big.get("/v1/projects/mesh/sharing/graph", params={"format": "svg"})
                    assert too_big.status_code == 422 and too_big.json()["type"] == "urn:alma:problem:graph-too-large"
                finally:
                    done.set()

            await asyncio.gather(neighbour(), big_tenant())
    assert len(latencies) > 20
    ordered = sorted(latencies)
    p99 = ordered[int(0.99 * len(ordered))]
    idle_p99 = idle[98]
    # the benchmark (bench/tenants.py, a 1,000-agent mesh, clients in processes of their own) holds p99 to
    # 50 ms on an idle machine; here the server, both clients and the database share two cores with whatever
    # else runs, so the bound is five times that: a stall of the event loop (the graph's 8 s before, the agent
    # list's 0.6 s) still breaks it
    assert p99 < max(0.25, 4 * idle_p99), (
        f"another tenant's p99 was {p99 * 1000:.0f} ms (idle {idle_p99 * 1000:.0f} ms)"
    )
    assert max(latencies) < 1.0, f"another tenant waited {max(latencies):.2f} s"
