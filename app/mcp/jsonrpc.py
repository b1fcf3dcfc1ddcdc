"""ALMA's wire protocol: plain JSON-RPC 2.0, one message per HTTP body, answered MCP-shaped. ALMA's JavaScript SDK
posts `tools/call` here and reads `result.content[0].text` as JSON; `alma mcp` forwards its host's calls here.

Anything that is not a well-formed request gets its JSON-RPC error (-32700, -32600, -32601, -32602), never a 500.
A message without an `id` is a notification: acknowledged, and not acted on.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mcp_types import INVALID_PARAMS, INVALID_REQUEST, METHOD_NOT_FOUND, PARSE_ERROR
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, LATEST_HANDSHAKE_VERSION

from app import __version__
from app.auth import Caller
from app.mcp.rpc import RpcError, tool_result
from app.mcp.toolbox import Toolbox

SERVER_INFO = {"name": "alma-memory", "version": __version__}
INSTRUCTIONS = (
    "Shared, permissioned memory for a team of agents: call alma_retrieve before a task and alma_learn after it, "
    "always as the agent doing the work."
)
Method = Callable[[Toolbox, Caller, Mapping[str, Any]], Awaitable[dict[str, Any]]]


async def _initialize(toolbox: Toolbox, caller: Caller, params: Mapping[str, Any]) -> dict[str, Any]:
    asked = params.get("protocolVersion")
    return {
        "protocolVersion": asked if asked in HANDSHAKE_PROTOCOL_VERSIONS else LATEST_HANDSHAKE_VERSION,
        "capabilities": {"tools": {"listChanged": False}, "resources": {"subscribe": False, "listChanged": False}},
        "serverInfo": SERVER_INFO,
        "instructions": INSTRUCTIONS,
    }


async def _ping(toolbox: Toolbox, caller: Caller, params: Mapping[str, Any]) -> dict[str, Any]:
    return {}


async def _list_tools(toolbox: Toolbox, caller: Caller, params: Mapping[str, Any]) -> dict[str, Any]:
    return {"tools": toolbox.tools()}


async def _call_tool(toolbox: Toolbox, caller: Caller, params: Mapping[str, Any]) -> dict[str, Any]:
    name, arguments = params.get("name"), params.get("arguments", {})
    if not isinstance(name, str) or not isinstance(arguments, dict | None):
        raise RpcError(INVALID_PARAMS, "tools/call takes params {name: <tool>, arguments: {<argument>: <value>}}.")
    return tool_result(await toolbox.call_tool(caller, name, arguments or {}))


async def _list_resources(toolbox: Toolbox, caller: Caller, params: Mapping[str, Any]) -> dict[str, Any]:
    return {"resources": toolbox.resources()}


async def _read_resource(toolbox: Toolbox, caller: Caller, params: Mapping[str, Any]) -> dict[str, Any]:
    uri = params.get("uri")
    if not isinstance(uri, str):
        raise RpcError(INVALID_PARAMS, "resources/read takes params {uri: <resource>}, e.g. alma://config.")
    return await toolbox.read_resource(caller, uri)


METHODS: dict[str, Method] = {
    "initialize": _initialize,
    "ping": _ping,
    "tools/list": _list_tools,
    "tools/call": _call_tool,
    "resources/list": _list_resources,
    "resources/read": _read_resource,
}


def error_answer(request_id: Any, error: RpcError) -> dict[str, Any]:
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.data is not None:
        body["data"] = error.data
    return {"jsonrpc": "2.0", "id": request_id, "error": body}


def _valid_id(value: Any) -> bool:
    return value is None or isinstance(value, str) or (isinstance(value, int | float) and not isinstance(value, bool))


@dataclass(frozen=True)
class Answer:
    """What to send back: the HTTP status, the JSON-RPC answer (None for a notification), and headers."""

    status: int
    body: dict[str, Any] | None
    headers: Mapping[str, str] = field(default_factory=dict)


def _error(request_id: Any, code: int, message: str) -> Answer:
    return Answer(200, error_answer(request_id, RpcError(code, message)))


async def answer(body: bytes, caller: Caller, toolbox: Toolbox) -> Answer:
    """The answer to one HTTP body."""
    try:
        message = json.loads(body)
    except (ValueError, RecursionError):
        return _error(None, PARSE_ERROR, "The body is not JSON: send one JSON-RPC 2.0 request.")
    if isinstance(message, list):
        return _error(None, INVALID_REQUEST, "Batches are not served: send one request per POST.")
    if not isinstance(message, dict) or not _valid_id(message.get("id")):
        return _error(None, INVALID_REQUEST, "Not a JSON-RPC request: send an object with an id.")
    request_id = message.get("id")
    method, params = message.get("method"), message.get("params", {})
    if message.get("jsonrpc") != "2.0" or not isinstance(method, str):
        shape = '{"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {...}}'
        return _error(request_id, INVALID_REQUEST, f"Not a JSON-RPC 2.0 request: send {shape}.")
    if "id" not in message:
        return Answer(202, None)
    if method not in METHODS:
        served = ", ".join(METHODS)
        return _error(request_id, METHOD_NOT_FOUND, f"No method '{method}' here; served: {served}.")
    if not isinstance(params, dict | None):
        return _error(request_id, INVALID_PARAMS, f"The params of {method} are an object.")
    try:
        result = await METHODS[method](toolbox, caller, params or {})
    except RpcError as error:
        return Answer(error.status, error_answer(request_id, error), error.headers)
    return Answer(200, {"jsonrpc": "2.0", "id": request_id, "result": result})
