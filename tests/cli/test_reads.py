"""Reads: ``show``, ``history`` and ``ledger`` — the JSON keys of product.md §5, +08:00 times,
the ledger filters and formats (table, JSON, CSV with BOM), and labels in both languages."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

import pytest

from disputes.cli.render import EVENTS
from tests.support.driver import AUX, GRID, LEADER, OFFICER, Disputes, at
from tests.support.model import CASE_EVENTS

CASE_KEYS = {
    "case_no",
    "status",
    "grade",
    "category",
    "source",
    "station",
    "village",
    "leader",
    "officer",
    "reported_at",
    "resolved_at",
    "observe_until",
    "closed_at",
    "relapses",
    "open_referrals",
}
TIME_KEYS = ("reported_at", "resolved_at", "observe_until", "closed_at")
HISTORY_KEYS = {"version", "event", "occurred_at", "recorded_at", "actor", "policy_version"}
SHANGHAI_ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


def assert_times(row: dict[str, object], keys: tuple[str, ...]) -> None:
    for key in keys:
        value = row[key]
        assert value is None or (isinstance(value, str) and SHANGHAI_ISO.match(value)), (key, value)


def test_show_json_before_grading(d: Disputes) -> None:
    case = d.report(when="2024-03-01T01:30Z")
    shown = d.show(case)
    assert set(shown) >= CASE_KEYS
    assert shown["case_no"] == case
    assert (shown["status"], shown["grade"]) == ("reported", None)
    assert (shown["category"], shown["source"]) == ("neighbour", "informant")
    assert (shown["station"], shown["village"]) == ("WD", "WD-V01")
    assert (shown["leader"], shown["officer"]) == (None, None)
    assert shown["reported_at"] == "2024-03-01T09:30:00+08:00"
    assert (shown["resolved_at"], shown["observe_until"], shown["closed_at"]) == (None,) * 3
    assert (shown["relapses"], shown["open_referrals"]) == (0, 0)


def test_show_json_of_a_resolved_case(d: Disputes) -> None:
    case = d.observing_case(observe_days=30)
    shown = d.show(case)
    assert set(shown) >= CASE_KEYS
    assert (shown["status"], shown["grade"]) == ("observing", "blue")
    assert (shown["leader"], shown["officer"]) == (LEADER, OFFICER)
    assert_times(shown, TIME_KEYS)
    assert shown["observe_until"] == "2024-04-01T09:00:00+08:00"


@pytest.mark.parametrize(
    ("lang", "labels"), [("zh", ["在办", "红", "邻里纠纷"]), ("en", ["open", "red"])]
)
def test_show_table_labels(d: Disputes, lang: str, labels: list[str]) -> None:
    case = d.open_case()
    text = d("--lang", lang, "show", case).stdout
    assert case in text
    for label in labels:
        assert label in text
    assert f"{LEADER} " in text  # the leader with the name from the roster


def test_history_json_keys_and_times(d: Disputes) -> None:
    case = d.observing_case()
    d.write("follow-up", case, "--note", "回访", actor=AUX, when=at(10))
    trail = d.history(case)
    assert [e["version"] for e in trail] == [1, 2, 3, 4, 5]
    assert [e["event"] for e in trail] == [
        "Reported",
        "Graded",
        "Assigned",
        "Resolved",
        "FollowedUp",
    ]
    for event in trail:
        assert set(event) >= HISTORY_KEYS
        assert_times(event, ("occurred_at", "recorded_at"))
        assert event["policy_version"]
        recorded = datetime.fromisoformat(event["recorded_at"])
        assert recorded >= datetime.fromisoformat(event["occurred_at"])
    assert [e["actor"] for e in trail] == [GRID, OFFICER, LEADER, OFFICER, AUX]
    assert trail[-1]["occurred_at"] == "2024-03-10T09:00:00+08:00"
    assert trail[-1]["note"] == "回访"
    assert_times(trail[3], ("observe_until",))


def test_every_event_of_the_model_has_a_label_in_both_languages() -> None:
    """The audit trail's table names each event; a new event needs its two labels."""
    assert set(EVENTS) == {event.event_name() for event in CASE_EVENTS}
    assert all(zh and en for zh, en in EVENTS.values())


@pytest.mark.parametrize(("lang", "label"), [("zh", "研判定级"), ("en", "graded")])
def test_history_table_labels(d: Disputes, lang: str, label: str) -> None:
    case = d.open_case()
    text = d("--lang", lang, "history", case).stdout
    assert label in text
    assert "2024-03-01 10:00" in text


@pytest.fixture
def three_cases(d: Disputes) -> dict[str, str]:
    """A red open case and a reported one in WD, an observing yellow-turned-blue one in XG."""
    red = d.open_case("red")
    reported = d.report(category="debt-loan", source="walk-in")
    xg = d.report(village="XG-V01", actor="G-XG-V01-G1", category="labour-wages")
    d.write("grade", xg, "--grade", "yellow", "--reason", "r", actor="P-XG-01", when=at(2))
    d.write(
        "assign", xg, "--leader", "L-XG-01", "--officer", "P-XG-01", actor="L-XG-01", when=at(2)
    )
    d.write("resolve", xg, "--agreement", "a", "--form", "oral", actor="P-XG-01", when=at(3))
    return {"red": red, "reported": reported, "xg": xg}


def test_ledger_json_rows(d: Disputes, three_cases: dict[str, str]) -> None:
    rows = d.ledger()
    assert [r["case_no"] for r in rows] == sorted(three_cases.values())
    for row in rows:
        assert set(row) >= CASE_KEYS
        assert_times(row, TIME_KEYS)
        shown = d.show(row["case_no"])
        assert {k: row[k] for k in CASE_KEYS} == {k: shown[k] for k in CASE_KEYS}
    assert d.json("ledger", "--json") == rows


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (["--status", "open"], ["red"]),
        (["--status", "reported"], ["reported"]),
        (["--status", "observing"], ["xg"]),
        (["--status", "closed"], []),
        (["--grade", "red"], ["red"]),
        (["--grade", "blue"], ["xg"]),
        (["--station", "WD"], ["red", "reported"]),
        (["--station", "XG"], ["xg"]),
        (["--station", "DM"], []),
        (["--category", "debt-loan"], ["reported"]),
        (["--station", "WD", "--category", "neighbour", "--grade", "red"], ["red"]),
    ],
)
def test_ledger_filters(
    d: Disputes, three_cases: dict[str, str], filters: list[str], expected: list[str]
) -> None:
    assert [r["case_no"] for r in d.ledger(*filters)] == sorted(three_cases[k] for k in expected)


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        (["--station", "NOPE"], "--station"),
        (["--station", "WD-V01"], "--station"),  # a village, not a station
        (["--category", "gossip"], "--category"),
        (["--status", "pending"], "--status"),
        (["--grade", "green"], "--grade"),
        (["--format", "xml"], "--format"),
    ],
)
def test_ledger_refuses_bad_filters(d: Disputes, filters: list[str], field: str) -> None:
    error = d.fails("ledger", *filters, code=2)
    assert field in error


@pytest.mark.usefixtures("three_cases")
def test_ledger_csv_has_a_bom_and_the_json_rows(d: Disputes) -> None:
    raw = d("ledger", "--format", "csv", "--lang", "en").stdout_bytes
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"))))
    as_json = d.ledger()
    assert set(rows[0]) >= CASE_KEYS
    assert [r["case_no"] for r in rows] == [r["case_no"] for r in as_json]
    for row, expected in zip(rows, as_json, strict=True):
        assert row == {k: "" if v is None else str(v) for k, v in expected.items()}


def test_ledger_csv_of_no_rows_still_has_the_header(d: Disputes) -> None:
    raw = d("ledger", "--format", "csv", "--lang", "en").stdout_bytes
    assert raw.startswith(b"\xef\xbb\xbf")
    header = raw[3:].decode("utf-8").splitlines()
    assert len(header) == 1
    assert set(header[0].split(",")) >= CASE_KEYS


@pytest.mark.parametrize(
    ("lang", "labels"),
    [
        ("zh", ["台账（3 件）", "在办", "观察中", "已登记", "劳资欠薪纠纷"]),
        ("en", ["ledger (3 cases)", "observing"]),
    ],
)
def test_ledger_table(
    d: Disputes, three_cases: dict[str, str], lang: str, labels: list[str]
) -> None:
    text = d("--lang", lang, "ledger").stdout
    for case in three_cases.values():
        assert case in text
    for label in labels:
        assert label in text


def test_history_lists_in_occurred_order_and_says_why_an_entry_is_late(d: Disputes) -> None:
    """补录 (product.md §2): a visit recorded after a later one is listed where it occurred and
    marked as placed before; every entry here is also recorded long after it occurred."""
    case = d.open_case()
    d.write("visit", case, actor=OFFICER, when=at(5))
    d.write("visit", case, "--note", "补录", actor=OFFICER, when=at(3))
    history = d.history(case)
    visits = [row for row in history if row["event"] == "Visited"]
    assert [row["note"] for row in visits] == ["补录", ""]
    assert [row["occurred_at"] for row in history] == sorted(row["occurred_at"] for row in history)
    assert visits[0]["late_reasons"] == ["recorded-late", "placed-before"]
    assert visits[1]["late_reasons"] == ["recorded-late"]
    assert all(row["late"] for row in history)
    table = d("history", case).stdout
    assert "插在已记事项之前" in table
