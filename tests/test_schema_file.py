"""sql/schema/current.sql shows today's schema: the one the revisions build."""

from pathlib import Path

from app.database import dump_schema

CURRENT = Path(__file__).resolve().parent.parent / "sql" / "schema" / "current.sql"


def test_current_sql_is_the_schema_the_migrations_build(database_url: str):
    assert dump_schema(database_url) == CURRENT.read_text(), (
        "sql/schema/current.sql is not the migrated schema: write it again with "
        "`alma schema --output sql/schema/current.sql` (on a migrated database) and review the difference"
    )
