"""JSON-RPC errors as every transport of the tools answers them, and a tool's result as MCP carries it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from app.errors import DATABASE_DOWN, TYPE_BASE, AlmaError

# JSON-RPC error codes beyond the standard ones: MCP's for an unknown resource, and ours for a call the service
# refuses before any tool runs (`data` carries the REST API's problem type and HTTP status)
RESOURCE_NOT_FOUND = -32002
SERVICE_REFUSED = -32010


class RpcError(Exception):
    """A JSON-RPC error answer. `status` is the HTTP status of a plain JSON-RPC answer: 200, except where HTTP has
    a word for it that clients act on (401 for a key, 429 and 503 to retry)."""

    def __init__(
        self, code: int, message: str, data: Any = None, status: int = 200, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data
        self.status = status
        self.headers = headers or {}


def refused(error: AlmaError, status: int | None = None) -> RpcError:
    """The service's refusal of a whole call (a key, a project's share), as a JSON-RPC error."""
    data = {"type": TYPE_BASE + error.slug, "status": error.status}
    return RpcError(SERVICE_REFUSED, error.detail, data, status or error.status, error.headers)


@contextmanager
def database_answers() -> Iterator[None]:
    """A database away is the same error on every transport: nothing was written, retry."""
    try:
        yield
    except DATABASE_DOWN as error:
        raise RpcError(
            SERVICE_REFUSED,
            "The database cannot be reached right now; nothing of this call was written. Retry shortly.",
            {"type": TYPE_BASE + "database-unavailable", "status": 503},
            503,
            {"Retry-After": "1"},
        ) from error


def tool_result(result: dict[str, Any]) -> dict[str, Any]:
    """A tool's result as MCP carries it: its JSON as the one text content (ALMA's clients read `content[0].text`)."""
    return {
        "content": [{"type": "text", "text": json.dumps(result, ensure_ascii=False)}],
        "isError": not result["success"],
    }
