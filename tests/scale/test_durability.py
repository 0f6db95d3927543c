"""Durability (issue 5 §4): SQLite runs in WAL mode with synchronous=FULL and a busy timeout; a
full disk or a read-only store gives a clear error (exit 2, naming the store and the cause) and
leaves the store intact — the command that failed is not recorded, ``verify`` passes, and the same
command (same ``--command-id``) goes through once there is room again.

The full disk and the read-only store are real ones: a 4 MiB tmpfs of the test's own, filled up
or remounted read-only (this needs root, as the tests run in CI; without it the read-only test
uses file modes, and the full-disk tests are skipped). On PostgreSQL the database is made
read-only with ``default_transaction_read_only``, and the full disk is a tablespace on a tmpfs
(only when the server runs on this machine and the test user is a superuser).
"""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

import pytest
from click.testing import CliRunner

from disputes.storage.location import redact
from disputes.storage.store import Store
from tests.support.driver import OFFICER, Disputes, at
from tests.support.stores import BACKEND, SERVER, admin

GRADE = ("grade", "--grade", "red", "--reason", "对峙", "--at", at(1, 10))
postgres_only = pytest.mark.skipif(BACKEND != "postgres", reason="needs the PostgreSQL backend")


class Disk:
    """A folder for a store: a 4 MiB tmpfs of its own when it could be mounted."""

    def __init__(self, path: Path, mounted: bool) -> None:
        self.path = path
        self.mounted = mounted
        self.filler = path / "filler"

    def fill(self) -> None:
        """Write a file until the disk is full."""
        assert self.mounted
        with self.filler.open("wb", buffering=0) as out:
            for size in (1 << 16, 1 << 12, 1 << 9):
                with suppress(OSError):
                    while True:
                        out.write(b"\0" * size)

    def free(self) -> None:
        self.filler.unlink()

    @contextmanager
    def read_only(self) -> Iterator[None]:
        if self.mounted:
            mount("-o", "remount,ro", self.path)
            try:
                yield
            finally:
                mount("-o", "remount,rw", self.path)
            return
        modes = {p: p.stat().st_mode for p in [self.path, *self.path.iterdir()]}
        for path in modes:
            path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            for path, mode in modes.items():
                path.chmod(mode)


def mount(*args: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *map(str, args)], capture_output=True, text=True, check=False)


@contextmanager
def tmpfs(path: Path, size: str) -> Iterator[bool]:
    """Mount a tmpfs of ``size`` on ``path`` for the block; yields False when that fails."""
    if os.geteuid() != 0 or mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", path).returncode:
        yield False
        return
    try:
        yield True
    finally:
        subprocess.run(["umount", "--lazy", str(path)], check=False)


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Disk]:
    path = tmp_path / "disk"
    path.mkdir()
    with tmpfs(path, "4m") as mounted:
        yield Disk(path, mounted)


def digest(folder: Path) -> dict[str, str]:
    """The SHA-256 of every file in ``folder`` (the store file and any WAL files beside it)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name != "filler"
    }


def sqlite_store(cli: Any, folder: Path) -> tuple[Disputes, str]:
    """A store in ``folder`` with the sample roster and one reported case."""
    d = Disputes(cli, CliRunner(), folder / "s.db")
    d.load_roster()
    return d, d.report()


@pytest.mark.sqlite_only
def test_sqlite_connections_run_wal_full_sync_and_a_busy_timeout(tmp_path: Path) -> None:
    with Store(str(tmp_path / "s.db")) as store:
        with store.app.recorder.datastore.transaction(commit=False) as cursor:  # type: ignore[attr-defined]
            library = {}
            for pragma in ("journal_mode", "synchronous", "busy_timeout"):
                cursor.execute(f"PRAGMA {pragma}")
                library[pragma] = cursor.fetchone()[0]
        views = {
            pragma: store.views.connection.execute(f"PRAGMA {pragma}").fetchone()[0]
            for pragma in ("journal_mode", "synchronous", "busy_timeout")
        }
    expected = {"journal_mode": "wal", "synchronous": 2, "busy_timeout": 10_000}  # 2 = FULL
    assert library == expected
    assert views == expected


# -- a read-only store, on either backend --------------------------------------------------------


@dataclass
class Guarded:
    """A store with the sample roster and one reported case, and the means to make it
    read-only (a remounted tmpfs or file modes on SQLite, ``default_transaction_read_only`` on
    PostgreSQL)."""

    d: Disputes
    case: str
    name: str
    """The store as error messages name it (a URL's password hidden)."""
    read_only: Callable[[], AbstractContextManager[None]]
    fingerprint: Callable[[], Any]
    """What must not change while the store is read-only: the files' digests on SQLite, the
    event table's rows on PostgreSQL."""
    readable: bool
    """Whether reads and verify work while it is read-only: on SQLite they do (issue 10 item
    9: an auditor's copy); a read-only PostgreSQL database is not read yet (README)."""


def on_sqlite(cli: Any, disk: Disk) -> Guarded:
    if not disk.mounted and os.geteuid() == 0:
        pytest.skip("root ignores file modes, and no tmpfs could be mounted to remount read-only")
    d, case = sqlite_store(cli, disk.path)
    return Guarded(d, case, str(d.db), disk.read_only, lambda: digest(disk.path), readable=True)


def on_postgres(cli: Any, location: str) -> Guarded:
    d = Disputes(cli, CliRunner(), location)
    d.load_roster()
    database = urlsplit(location).path.lstrip("/")

    @contextmanager
    def read_only() -> Iterator[None]:
        admin(f'ALTER DATABASE "{database}" SET default_transaction_read_only = on')
        try:
            yield
        finally:
            admin(f'ALTER DATABASE "{database}" RESET default_transaction_read_only')

    def rows() -> Any:
        import psycopg

        with psycopg.connect(location, autocommit=True) as connection:
            return connection.execute("SELECT * FROM disputes_events ORDER BY 1, 2").fetchall()

    return Guarded(d, d.report(), redact(location), read_only, rows, readable=False)


@pytest.fixture
def guarded(backend: str, cli: Any, request: pytest.FixtureRequest) -> Guarded:
    if backend == "sqlite":
        return on_sqlite(cli, request.getfixturevalue("disk"))
    return on_postgres(cli, request.getfixturevalue("backend_location"))


def test_a_read_only_store_gives_a_clear_error_and_stays_intact(guarded: Guarded) -> None:
    grade = (GRADE[0], guarded.case, *GRADE[1:])
    before, events = guarded.fingerprint(), guarded.d.stored_events()
    reads: tuple[tuple[str, ...], ...] = () if guarded.readable else (("ledger",),)
    with guarded.read_only():
        for args in (grade, *reads):
            result = guarded.d("--lang", "en", *args, actor=OFFICER, code=2)
            assert f"store {guarded.name}" in result.stderr, result.stderr
            assert "read-only" in result.stderr, result.stderr
            assert "Traceback" not in result.stderr
        if guarded.readable:
            assert guarded.case in guarded.d("ledger").stdout
            guarded.d("verify")
        assert guarded.fingerprint() == before
    assert guarded.d.stored_events() == events
    guarded.d("verify")
    guarded.d(*grade, actor=OFFICER)


@pytest.mark.sqlite_only
def test_a_full_disk_gives_a_clear_error_and_the_store_stays_intact(cli: Any, disk: Disk) -> None:
    if not disk.mounted:
        pytest.skip("filling a disk needs a tmpfs of the test's own (root)")
    d, case = sqlite_store(cli, disk.path)
    events = d.stored_events()
    command = (GRADE[0], case, *GRADE[1:], "--command-id", "on-a-full-disk", "--json")
    # A connection kept open keeps the WAL files in place, with the log emptied: the command's
    # first write needs new space.
    with closing(sqlite3.connect(d.db)) as holder:
        holder.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        disk.fill()
        result = d("--lang", "en", *command, actor=OFFICER, code=2)
        assert result.stderr.startswith(f"error: store {d.db}: the disk is full"), result.stderr
        assert result.stdout == ""
        assert d.stored_events() == events
        assert d("ledger", "--format", "json").exit_code == 0  # reads still work
        disk.free()
    d("verify")
    outcome = d.json(*command, actor=OFFICER)
    assert (outcome["version"], outcome["duplicate"]) == (2, False)
    assert d.stored_events() == events + 1


# -- PostgreSQL ----------------------------------------------------------------------------------


def one(statement: str) -> Any:
    """The first value of a statement run on the test server."""
    rows = admin(statement)
    return rows[0][0] if rows else None


@postgres_only
def test_a_full_disk_on_the_postgres_server_gives_a_clear_error(cli: Any) -> None:
    """The store's database lives in a tablespace on a tmpfs, which is then filled up."""
    host = urlsplit(SERVER).hostname
    if host not in ("127.0.0.1", "localhost", "::1"):
        pytest.skip("the PostgreSQL server does not run on this machine")
    if not one("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"):
        pytest.skip("creating a tablespace needs a PostgreSQL superuser")
    data = Path(one("SHOW data_directory"))
    folder = Path(tempfile.mkdtemp(prefix="disputes-tablespace-", dir="/tmp"))
    tag = uuid4().hex[:8]
    tablespace, database = f"disputes_full_{tag}", f"disputes_test_full_{tag}"
    try:
        with tmpfs(folder, "8m") as mounted:
            if not mounted or not data.exists():
                pytest.skip("needs root, to mount a tmpfs the server can write to")
            os.chown(folder, data.stat().st_uid, data.stat().st_gid)
            admin(f"CREATE TABLESPACE {tablespace} LOCATION '{folder}'")
            try:
                fill_the_servers_disk(cli, folder, database, tablespace)
            finally:  # while the tablespace's folder is still mounted
                admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
                admin(f"DROP TABLESPACE {tablespace}")
    finally:
        folder.rmdir()


def fill_the_servers_disk(cli: Any, folder: Path, database: str, tablespace: str) -> None:
    admin(f"CREATE DATABASE {database} TABLESPACE {tablespace}")
    location = urlsplit(SERVER)._replace(path=f"/{database}").geturl()
    d = Disputes(cli, CliRunner(), location)
    d.load_roster()
    d.report()
    events = d.stored_events()
    Disk(folder, mounted=True).fill()
    runner, recorded = CliRunner(catch_exceptions=False), 0
    for n in range(200):  # the pages already allocated take a few more commands
        result = runner.invoke(cli, ["--lang", "en", "--db", location, *report_args(f"full-{n}")])
        if result.exit_code != 0:
            break
        recorded += 1
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"error: store {redact(location)}: "), result.stderr
    assert "out of space" in result.stderr, result.stderr
    assert d.stored_events() == events + 2 * recorded  # a report: the case + its number
    (folder / "filler").unlink()
    d("verify")
    outcome = json_of(runner.invoke(cli, ["--db", location, *report_args(f"full-{n}")]))
    assert outcome["duplicate"] is False


def report_args(command_id: str) -> list[str]:
    summary = "两家因排水争执" * 100
    return [
        *("--as", "G-WD-V01-G1", "report", "--village", "WD-V01", "--category", "neighbour"),
        *("--source", "informant", "--summary", summary, "--at", at(2)),
        *("--command-id", command_id, "--json"),
    ]


def json_of(result: Any) -> Any:
    import json

    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_views_failing_after_the_events_were_saved_say_the_command_was_recorded(
    store_location: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the read models fail to catch up (the disk filling up just then), the answer says
    that the command *was* recorded — so nobody sends it again under a new command id — and the
    next command brings the read models up to date."""
    from disputes.domain.errors import StoreError
    from tests.scale.support import (
        OPEN,
        census,
        check_views,
        command_of,
        pick_command,
        prepare,
    )

    cases = prepare(store_location, open_cases=1, observing=0)
    item = pick_command(random.Random(1), "views-fail", cases)  # noqa: S311 (not a secret)
    with Store(store_location) as store:

        def full() -> int:
            raise sqlite3.OperationalError("database or disk is full")

        def recorded_then_the_disk_fills(command: Any, **options: Any) -> Any:
            outcome = record(command, **options)
            monkeypatch.setattr(store.projections, "catch_up", full)
            return outcome

        record = store.app.execute
        monkeypatch.setattr(store.app, "execute", recorded_then_the_disk_fills)
        with pytest.raises(StoreError) as raised:
            store.execute(command_of(item))
        monkeypatch.undo()
        (case,) = (c for c, kind in cases.items() if kind == OPEN)
        assert raised.value.message.startswith(f"{case}: ")
        assert " v4 was recorded, but the views of store " in raised.value.message
        assert store.execute(command_of(item)).duplicate
        check_views(store, census(store))
