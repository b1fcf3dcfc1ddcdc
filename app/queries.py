"""The SQL of the service, read once from `sql/`: one named statement per file, in a folder per aggregate.

`queries.memories.retrieve` is `sql/queries/memories/retrieve.sql`. Statements take named parameters
(`:project_id`), declared in their header comment; each is rewritten to asyncpg's `$n` once, here, and a
statement that uses a name its header does not declare (or declares one it does not use) fails to load.
Nothing here runs SQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE = Path(__file__).resolve().parent


def _resource_dir(name: str) -> Path:
    """`sql/` and `alembic/` sit beside the package in a checkout and inside it in a wheel."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the {name}/ directory next to {_PACKAGE}")


SQL_DIR = _resource_dir("sql")
ALEMBIC_DIR = _resource_dir("alembic")

_PARAMETER = re.compile(r"(?<![:\w]):([a-z_][a-z0-9_]*)")
_DOLLAR_QUOTE = re.compile(r"\$([A-Za-z_]\w*)?\$")


class StatementError(ValueError):
    """A statement file whose parameters do not match its header, or a call that does not match the file."""


def _pieces(text: str) -> Iterator[tuple[str, str]]:
    """The text as ("code" | "comment" | "literal", piece): parameters count only in code, and are declared
    in comments; string literals, quoted names and dollar-quoted bodies are neither."""
    start = i = 0
    while i < len(text):
        if text.startswith("--", i):
            end = text.find("\n", i)
            end = len(text) if end < 0 else end
            kind = "comment"
        elif text.startswith("/*", i):
            end = text.index("*/", i) + 2
            kind = "comment"
        elif text[i] in "'\"":
            end = i + 1
            while True:
                end = text.index(text[i], end) + 1
                if not text.startswith(text[i], end):  # '' inside '…' is a quote, not its end
                    break
                end += 1
            kind = "literal"
        elif (tag := _DOLLAR_QUOTE.match(text, i)) and not text[i + 1 : i + 2].isdigit():
            end = text.index(tag.group(0), tag.end()) + len(tag.group(0))
            kind = "literal"
        else:
            i += 1
            continue
        yield "code", text[start:i]
        yield kind, text[i:end]
        start = i = end
    yield "code", text[start:]


@dataclass(frozen=True)
class Statement:
    """One statement: its text for asyncpg (`$n`) and its parameter names in `$n` order."""

    name: str
    sql: str
    parameters: tuple[str, ...]

    @classmethod
    def parse(cls, name: str, text: str) -> Statement:
        declared: set[str] = set()
        order: list[str] = []
        rewritten = []
        for kind, piece in _pieces(text):
            if kind == "comment":
                declared.update(_PARAMETER.findall(piece))
            elif kind == "code":

                def number(match: re.Match[str]) -> str:
                    if match.group(1) not in order:
                        order.append(match.group(1))
                    return f"${order.index(match.group(1)) + 1}"

                piece = _PARAMETER.sub(number, piece)
            rewritten.append(piece)
        if undeclared := [used for used in order if used not in declared]:
            raise StatementError(f"{name}.sql uses :{', :'.join(undeclared)}, which its header does not declare")
        if unused := sorted(declared - set(order)):
            raise StatementError(f"{name}.sql declares :{', :'.join(unused)} in its header but does not use it")
        return cls(name, "".join(rewritten), tuple(order))

    def __call__(self, values: Mapping[str, Any] | None = None, /, **named: Any) -> tuple[Any, ...]:
        """(sql, *arguments) for asyncpg, e.g. `await connection.fetch(*statement(project_id=p))`. `values` may
        hold more than the statement takes (a model's fields); keywords must all be parameters of it."""
        if stray := sorted(set(named) - set(self.parameters)):
            raise StatementError(f"{self.name}.sql takes no parameter {', '.join(stray)}")
        given = {**(values or {}), **named}
        if missing := [parameter for parameter in self.parameters if parameter not in given]:
            raise StatementError(f"{self.name}.sql needs :{', :'.join(missing)}")
        return (self.sql, *(given[parameter] for parameter in self.parameters))


class Queries:
    """Attribute access to the statements under a folder: `queries.memories.retrieve`."""

    def __init__(self, directory: Path, prefix: str = "") -> None:
        self._directory = directory
        self._statements = {
            path.stem: Statement.parse(f"{prefix}{path.stem}", path.read_text())
            for path in sorted(directory.glob("*.sql"))
        }
        self._folders = {
            path.name: Queries(path, f"{prefix}{path.name}/") for path in sorted(directory.iterdir()) if path.is_dir()
        }

    def __getattr__(self, name: str) -> Any:
        if name in self._folders:
            return self._folders[name]
        if name in self._statements:
            return self._statements[name]
        raise AttributeError(f"no statement or folder {self._directory / name}")

    def statements(self) -> Iterator[Statement]:
        """Every statement, folders included."""
        yield from self._statements.values()
        for folder in self._folders.values():
            yield from folder.statements()


queries = Queries(SQL_DIR / "queries")


_INCLUDE = re.compile(r"^-- include: ([a-z0-9_]+)$", re.M)


@cache
def schema_sql(revision: str, down: bool = False) -> str:
    """The SQL of one schema revision (or of its undoing). A line `-- include: name` stands for
    sql/schema/parts/name.sql: a definition one revision makes and another's undoing restores, written once."""
    suffix = ".down.sql" if down else ".sql"
    text = (SQL_DIR / "schema" / f"{revision}{suffix}").read_text()
    return _INCLUDE.sub(lambda match: (SQL_DIR / "schema" / "parts" / f"{match.group(1)}.sql").read_text(), text)
