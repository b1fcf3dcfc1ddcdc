"""MCP over HTTP on the service itself: Streamable HTTP at `/mcp` (the official SDK's transport, mounted in the app)
and ALMA's plain JSON-RPC at `POST /`. Both take the REST API's keys (`Authorization: Bearer`), act in the key's
project, and hold one of its in-flight slots as a REST request does; what they serve is app.mcp.toolbox's."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import mcp_types as types
from litestar import Litestar, MediaType, Request, Response, asgi, post
from litestar.datastructures import State
from litestar.response.base import ASGIResponse
from litestar.types import Receive, Scope, Send
from mcp.server import Server, ServerRequestContext
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from mcp.server.transport_security import TransportSecuritySettings
from mcp.shared.exceptions import MCPError

from app import __version__
from app.auth import Caller
from app.errors import AlmaError, TooBusy
from app.mcp import jsonrpc
from app.mcp.rpc import RpcError, database_answers, refused, tool_result
from app.mcp.toolbox import Toolbox
from app.settings import Settings

CALLER = "alma.caller"  # the key in /mcp's ASGI scope under which the SDK's handlers find the caller

Context = ServerRequestContext[Any, Any]


@asynccontextmanager
async def calling(state: State, authorization: str | None) -> AsyncIterator[Caller]:
    """The caller behind the Authorization header, holding one of its project's in-flight slots (app.limits) while
    it is served; RpcError when it may not be served (no or a bad key, the project past its share)."""
    with database_answers():
        try:
            caller = await state.key_store.identify(authorization)
        except AlmaError as error:
            raise refused(error) from error
    try:
        async with state.limiter.slot(caller.project_id):
            yield caller
    except TooBusy as error:
        raise refused(error) from error


@post("/", include_in_schema=False, status_code=200)
async def json_rpc(request: Request, state: State) -> Response[Any]:
    """ALMA's wire protocol, where its JavaScript SDK posts (app.mcp.jsonrpc); the project comes from the key."""
    try:
        async with calling(state, request.headers.get("authorization")) as caller:
            answer = await jsonrpc.answer(await request.body(), caller, state.toolbox)
    except RpcError as error:
        answer = jsonrpc.Answer(error.status, jsonrpc.error_answer(None, error), error.headers)
    return Response(
        answer.body if answer.body is not None else b"",
        status_code=answer.status,
        headers=dict(answer.headers),
        media_type=MediaType.JSON,
    )


# --- /mcp: the SDK's Streamable HTTP transport ------------------------------------------------------


@contextmanager
def _as_mcp_errors() -> Iterator[None]:
    try:
        yield
    except RpcError as error:
        raise MCPError(error.code, error.message, error.data) from error


def _called(ctx: Context) -> tuple[Toolbox, Caller]:
    """The toolbox and the caller of an SDK handler's request, from the ASGI scope /mcp passed on."""
    assert ctx.request is not None, "the SDK's HTTP transport passes its request on"
    scope = ctx.request.scope
    return Litestar.from_scope(scope).state.toolbox, scope[CALLER]


async def _list_tools(ctx: Context, params: types.PaginatedRequestParams | None) -> types.ListToolsResult:
    return types.ListToolsResult(tools=[types.Tool.model_validate(tool) for tool in Toolbox.tools()])


async def _call_tool(ctx: Context, params: types.CallToolRequestParams) -> types.CallToolResult:
    toolbox, caller = _called(ctx)
    with _as_mcp_errors():
        result = await toolbox.call_tool(caller, params.name, params.arguments or {})
    return types.CallToolResult.model_validate(tool_result(result))


async def _list_resources(ctx: Context, params: types.PaginatedRequestParams | None) -> types.ListResourcesResult:
    return types.ListResourcesResult(resources=[types.Resource.model_validate(item) for item in Toolbox.resources()])


async def _read_resource(ctx: Context, params: types.ReadResourceRequestParams) -> types.ReadResourceResult:
    toolbox, caller = _called(ctx)
    with _as_mcp_errors():
        return types.ReadResourceResult.model_validate(await toolbox.read_resource(caller, params.uri))


def _rebinding_guard(settings: Settings) -> TransportSecuritySettings | None:
    """On loopback, only local Host and Origin headers (the SDK's own default there): a web page cannot reach the
    endpoint through a name it made resolve to this machine."""
    if not settings.loopback_only:
        return None
    local = ["127.0.0.1", "localhost", "[::1]"]
    return TransportSecuritySettings(
        allowed_hosts=local + [f"{host}:*" for host in local],
        allowed_origins=[f"http://{host}{port}" for host in local for port in ("", ":*")],
    )


class McpEndpoint:
    """`/mcp`: the SDK's Streamable HTTP transport, stateless and answering JSON (each POST stands alone, so any
    worker can serve it), behind the service's keys."""

    def __init__(self, settings: Settings, max_body_bytes: int) -> None:
        server: Server[Any] = Server(
            "alma-memory",
            version=__version__,
            instructions=jsonrpc.INSTRUCTIONS,
            on_list_tools=_list_tools,
            on_call_tool=_call_tool,
            on_list_resources=_list_resources,
            on_read_resource=_read_resource,
        )
        self.manager = StreamableHTTPSessionManager(
            server,
            json_response=True,
            stateless=True,
            security_settings=_rebinding_guard(settings),
            max_request_body_size=max_body_bytes,
        )
        self.route = asgi("/mcp", is_mount=True, copy_scope=True)(self.serve)

    @asynccontextmanager
    async def lifespan(self, app: Litestar) -> AsyncIterator[None]:
        """The SDK's task group, open while the app runs."""
        async with self.manager.run():
            yield

    async def serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = Litestar.from_scope(scope).state
        authorization = next(
            (value.decode("latin-1") for key, value in scope["headers"] if key == b"authorization"), None
        )
        try:
            async with calling(state, authorization) as caller:
                await self.manager.handle_request({**scope, CALLER: caller}, receive, send)  # type: ignore[arg-type]
        except RpcError as error:
            response = ASGIResponse(
                body=json.dumps(jsonrpc.error_answer(None, error)),
                status_code=error.status,
                headers=error.headers,
                media_type=MediaType.JSON,
            )
            await response(scope, receive, send)
