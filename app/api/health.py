"""Liveness and readiness."""

from litestar import Response, get
from litestar.datastructures import State

from app import __version__
from app.errors import PROBLEM_JSON


@get("/health", tags=["operations"])
async def health() -> dict[str, str]:
    """The process is up (it says nothing of the database)."""
    return {"status": "ok", "version": __version__}


@get("/ready", tags=["operations"])
async def ready(state: State) -> Response:
    """The database answers and its schema is the one this version expects; 503 otherwise."""
    service = getattr(state, "service", None)
    problem = "the service is starting" if service is None else await service.repository.not_ready(state.schema_head)
    if problem is None:
        return Response({"status": "ready", "schema": state.schema_head})
    body = {"type": "urn:alma:problem:not-ready", "title": "Not ready", "status": 503, "detail": problem,
            "instance": "/ready"}  # fmt: skip
    return Response(body, status_code=503, media_type=PROBLEM_JSON, headers={"Retry-After": "1"})
