"""Quick reads (issue 15; cli/quick.py, storage/quick.py): ``history`` and ``ledger`` answered
from the view tables print exactly what the full path (the store's application, through the
gate) prints — ``history`` for every case of the sample year, ``ledger`` under several filters
— as JSON and as tables in Chinese and English; and every condition under which a quick read
cannot be sure falls back to the full path."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

from disputes.cli import quick
from disputes.cli.main import Settings
from disputes.storage import quick as storage_quick
from tests.support.driver import YEAR, Disputes, clean_environment
from tests.support.stores import BACKEND, create_store, drop_location, new_location

if TYPE_CHECKING:
    from collections.abc import Iterator

    import click


@pytest.fixture(scope="module")
def year(cli: click.Group, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Disputes]:
    if BACKEND == "postgres":
        pytest.skip("quick reads are SQLite's (on PostgreSQL the full path answers)")
    folder = tmp_path_factory.mktemp("quick-year")
    location = new_location(folder)
    create_store(location)
    with pytest.MonkeyPatch.context() as patch:
        clean_environment(patch, folder)
        d = Disputes(cli, CliRunner(), location if "://" in location else Path(location))
        d.load_sample(YEAR)
        yield d
    drop_location(location)


@pytest.fixture
def sqlite_year(year: Disputes) -> Disputes:
    return year


def run(d: Disputes, monkeypatch: pytest.MonkeyPatch, *args: str, fast: bool) -> str:
    """stdout of ``disputes ARGS``, by the quick path only (the gate refuses to open) or the
    full path only (the quick read declines)."""
    with monkeypatch.context() as patch:
        if fast:
            patch.setattr("disputes.cli.reads.gate_of", _no_full_path)
        else:
            patch.setattr(quick, "quick_history", lambda *_: False)
            patch.setattr(quick, "quick_ledger", lambda *_: False)
        return d(*args).stdout


def _no_full_path(*_: Any) -> Any:
    raise AssertionError("the full path was taken")


def cases(d: Disputes) -> list[str]:
    return [row["case_no"] for row in d.ledger()]


def test_history_json_is_the_full_paths_for_every_case(
    sqlite_year: Disputes, monkeypatch: pytest.MonkeyPatch
) -> None:
    numbers = cases(sqlite_year)
    assert len(numbers) > 500
    for case in numbers:
        args = ("history", case, "--json")
        fast = run(sqlite_year, monkeypatch, *args, fast=True)
        assert fast == run(sqlite_year, monkeypatch, *args, fast=False), case
        assert json.loads(fast)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_history_tables_are_the_full_paths(
    sqlite_year: Disputes, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    numbers = cases(sqlite_year)
    # Every fourth case in Chinese (the default), every eighth in English: a table takes rich
    # ~50 ms to print, each path.
    for case in numbers[:: 4 if lang == "zh" else 8]:
        args = ("--lang", lang, "history", case)
        fast = run(sqlite_year, monkeypatch, *args, fast=True)
        assert fast == run(sqlite_year, monkeypatch, *args, fast=False), case
        assert case in fast


def quick_history(db: Path | str, case: str = "HY-2021-0001", *, as_json: bool = True) -> bool:
    return quick.quick_history(Settings(db=str(db)), case, as_json)


@pytest.fixture
def copy(sqlite_year: Disputes, tmp_path: Path) -> Path:
    """A copy of the sample year's store, to break."""
    target = tmp_path / "copy.db"
    with sqlite3.connect(sqlite_year.db) as source, sqlite3.connect(target) as dest:
        source.backup(dest)
    return target


def change(db: Path, *statements: str) -> None:
    with sqlite3.connect(db) as connection:
        for statement in statements:
            connection.execute(statement)


def test_the_copy_is_read_quickly(copy: Path) -> None:
    assert quick_history(copy)
    assert quick_history(copy, as_json=False)


def test_projections_behind_the_log_fall_back(copy: Path) -> None:
    change(copy, "UPDATE tracking SET notification_id = notification_id - 1")
    assert not quick_history(copy)


def test_a_store_without_the_table_or_tracking_falls_back(copy: Path) -> None:
    change(copy, "DELETE FROM tracking WHERE projection = 'history'")
    assert not quick_history(copy)
    change(copy, "DROP TABLE tracking")
    assert not quick_history(copy)


def test_a_file_that_is_no_disputes_store_falls_back(copy: Path, tmp_path: Path) -> None:
    change(copy, "PRAGMA application_id = 0")
    assert not quick_history(copy)
    assert not quick_history(tmp_path / "missing.db")
    assert not quick_history("postgresql://nobody@localhost/none")
    assert not quick_history(":memory:")


def test_no_such_case_falls_back(copy: Path) -> None:
    assert not quick_history(copy, "HY-2099-0001")


def test_an_entry_under_another_policy_version_falls_back(copy: Path) -> None:
    change(copy, "UPDATE history SET policy_version = 'older' WHERE version = 2")
    assert not quick_history(copy)


def test_a_policy_file_the_store_never_recorded_falls_back(
    copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bundled = Path(storage_quick.__file__).parent.parent / "domain" / "policy.toml"
    other = tmp_path / "policy.toml"
    shutil.copyfile(bundled, other)
    monkeypatch.setenv("DISPUTES_POLICY", str(other))
    assert quick_history(copy)  # the same bytes: the version the store recorded
    other.write_text(bundled.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert not quick_history(copy)


def test_a_roster_changed_since_its_load_falls_back_for_tables(copy: Path) -> None:
    change(
        copy,
        "INSERT INTO stored_events (originator_id, originator_version, topic, state)"
        " SELECT originator_id, 3, 'disputes:Roster.PersonAdded', '{}' FROM stored_events"
        " WHERE topic = 'disputes:Roster.Loaded'",
        "UPDATE tracking SET notification_id = (SELECT MAX(rowid) FROM stored_events)",
    )
    assert quick_history(copy)  # JSON names nobody
    assert not quick_history(copy, as_json=False)


def test_a_person_or_a_purpose_takes_the_gate(
    sqlite_year: Disputes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(quick, "quick_history", _no_full_path)
    case = cases(sqlite_year)[0]
    assert sqlite_year("history", case, "--json", actor="L-DM-01").stdout
    sqlite_year("history", case, "--json", "--purpose", "casework")
    monkeypatch.setenv("DISPUTES_ACTOR", "L-DM-01")
    sqlite_year("history", case, "--json")


def test_quick_reads_are_not_logged(sqlite_year: Disputes, monkeypatch: pytest.MonkeyPatch) -> None:
    def logged() -> int:
        with sqlite3.connect(sqlite_year.db) as connection:
            return int(connection.execute("SELECT COUNT(*) FROM access_log").fetchone()[0])

    before = logged()
    run(sqlite_year, monkeypatch, "history", cases(sqlite_year)[0], "--json", fast=True)
    assert logged() == before


def test_constants_are_the_stores() -> None:
    from disputes.domain.policy import POLICY_ENV
    from disputes.domain.records import RosterRecord, policy_id
    from disputes.domain.values import NAMESPACE
    from disputes.projections.history import CaseHistory
    from disputes.storage.sqlite import APPLICATION_ID, DEMO_APPLICATION_ID

    assert CaseHistory.name == storage_quick.HISTORY
    assert storage_quick.APPLICATION_ID == APPLICATION_ID
    assert storage_quick.DEMO_APPLICATION_ID == DEMO_APPLICATION_ID
    assert storage_quick.POLICY_ENV == POLICY_ENV
    assert storage_quick.NAMESPACE == NAMESPACE
    assert RosterRecord.ID.hex == storage_quick.ROSTER_ID
    assert storage_quick.policy_id("abc") == policy_id("abc").hex


def test_the_quick_policy_is_the_policys(copy: Path) -> None:
    from disputes.domain.policy import load_policy

    full = load_policy()
    found = storage_quick.open_quick(str(copy), storage_quick.HISTORY)
    assert found is not None
    policy = found.policy()
    found.close()
    assert policy is not None
    assert policy.version == full.version
    assert policy.late_entry_hours == full.audit.late_entry_hours
    for kind in storage_quick.LABEL_KINDS:
        mine, theirs = getattr(policy, kind), getattr(full, kind)
        assert {c: (x.zh, x.en) for c, x in mine.items()} == {
            c: (x.zh, x.en) for c, x in theirs.items()
        }


LEDGER_FILTERS = [
    (),
    ("--station", "WD"),
    ("--status", "observing"),
    ("--status", "closed", "--grade", "red"),
    ("--category", "debt-loan"),
    ("--station", "BL", "--category", "neighbour", "--status", "observing"),
    ("--grade", "blue", "--columns", "all"),
]


@pytest.mark.parametrize("filters", LEDGER_FILTERS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_ledger_is_the_full_paths(
    sqlite_year: Disputes, monkeypatch: pytest.MonkeyPatch, lang: str, filters: tuple[str, ...]
) -> None:
    monkeypatch.setenv("COLUMNS", "150")
    for shape in ((), ("--json",), ("--format", "json")):
        args = ("--lang", lang, "ledger", *filters, *shape)
        fast = run(sqlite_year, monkeypatch, *args, fast=True)
        assert fast == run(sqlite_year, monkeypatch, *args, fast=False), args
        assert fast


def test_the_ledger_has_cases_on_the_board(sqlite_year: Disputes) -> None:
    rows = sqlite_year.ledger()
    assert any(r["next_due_at"] for r in rows)
    assert {r["supervision"] for r in rows} > {"normal"}


def test_the_ledger_table_fits_columns(
    sqlite_year: Disputes, monkeypatch: pytest.MonkeyPatch
) -> None:
    for width in ("60", "200", "x"):
        monkeypatch.setenv("COLUMNS", width)
        fast = run(sqlite_year, monkeypatch, "ledger", "--station", "WD", fast=True)
        assert fast == run(sqlite_year, monkeypatch, "ledger", "--station", "WD", fast=False)


def quick_ledger(
    db: Path | str, fmt: str = "json", *, as_json: bool = False, **filters: str
) -> bool:
    return quick.quick_ledger(Settings(db=str(db)), dict(filters), fmt, as_json, ["case_no"])


def test_the_copy_ledger_is_read_quickly(copy: Path) -> None:
    assert quick_ledger(copy)
    assert quick_ledger(copy, "table", station="WD")


def test_ledger_formats_for_excel_fall_back(copy: Path) -> None:
    assert not quick_ledger(copy, "csv")
    assert not quick_ledger(copy, "xlsx")
    assert quick_ledger(copy, "csv", as_json=True)  # --json wins, as in the full path


def test_ledger_with_the_due_board_behind_falls_back(copy: Path) -> None:
    change(copy, "UPDATE tracking SET notification_id = 0 WHERE projection = 'due_board@2'")
    assert quick_history(copy)
    assert not quick_ledger(copy)


def test_ledger_of_an_unknown_category_or_station_falls_back(copy: Path) -> None:
    assert not quick_ledger(copy, category="no-such-category")
    assert not quick_ledger(copy, station="NOPE")
    assert not quick_ledger(copy, station="WD-V01")  # a village, not a station


def test_ledger_under_a_roster_changed_since_its_load_falls_back(copy: Path) -> None:
    change(
        copy,
        "INSERT INTO stored_events (originator_id, originator_version, topic, state)"
        " SELECT originator_id, 3, 'disputes:Roster.PersonAdded', '{}' FROM stored_events"
        " WHERE topic = 'disputes:Roster.Loaded'",
        "UPDATE tracking SET notification_id = (SELECT MAX(rowid) FROM stored_events)",
    )
    assert quick_ledger(copy)  # JSON without a station names nobody
    assert not quick_ledger(copy, station="WD")
    assert not quick_ledger(copy, "table")


def test_ledger_under_a_policy_without_its_whole_cadence_falls_back(
    copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = storage_quick.QuickStore.policy

    def without_cadence(self: storage_quick.QuickStore) -> Any:
        found = policy(self)
        return None if found is None else found._replace(cadence=None)

    monkeypatch.setattr(storage_quick.QuickStore, "policy", without_cadence)
    assert not quick_ledger(copy)
    assert quick_history(copy)
    whole = dict.fromkeys(storage_quick.CADENCE_KEYS, 1)
    assert storage_quick._cadence(whole) == storage_quick.QuickCadence(*[1] * 10)
    assert storage_quick._cadence({**whole, "referral_reply_days": True}) is None
    assert (
        storage_quick._cadence({k: v for k, v in whole.items() if k != "stalled_after_days"})
        is None
    )
    assert storage_quick._cadence(None) is None


@pytest.mark.parametrize(
    "extra",
    [("--purpose", "casework"), ("--as-of", "2021-10-01"), ("--known-at", "2099-10-01")],
)
def test_ledger_with_a_purpose_or_a_past_moment_takes_the_gate(
    sqlite_year: Disputes, monkeypatch: pytest.MonkeyPatch, extra: tuple[str, ...]
) -> None:
    monkeypatch.setattr(quick, "quick_ledger", _no_full_path)
    assert sqlite_year("ledger", "--json", *extra).stdout


def test_ledger_of_a_person_or_to_a_file_takes_the_gate(
    sqlite_year: Disputes, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(quick, "quick_ledger", _no_full_path)
    assert sqlite_year("ledger", "--json", actor="L-DM-01").stdout
    sqlite_year("ledger", "--format", "json", "--out", str(tmp_path / "ledger.json"))
    monkeypatch.setenv("DISPUTES_ACTOR", "L-DM-01")
    sqlite_year("ledger", "--json")


def test_quick_ledger_reads_are_not_logged(
    sqlite_year: Disputes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def logged() -> int:
        with sqlite3.connect(sqlite_year.db) as connection:
            return int(connection.execute("SELECT COUNT(*) FROM access_log").fetchone()[0])

    before = logged()
    run(sqlite_year, monkeypatch, "ledger", "--json", fast=True)
    assert logged() == before


def test_ledger_constants_are_the_stores(copy: Path) -> None:
    from disputes.domain.policy import Cadence, load_policy
    from disputes.projections.due_board import DueBoard
    from disputes.projections.ledger import Ledger
    from disputes.storage.store import LEDGER_DUE_BY_CASE

    assert Ledger.name == storage_quick.LEDGER
    assert DueBoard.name == storage_quick.DUE_BOARD
    assert storage_quick.LEDGER_DUE_BY_CASE == LEDGER_DUE_BY_CASE
    assert tuple(Cadence.model_fields) == storage_quick.CADENCE_KEYS
    found = storage_quick.open_quick(str(copy), storage_quick.LEDGER)
    assert found is not None
    policy = found.policy()
    found.close()
    assert policy is not None
    assert policy.cadence is not None
    assert policy.cadence._asdict() == load_policy().cadence.model_dump()
