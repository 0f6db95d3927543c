"""Issue 5, done when: the same sample journals applied on SQLite and on PostgreSQL give
identical ``ledger --format json`` (and identical audit trails)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from tests.support.driver import SCENARIOS, Disputes
from tests.support.stores import drop_postgres_database, fresh_postgres_database, needs_server

MOMENT = "2022-06-30T18:00+08:00"

pytestmark = needs_server


def run(cli: Any, db: str, *args: str) -> str:
    stdout: str = Disputes(cli, CliRunner(), db)(*args).stdout
    return stdout


def load(cli: Any, db: str) -> None:
    Disputes(cli, CliRunner(), db).load_sample(SCENARIOS)


def test_the_sample_gives_the_same_ledger_and_histories_on_both_stores(
    cli: Any, tmp_path: Path
) -> None:
    sqlite = str(tmp_path / "same.db")
    postgres = fresh_postgres_database()
    try:
        load(cli, sqlite)
        load(cli, postgres)
        ledger = ("ledger", "--format", "json", "--as-of", MOMENT)
        assert run(cli, sqlite, *ledger) == run(cli, postgres, *ledger)
        for case in ("HY-2021-0001", "HY-2021-0002", "HY-2022-0001"):
            show = ("show", case, "--as-of", MOMENT, "--json")
            assert run(cli, sqlite, *show) == run(cli, postgres, *show)
        due = ("due", "--on", MOMENT, "--json")
        assert run(cli, sqlite, *due) == run(cli, postgres, *due)
    finally:
        drop_postgres_database(postgres)
