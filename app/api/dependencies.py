"""What controllers receive through Litestar's dependency injection."""

from typing import Annotated

from litestar.datastructures import State
from litestar.params import Parameter

from app.models import NAME_PATTERN, NAME_RULE
from app.service import MemoryService

ProjectId = Annotated[str, Parameter(pattern=NAME_PATTERN, description=f"The project (tenant): {NAME_RULE}.")]
AgentName = Annotated[str, Parameter(pattern=NAME_PATTERN, description=f"An agent of the project: {NAME_RULE}.")]


def provide_service(state: State) -> MemoryService:
    return state.service
