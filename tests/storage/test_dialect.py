"""The SQL dialects (storage.dialect): a template's fragments, filled in for each database."""

from __future__ import annotations

import pytest

from disputes.projections.command_log import CommandLog
from disputes.projections.due_board import DueBoard
from disputes.projections.history import CaseHistory
from disputes.projections.ledger import Ledger
from disputes.storage.dialect import POSTGRESQL, SQLITE


@pytest.mark.parametrize(
    ("template", "sqlite", "postgresql"),
    [
        (
            "SELECT a FROM t WHERE b = {?}",
            "SELECT a FROM t WHERE b = ?",
            "SELECT a FROM t WHERE b = %s",
        ),
        ("x <= {on} - {on}", "x <= :on - :on", "x <= %(on)s - %(on)s"),
        ("n {integer} NOT NULL", "n INTEGER NOT NULL", "n BIGINT NOT NULL"),
        (
            "CREATE TABLE t (a TEXT){without_rowid}",
            "CREATE TABLE t (a TEXT) WITHOUT ROWID",
            "CREATE TABLE t (a TEXT)",
        ),
        (
            "t AS i {cross_join} c ON i.r = c.r",
            "t AS i CROSS JOIN c ON i.r = c.r",
            "t AS i JOIN c ON i.r = c.r",
        ),
        (
            "IN (SELECT value FROM {json_each})",
            "IN (SELECT value FROM json_each(?))",
            "IN (SELECT value FROM json_array_elements_text(CAST(%s AS json)))",
        ),
        (
            "IN (SELECT value FROM {json_each:cases})",
            "IN (SELECT value FROM json_each(:cases))",
            "IN (SELECT value FROM json_array_elements_text(CAST(%(cases)s AS json)))",
        ),
        ("SELECT '{{}}', 'a%' , {?}", "SELECT '{}', 'a%' , ?", "SELECT '{}', 'a%%' , %s"),
    ],
)
def test_a_template_asks_for_fragments(template: str, sqlite: str, postgresql: str) -> None:
    assert SQLITE.sql(template) == sqlite
    assert POSTGRESQL.sql(template) == postgresql


def test_sql_without_fragments_is_left_alone() -> None:
    sql = "SELECT status, COUNT(*) AS n FROM ledger GROUP BY status ORDER BY status"
    assert SQLITE.sql(sql) == POSTGRESQL.sql(sql) == sql


def test_every_projection_table_is_defined_for_both_databases() -> None:
    for projection in (Ledger(), CaseHistory(), CommandLog(), DueBoard()):
        for statement in projection.tables:
            sqlite, postgresql = SQLITE.sql(statement), POSTGRESQL.sql(statement)
            assert "{" not in sqlite
            assert "{" not in postgresql
            assert "BIGINT" not in sqlite
            assert "INTEGER" not in postgresql
            assert "ROWID" not in postgresql
