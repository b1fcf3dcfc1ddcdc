"""Import and export of memories: the records both formats share, the batched idempotent import, the export.

An import reads rows from a source (app/transfer_sources.py), checks each one as the API would (limits,
agent, scope), and writes them in batches: each batch is COPYed into a staging table and inserted with
`ON CONFLICT DO NOTHING` on its import key, in one transaction, so a batch is written whole or not at all
and running an import again writes nothing twice.

Not here: reading the sources (app/transfer_sources.py), the command line (app/cli_transfer.py), SQL text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Annotated, Any, Literal

import asyncpg
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from app.embeddings import Embedder, EmbedderIdentity, embed, has_direction
from app.errors import DeploymentMismatch, ProjectNotFound
from app.models import NO_NUL, Confidence, Label, LongText, Name, ShortText, Vector, unit, vector_has_direction
from app.queries import Queries
from app.repository import MemoryRepository, deployment_mismatch

KINDS = ("heuristics", "outcomes", "domain-knowledge", "anti-patterns", "preferences")


def _utc(moment: datetime) -> datetime:
    """A timestamp without a zone is taken as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


Timestamp = Annotated[datetime, AfterValidator(_utc)]
Count = Annotated[int, Field(ge=0, le=2_147_483_647)]
ImportKey = Annotated[str, StringConstraints(min_length=1, max_length=1000, pattern=NO_NUL)]


# --- records: one memory as both formats carry it --------------------------------------------------


class MemoryRecord(BaseModel):
    """What every record carries. The fields an export (or an API answer) adds are accepted; the
    source's `id`, `project_id` and `import_key` identify the record, the rest of them are ignored."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    kind: str | None = None
    agent: Name
    created_at: Timestamp | None = None
    updated_at: Timestamp | None = None
    embedding: Vector | None = Field(default=None, description="Kept when it has the deployment's size.")
    project_id: str | None = None
    id: int | str | None = None
    import_key: ImportKey | None = None
    metadata: dict[str, Any] | None = None
    similarity: float | None = None
    score: float | None = None


class HeuristicRecord(MemoryRecord):
    condition: ShortText
    strategy: ShortText
    task_type: Label | None = None
    domain: Label | None = None
    confidence: Confidence = 0.5
    occurrence_count: Count = 0
    success_count: Count = 0
    success_rate: float | None = None
    last_validated: Timestamp | None = None
    strategy_embedding: Vector | None = None


class OutcomeRecord(MemoryRecord):
    task: ShortText
    task_type: Label | None = None
    domain: Label | None = None
    success: bool
    strategy_used: ShortText
    duration_ms: Count | None = None
    error_message: LongText | None = None
    feedback: LongText | None = None
    strategy_embedding: Vector | None = None


class DomainKnowledgeRecord(MemoryRecord):
    domain: Label
    fact: ShortText
    source: Label | None = None
    confidence: Confidence = 1.0


class AntiPatternRecord(MemoryRecord):
    pattern: ShortText
    why_bad: ShortText
    better_alternative: ShortText | None = None
    task_type: Label | None = None
    domain: Label | None = None
    occurrence_count: Count = 1
    last_seen: Timestamp | None = None


class PreferenceRecord(MemoryRecord):
    user_id: Name
    category: Label
    preference: ShortText
    source: Label | None = None


RECORD_MODELS: dict[str, type[MemoryRecord]] = {
    "heuristics": HeuristicRecord,
    "outcomes": OutcomeRecord,
    "domain-knowledge": DomainKnowledgeRecord,
    "anti-patterns": AntiPatternRecord,
    "preferences": PreferenceRecord,
}
# Per kind, the text behind `embedding` and the one behind the strategy vector (as the service embeds them).
EMBEDDED_TEXT: dict[str, tuple[str, str | None]] = {
    "heuristics": ("condition", "strategy"),
    "outcomes": ("task", "strategy_used"),
    "domain-knowledge": ("fact", None),
    "anti-patterns": ("pattern", None),
    "preferences": ("preference", None),
}
# The columns of sql/queries/create_import_staging.sql that a batch is COPYed into.
STAGING_COLUMNS = (
    "kind", "agent", "import_key", "native_id", "created_at", "updated_at", "task", "task_type", "domain",
    "success", "strategy_used", "duration_ms", "error_message", "feedback", "condition", "strategy",
    "confidence", "occurrence_count", "success_count", "last_validated", "fact", "source", "pattern", "why_bad",
    "better_alternative", "last_seen", "user_id", "category", "preference", "embedding", "strategy_embedding",
)  # fmt: skip


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
        store: TransferStore,
        embedder: Embedder,
        options: ImportOptions,
        on_row: Callable[[], None] = lambda: None,
        on_skip: Callable[[RowError], None] = lambda error: None,
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.options = options
        self.on_row = on_row
        self.on_skip = on_skip
        self.report = ImportReport()
        self.dimension = 0  # the deployment's, once run() has asked the database
        self.agents: dict[str, asyncpg.Record | None] = {}  # None: created by this import, no scope limits
        self.new_agents: list[str] = []  # to create with the next batch, in its transaction

    async def run(self, rows: Iterable[SourceRow]) -> ImportReport:
        """Import the rows; on a bad row, skip it or stop before writing its batch, as the options say."""
        self.dimension = await self.store.dimension(self.embedder, record=not self.options.dry_run)
        self.agents = dict(await self.store.agents(self.options.project_id))
        batch: list[_Staged] = []
        for row in rows:
            self.report.read += 1
            self.on_row()
            try:
                batch.append(self._check(row))
            except RowError as error:
                if self.options.on_error == "abort":
                    self.report.stopped = error
                    return self.report
                self.report.skipped[error.reason] += 1
                self.on_skip(error)
                continue
            if len(batch) >= self.options.batch_size:
                await self._write(batch)
                batch = []
        if batch:
            await self._write(batch)
        return self.report

    def _check(self, row: SourceRow) -> _Staged:
        """The row as a record to stage, or the RowError that says what is wrong with it."""
        if row.error is not None:
            raise row.error
        assert row.kind is not None and row.key is not None
        model = RECORD_MODELS[row.kind]
        try:
            if row.text is not None:
                record = model.model_validate_json(row.text, strict=True)
            else:
                record = model.model_validate(row.values)
        except ValidationError as error:
            raise RowError(row.where, "invalid field", _explain(error)) from None
        agent = self._agent(row.where, record.agent)
        for scoped in ("domain", "task_type"):
            value = getattr(record, scoped, None)
            if value is not None and agent is not None and not _in_scope(agent, value):
                allowed = ", ".join(agent["can_learn"]) or f"anything but {', '.join(agent['cannot_learn'])}"
                raise RowError(
                    row.where, "outside scope",
                    f"{record.agent} may not learn {scoped} '{value}' (can_learn: {allowed}); "
                    f"add it to {record.agent}'s can_learn to import this memory",
                )  # fmt: skip
        staged = _Staged(row.kind, record, row.key, self._native_id(row.kind, row.key), row.vector)
        for column, (vector, text) in self._vector_sources(staged).items():
            if not self._keeps(vector) and not has_direction(self.embedder, text):
                raise RowError(
                    row.where, "no words",
                    f"the text behind `{column}` has no word the {self.embedder.name} embedder can read, so it "
                    "would have no vector to rank by; give it words or a vector of the deployment's size",
                )  # fmt: skip
        return staged

    def _agent(self, where: str, name: str) -> asyncpg.Record | None:
        """The agent's row; an unknown agent is created (with --create-agents) or refused."""
        if name in self.agents:
            return self.agents[name]
        if not self.options.create_agents:
            known = ", ".join(sorted(self.agents)) or "none"
            raise RowError(
                where, "unknown agent",
                f"{name} is not an agent of project {self.options.project_id} (agents: {known}); add it to "
                "the project's config and apply it, or pass --create-agents",
            )  # fmt: skip
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
                if self._keeps(vector):
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
        text_field, strategy_field = EMBEDDED_TEXT[staged.kind]
        sources = {"embedding": (staged.vector or staged.record.embedding, getattr(staged.record, text_field))}
        if strategy_field:
            sources["strategy_embedding"] = (getattr(staged.record, "strategy_embedding", None),
                                             getattr(staged.record, strategy_field))  # fmt: skip
        return sources

    def _keeps(self, vector: list[float] | None) -> bool:
        """Whether the source's vector is stored as it is (else its text is embedded again)."""
        return (vector is not None and len(vector) == self.dimension and not self.options.re_embed
                and vector_has_direction(vector))  # fmt: skip

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
            kind=staged.kind, import_key=staged.key, native_id=staged.native_id,
            embedding=vectors["embedding"], strategy_embedding=vectors.get("strategy_embedding"),
        )  # fmt: skip
        return tuple(values.get(column) for column in STAGING_COLUMNS)


def _in_scope(agent: asyncpg.Record, value: str) -> bool:
    """As the service checks writes: cannot_learn refuses, a non-empty can_learn must list the value."""
    if value in agent["cannot_learn"]:
        return False
    return not agent["can_learn"] or value in agent["can_learn"]


def _explain(error: ValidationError) -> str:
    """A validation error in a line: `field: problem`, the first three of them."""
    problems = []
    for problem in error.errors()[:3]:
        where = ".".join(str(part) for part in problem["loc"])
        problems.append(f"{where}: {problem['msg']}" if where else problem["msg"])
    more = len(error.errors()) - len(problems)
    return "; ".join(problems) + (f" (and {more} more)" if more > 0 else "")


# --- export ----------------------------------------------------------------------------------------------


def export_record(project_id: str, row: asyncpg.Record) -> dict[str, Any]:
    """One memory as a JSON Lines record that `alma import` reads back."""
    record: dict[str, Any] = {"kind": row["kind"], "project_id": project_id, "id": row["id"], "agent": row["agent"]}
    record.update((name, value) for name, value in row["item"].items() if name not in record)
    record["import_key"] = row["import_key"] or f"alma:{project_id}:{row['kind']}:{row['id']}"
    for column in ("embedding", "strategy_embedding"):
        if row[column] is not None:
            record[column] = row[column].to_list()
    return record


# --- the statements ----------------------------------------------------------------------------------------


class TransferStore:
    """The statements of imports and exports (sql/queries/), over one pool."""

    def __init__(self, pool: asyncpg.Pool, queries: Queries) -> None:
        self.pool = pool
        self.q = queries

    async def dimension(self, embedder: Embedder, record: bool) -> int:
        """The deployment's vector size: the embedder must make it. Recorded now if the service never ran."""
        repository = MemoryRepository(self.pool, self.q)
        if not record:
            if (problem := deployment_mismatch(await repository.deployment(), EmbedderIdentity.of(embedder))) is not None:
                raise DeploymentMismatch(problem)
            return embedder.dimension
        # Records the embedder on a database the service never ran on; refuses another one, as the service does.
        return await repository.init_deployment(embedder)

    async def require_project(self, project_id: str) -> None:
        if not await self.pool.fetchval(self.q.project_exists, project_id):
            raise ProjectNotFound(
                f"Project '{project_id}' does not exist. Create it by applying its config first "
                f"(`alma config apply FILE --project {project_id}`)."
            )

    async def agents(self, project_id: str) -> dict[str, asyncpg.Record]:
        """The project's agents by name; the project must exist."""
        await self.require_project(project_id)
        return {row["name"]: row for row in await self.pool.fetch(self.q.list_agents, project_id)}

    async def write_batch(
        self, project_id: str, new_agents: list[str], rows: list[tuple], commit: bool = True
    ) -> dict[str, int]:
        """COPY one batch into a staging table and insert what the project lacks, in one transaction.
        Returns the memories inserted per kind; with commit=False everything is rolled back (a dry run)."""
        async with self.pool.acquire() as connection:
            transaction = connection.transaction()
            await transaction.start()
            try:
                if new_agents:
                    await connection.execute(self.q.add_agents, project_id, new_agents)
                    await connection.execute(self.q.rebuild_grants, project_id, 0)
                await connection.execute(self.q.create_import_staging)
                await connection.copy_records_to_table("import_staging", records=rows, columns=STAGING_COLUMNS)
                counts = dict(await connection.fetchrow(self.q.import_staged, project_id))
            except BaseException:
                await transaction.rollback()
                raise
            if commit:
                await transaction.commit()
            else:
                await transaction.rollback()
        return counts

    async def count(self, project_id: str) -> int:
        """How many memories the project holds (0 for a project that does not exist)."""
        return await self.pool.fetchval(self.q.count_memories, project_id)

    async def export(self, project_id: str, with_vectors: bool) -> AsyncIterator[dict[str, Any]]:
        """Every memory of the project as an export record, streamed from one consistent snapshot."""
        await self.require_project(project_id)
        async with self.pool.acquire() as connection, connection.transaction(isolation="repeatable_read"):
            async for row in connection.cursor(self.q.export_memories, project_id, with_vectors, prefetch=500):
                yield export_record(project_id, row)
