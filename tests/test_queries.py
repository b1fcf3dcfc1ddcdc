"""The statements load with named parameters: declared in the header, used in the body, bound by name."""

import pytest

from app.queries import SQL_DIR, Statement, StatementError, queries


def test_every_statement_file_loads_with_its_parameters_declared_and_used():
    files = sorted(
        path.relative_to(SQL_DIR / "queries").with_suffix("").as_posix()
        for path in (SQL_DIR / "queries").rglob("*.sql")
    )
    assert sorted(statement.name for statement in queries.statements()) == files
    assert queries.memories.retrieve.parameters[:2] == ("project_id", "reader")


def test_names_become_positions_in_order_of_first_use_and_literals_casts_and_comments_are_left_alone():
    statement = Statement.parse(
        "t", "-- :project_id, :agent\nSELECT ':agent', $$ :agent $$, :agent::text, :project_id, :agent"
    )
    assert statement.sql == "-- :project_id, :agent\nSELECT ':agent', $$ :agent $$, $1::text, $2, $1"
    assert statement.parameters == ("agent", "project_id")
    assert statement({"project_id": "p", "other": 1}, agent="a") == (statement.sql, "a", "p")


def test_a_name_the_header_does_not_declare_or_does_not_use_fails_the_load():
    with pytest.raises(StatementError, match="uses :agent, which its header does not declare"):
        Statement.parse("t", "-- :project_id\nSELECT :project_id, :agent")
    with pytest.raises(StatementError, match="declares :agent in its header but does not use it"):
        Statement.parse("t", "-- :project_id, :agent\nSELECT :project_id")


def test_a_call_missing_a_parameter_or_naming_a_stray_one_fails():
    statement = Statement.parse("t", "-- :project_id\nSELECT :project_id")
    with pytest.raises(StatementError, match="needs :project_id"):
        statement()
    with pytest.raises(StatementError, match="takes no parameter agent"):
        statement(project_id="p", agent="a")
