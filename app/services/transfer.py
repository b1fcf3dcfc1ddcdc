"""TransferService: a project's memories in and out as JSON Lines, over HTTP as from the command line; the
same records, idempotency and batching as `alma import` / `alma export` on the database."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from app.embeddings import Embedder
from app.repositories.deployment import DeploymentRepository
from app.repositories.transfer import TransferRepository
from app.transfer.importer import Importer, ImportOptions, ImportReport, RowError
from app.transfer.sources import read_jsonl

MAX_LISTED_SKIPS = 100  # skipped rows spelt out in an import's answer; the counts beside them are exact


class TransferService:
    def __init__(self, transfer: TransferRepository, deployment: DeploymentRepository, embedder: Embedder) -> None:
        self.transfer = transfer
        self.deployment = deployment
        self.embedder = embedder

    async def import_lines(self, options: ImportOptions, body: bytes) -> dict[str, Any]:
        """Import a JSON Lines body; the answer says what `alma import` says, and which rows it skipped."""
        skipped: list[RowError] = []
        importer = Importer(self.transfer, self.deployment, self.embedder, options, on_skip=skipped.append)
        report = await importer.run(read_jsonl(body.splitlines()))
        return report_answer(report, skipped[:MAX_LISTED_SKIPS])

    async def count(self, project_id: str) -> int:
        await self.transfer.ensure_project(project_id)
        return await self.transfer.count(project_id)

    async def export_lines(self, project_id: str, with_vectors: bool) -> AsyncIterator[bytes]:
        """Every memory of the project as one JSON line each, from one consistent snapshot."""
        async for record in self.transfer.export(project_id, with_vectors):
            yield (json.dumps(record, ensure_ascii=False) + "\n").encode()


def report_answer(report: ImportReport, skipped: list[RowError]) -> dict[str, Any]:
    """An import's report as JSON, and back (`alma import` prints the same summary either way)."""
    return {
        "read": report.read,
        "imported": report.imported,
        "already_present": report.already_present,
        "skipped": dict(report.skipped),
        "batches": report.batches,
        "vectors_kept": report.vectors_kept,
        "vectors_computed": report.vectors_computed,
        "other_sizes": sorted(report.other_sizes),
        "agents_created": report.agents_created,
        "stopped": None
        if report.stopped is None
        else {"where": report.stopped.where, "reason": report.stopped.reason, "detail": report.stopped.detail},
        "skipped_rows": [str(error) for error in skipped],
    }
