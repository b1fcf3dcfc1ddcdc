"""What controllers receive through Litestar's dependency injection."""

from typing import Annotated

from litestar.datastructures import State
from litestar.params import PathParameter

from app.models import NAME_PATTERN, NAME_RULE
from app.service import MemoryService

ProjectId = Annotated[str, PathParameter(pattern=NAME_PATTERN, description=f"The project (tenant): {NAME_RULE}.")]
AgentName = Annotated[str, PathParameter(pattern=NAME_PATTERN, description=f"An agent of the project: {NAME_RULE}.")]


def provide_service(state: State) -> MemoryService:
    return state.service
