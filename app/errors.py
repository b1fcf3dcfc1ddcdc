"""Domain exceptions, and the one mapping of every error to RFC 9457 problem details.

The repository and the services raise these; the HTTP layer never builds an error body by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import asyncpg
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "urn:alma:problem:"


class AlmaError(Exception):
    """An error a caller can act on; `detail` says what to do next."""

    status = 400
    slug = "bad-request"
    title = "Bad request"

    headers: dict[str, str] = {}

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(AlmaError):
    status, slug, title = 404, "not-found", "Not found"


class AgentNotFound(NotFound):
    slug, title = "agent-not-found", "Unknown agent"


class ProjectNotFound(NotFound):
    slug, title = "project-not-found", "Unknown project"


class Unauthorized(AlmaError):
    status, slug, title = 401, "unauthorized", "Unauthorized"
    headers = {"WWW-Authenticate": 'Bearer realm="alma"'}


class Conflict(AlmaError):
    status, slug, title = 409, "conflict", "Conflict"


class MemoryNotFound(NotFound):
    slug, title = "memory-not-found", "Unknown memory"


class Forbidden(AlmaError):
    status, slug, title = 403, "forbidden", "Forbidden"


class ScopeViolation(Forbidden):
    slug, title = "scope-violation", "Outside the agent's scope"


class NotOwner(Forbidden):
    slug, title = "not-owner", "Not the owner"


class DeploymentMismatch(AlmaError):
    """The database was made for another embedder than the one configured (raised at start, not per request)."""

    status, slug, title = 409, "deployment-mismatch", "Another embedder's database"


class TooBusy(AlmaError):
    status, slug, title = 429, "too-many-requests", "Too many requests in flight"
    headers = {"Retry-After": "1"}


class UnsupportedMediaType(AlmaError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class GraphTooLarge(AlmaError):
    status, slug, title = 422, "graph-too-large", "The graph is too large to draw"


class InvalidInput(AlmaError):
    """Input that is well formed but cannot be used, such as a vector of the wrong size."""

    status, slug, title = 422, "invalid-input", "Invalid input"


class InvalidConfig(InvalidInput):
    slug, title = "invalid-config", "Invalid config"


def problem(
    status: int, slug: str, title: str, detail: str, request: Request, headers: dict | None = None, **extra: Any
) -> Response:
    """An RFC 9457 problem details response."""
    body = {"type": TYPE_BASE + slug, "title": title, "status": status, "detail": detail, "instance": request.url.path}
    body.update(extra)
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_errors(extra: Any) -> list[dict[str, str]]:
    """Litestar's validation details as [{field, message}], the field as a dotted path."""
    errors = []
    for item in extra if isinstance(extra, list) else []:
        if isinstance(item, dict):
            field = item.get("key") or item.get("source") or "body"
            errors.append({"field": str(field), "message": str(item.get("message", "invalid value"))})
    return errors


def handle_alma_error(request: Request, error: AlmaError) -> Response:
    return problem(error.status, error.slug, error.title, error.detail, request, error.headers, **error.extra)


def handle_validation_error(request: Request, error: ValidationException) -> Response:
    errors = _field_errors(error.extra)
    if not errors:
        return problem(400, "malformed-request", "Malformed request", str(error.detail), request)
    fields = ", ".join(sorted({entry["field"] for entry in errors}))
    detail = f"Fix the field(s) {fields}: " + "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(422, "validation-error", "Validation failed", detail, request, errors=errors)


HTTP_SLUGS = {
    400: "malformed-request",
    404: "route-not-found",
    405: "method-not-allowed",
    413: "request-entity-too-large",
}
HTTP_HINTS = {
    400: " Send a JSON body that matches the API (see /docs).",
    404: " See /docs for the API's paths.",
    413: " Split the request into smaller ones.",
}


def handle_http_error(request: Request, error: HTTPException) -> Response:
    status = error.status_code
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    slug = HTTP_SLUGS.get(status, phrase.lower().replace(" ", "-"))
    title = "Malformed request" if status == 400 else phrase
    detail, extra = f"{error.detail}.{HTTP_HINTS.get(status, '')}", {}
    if status == 413 and (limit := _body_limit(request)) is not None:
        detail = f"The body is larger than this endpoint takes ({limit:,} bytes at most).{HTTP_HINTS[413]}"
        extra = {"max_body_bytes": limit}
    return problem(status, slug, title, detail, request, None, **extra)


def _body_limit(request: Request) -> int | None:
    """The body size the request's endpoint takes: its own limit, else the application's."""
    try:
        handler_limit = request.route_handler.request_max_body_size
    except Exception:  # no handler resolved (an unknown path)
        handler_limit = None
    limit = handler_limit if isinstance(handler_limit, int) else request.app.request_max_body_size
    return limit if isinstance(limit, int) else None


# Errors that mean the database went away (a restart, a failover, the network): 503, and retry.
# OSError covers refused connections and a vanished socket file; the only I/O of a request is the database.
DATABASE_DOWN = (
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.InternalClientError,  # a connection left mid-operation when the server went away
    OSError,
    TimeoutError,  # a statement past ALMA_DATABASE_TIMEOUT: the database hangs
)


def handle_database_down(request: Request, error: Exception) -> Response:
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, error)
    return problem(
        503,
        "database-unavailable",
        "Database unavailable",
        "The database cannot be reached right now; nothing of this request was written. Retry shortly.",
        request,
        {"Retry-After": "1"},
    )


def handle_interface_error(request: Request, error: asyncpg.InterfaceError) -> Response:
    """A connection closed under a request is the database going away; other interface errors are ours."""
    if "closed" in str(error):
        return handle_database_down(request, error)
    return handle_unexpected_error(request, error)


def handle_data_error(request: Request, error: asyncpg.DataError) -> Response:
    """A value the database refuses that validation let through; still the caller's input, still a 4xx."""
    log.warning("database refused a value on %s %s: %s", request.method, request.url.path, error)
    return problem(422, "invalid-input", "Invalid input", f"A value was refused by the database: {error}.", request)


def handle_write_conflict(request: Request, error: asyncpg.UniqueViolationError) -> Response:
    """Two writes claimed one key (a random memory id drawn twice within a project): the transaction was rolled
    back whole, and the same request again succeeds."""
    log.warning("write conflict on %s %s: %s", request.method, request.url.path, error)
    return problem(
        409,
        "write-conflict",
        "Write conflict",
        "The write collided with a stored row and nothing of it was written; send the same request again.",
        request,
        {"Retry-After": "0"},
    )


def handle_too_deep(request: Request, error: RecursionError) -> Response:
    """A body nested deeper than the JSON decoder goes (no request of this API nests more than 3 levels)."""
    return problem(
        400,
        "malformed-request",
        "Malformed request",
        "The body nests too deeply to read; no request of this API nests more than a few levels (see /docs).",
        request,
    )


def handle_unexpected_error(request: Request, error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "internal-error",
        "Internal error",
        "The service failed on this request; the error is logged. Retry, and report it if it persists.",
        request,
    )


EXCEPTION_HANDLERS: dict[int | type[Exception], Callable[[Request, Any], Response]] = {
    AlmaError: handle_alma_error,
    ValidationException: handle_validation_error,
    HTTPException: handle_http_error,
    **dict.fromkeys(DATABASE_DOWN, handle_database_down),
    asyncpg.DataError: handle_data_error,
    asyncpg.UniqueViolationError: handle_write_conflict,
    asyncpg.InterfaceError: handle_interface_error,
    RecursionError: handle_too_deep,
    Exception: handle_unexpected_error,
}
