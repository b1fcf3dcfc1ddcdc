"""`alma mcp`: MCP over stdin and stdout, for a host that launches it, in front of a running service (ALMA_URL,
with ALMA_API_KEY). It has no tools of its own: tools/list, tools/call and the resources are forwarded to the
service's JSON-RPC endpoint (`POST /`), so each tool is defined, checked and authorized once, by the service."""

from __future__ import annotations

import itertools
from typing import Any

import anyio
import httpx
import mcp_types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.stdio import stdio_server
from mcp.shared.exceptions import MCPError
from mcp_types import INTERNAL_ERROR

from app import __version__
from app.mcp.jsonrpc import INSTRUCTIONS

Context = ServerRequestContext[Any, Any]


class Forwarder:
    """JSON-RPC calls to the service at `url`; its errors become the host's MCP errors, in the service's words."""

    def __init__(self, url: str, api_key: str | None) -> None:
        self.url = url.rstrip("/")
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.http = httpx.AsyncClient(base_url=self.url, headers=headers, timeout=120)
        self.ids = itertools.count(1)

    async def __call__(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        request = {"jsonrpc": "2.0", "id": next(self.ids), "method": method, "params": params}
        try:
            response = await self.http.post("/", json=request)
        except httpx.TransportError as error:
            raise MCPError(
                INTERNAL_ERROR, f"The ALMA service at {self.url} does not answer ({error}). Is `alma serve` running?"
            ) from error
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if isinstance(answer, dict) and isinstance(refusal := answer.get("error"), dict):
            raise MCPError(int(refusal.get("code", INTERNAL_ERROR)), str(refusal.get("message")), refusal.get("data"))
        if response.status_code != 200 or not isinstance(answer, dict) or not isinstance(answer.get("result"), dict):
            detail = answer.get("detail") if isinstance(answer, dict) else None  # a problem answer, such as a 503
            raise MCPError(
                INTERNAL_ERROR,
                f"The ALMA service at {self.url} answered {response.status_code}: {detail or response.text[:500]}",
            )
        return dict(answer["result"])

    async def close(self) -> None:
        await self.http.aclose()


def forwarding_server(forward: Forwarder) -> Server[Any]:
    """An MCP server whose every method is the service's."""

    async def list_tools(ctx: Context, params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
        return types.ListToolsResult.model_validate(await forward("tools/list", {}))

    async def call_tool(ctx: Context, params: types.CallToolRequestParams) -> types.CallToolResult:
        return types.CallToolResult.model_validate(
            await forward("tools/call", {"name": params.name, "arguments": params.arguments or {}})
        )

    async def list_resources(ctx: Context, params: types.PaginatedRequestParams | None) -> types.ListResourcesResult:
        return types.ListResourcesResult.model_validate(await forward("resources/list", {}))

    async def read_resource(ctx: Context, params: types.ReadResourceRequestParams) -> types.ReadResourceResult:
        return types.ReadResourceResult.model_validate(await forward("resources/read", {"uri": params.uri}))

    return Server(
        "alma-memory",
        version=__version__,
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=list_resources,
        on_read_resource=read_resource,
    )


async def serve(url: str, api_key: str | None) -> None:
    """Serve the host on stdin and stdout until it closes them."""
    forward = Forwarder(url, api_key)
    server = forwarding_server(forward)
    try:
        async with stdio_server() as (read_stream, write_stream):
            await server.run(read_stream, write_stream, server.create_initialization_options())
    finally:
        await forward.close()


def run(url: str, api_key: str | None) -> None:
    anyio.run(serve, url, api_key)
