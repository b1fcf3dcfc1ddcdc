"""Records: one memory as both import formats carry it (an export writes the same), checked as the API would.

Not here: reading sources (app.transfer.sources), the import's batching (app.transfer.importer), SQL.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import asyncpg
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.models import NO_NUL, Confidence, Label, LongText, Name, ShortText, Vector


def _utc(moment: datetime) -> datetime:
    """A timestamp without a zone is taken as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


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


# The columns of sql/queries/transfer/create_import_staging.sql that a batch is COPYed into.
STAGING_COLUMNS = (
    "kind",
    "agent",
    "import_key",
    "native_id",
    "created_at",
    "updated_at",
    "task",
    "task_type",
    "domain",
    "success",
    "strategy_used",
    "duration_ms",
    "error_message",
    "feedback",
    "condition",
    "strategy",
    "confidence",
    "occurrence_count",
    "success_count",
    "last_validated",
    "fact",
    "source",
    "pattern",
    "why_bad",
    "better_alternative",
    "last_seen",
    "user_id",
    "category",
    "preference",
    "embedding",
    "strategy_embedding",
)


def export_record(project_id: str, row: asyncpg.Record) -> dict[str, Any]:
    """One memory as a JSON Lines record that `alma import` reads back."""
    record: dict[str, Any] = {"kind": row["kind"], "project_id": project_id, "id": row["id"], "agent": row["agent"]}
    record.update((name, value) for name, value in row["item"].items() if name not in record)
    record["import_key"] = row["import_key"] or f"alma:{project_id}:{row['kind']}:{row['id']}"
    for column in ("embedding", "strategy_embedding"):
        if row[column] is not None:
            record[column] = row[column].to_list()
    return record
