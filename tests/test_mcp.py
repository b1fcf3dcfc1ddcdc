"""MCP and ALMA's JSON-RPC wire protocol: the official MCP client over Streamable HTTP (`/mcp`) and over stdio
(`alma mcp`), and JSON-RPC at `POST /` as ALMA's JavaScript SDK sends it. The same tools, the same keys, the
same sharing rule as the REST API, against the real database."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
from litestar.testing import AsyncTestClient
from mcp import Client, ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from app.asgi import create_app
from app.settings import Settings
from tests.helpers import (
    ALMA,
    OPERATOR_KEY,
    Api,
    bearer,
    connected,
    guide_example,
    live_project,
    live_server,
    settings_for,
)

TOOLS = {
    "alma_retrieve",
    "alma_learn",
    "alma_add_preference",
    "alma_add_knowledge",
    "alma_forget",
    "alma_stats",
    "alma_health",
    "alma_sharing_explain",
}
TASK = "Implement user authentication"
STRATEGIES = {  # one heuristic each; the junior developer reads its own, the senior's and the tech lead's
    "junior_developer": "junior: read the auth library docs first",
    "senior_developer": "senior: use a vetted auth library",
    "tech_lead": "lead: never roll your own auth crypto",
    "qa_engineer": "qa: test the auth error paths",  # shares with no one
}


class OpenRun(Settings):
    """The zero-setup run's rule (no key required: the embedded database on loopback), on this test's database."""

    @property
    def auth_required(self) -> bool:
        return False


async def seed(client: httpx.AsyncClient | AsyncTestClient, project: str = "my-team") -> None:
    for agent, strategy in STRATEGIES.items():
        body = {"agent": agent, "condition": "implementing user authentication", "strategy": strategy}
        written = await client.post(f"/v1/projects/{project}/heuristics", json=body)
        assert written.status_code == 201, written.text


async def agent_key(client: httpx.AsyncClient | AsyncTestClient, agent: str, project: str = "my-team") -> str:
    created = await client.post(f"/v1/projects/{project}/keys", json={"role": "agent", "agent": agent})
    assert created.status_code == 201, created.text
    return str(created.json()["key"])


def text_of(result: Any) -> dict[str, Any]:
    """A tool's result as ALMA's clients read it: the JSON in its first text content."""
    assert result.content[0].type == "text"
    return dict(json.loads(result.content[0].text))


def assert_junior_slice(answer: dict[str, Any], rest: dict[str, Any]) -> None:
    """The junior developer's own heuristic and those its sources share (tagged), not the QA engineer's; the
    items as the REST retrieve gives them."""
    assert answer["success"] is True
    heuristics = answer["memories"]["heuristics"]
    by_agent = {item["agent"]: item for item in heuristics}
    assert set(by_agent) == {"junior_developer", "senior_developer", "tech_lead"}
    assert by_agent["junior_developer"]["metadata"] == {}
    for source in ("senior_developer", "tech_lead"):
        assert by_agent[source]["metadata"] == {"shared_from": source}
        assert by_agent[source]["strategy"] == STRATEGIES[source]
    assert set(answer["memories"]) >= {"heuristics", "outcomes", "domain_knowledge", "anti_patterns", "preferences"}
    for kind in ("heuristics", "outcomes", "domain_knowledge", "anti_patterns", "preferences"):
        ours = [{key: value for key, value in item.items() if key != "score"} for item in answer["memories"][kind]]
        theirs = [{key: value for key, value in item.items() if key != "score"} for item in rest[kind]]
        assert ours == theirs, kind
    assert "(from senior_developer)" in answer["prompt_injection"]
    assert "(from tech_lead)" in answer["prompt_injection"]


RETRIEVE = {"task": TASK, "agent": "junior_developer", "include_shared": True, "top_k": 10}


async def rest_retrieve(client: httpx.AsyncClient | AsyncTestClient) -> dict[str, Any]:
    body = {"agent": "junior_developer", "query": TASK, "include_shared": True, "top_k": 10}
    response = await client.post("/v1/projects/my-team/retrieve", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


# --- the official client, over a real server --------------------------------------------------------


@pytest.fixture
async def live_team(database_url: str) -> AsyncIterator[tuple[str, httpx.AsyncClient, str]]:
    """A real server with the guide's team and its heuristics; yields (URL, admin client, junior's agent key)."""
    with live_server(create_app(settings_for(database_url))) as base:
        async with live_project(base) as admin:
            await seed(admin)
            yield base, admin, await agent_key(admin, "junior_developer")


@asynccontextmanager
async def over_http(base: str, key: str | None) -> AsyncIterator[ClientSession]:
    async with httpx2.AsyncClient(headers=bearer(key) if key else {}, timeout=30) as http:
        async with streamable_http_client(f"{base}/mcp", http_client=http) as (read, write):
            async with ClientSession(read, write) as mcp:
                await mcp.initialize()
                yield mcp


@asynccontextmanager
async def over_stdio(base: str, key: str, errors: Path) -> AsyncIterator[ClientSession]:
    """`alma mcp` launched as an MCP host launches it, pointed at the service."""
    server = StdioServerParameters(command=ALMA, args=["mcp"], env={"ALMA_URL": base, "ALMA_API_KEY": key})
    with errors.open("w") as errlog:
        async with stdio_client(server, errlog=errlog) as (read, write), ClientSession(read, write) as mcp:
            await mcp.initialize()
            yield mcp


async def test_official_client_over_streamable_http_retrieves_own_and_shared(live_team):
    base, admin, junior = live_team
    async with over_http(base, junior) as mcp:
        tools = {tool.name: tool for tool in (await mcp.list_tools()).tools}
        assert set(tools) == TOOLS
        assert tools["alma_retrieve"].input_schema["required"] == ["task", "agent"]
        assert tools["alma_retrieve"].input_schema["properties"]["top_k"]["maximum"] == 100  # the API's bound
        result = await mcp.call_tool("alma_retrieve", RETRIEVE)
        assert not result.is_error
        assert_junior_slice(text_of(result), await rest_retrieve(admin))

        resources = {resource.uri for resource in (await mcp.list_resources()).resources}
        assert resources == {"alma://config", "alma://agents"}
        agents = json.loads((await mcp.read_resource("alma://agents")).contents[0].text)
        junior_agent = next(agent for agent in agents if agent["name"] == "junior_developer")
        assert sorted(junior_agent["reads_from"]) == ["senior_developer", "tech_lead"]


async def test_official_client_over_stdio_forwards_to_the_service(live_team, tmp_path: Path):
    base, admin, junior = live_team
    async with over_http(base, junior) as http_mcp:
        over_the_web = (await http_mcp.list_tools()).tools
    async with over_stdio(base, junior, tmp_path / "stderr") as mcp:
        assert (await mcp.list_tools()).tools == over_the_web  # defined once, by the service
        result = await mcp.call_tool("alma_retrieve", RETRIEVE)
        assert_junior_slice(text_of(result), await rest_retrieve(admin))
        with pytest.raises(MCPError) as missing:
            await mcp.call_tool("alma_learn", {"agent": "junior_developer", "task": TASK, "outcome": "success"})
        assert missing.value.code == -32602
        assert "strategy_used" in missing.value.message
        config = json.loads((await mcp.read_resource("alma://config")).contents[0].text)
        assert config["project_id"] == "my-team"
        assert config["agents"]["junior_developer"]["inherit_from"] == ["senior_developer", "tech_lead"]


async def test_a_forged_agent_is_refused_over_mcp_and_nothing_is_written(live_team, database_url: str):
    """An agent key naming another agent, here with the SDK's `Client`, which speaks the 2026-07-28 protocol."""
    base, admin, junior = live_team
    async with httpx2.AsyncClient(headers=bearer(junior), timeout=30) as http:
        async with Client(streamable_http_client(f"{base}/mcp", http_client=http)) as mcp:
            assert mcp.protocol_version == "2026-07-28"
            read = await mcp.call_tool("alma_retrieve", {**RETRIEVE, "agent": "senior_developer"})
            learn = {"agent": "senior_developer", "task": TASK, "outcome": "success", "strategy_used": "forged"}
            wrote = await mcp.call_tool("alma_learn", learn)
            with pytest.raises(MCPError) as missing:
                await mcp.call_tool("alma_retrieve", {"agent": "junior_developer"})
    for result in (read, wrote):
        assert result.is_error
        answer = text_of(result)
        assert answer["success"] is False
        assert "belongs to agent 'junior_developer' and cannot act as 'senior_developer'" in answer["error"]
    assert missing.value.code == -32602 and "`task`" in missing.value.message
    assert await outcomes_stored(database_url) == 0


async def test_without_a_key_mcp_is_refused_with_401(live_team):
    base, _, _ = live_team
    async with httpx.AsyncClient(base_url=base) as plain:
        body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
        refused = await plain.post("/mcp", json=body, headers={"Accept": "application/json, text/event-stream"})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == -32010
    assert "requires an API key" in refused.json()["error"]["message"]


@pytest.mark.parametrize("default_project", ["other-team", None])
async def test_mcp_chooses_the_project_as_post_does(database_url: str, default_project: str | None):
    """Open run, two projects: ALMA_DEFAULT_PROJECT chooses; without it a call is an error that says how to choose,
    and listing the tools still works."""
    app = create_app(OpenRun(**settings_for(database_url, default_project=default_project).model_dump()))
    with live_server(app) as base:
        async with httpx.AsyncClient(base_url=base) as plain:
            for project in ("my-team", "other-team"):
                applied = await plain.put(
                    f"/v1/projects/{project}/config",
                    content=guide_example().replace("my-team", project),
                    headers={"content-type": "text/yaml"},
                )
                assert applied.status_code == 200, applied.text
        async with over_http(base, None) as mcp:
            assert {tool.name for tool in (await mcp.list_tools()).tools} == TOOLS
            if default_project:
                health = text_of(await mcp.call_tool("alma_health", {}))
                assert health["project_id"] == "other-team"
                return
            with pytest.raises(MCPError) as ambiguous:
                await mcp.call_tool("alma_health", {})
    assert ambiguous.value.code == -32010
    assert "several projects (my-team, other-team)" in ambiguous.value.message
    assert "ALMA_DEFAULT_PROJECT" in ambiguous.value.message


# --- JSON-RPC at POST /, as ALMA's JavaScript SDK sends it ---------------------------------------------


@pytest.fixture
async def team(api: Api) -> tuple[Api, dict[str, str], dict[str, str]]:
    """The guide's team with its heuristics; (api, the admin's header, the junior developer's agent-key header)."""
    await api.apply(guide_example())
    await seed(api.client)
    return api, api.client.auth.headers_for("my-team"), bearer(await agent_key(api.client, "junior_developer"))


async def rpc(client: AsyncTestClient, method: str, params: Any, headers: dict[str, str], id: Any = 1) -> Any:
    body = {"jsonrpc": "2.0", "id": id, "method": method, "params": params}
    response = await client.post("/", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def tool(client: AsyncTestClient, name: str, arguments: dict[str, Any], headers: dict[str, str]) -> Any:
    """tools/call as ALMA's JavaScript SDK sends it, its result read as that SDK reads it."""
    answer = await rpc(client, "tools/call", {"name": name, "arguments": arguments}, headers)
    assert answer["jsonrpc"] == "2.0" and answer["id"] == 1, answer
    return json.loads(answer["result"]["content"][0]["text"])


async def outcomes_stored(database_url: str) -> int:
    async with connected(database_url) as connection:
        return int(await connection.fetchval("SELECT count(*) FROM outcomes"))


async def test_json_rpc_tools_call_as_almas_sdk_sends_it(team, database_url: str):
    api, admin, junior = team
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "alma_retrieve", "arguments": RETRIEVE},
    }
    response = await api.client.post("/", json=body, headers=junior)
    assert response.status_code == 200
    answer = response.json()
    assert answer["jsonrpc"] == "2.0" and answer["id"] == 1
    assert answer["result"]["content"][0]["type"] == "text"
    assert_junior_slice(json.loads(answer["result"]["content"][0]["text"]), await rest_retrieve(api.client))

    learned = await tool(
        api.client,
        "alma_learn",
        {
            "agent": "junior_developer",
            "task": "Fix a null pointer",
            "outcome": "success",
            "strategy_used": "null checks",
        },
        junior,
    )
    assert learned["success"] is True and learned["learned"] is True
    assert learned["outcome"]["agent"] == "junior_developer" and learned["outcome"]["success"] is True
    assert await outcomes_stored(database_url) == 1

    initialized = await rpc(api.client, "initialize", {"protocolVersion": "2024-11-05"}, junior)
    assert initialized["result"]["protocolVersion"] == "2024-11-05"
    assert initialized["result"]["serverInfo"]["name"] == "alma-memory"
    listed = await rpc(api.client, "tools/list", {}, junior)
    assert {entry["name"] for entry in listed["result"]["tools"]} == TOOLS


async def test_a_forged_agent_is_refused_over_post_and_nothing_is_written(team, database_url: str):
    api, _, junior = team
    read = await tool(api.client, "alma_retrieve", {"task": TASK, "agent": "tech_lead"}, junior)
    learn = {"agent": "senior_developer", "task": TASK, "outcome": "success", "strategy_used": "forged"}
    wrote = await tool(api.client, "alma_learn", learn, junior)
    knows = await tool(
        api.client, "alma_add_knowledge", {"agent": "tech_lead", "domain": "coding", "fact": "f"}, junior
    )
    for answer, agent in ((read, "tech_lead"), (wrote, "senior_developer"), (knows, "tech_lead")):
        assert answer == {
            "success": False,
            "error": f"This key belongs to agent 'junior_developer' and cannot act as '{agent}'. Use "
            f"'junior_developer' as the agent, or a key of '{agent}' or a project admin key.",
        }
    assert await outcomes_stored(database_url) == 0
    async with connected(database_url) as connection:
        assert await connection.fetchval("SELECT count(*) FROM domain_knowledge") == 0


async def test_a_missing_argument_is_invalid_params_naming_it_and_unknown_ones_are_ignored(team):
    api, _, junior = team
    missing = await rpc(api.client, "tools/call", {"name": "alma_retrieve", "arguments": {"agent": "x"}}, junior)
    assert missing["error"]["code"] == -32602
    assert "`task`" in missing["error"]["message"]
    assert missing["error"]["data"] == {"errors": [{"field": "task", "message": "required"}]}
    out_of_bounds = await rpc(
        api.client, "tools/call", {"name": "alma_retrieve", "arguments": {**RETRIEVE, "top_k": 0}}, junior
    )
    assert out_of_bounds["error"]["code"] == -32602
    assert "`top_k`" in out_of_bounds["error"]["message"]  # the REST API's bound, named as the tool names it
    not_a_word = await rpc(
        api.client, "tools/call", {"name": "alma_learn", "arguments": {**RETRIEVE, "outcome": "maybe"}}, junior
    )
    assert not_a_word["error"]["code"] == -32602
    assert "`outcome`" in not_a_word["error"]["message"] and "`strategy_used`" in not_a_word["error"]["message"]
    no_tool = await rpc(api.client, "tools/call", {"name": "alma_dream", "arguments": {}}, junior)
    assert no_tool["error"]["code"] == -32602 and "alma_retrieve" in no_tool["error"]["message"]

    extra = await tool(api.client, "alma_retrieve", {**RETRIEVE, "colour": "blue", "embedding": "no"}, junior)
    assert extra["success"] is True
    assert {item["agent"] for item in extra["memories"]["heuristics"]} == {
        "junior_developer",
        "senior_developer",
        "tech_lead",
    }


async def test_malformed_json_rpc_gets_json_rpc_errors_and_the_landing_page_stays(team):
    api, _, junior = team
    cases = [
        (b'{"jsonrpc": "2.0", "id": 1, "method": ', -32700),
        (b"[]", -32600),
        (b'[{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}]', -32600),
        (b'"tools/list"', -32600),
        (b'{"jsonrpc": "1.0", "id": 1, "method": "tools/list"}', -32600),
        (b'{"jsonrpc": "2.0", "id": 1, "method": 7}', -32600),
        (b'{"jsonrpc": "2.0", "id": {"a": 1}, "method": "tools/list"}', -32600),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "tools/dance"}', -32601),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": [1, 2]}', -32602),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": 7}}', -32602),
        (
            b'{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "alma_health", "arguments": 3}}',
            -32602,
        ),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "resources/read", "params": {"uri": "alma://nothing"}}', -32002),
        (b"[" * 100_000, -32700),
    ]
    for body, code in cases:
        response = await api.client.post("/", content=body, headers={**junior, "content-type": "application/json"})
        assert response.status_code == 200, (body[:80], response.text)
        assert response.json()["error"]["code"] == code, (body[:80], response.text)
    notification = await api.client.post(
        "/", json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=junior
    )
    assert notification.status_code == 202 and notification.content == b""
    no_key = await api.client.post(
        "/", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, headers={"Authorization": ""}
    )
    assert no_key.status_code == 401
    assert no_key.json() == {
        "jsonrpc": "2.0",
        "id": None,
        "error": {
            "code": -32010,
            "message": "This service requires an API key: send `Authorization: Bearer <key>`.",
            "data": {"type": "urn:alma:problem:unauthorized", "status": 401},
        },
    }
    operator = await rpc(api.client, "tools/call", {"name": "alma_health", "arguments": {}}, bearer(OPERATOR_KEY))
    assert operator["error"]["code"] == -32010 and "key of the project" in operator["error"]["message"]
    landing = await api.client.get("/")
    assert landing.status_code == 200 and landing.headers["content-type"].startswith("text/html")


async def test_the_other_tools_and_resources(team, database_url: str):
    api, admin, junior = team
    call = api.client

    preference = {"user_id": "ana", "category": "code_style", "preference": "Strict typing everywhere"}
    recorded = await tool(call, "alma_add_preference", preference, junior)
    assert recorded["success"] is True
    assert recorded["preference"]["agent"] == "junior_developer"  # an agent key records as its agent
    assert recorded["preference"]["source"] == "explicit_instruction"  # ALMA's default
    by_admin = await tool(call, "alma_add_preference", preference, admin)
    assert by_admin["success"] is False and "'mcp' is not an agent of project 'my-team'" in by_admin["error"]
    with_user = await tool(call, "alma_retrieve", {**RETRIEVE, "user_id": "ana"}, junior)
    assert [item["preference"] for item in with_user["memories"]["preferences"]] == ["Strict typing everywhere"]

    fact = await tool(
        call, "alma_add_knowledge", {"agent": "junior_developer", "domain": "debugging", "fact": "f"}, junior
    )
    assert fact["success"] is True and fact["knowledge"]["source"] == "user_stated"
    outside = await tool(
        call, "alma_add_knowledge", {"agent": "junior_developer", "domain": "architecture", "fact": "f"}, junior
    )
    assert outside["success"] is False and "outside its scope" in outside["error"]
    scoped = {"agent": "junior_developer", "task": TASK, "outcome": "success", "strategy_used": "s"}
    refused = await tool(call, "alma_learn", {**scoped, "task_type": "system_design"}, junior)
    assert refused["success"] is False and "outside its scope" in refused["error"]
    assert await outcomes_stored(database_url) == 0

    own = await tool(call, "alma_stats", {}, junior)
    assert own["stats"]["agent"] == "junior_developer" and own["stats"]["own"]["heuristics"] == 1
    assert own["stats"]["readable"] == {"senior_developer": {"heuristics": 1}, "tech_lead": {"heuristics": 1}}
    project = await tool(call, "alma_stats", {}, admin)
    assert project["stats"]["agents"]["qa_engineer"] == {"heuristics": 1}
    assert project["stats"]["total_count"] == 5  # four heuristics and the fact

    health = await tool(call, "alma_health", {}, junior)
    assert health["status"] == "healthy" and health["project_id"] == "my-team"
    assert health["registered_agents"] == ["junior_developer", "qa_engineer", "senior_developer", "tech_lead"]

    explained = await tool(call, "alma_sharing_explain", {}, junior)
    statuses = {source["source"]: source["status"] for source in explained["sharing"]["inherit_from"]}
    assert statuses == {"senior_developer": "granted", "tech_lead": "granted"}
    no_agent = await rpc(call, "tools/call", {"name": "alma_sharing_explain", "arguments": {}}, admin)
    assert no_agent["error"]["code"] == -32602 and "`agent`" in no_agent["error"]["message"]

    forgot = await tool(call, "alma_forget", {}, junior)  # its own agent's, with ALMA's defaults
    assert forgot == {
        "success": True,
        "pruned_count": 0,
        "outcomes_removed": 0,
        "heuristics_removed": 0,
        "message": "Pruned 0 stale or low-confidence memories",
    }
    weak = await tool(call, "alma_forget", {"below_confidence": 0.6}, admin)  # the project's: written at 0.5
    assert weak["heuristics_removed"] == 4

    listed = await rpc(call, "resources/list", {}, junior)
    assert [entry["uri"] for entry in listed["result"]["resources"]] == ["alma://config", "alma://agents"]
    read = await rpc(call, "resources/read", {"uri": "alma://config"}, junior)
    config = json.loads(read["result"]["contents"][0]["text"])
    assert sorted(config["agents"]) == ["junior_developer", "qa_engineer", "senior_developer", "tech_lead"]


async def test_post_chooses_the_project_default_only_or_refuses(database_url: str):
    """Open run: ALMA_DEFAULT_PROJECT, else the only project; several and no default is an error that says how to
    choose. A key's project comes first."""
    for default_project in (None, "other-team"):
        app = create_app(OpenRun(**settings_for(database_url, default_project=default_project).model_dump()))
        async with AsyncTestClient(app=app) as client:
            health = {"name": "alma_health", "arguments": {}}
            if default_project is None:
                await Api(client, "my-team").apply(guide_example())
                only = await rpc(client, "tools/call", health, {})
                assert json.loads(only["result"]["content"][0]["text"])["project_id"] == "my-team"
                await Api(client, "other-team").apply(guide_example().replace("my-team", "other-team"))
                ambiguous = await rpc(client, "tools/call", health, {}, id="a")
                assert ambiguous["id"] == "a"
                assert ambiguous["error"]["code"] == -32010
                assert "several projects (my-team, other-team)" in ambiguous["error"]["message"]
                assert "ALMA_DEFAULT_PROJECT" in ambiguous["error"]["message"]
                assert "key of the project" in ambiguous["error"]["message"]
                listed = await rpc(client, "tools/list", {}, {})
                assert {entry["name"] for entry in listed["result"]["tools"]} == TOOLS
            else:
                chosen = await rpc(client, "tools/call", health, {})
                assert json.loads(chosen["result"]["content"][0]["text"])["project_id"] == "other-team"
                created = await client.post(
                    "/v1/projects/my-team/keys", json={"role": "admin"}, headers=bearer(OPERATOR_KEY)
                )
                keyed = await rpc(client, "tools/call", health, bearer(created.json()["key"]))
                assert json.loads(keyed["result"]["content"][0]["text"])["project_id"] == "my-team"
