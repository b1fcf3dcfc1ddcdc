"""The SQL of the service, read once from `sql/`: one named statement per file.

`queries.retrieve` is the text of `sql/queries/retrieve.sql`. Nothing here runs SQL.
"""

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _resource_dir(name: str) -> Path:
    """`sql/` and `alembic/` sit beside the package in a checkout and inside it in a wheel."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"cannot find the {name}/ directory next to {_PACKAGE}")


SQL_DIR = _resource_dir("sql")
ALEMBIC_DIR = _resource_dir("alembic")


class Queries:
    """Attribute access to the statements in `sql/queries/`, by file name."""

    def __init__(self, directory: Path) -> None:
        self._statements = {path.stem: path.read_text() for path in sorted(directory.glob("*.sql"))}

    def __getattr__(self, name: str) -> str:
        try:
            return self._statements[name]
        except KeyError:
            raise AttributeError(f"no statement sql/queries/{name}.sql") from None


queries = Queries(SQL_DIR / "queries")


@cache
def schema_sql(revision: str, down: bool = False) -> str:
    """The SQL of one schema revision (or of its undoing)."""
    suffix = ".down.sql" if down else ".sql"
    return (SQL_DIR / "schema" / f"{revision}{suffix}").read_text()
