"""Import and export of a project's memories as JSON Lines (what `alma import` / `alma export` send and read
through the service): admin keys only."""

from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from litestar.response import Stream
from litestar.status_codes import HTTP_200_OK

from app.api.dependencies import PROBLEMS, CurrentCaller, ProjectId
from app.audit import audit
from app.services.transfer import TransferService
from app.transfer.importer import ImportOptions

JSON_LINES = "application/x-ndjson"
JSON_LINES_BODY = frozenset({JSON_LINES, "application/jsonl", "application/json-lines"})
MAX_IMPORT_BYTES = 64 * 1024 * 1024  # a larger import is sent in parts: importing again skips what is there
Transfer = NamedDependency[TransferService]


class TransferController(Controller):
    path = "/v1/projects/{project_id:str}"
    tags = ["import and export"]

    @get("/export.jsonl", responses=PROBLEMS, media_type=JSON_LINES)
    async def export_memories(
        self,
        project_id: ProjectId,
        transfer: Transfer,
        caller: CurrentCaller,
        with_vectors: Annotated[bool, QueryParameter(description="Include each memory's vectors.")] = False,
    ) -> Stream:
        """Every memory of the project, one JSON object a line, as the import reads them back; the
        `X-Memory-Count` header says how many lines follow."""
        caller.require_admin(project_id)
        total = await transfer.count(project_id)
        audit(caller, "export", project_id, None, memories=total)
        lines = transfer.export_lines(project_id, with_vectors)
        return Stream(lines, media_type=JSON_LINES, headers={"X-Memory-Count": str(total)})

    @post(
        "/import",
        status_code=HTTP_200_OK,
        responses=PROBLEMS,
        request_max_body_size=MAX_IMPORT_BYTES,
        opt={"media_types": JSON_LINES_BODY},
    )
    async def import_memories(
        self,
        project_id: ProjectId,
        request: Request,
        transfer: Transfer,
        caller: CurrentCaller,
        on_error: Annotated[
            Literal["abort", "skip"], QueryParameter(description="At a bad row: stop, or skip it.")
        ] = "abort",
        batch_size: Annotated[int, QueryParameter(ge=1, le=100_000)] = 1000,
        create_agents: Annotated[bool, QueryParameter(description="Add agents the project lacks.")] = False,
        re_embed: Annotated[bool, QueryParameter(description="Embed every text again.")] = False,
        dry_run: Annotated[bool, QueryParameter(description="Check and count, write nothing.")] = False,
    ) -> dict[str, Any]:
        """Import JSON Lines records (an export, or records of the same shape) in batches, each written whole
        or not at all; importing again writes nothing twice."""
        caller.require_admin(project_id)
        options = ImportOptions(project_id, on_error, batch_size, create_agents, re_embed, dry_run)
        answer = await transfer.import_lines(options, await request.body())
        audit(caller, "import", project_id, None, imported=answer["imported"], dry_run=dry_run)
        return answer
