"""What controllers receive through Litestar's dependency injection."""

from typing import Annotated

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import PathParameter

from app.auth import Caller
from app.models import NAME_PATTERN, NAME_RULE
from app.service import MemoryService

ProjectId = Annotated[str, PathParameter(pattern=NAME_PATTERN, description=f"The project (tenant): {NAME_RULE}.")]
AgentName = Annotated[str, PathParameter(pattern=NAME_PATTERN, description=f"An agent of the project: {NAME_RULE}.")]


def provide_service(state: State) -> MemoryService:
    return state.service


async def provide_caller(request: Request, state: State) -> Caller:
    """Who is calling: from the Bearer key, or the open caller where keys are not required."""
    caller = await state.key_store.identify(request.headers.get("authorization"))
    request.state.caller = caller
    return caller


CurrentCaller = NamedDependency[Caller]
