"""View tables that cannot be edited unseen (issue 10 item 3): ``verify`` rebuilds every
projection in memory from the events it has verified and compares the stored tables with it,
row by row, naming the first difference of each case in each table (kind ``view``: the table,
the case, the column, the stored and the replayed value); exit 1.

Each edit is an ``UPDATE``/``INSERT``/``DELETE`` on the store file (a copy of the scenarios
store: HY-2021-0001 closed, HY-2021-0002 observing, HY-2022-0001 closed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from tests.audit.test_tamper import C01, C02, C04, EVENTS, sql, verify

if TYPE_CHECKING:
    from tests.support.driver import Disputes

pytestmark = pytest.mark.sqlite_only  # edits the SQLite file by hand

EDITS = {
    # table: (statement, case, version or None, column, stored value, replayed value)
    "ledger": (
        f"UPDATE ledger SET status = 'resolved' WHERE case_no = '{C04}'",
        C04, None, "status", "resolved", "observing",
    ),
    "history": (
        f"UPDATE history SET actor = 'L-WD-01' WHERE case_no = '{C01}' AND version = 2",
        C01, 2, "actor", "L-WD-01", "P-WD-01",
    ),
    "command_log": (
        f"UPDATE command_log SET verb = 'close' WHERE case_no = '{C02}' AND version = 3",
        C02, 3, "verb", "close", "assign",
    ),
    "due_cases": (
        f"UPDATE due_cases SET grade = 'red' WHERE case_no = '{C04}'",
        C04, None, "grade", "red", "blue",
    ),
    "due_items": (
        f"UPDATE due_items SET officer = 'P-WD-01' WHERE case_no = '{C04}'",
        C04, None, "officer", "P-WD-01", "P-XG-01",
    ),
    "due_history": (
        f"UPDATE due_history SET station = 'WD' WHERE case_no = '{C02}'",
        C02, None, "station", "WD", "DM",
    ),
}  # fmt: skip


@pytest.mark.parametrize("table", list(EDITS))
def test_an_edited_view_row_is_named(sd: Disputes, table: str) -> None:
    statement, case_no, version, column, stored, replayed = EDITS[table]
    verify(sd, code=0)
    sql(sd.db, statement)
    report = verify(sd, code=1)
    assert [
        (p["kind"], p["table"], p["case_no"], p["column"], p["stored"], p["replayed"])
        for p in report["problems"]
    ] == [("view", table, case_no, column, stored, replayed)]
    if version is not None:
        assert report["problems"][0]["version"] == version
    stderr = sd("verify", code=1).stderr
    assert stderr.startswith(f"NOT INTACT: 1 problems in {EVENTS} events\n")
    assert f"  view       position -  {case_no}: {table}.{column} of {case_no}" in stderr


def test_the_forged_ledger_and_history_are_what_the_reads_show(sd: Disputes) -> None:
    """The premise: ``ledger`` and ``history`` print the view tables as they are stored."""
    for table in ("ledger", "history"):
        sql(sd.db, EDITS[table][0])
    ledger = {row["case_no"]: row for row in sd.json("ledger", "--format", "json")}
    assert ledger[C04]["status"] == "resolved"
    assert sd.json("history", C01, "--json")[1]["actor"] == "L-WD-01"
    report = verify(sd, code=1)
    assert {(p["table"], p["case_no"]) for p in report["problems"]} == {
        ("ledger", C04),
        ("history", C01),
    }


def test_only_the_first_difference_of_a_case_in_a_table_is_named(sd: Disputes) -> None:
    sql(sd.db, f"UPDATE history SET actor = 'X' WHERE case_no = '{C01}' AND version >= 5")
    report = verify(sd, code=1)
    assert [(p["table"], p["case_no"], p["version"]) for p in report["problems"]] == [
        ("history", C01, 5)
    ]


@pytest.mark.parametrize(
    ("statement", "stored", "replayed"),
    [
        (f"DELETE FROM history WHERE case_no = '{C02}' AND version = 4", None, "row"),
        (
            "INSERT INTO history SELECT case_no, 13, event, occurred_at, recorded_at, actor,"
            f" policy_version, 'FORGED', details FROM history WHERE case_no = '{C02}'"
            " AND version = 12",
            "row",
            None,
        ),
        (f"DELETE FROM ledger WHERE case_no = '{C02}'", None, "row"),
    ],
    ids=["a-deleted-row", "an-inserted-row", "a-deleted-ledger-row"],
)
def test_a_row_deleted_or_inserted_is_named(
    sd: Disputes, statement: str, stored: Any, replayed: Any
) -> None:
    sql(sd.db, statement)
    (problem,) = verify(sd, code=1)["problems"]
    assert (problem["kind"], problem["case_no"], problem["column"]) == ("view", C02, None)
    assert (problem["stored"] is None) == (stored is None)
    assert (problem["replayed"] is None) == (replayed is None)


def test_a_tracking_position_beyond_the_log_is_named(sd: Disputes) -> None:
    """Views marked as ahead of the log would never take in the events recorded next."""
    sql(sd.db, "UPDATE tracking SET notification_id = 1000 WHERE projection = 'ledger@3'")
    report = verify(sd, code=1)
    assert [(p["kind"], p["table"], p["stored"], p["replayed"]) for p in report["problems"]] == [
        ("view", "tracking", 1000, EVENTS)
    ]


def test_views_that_are_only_behind_are_no_difference(sd: Disputes) -> None:
    """A crash between an event and its catch-up leaves the views behind, with their
    tracking position: they are compared with a replay through that position."""
    assert sd.json("history", C01, "--json")[-1]["version"] == 23  # the log's last event
    sql(
        sd.db,
        f"DELETE FROM history WHERE case_no = '{C01}' AND version = 23",
        f"DELETE FROM command_log WHERE case_no = '{C01}' AND version = 23",
        f"UPDATE tracking SET notification_id = {EVENTS - 1}"
        " WHERE projection IN ('history', 'command_log')",
    )
    verify(sd, code=0)


def test_views_are_not_compared_against_a_tampered_log(sd: Disputes) -> None:
    """With the log itself edited, the events name the problem; the views wait for it."""
    sql(sd.db, "UPDATE stored_events SET state = X'7B7D' WHERE rowid = 9")
    report = verify(sd, code=1)
    assert report["views_compared"] is False
    assert {p["kind"] for p in report["problems"]} == {"modified"}


def test_a_write_committed_while_verify_reads_is_not_a_difference(
    sd: Disputes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """verify reads the store as of one moment: an event and its views committed by another
    process after it has read the chain are neither an inserted event nor a view ahead of
    the replay."""
    from disputes.audit import log

    read_events = log.read_events

    def with_a_write_meanwhile(db: Any) -> Any:
        sd.write(
            "follow-up",
            C04,
            *("--mode", "in-person", "--note", "回访"),
            actor="A-XG-V01",
            when="2022-05-16T09:30",
        )
        yield from read_events(db)

    monkeypatch.setattr(log, "read_events", with_a_write_meanwhile)
    report = sd.json("verify", "--json")
    assert (report["intact"], report["events"]) == (True, EVENTS)
    monkeypatch.setattr(log, "read_events", read_events)
    assert verify(sd, code=0)["events"] == EVENTS + 1
