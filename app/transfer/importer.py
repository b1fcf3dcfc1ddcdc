"""The import: rows from a source are checked as the API would check them (limits, agent, scope) and written in
batches. Each batch is COPYed into a staging table and inserted with `ON CONFLICT DO NOTHING` on its import key,
in one transaction, so a batch is written whole or not at all and running an import again writes nothing twice.

Not here: reading the sources (app.transfer.sources), the command line (app.cli.transfer), SQL.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import asyncpg
from pydantic import ValidationError

from app.embeddings import Embedder, embed, has_direction
from app.memory.kinds import BY_PATH
from app.models import unit, vector_has_direction
from app.repositories.common import in_scope
from app.repositories.deployment import DeploymentRepository
from app.repositories.transfer import TransferRepository
from app.transfer.records import STAGING_COLUMNS, MemoryRecord

# --- rows as sources give them -----------------------------------------------------------------------


class RowError(Exception):
    """One source row that cannot be imported: where it is, a short reason to count, and what is wrong."""

    def __init__(self, where: str, reason: str, detail: str) -> None:
        super().__init__(f"{where}: {detail}")
        self.where = where
        self.reason = reason
        self.detail = detail


@dataclass
class SourceRow:
    """One row of a source: JSON text (validated strictly) or Python values (validated as the API would),
    its idempotency key, and the source's vector when it keeps it apart from the record."""

    where: str
    kind: str | None = None
    key: str | None = None
    text: str | None = None
    values: dict[str, Any] | None = None
    vector: list[float] | None = None
    error: RowError | None = None


@dataclass(frozen=True)
class ImportOptions:
    project_id: str
    on_error: Literal["abort", "skip"] = "abort"
    batch_size: int = 1000
    create_agents: bool = False
    re_embed: bool = False
    dry_run: bool = False


@dataclass
class ImportReport:
    """What an import did, for its summary line."""

    read: int = 0
    imported: int = 0
    already_present: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    batches: int = 0
    vectors_kept: int = 0
    vectors_computed: int = 0
    other_sizes: set[int] = field(default_factory=set)
    agents_created: list[str] = field(default_factory=list)
    stopped: RowError | None = None


@dataclass
class _Staged:
    kind: str
    record: MemoryRecord
    key: str
    native_id: int | None
    vector: list[float] | None


class Importer:
    """Checks rows and writes them in batches; one transaction per batch."""

    def __init__(
        self,
        store: TransferRepository,
        deployment: DeploymentRepository,
        embedder: Embedder,
        options: ImportOptions,
        on_row: Callable[[], None] = lambda: None,
        on_skip: Callable[[RowError], None] = lambda error: None,
    ) -> None:
        self.store = store
        self.deployment = deployment
        self.embedder = embedder
        self.options = options
        self.on_row = on_row
        self.on_skip = on_skip
        self.report = ImportReport()
        self.dimension = 0  # the deployment's, once run() has asked the database
        self.agents: dict[str, asyncpg.Record | None] = {}  # None: created by this import, no scope limits
        self.new_agents: list[str] = []  # to create with the next batch, in its transaction

    async def run(self, rows: Iterable[SourceRow]) -> ImportReport:
        """Import the rows; on a bad row, skip it or stop before writing its batch, as the options say. Rows
        are checked a batch's worth at a time in a worker thread: a large import inside the service holds its
        event loop only to read them."""
        self.dimension = await self.deployment.dimension(self.embedder, record=not self.options.dry_run)
        self.agents = dict(await self.store.agents(self.options.project_id))
        size = self.options.batch_size
        source = iter(rows)
        batch: list[_Staged] = []
        while chunk := list(itertools.islice(source, size)):  # read here: a source may be bound to this thread
            staged, stopped = await asyncio.to_thread(self._check_all, chunk)
            batch += staged
            if stopped is not None:  # before writing the batch it is in
                self.report.stopped = stopped
                return self.report
            while len(batch) >= size:
                await self._write(batch[:size])
                batch = batch[size:]
        if batch:
            await self._write(batch)
        return self.report

    def _check_all(self, rows: list[SourceRow]) -> tuple[list[_Staged], RowError | None]:
        """The rows that pass, in order, up to the first refused one when a refusal stops the import."""
        staged = []
        for row in rows:
            self.report.read += 1
            self.on_row()
            try:
                staged.append(self._check(row))
            except RowError as error:
                if self.options.on_error == "abort":
                    return staged, error
                self.report.skipped[error.reason] += 1
                self.on_skip(error)
        return staged, None

    def _check(self, row: SourceRow) -> _Staged:
        """The row as a record to stage, or the RowError that says what is wrong with it."""
        if row.error is not None:
            raise row.error
        assert row.kind is not None and row.key is not None
        model = BY_PATH[row.kind].record
        try:
            if row.text is not None:
                record = model.model_validate_json(row.text, strict=True)
            else:
                record = model.model_validate(row.values)
        except ValidationError as error:
            raise RowError(row.where, "invalid field", _explain(error)) from None
        agent = self._agent(row.where, record.agent)
        for scoped in BY_PATH[row.kind].scoped:
            value = getattr(record, scoped)
            if value is not None and agent is not None and not in_scope(agent, value):
                allowed = ", ".join(agent["can_learn"]) or f"anything but {', '.join(agent['cannot_learn'])}"
                raise RowError(
                    row.where,
                    "outside scope",
                    f"{record.agent} may not learn {scoped} '{value}' (can_learn: {allowed}); "
                    f"add it to {record.agent}'s can_learn to import this memory",
                )
        staged = _Staged(row.kind, record, row.key, self._native_id(row.kind, row.key), row.vector)
        for column, (vector, text) in self._vector_sources(staged).items():
            if not self._keeps(vector) and not has_direction(self.embedder, text):
                raise RowError(
                    row.where,
                    "no words",
                    f"the text behind `{column}` has no word the {self.embedder.name} embedder can read, so it "
                    "would have no vector to rank by; give it words or a vector of the deployment's size",
                )
        return staged

    def _agent(self, where: str, name: str) -> asyncpg.Record | None:
        """The agent's row; an unknown agent is created (with --create-agents) or refused."""
        if name in self.agents:
            return self.agents[name]
        if not self.options.create_agents:
            known = ", ".join(sorted(self.agents)) or "none"
            raise RowError(
                where,
                "unknown agent",
                f"{name} is not an agent of project {self.options.project_id} (agents: {known}); add it to "
                "the project's config and apply it, or pass --create-agents",
            )
        self.agents[name] = None  # an empty config: no scope limits, no sharing
        self.new_agents.append(name)
        return None

    def _native_id(self, kind: str, key: str) -> int | None:
        """The memory's id when the record was exported from the project it is imported into."""
        prefix = f"alma:{self.options.project_id}:{kind}:"
        rest = key[len(prefix) :] if key.startswith(prefix) else ""
        return int(rest) if rest.isdigit() and len(rest) < 19 else None

    async def _write(self, batch: list[_Staged]) -> None:
        rows = await self._staging_rows(batch)
        counts = await self.store.write_batch(
            self.options.project_id, self.new_agents, rows, commit=not self.options.dry_run
        )
        inserted = sum(counts.values())
        self.report.batches += 1
        self.report.imported += inserted
        self.report.already_present += len(batch) - inserted
        self.report.agents_created += self.new_agents
        self.new_agents = []

    async def _staging_rows(self, batch: list[_Staged]) -> list[tuple]:
        """The batch as rows of the staging table, with the vectors the source lacks computed in one call."""
        wanted: list[tuple[int, str, str]] = []  # (position in batch, column, text to embed)
        vectors: list[dict[str, list[float]]] = []
        for position, staged in enumerate(batch):
            kept = {}
            for column, (vector, source_text) in self._vector_sources(staged).items():
                if vector is not None and self._keeps(vector):
                    kept[column] = unit(vector)
                else:
                    wanted.append((position, column, source_text))
                if column == "embedding":
                    self._count_vector(vector, column in kept)
            vectors.append(kept)
        if wanted:
            computed = await embed(self.embedder, [text for _, _, text in wanted])
            for (position, column, _), vector in zip(wanted, computed, strict=True):
                vectors[position][column] = vector
        return [self._staging_row(staged, vectors[position]) for position, staged in enumerate(batch)]

    @staticmethod
    def _vector_sources(staged: _Staged) -> dict[str, tuple[list[float] | None, str]]:
        """Per vector column of the record: the vector the source gave (if any), and the text it stands for."""
        given = {
            "embedding": staged.vector or staged.record.embedding,
            "strategy_embedding": getattr(staged.record, "strategy_embedding", None),
        }
        return {
            column: (given[column], getattr(staged.record, text))
            for column, text in BY_PATH[staged.kind].vector_columns.items()
        }

    def _keeps(self, vector: list[float] | None) -> bool:
        """Whether the source's vector is stored as it is (else its text is embedded again)."""
        return (
            vector is not None
            and len(vector) == self.dimension
            and not self.options.re_embed
            and vector_has_direction(vector)
        )

    def _count_vector(self, vector: list[float] | None, kept: bool) -> None:
        if kept:
            self.report.vectors_kept += 1
            return
        self.report.vectors_computed += 1
        if vector is not None and len(vector) != self.dimension:
            self.report.other_sizes.add(len(vector))

    @staticmethod
    def _staging_row(staged: _Staged, vectors: dict[str, list[float]]) -> tuple:
        values = staged.record.model_dump()
        values.update(
            kind=staged.kind,
            import_key=staged.key,
            native_id=staged.native_id,
            embedding=vectors["embedding"],
            strategy_embedding=vectors.get("strategy_embedding"),
        )
        return tuple(values.get(column) for column in STAGING_COLUMNS)


def _explain(error: ValidationError) -> str:
    """A validation error in a line: `field: problem`, the first three of them."""
    problems = []
    for problem in error.errors()[:3]:
        where = ".".join(str(part) for part in problem["loc"])
        problems.append(f"{where}: {problem['msg']}" if where else problem["msg"])
    more = len(error.errors()) - len(problems)
    return "; ".join(problems) + (f" (and {more} more)" if more > 0 else "")
