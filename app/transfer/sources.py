"""The sources an import reads: an alma-memory SQLite database, and JSON Lines.

Each yields SourceRow objects: where the row is (`line 7`, `table outcomes row id out_1a2b`), its memory
kind, its idempotency key and its fields; a row that cannot even be parsed carries its RowError. The
alma-memory database is read with the standard library's sqlite3, read-only: alma-memory itself is not
needed. Its layout (as of alma-memory 0.11.0): one table per memory kind, keyed by a text id; vectors apart
in `embeddings (memory_type, memory_id, embedding)` as raw little-endian float32 blobs of any size;
timestamps as ISO 8601 text; preferences belong to a user only, with neither project nor agent.

Not here: checking fields against the API's limits, or writing anything (app.transfer.importer).
"""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
import struct
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from app.memory.kinds import BY_PATH, KINDS
from app.transfer.importer import RowError, SourceRow

SQLITE_HEADER = b"SQLite format 3\x00"
# alma-memory's tables, in the order they are imported, and the kinds they hold (its tables are named as ours)
ALMA_TABLES = {kind.name: kind.path for kind in KINDS}
# Fields that say nothing of a record's content, left out of the key of a record without an id.
_NOT_CONTENT = {"embedding", "strategy_embedding", "similarity", "score", "metadata"}


class SourceError(Exception):
    """The source as a whole cannot be read; the message says why."""


def sniff_format(path: Path) -> Literal["sqlite", "jsonl"]:
    """SQLite files say so in their first 16 bytes; anything else is taken for JSON Lines."""
    with path.open("rb") as file:
        return "sqlite" if file.read(len(SQLITE_HEADER)) == SQLITE_HEADER else "jsonl"


# --- alma-memory's SQLite database ---------------------------------------------------------------------


class AlmaMemoryDatabase:
    """An alma-memory SQLite database, opened read-only."""

    def __init__(self, path: Path) -> None:
        try:
            self.connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            rows = self.connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        except sqlite3.DatabaseError as error:
            raise SourceError(f"{path} cannot be read as an SQLite database ({error}).") from None
        tables = {name for (name,) in rows}
        self.tables = [table for table in ALMA_TABLES if table in tables]
        if not self.tables:
            raise SourceError(
                f"{path} is not an alma-memory database: it has none of the tables {', '.join(ALMA_TABLES)}."
            )
        self.has_embeddings = "embeddings" in tables
        self.connection.row_factory = sqlite3.Row

    def close(self) -> None:
        self.connection.close()

    def projects(self) -> list[str]:
        """The project ids the database holds memories of (preferences have none)."""
        selects = " UNION ".join(f"SELECT project_id FROM {table}" for table in self.tables if table != "preferences")
        if not selects:
            return []
        return sorted(row[0] for row in self.connection.execute(selects) if row[0] is not None)

    def count(self, project: str) -> dict[str, int]:
        """Per table, how many rows an import of the project reads."""
        return {
            table: self.connection.execute(*self._select(table, project, "count(*)")).fetchone()[0]
            for table in self.tables
        }

    def rows(self, project: str, preference_agent: str | None) -> Iterator[SourceRow]:
        """The project's memories of every kind, and every preference (recorded under `preference_agent`)."""
        vector = "e.embedding" if self.has_embeddings else "NULL"
        for table, kind in ALMA_TABLES.items():
            if table not in self.tables:
                continue
            for row in self.connection.execute(*self._select(table, project, f"t.*, {vector} AS alma_vector")):
                values = dict(row)
                where = f"table {table} row id {values.get('id')}"
                if table == "preferences" and preference_agent is None:
                    yield SourceRow(
                        where,
                        error=RowError(
                            where,
                            "no agent",
                            "alma-memory records no agent for preferences; pass --preference-agent NAME to record "
                            "them under an agent of the project",
                        ),
                    )
                    continue
                yield SourceRow(
                    where,
                    kind=kind,
                    key=f"alma-sqlite:{table}:{values.get('id')}",
                    values=_alma_fields(table, values, preference_agent),
                    vector=_vector(values["alma_vector"]),
                )

    def _select(self, table: str, project: str, columns: str) -> tuple[str, list[str]]:
        """A statement over one table, with its vectors joined; preferences belong to no project."""
        statement, parameters = f"SELECT {columns} FROM {table} t", []
        if self.has_embeddings:
            statement += " LEFT JOIN embeddings e ON e.memory_type = ? AND e.memory_id = t.id"
            parameters.append(table)
        if table != "preferences":
            statement += " WHERE t.project_id = ?"
            parameters.append(project)
        return statement + " ORDER BY t.rowid", parameters


def _vector(blob: Any) -> list[float] | None:
    """alma-memory's raw float32 blob as floats; None when absent or unusable."""
    if not isinstance(blob, bytes) or not blob or len(blob) % 4:
        return None
    values = struct.unpack(f"<{len(blob) // 4}f", blob)
    return list(values) if all(math.isfinite(value) for value in values) else None


def _present(**fields: Any) -> dict[str, Any]:
    """The fields that have a value: a missing required one is then reported as missing, and an empty
    optional text (alma-memory writes "" for "none") is left out."""
    return {name: value for name, value in fields.items() if value is not None and value != ""}


def _same(names: str) -> dict[str, str]:
    return {name: name for name in names.split()}


# alma-memory's columns, per table: our field → its column.
_ALMA_COLUMNS = {
    "heuristics": _same("agent condition strategy confidence occurrence_count success_count last_validated created_at"),
    "outcomes": _same("agent task_type success strategy_used duration_ms error_message")
    | {"task": "task_description", "feedback": "user_feedback", "created_at": "timestamp"},
    "domain_knowledge": _same("agent domain fact source confidence")
    | {"created_at": "last_verified", "updated_at": "last_verified"},
    "anti_patterns": _same("agent pattern why_bad better_alternative occurrence_count last_seen created_at"),
    "preferences": _same("user_id category preference source") | {"created_at": "timestamp", "updated_at": "timestamp"},
}
# alma-memory's own defaults for the NULLs it writes
_ALMA_DEFAULTS: dict[str, dict[str, Any]] = {
    "heuristics": {"confidence": 0.0, "occurrence_count": 0, "success_count": 0},
    "outcomes": {"success": False},
    "domain_knowledge": {"domain": "general"},
    "preferences": {"category": "general"},
}


def _alma_fields(table: str, row: dict[str, Any], preference_agent: str | None) -> dict[str, Any]:
    """One alma-memory row as the fields of our record; preferences are recorded under `preference_agent`."""
    defaults = _ALMA_DEFAULTS.get(table, {})
    fields = {}
    for field, column in _ALMA_COLUMNS[table].items():
        value = row.get(column)
        fields[field] = defaults.get(field) if value is None or value == "" else value
    if "success" in fields:
        fields["success"] = bool(fields["success"])  # SQLite's 0 and 1
    if table == "preferences":
        fields["agent"] = preference_agent
    return _present(**fields)


# --- JSON Lines --------------------------------------------------------------------------------------------


def count_lines(lines: Iterable[bytes]) -> int:
    """The records of a JSON Lines source (blank lines are not records)."""
    return sum(1 for line in lines if line.strip())


def read_jsonl(lines: Iterable[bytes], from_project: str | None = None) -> Iterator[SourceRow]:
    """One SourceRow per non-blank line; with `from_project`, only that project's records."""
    for number, raw in enumerate(lines, start=1):
        where = f"line {number}"
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield SourceRow(where, error=RowError(where, "bad JSON", "not UTF-8 text"))
            continue
        if not text.strip():
            continue
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            problem = f"not valid JSON ({error.msg}, column {error.colno})"
            yield SourceRow(where, error=RowError(where, "bad JSON", problem))
            continue
        if not isinstance(data, dict):
            yield SourceRow(where, error=RowError(where, "bad JSON", "not a JSON object"))
            continue
        if from_project is not None and data.get("project_id") != from_project:
            continue
        kind = data.get("kind")
        if kind not in BY_PATH:
            detail = f"unknown kind {kind!r}" if "kind" in data else "no `kind`"
            problem = f"{detail}; expected one of {', '.join(BY_PATH)}"
            yield SourceRow(where, error=RowError(where, "unknown kind", problem))
            continue
        yield SourceRow(where, kind=kind, key=jsonl_key(kind, data), text=text)


def jsonl_key(kind: str, data: dict[str, Any]) -> str:
    """A record's idempotency key: its `import_key`; else its project and id as an export names them;
    else its id; else a hash of its content."""
    if isinstance(data.get("import_key"), str) and data["import_key"]:
        return data["import_key"]
    if data.get("id") is not None:
        project = data.get("project_id")
        return f"alma:{project}:{kind}:{data['id']}" if project else f"jsonl:{kind}:{data['id']}"
    content = {name: value for name, value in data.items() if name not in _NOT_CONTENT}
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f"jsonl:sha256:{digest}"
