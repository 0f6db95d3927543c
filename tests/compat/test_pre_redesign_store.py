"""A store written by the code before the redesign (issue 9) opens, verifies and replays
identically after it.

``data/pre-redesign.db`` was written, and every file in ``data/expected/`` recorded, by the
code at commit c4e4f31 (the old ``src/disputes`` layout) with ``make_fixture.py``; see
``data/README.md``. Each test works on a copy of the file in ``tmp_path`` and drives the
current CLI through click's CliRunner with ``--db COPY``.

The store is always that SQLite file, whatever ``DISPUTES_TEST_STORE`` says: these tests use
no ``store_location`` (the conftest's only way of pointing a test at PostgreSQL), so they run,
unchanged, in the PostgreSQL run of the suite too.

Time-dependent output. ``ledger`` rows and ``show`` (without ``--as-of``) carry the case's
standing on the due board *now* (the wall clock; the old CLI has no option to fix it):
``next_due_at``, ``overdue_days`` and ``supervision``. For this fixture only ``overdue_days``
changes with the clock: every event occurred by 2023-01-16, so from 2023-01-25 on every due
item of every case is already late by more than the red-card threshold (7 days) and the
earliest due time and the supervision level no longer move (the due board of a store without
new events changes only by the passing of time). So:

* ``overdue_days`` is left out of the exact comparison, and checked instead against its
  definition, whole days between ``next_due_at`` and the clock read around the command;
* ``next_due_at`` and ``supervision`` are compared exactly (``test_clock_is_past_the_fixture``
  guards the premise);
* ``show --as-of`` and ``ledger --as-of`` read the board at a fixed time and are compared whole.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

import pytest
from click.testing import CliRunner
from eventsourcing.persistence import StoredEvent

from tests.support.driver import clean_environment

if TYPE_CHECKING:
    import click
    from click.testing import Result

DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "pre-redesign.db"
PUBLIC_KEY = DATA / "station.key.pub"
EXPECTED = sorted(p for p in (DATA / "expected").glob("*.json") if p.stem != "dossier-HY-2021-0002")
DOSSIER = DATA / "expected" / "dossier-HY-2021-0002.json"

EVENTS = 200
OLD_POLICY = "3549018e50de"
"""The version of the bundled policy the old store was written under."""
"""Events in the fixture (roster, 3 scenario cases, 2 extra cases, one CLI retry)."""
SNAPSHOT_CASE = "HY-2022-0002"
"""Case X1 of extra.jsonl: 130 events, a Dispute snapshot stored by the old code at v100."""
RELAPSED_CASE = "HY-2022-0003"
"""Case X2 of extra.jsonl: closed, relapsed in 2023, open and red."""

CLOCK_KEYS = ("overdue_days",)
"""Keys of ledger rows and ``show`` that change with the wall clock (see the module docstring)."""
STABLE_AFTER = datetime(2023, 1, 25, tzinfo=UTC)
"""From here on, ``next_due_at`` and ``supervision`` of every fixture case are fixed."""


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No store, actor, language, policy or key leaks in from the environment."""
    clean_environment(monkeypatch, tmp_path)


@dataclass
class Old:
    """A copy of the pre-redesign store and a driver of the current CLI on it."""

    cli: click.Group
    db: Path
    tmp: Path

    def __call__(self, *args: str, code: int = 0) -> Result:
        argv = ["--db", str(self.db), *args]
        result = CliRunner().invoke(self.cli, argv, catch_exceptions=False)
        assert result.exit_code == code, (
            f"disputes {' '.join(argv)}\nexit {result.exit_code}, expected {code}\n"
            f"stdout: {result.stdout}\nstderr: {result.stderr}"
        )
        return result

    def json(self, *args: str, code: int = 0) -> Any:
        return json.loads(self(*args, code=code).stdout)

    def count(self, table: str) -> int:
        with closing(sqlite3.connect(self.db)) as connection:
            (n,) = connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
        return int(n)


@pytest.fixture
def old(cli: click.Group, tmp_path: Path) -> Old:
    copy = tmp_path / "pre-redesign.db"
    shutil.copyfile(FIXTURE, copy)
    return Old(cli, copy, tmp_path)


def expected(name: str) -> dict[str, Any]:
    entry: dict[str, Any] = json.loads((DATA / "expected" / f"{name}.json").read_text("utf-8"))
    return entry


def placed(argv: list[str], tmp: Path) -> list[str]:
    values = {"{pub}": str(PUBLIC_KEY), "{dossier}": str(tmp / "dossier.json")}
    return [values.get(a, a) for a in argv]


def unplaced(text: str, tmp: Path) -> str:
    return text.replace(str(PUBLIC_KEY), "{pub}").replace(str(tmp / "dossier.json"), "{dossier}")


def without_clock(data: Any) -> Any:
    """Ledger rows / a ``show`` object without the CLOCK_KEYS."""
    if isinstance(data, list):
        return [without_clock(row) for row in data]
    return {k: v for k, v in data.items() if k not in CLOCK_KEYS}


def as_recorded(got: Any, recorded: Any) -> Any:
    """``got`` cut to the keys the old output had: the CLI contract may be extended with new
    keys (history's ``late_reasons``), never changed in the old ones."""
    if isinstance(got, list) and isinstance(recorded, list) and len(got) == len(recorded):
        return [as_recorded(g, r) for g, r in zip(got, recorded, strict=True)]
    if isinstance(got, dict) and isinstance(recorded, dict):
        return {k: as_recorded(got[k], recorded[k]) if k in got else None for k in recorded}
    return got


def check_overdue_days(data: Any, before: datetime, after: datetime) -> None:
    """``overdue_days`` is the whole days from ``next_due_at`` to the clock of the command."""
    for row in data if isinstance(data, list) else [data]:
        due = row["next_due_at"]
        if due is None:
            assert row["overdue_days"] == 0, row
            continue
        due_at = datetime.fromisoformat(due)
        low, high = ((moment - due_at) // timedelta(days=1) for moment in (before, after))
        assert low <= row["overdue_days"] <= high, (row, before, after)


def test_fixture_is_the_old_store() -> None:
    """The file is what data/README.md says: one SQLite file, 200 events, a snapshot."""
    assert FIXTURE.stat().st_size < 2_000_000
    assert not FIXTURE.with_name(FIXTURE.name + "-wal").exists()
    with closing(sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True)) as connection:
        (events,) = connection.execute("SELECT COUNT(*) FROM stored_events").fetchone()
        snapshots = connection.execute("SELECT originator_version FROM stored_snapshots").fetchall()
        (checkpoints,) = connection.execute("SELECT COUNT(*) FROM checkpoints").fetchone()
    assert events == EVENTS
    assert snapshots == [(100,)]
    assert checkpoints == 1


def test_clock_is_past_the_fixture() -> None:
    """The premise of comparing next_due_at and supervision exactly (module docstring)."""
    assert datetime.now(tz=UTC) > STABLE_AFTER


@pytest.mark.parametrize("path", EXPECTED, ids=[p.stem for p in EXPECTED])
def test_output_as_recorded_by_the_old_code(old: Old, path: Path) -> None:
    """Every read recorded with the old code answers the same: exit code, JSON or text, and
    stderr; ledger and show only up to the clock (CLOCK_KEYS)."""
    entry = json.loads(path.read_text("utf-8"))
    argv = entry["argv"]
    before = datetime.now(tz=UTC)
    result = old(*placed(argv, old.tmp), code=entry["exit_code"])
    after = datetime.now(tz=UTC)
    assert unplaced(result.stderr, old.tmp) == entry["stderr"]
    if "stdout" in entry:
        assert unplaced(result.stdout, old.tmp) == entry["stdout"]
        return
    got = json.loads(result.stdout)
    clocked = argv[0] in ("ledger", "show") and "--as-of" not in argv
    if clocked:
        check_overdue_days(got, before, after)
        assert without_clock(as_recorded(got, entry["json"])) == without_clock(entry["json"])
    else:
        assert as_recorded(got, entry["json"]) == entry["json"]


def test_verify_says_intact(old: Old) -> None:
    result = old("verify", "--key", str(PUBLIC_KEY))
    assert result.stdout == f"intact: {EVENTS} events, 1 checkpoints verified\n"
    assert old.json("verify", "--json")["intact"] is True


def test_snapshot_case_replays_as_without_its_snapshot(old: Old) -> None:
    """The case whose snapshot the old code stored replays the same from the snapshot and
    from its events alone, and as recorded; reading stores nothing."""
    from_snapshot = old.json("show", SNAPSHOT_CASE, "--json")
    assert from_snapshot["version"] == 130
    assert without_clock(from_snapshot) == without_clock(expected(f"show-{SNAPSHOT_CASE}")["json"])
    assert old.count("stored_snapshots") == 1
    assert old.count("stored_events") == EVENTS
    with closing(sqlite3.connect(old.db)) as connection, connection:
        connection.execute("DELETE FROM stored_snapshots")
    from_events = old.json("show", SNAPSHOT_CASE, "--json")
    assert without_clock(from_events) == without_clock(from_snapshot)
    as_of = expected(f"show-{SNAPSHOT_CASE}-as-of")
    assert old.json(*as_of["argv"]) == as_of["json"]


def test_old_snapshot_is_decoded_but_not_trusted(old: Old) -> None:
    """The old snapshot (class version 1) still decodes and upcasts, but since late entries
    (issue 10) its running observation state is not trusted: the case is replayed from its
    events — so with the case's events 1-100 removed it cannot be shown any more, while with
    them it shows as recorded (test above)."""
    from disputes.domain.model import Dispute
    from disputes.storage.store import Store

    with closing(Store(str(old.db))) as store:
        row = store.views.connection.execute(
            "SELECT originator_id, originator_version, topic, state FROM stored_snapshots"
        ).fetchone()
        stored = StoredEvent(UUID(str(row[0])), int(row[1]), str(row[2]), bytes(row[3]))
        restored = store.app.mapper.to_domain_event(stored).mutate(None)
        assert isinstance(restored, Dispute)
        assert (restored.version, restored.replay_needed) == (100, True)
        assert store.case(SNAPSHOT_CASE).replay_needed is False
    with closing(sqlite3.connect(old.db)) as connection, connection:
        removed = connection.execute(
            "DELETE FROM stored_events WHERE originator_id = ? AND originator_version <= 100",
            (row[0],),
        ).rowcount
    assert removed == 100
    refused = old("show", SNAPSHOT_CASE, "--json", code=2)
    assert "cannot be replayed" in refused.stderr


def test_old_dossier_verifies_and_export_is_unchanged(old: Old) -> None:
    """The dossier the old code exported verifies offline with the station's public key, and
    the current code exports the same dossier from the old store."""
    old("verify-dossier", str(DOSSIER), "--key", str(PUBLIC_KEY))
    out = old.tmp / "dossier.json"
    old("export", "HY-2021-0002", "--dossier", str(out))
    assert json.loads(out.read_text("utf-8")) == json.loads(DOSSIER.read_text("utf-8"))


def test_new_commands_append_to_the_old_store(old: Old) -> None:
    """Commands of the current code append to the old log: a retried old command id records
    nothing, a new event on an old case and a new case are recorded, the old history stays
    as it was, the store verifies against the old checkpoint and takes a new one.

    The bundled policy has changed since (issue 11 added ``[accounts]``): the first event
    recorded under the new version adopts it (``Policy.Adopted``, in the same transaction), as
    any policy change does; the old events keep the version they were recorded under."""
    from disputes.domain.policy import load_policy

    adopted = [] if load_policy().version == OLD_POLICY else ["disputes:Policy.Adopted"]
    retry = old.json(
        "--as", "P-WD-01", "visit", RELAPSED_CASE, "--mode", "phone", "--note", "电话稳控",
        "--at", "2023-01-16T10:00+08:00", "--command-id", "CLI-RETRY-1", "--json",
    )  # fmt: skip
    assert retry["duplicate"] is True
    assert retry["version"] == 11
    assert old.count("stored_events") == EVENTS

    visit = old.json(
        "--as", "A-WD-V03", "visit", RELAPSED_CASE, "--note", "入户稳控",
        "--at", "2024-02-01T09:00+08:00", "--json",
    )  # fmt: skip
    assert (visit["version"], visit["duplicate"]) == (12, False)
    report = old.json(
        "--as", "G-WD-V01-G1", "report", "--category", "neighbour", "--source", "informant",
        "--village", "WD-V01", "--summary", "两家因排水争执", "--at", "2024-02-02T09:00+08:00",
        "--json",
    )  # fmt: skip
    assert report["case_no"] == "HY-2024-0001"
    with closing(sqlite3.connect(old.db)) as connection:
        added = connection.execute(
            "SELECT topic FROM stored_events WHERE rowid > ? ORDER BY rowid",
            (EVENTS,),
        ).fetchall()
    assert [topic for (topic,) in added] == [
        "disputes:Dispute.Visited",
        *adopted,
        "disputes:CaseNumbers.Started",  # the first case of 2024
        "disputes:CaseNumbers.Allocated",
        "disputes:Dispute.Reported",
    ]

    history = old.json("history", RELAPSED_CASE, "--json")
    recorded = expected(f"history-{RELAPSED_CASE}")["json"]
    assert as_recorded(history[:-1], recorded) == recorded
    assert (history[-1]["version"], history[-1]["event"]) == (12, "Visited")
    ledger = old.json("ledger", "--format", "json")
    assert [r["case_no"] for r in ledger] == [
        *(r["case_no"] for r in expected("ledger")["json"]),
        "HY-2024-0001",
    ]

    result = old("verify", "--key", str(PUBLIC_KEY))
    new = 4 + len(adopted)
    assert result.stdout == f"intact: {EVENTS + new} events, 1 checkpoints verified\n"
    key = old.tmp / "new.key"
    old("keygen", "--out", str(key))
    old("checkpoint", "--key", str(key))
    intact = old.json("verify", "--json")
    assert (intact["intact"], intact["events"], intact["checkpoints"]) == (True, EVENTS + new, 2)
