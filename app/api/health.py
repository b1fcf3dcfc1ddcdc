"""Liveness and readiness."""

from litestar import Response, get
from litestar.datastructures import State
from litestar.di import NamedDependency

from app import __version__
from app.errors import PROBLEM_JSON
from app.services.readiness import Readiness


@get("/health", tags=["operations"])
async def health() -> dict[str, str]:
    """The process is up (it says nothing of the database)."""
    return {"status": "ok", "version": __version__}


@get("/ready", tags=["operations"])
async def ready(state: State, readiness: NamedDependency[Readiness | None]) -> Response:
    """The database answers and its schema is the one this version expects; 503 otherwise."""
    problem = "the service is starting" if readiness is None else await readiness.not_ready(state.schema_head)
    if problem is None:
        return Response({"status": "ready", "schema": state.schema_head})
    body = {
        "type": "urn:alma:problem:not-ready",
        "title": "Not ready",
        "status": 503,
        "detail": problem,
        "instance": "/ready",
    }
    return Response(body, status_code=503, media_type=PROBLEM_JSON, headers={"Retry-After": "1"})
