"""What controllers receive through Litestar's dependency injection."""

from collections.abc import AsyncGenerator
from typing import Annotated

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import PathParameter

from app.auth import Caller
from app.errors import PROBLEM_JSON, UnsupportedMediaType
from app.models import NAME_RULE, PARAM_NAME_PATTERN, Problem
from app.services.keys import KeyStore
from app.services.memories import MemoryService
from app.services.projects import ProjectService
from app.services.readiness import Readiness
from app.services.transfer import TransferService

ProjectId = Annotated[str, PathParameter(pattern=PARAM_NAME_PATTERN, description=f"The project (tenant): {NAME_RULE}.")]
AgentName = Annotated[
    str, PathParameter(pattern=PARAM_NAME_PATTERN, description=f"An agent of the project: {NAME_RULE}.")
]


def provide_service(state: State) -> MemoryService:
    return state.service


def provide_projects(state: State) -> ProjectService:
    return state.projects


def provide_keys(state: State) -> KeyStore:
    return state.key_store


def provide_transfer(state: State) -> TransferService:
    return state.transfer


def provide_readiness(state: State) -> Readiness | None:
    """None while the lifespan has not opened the pool yet."""
    return getattr(state, "readiness", None)


PROVIDERS = {
    "transfer": provide_transfer,
    "service": provide_service,
    "projects": provide_projects,
    "keys": provide_keys,
    "readiness": provide_readiness,
}


async def provide_caller(request: Request, state: State) -> AsyncGenerator[Caller, None]:
    """Who is calling: from the Bearer key, or the open caller where keys are not required. The call then
    holds one of its project's in-flight slots until it is answered (see app.limits)."""
    caller = await state.key_store.identify(request.headers.get("authorization"))
    request.state.caller = caller
    project = caller.project_id or request.path_params.get("project_id")
    async with state.limiter.slot(project if caller.role != "operator" else None):
        yield caller


CurrentCaller = NamedDependency[Caller]

JSON_BODY = frozenset({"application/json"})
YAML_OR_JSON_BODY = frozenset({"application/yaml", "application/x-yaml", "text/yaml", "application/json"})


async def require_media_type(request: Request) -> None:
    """A body is read as the type it declares, never guessed: 415 unless it is one the route reads (JSON, or
    what its `opt["media_types"]` names)."""
    if request.method not in {"POST", "PUT", "PATCH"} or not await request.body():
        return
    accepted = request.route_handler.opt.get("media_types", JSON_BODY)
    sent = request.content_type[0].lower()
    if sent not in accepted:
        raise UnsupportedMediaType(
            f"This endpoint reads {' or '.join(sorted(accepted))}, but the body was sent as {sent or 'no type'}. "
            f"Send it with `Content-Type: {min(accepted)}`.",
            accepted=sorted(accepted),
        )


def _problem(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem, description=description, media_type=PROBLEM_JSON, generate_examples=False
    )


PROBLEMS = {
    400: _problem("Malformed request"),
    401: _problem("A key is required and missing, unknown or revoked"),
    403: _problem("The key may not do this, or the write is outside the agent's scope or ownership"),
    404: _problem("No such project, agent or memory for this key"),
    409: _problem("Conflict"),
    413: _problem("The body is too large"),
    422: _problem("A field is invalid; `errors` names it"),
    503: _problem("The database is unavailable; retry"),
}
