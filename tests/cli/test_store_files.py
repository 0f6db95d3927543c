"""Where a store comes from (issue 10, items 7 and 8).

Item 7 — a read never creates a store, and neither does a write: a missing path or folder is "no
such store" (exit 2, saying how to create one) until ``disputes init``, ``roster load`` or
``demo`` creates it. An empty ``DISPUTES_DB`` is an error, not the default location; the default
location follows the same rule. A PostgreSQL database without the schema is "not a disputes
store yet" until ``init`` or ``roster load``.

Item 8 — a file that is not SQLite, or another program's SQLite database, is refused untouched
(exit 2 naming the file and what it is): same bytes, same modification time, same journal mode,
no file added beside it. A disputes store is recognised by its ``application_id`` (set by
``init``) or, written before that, by its tables (``tests/compat/data/pre-redesign.db``).
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.support.driver import GRID, OFFICER, PEOPLE, SAMPLES, UNITS, VILLAGE, Disputes, at
from tests.support.stores import SERVER, drop_postgres_database, fresh_postgres_database

if TYPE_CHECKING:
    import click
    from click.testing import CliRunner

COMPAT_STORE = Path(__file__).parents[1] / "compat" / "data" / "pre-redesign.db"

READS = (
    ("ledger",),
    ("show", "HY-2024-0001"),
    ("history", "HY-2024-0001"),
    ("due",),
    ("roster", "list"),
    ("policy", "show"),
    ("checkpoints",),
    ("verify",),
)
REPORT = (
    "report",
    "--village",
    VILLAGE,
    "--category",
    "neighbour",
    "--source",
    "informant",
    "--summary",
    "两家因排水争执",
    "--at",
    at(1),
)
GRADE = ("grade", "HY-2024-0001", "--grade", "red", "--reason", "r", "--at", at(1, 10))


def journal(folder: Path) -> Path:
    path = folder / "journal.jsonl"
    shutil.copy(SAMPLES / "scenarios.jsonl", path)
    return path


def writes(folder: Path) -> list[tuple[str | None, tuple[str, ...]]]:
    """(actor, argv) of verbs that write to an existing store (not create one)."""
    return [
        (GRID, REPORT),
        (OFFICER, GRADE),
        (None, ("apply", str(journal(folder)))),
        (None, ("rebuild",)),
    ]


def run(d: Disputes, args: tuple[str, ...], actor: str | None = None, code: int = 2) -> str:
    """Run with stdout ignored; returns stderr (one line for a refusal)."""
    result = d(*args, actor=actor, code=code)
    if code:
        assert result.stderr.startswith("error: "), result.stderr
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    return result.stderr


# -- item 7: nothing creates a store but init, roster load and demo ------------------------------


def test_a_read_of_a_missing_store_creates_nothing(
    cli: click.Group, runner: CliRunner, tmp_path: Path
) -> None:
    d = Disputes(cli, runner, tmp_path / "new" / "s.db")
    for args in READS:
        message = run(d, args)
        assert f"数据库不存在：{d.db}" in message, (args, message)
        assert "init" in message
        assert "roster load" in message
    assert list(tmp_path.iterdir()) == []


def test_a_write_to_a_missing_store_creates_nothing(
    cli: click.Group, runner: CliRunner, tmp_path: Path
) -> None:
    d = Disputes(cli, runner, tmp_path / "new" / "s.db")
    for actor, args in writes(tmp_path):
        message = run(d, args, actor=actor)
        assert f"数据库不存在：{d.db}" in message, (args, message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journal.jsonl"]


def test_init_creates_an_empty_store_and_leaves_an_existing_one_as_it_is(
    cli: click.Group, runner: CliRunner, tmp_path: Path
) -> None:
    from disputes.storage.sqlite import APPLICATION_ID

    d = Disputes(cli, runner, tmp_path / "new" / "s.db")
    assert d.json("init", "--json") == {"store": str(d.db), "created": True}
    assert d.ledger() == []
    assert d.stored_events() == 0
    with closing(sqlite3.connect(d.db)) as connection:
        assert connection.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    d("roster", "load", "--units", str(UNITS), "--people", str(PEOPLE))
    events = d.stored_events()
    assert "已是 disputes 数据库，未作任何改动" in d("init").stdout
    assert d.stored_events() == events
    d(*REPORT, actor=GRID)
    d(*GRADE, actor=OFFICER)


def test_roster_load_creates_a_new_store_but_not_from_an_invalid_roster(
    cli: click.Group, runner: CliRunner, tmp_path: Path
) -> None:
    d = Disputes(cli, runner, tmp_path / "new" / "s.db")
    bad = tmp_path / "people.csv"
    bad.write_text("id,name,role,unit\nX,某,sheriff,WD\n", encoding="utf-8")
    run(d, ("roster", "load", "--units", str(UNITS), "--people", str(bad)))
    assert not (tmp_path / "new").exists()
    d("roster", "load", "--units", str(UNITS), "--people", str(PEOPLE))
    assert d.json("roster", "list", "--json")


def test_the_default_location_follows_the_same_rule(
    cli: click.Group, runner: CliRunner, tmp_path: Path
) -> None:
    """The CLI tests' XDG_DATA_HOME is ``tmp_path/xdg`` (tests/cli/conftest.py)."""
    default = tmp_path / "xdg" / "disputes" / "disputes.db"
    for args in (("ledger",), ("--as", GRID, *REPORT)):
        result = runner.invoke(cli, list(args))
        assert result.exit_code == 2, result.output
        assert f"数据库不存在：{default}" in result.stderr
    assert not (tmp_path / "xdg").exists()
    assert runner.invoke(cli, ["init"]).exit_code == 0
    assert default.exists()
    assert runner.invoke(cli, ["ledger"]).exit_code == 0


def test_an_empty_disputes_db_is_an_error_not_the_default(
    cli: click.Group, runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPUTES_DB", "")
    for args in (
        ("ledger",),
        ("init",),
        ("roster", "load", "--units", str(UNITS), "--people", str(PEOPLE)),
    ):
        result = runner.invoke(cli, ["--lang", "en", *args])
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith("error: DISPUTES_DB is set but empty"), result.stderr
    result = runner.invoke(cli, ["--db", "", "ledger"])
    assert result.exit_code == 2, result.output
    assert "--db 为空" in result.stderr
    assert not (tmp_path / "xdg").exists()


@pytest.mark.skipif(not SERVER, reason="DISPUTES_TEST_POSTGRES is not set")
def test_a_postgres_database_without_the_schema_is_not_a_store_yet(
    cli: click.Group, runner: CliRunner, tmp_path: Path
) -> None:
    import psycopg

    url = fresh_postgres_database()
    try:
        d = Disputes(cli, runner, url)
        for args in READS:
            assert "还不是 disputes 数据库" in run(d, args), args  # Chinese by default
        for actor, args in writes(tmp_path):
            assert "还不是 disputes 数据库" in run(d, args, actor=actor), args
        with psycopg.connect(url, autocommit=True) as connection:
            tables = connection.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchall()
        assert tables == []
        assert d.json("init", "--json")["created"] is True
        assert d.ledger() == []
        assert d.json("init", "--json")["created"] is False
    finally:
        drop_postgres_database(url)


# -- item 8: another program's file is refused untouched ------------------------------------------


def other_program(path: Path) -> None:
    """An SQLite database of another program, in rollback-journal mode."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
        connection.execute("CREATE TABLE moz_bookmarks (id INTEGER PRIMARY KEY, fk INTEGER)")
        connection.execute("INSERT INTO moz_places (url) VALUES ('https://example.org')")
        connection.commit()


def with_application_id(path: Path) -> None:
    """Another program's SQLite database that has stored_events too, but its own id."""
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA application_id = 1234")
        connection.execute("CREATE TABLE stored_events (x)")
        connection.execute("CREATE TABLE event_chain (x)")
        connection.commit()


FILES: dict[str, tuple[Any, str]] = {
    "notes.txt": (lambda p: p.write_text("not a database\n" * 100), "not an SQLite database"),
    "places.sqlite": (
        other_program,
        "an SQLite database of another program: tables moz_bookmarks, moz_places",
    ),
    "other.db": (with_application_id, "an SQLite database of another program (application_id"),
}


def state(path: Path) -> tuple[bytes, int, str | None, list[str]]:
    """The file's bytes, its mtime, its journal mode (SQLite) and what is in its folder."""
    mode = None
    if path.read_bytes().startswith(b"SQLite format 3"):
        uri = f"file:{path}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            mode = connection.execute("PRAGMA journal_mode").fetchone()[0]
    folder = sorted(p.name for p in path.parent.iterdir())
    return path.read_bytes(), path.stat().st_mtime_ns, mode, folder


@pytest.mark.parametrize("name", sorted(FILES))
def test_a_file_of_another_program_is_refused_untouched(
    cli: click.Group, runner: CliRunner, tmp_path: Path, name: str
) -> None:
    folder = tmp_path / "files"
    folder.mkdir()
    path = folder / name
    make, what = FILES[name]
    make(path)
    before = state(path)
    d = Disputes(cli, runner, path)
    verbs: list[tuple[str | None, tuple[str, ...]]] = [
        *((None, args) for args in READS),
        *writes(tmp_path),
        (None, ("init",)),
        (None, ("roster", "load", "--units", str(UNITS), "--people", str(PEOPLE))),
    ]
    for actor, args in verbs:
        message = run(d, args, actor=actor)
        assert str(path) in message, (args, message)
        assert what in message, (args, message)
    message = run(Disputes(cli, runner, tmp_path / "work.db"), ("demo", "--into", str(path)))
    assert "is not a demo store made by `disputes demo`; nothing was touched" in message
    assert state(path) == before
    if before[2] is not None:
        assert before[2] == "delete"


def test_a_store_written_before_the_application_id_still_opens(
    cli: click.Group, runner: CliRunner, tmp_path: Path
) -> None:
    copy = tmp_path / "old.db"
    shutil.copy(COMPAT_STORE, copy)
    d = Disputes(cli, runner, copy)
    assert len(d.ledger()) == 5
    d("verify")
    assert "已是 disputes 数据库，未作任何改动" in d("init").stdout


@pytest.mark.parametrize("kind", ["0 bytes", "no tables"])
def test_an_empty_file_or_database_is_no_store_until_init(
    cli: click.Group, runner: CliRunner, tmp_path: Path, kind: str
) -> None:
    """Nothing in it to lose (and a store another process is creating looks so for an instant):
    reads say it is no store yet; init (or roster load) makes it one."""
    path = tmp_path / "s.db"
    path.touch()
    if kind == "no tables":
        with closing(sqlite3.connect(path)) as connection:
            connection.execute("PRAGMA user_version = 0")
            connection.execute("VACUUM")
    d = Disputes(cli, runner, path)
    assert "这是空数据库，还没有数据" in run(d, ("ledger",))
    assert "an empty database, no store" in run(d, ("--lang", "en", "ledger"))
    assert d.json("init", "--json")["created"] is True
    assert d.ledger() == []
