"""Bitemporal replay on small stores (issue 4 §1, "Bad input"): ``--as-of`` (occurred time) and
``--known-at`` (recorded time) on ``show`` and ``ledger``; the inclusive boundary and the
Asia/Shanghai default offset; bad times named by their option (exit 2); a case not yet reported
at the time asked is not found (exit 3). Nothing is recorded by any of them.

The year-journal checks are in test_year_journal.py.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from tests.support.driver import GRID, LEADER, OFFICER, at

if TYPE_CHECKING:
    from tests.support.driver import Disputes

C01, C04, C02 = "HY-2021-0001", "HY-2021-0002", "HY-2022-0001"


def now() -> str:
    """The current moment (ISO 8601, UTC, microseconds): a recorded-time boundary."""
    return datetime.now(tz=UTC).isoformat(timespec="microseconds")


# == occurred time versus recorded time =========================================================


def test_as_of_and_known_at_tell_apart_what_happened_from_what_was_known(d: Disputes) -> None:
    """A grading entered after the moment K, for something that happened on day 2: as of day 5
    it had happened; known at K it had not been recorded."""
    case = d.report(when=at(1))
    known = now()
    d.write("grade", case, "--grade", "red", "--reason", "对峙", actor=OFFICER, when=at(2))
    d.write("assign", case, "--leader", LEADER, "--officer", OFFICER, actor=LEADER, when=at(3))

    assert d.json("show", case, "--as-of", at(5), "--json")["status"] == "open"
    assert d.json("show", case, "--as-of", at(2, 12), "--json")["version"] == 2
    assert d.json("show", case, "--known-at", known, "--json")["status"] == "reported"
    both = d.json("show", case, "--as-of", at(5), "--known-at", known, "--json")
    assert (both["status"], both["version"]) == ("reported", 1)

    assert [r["status"] for r in d.ledger("--as-of", at(1, 12))] == ["reported"]
    assert [r["grade"] for r in d.ledger("--as-of", at(2, 12))] == ["red"]
    assert [r["status"] for r in d.ledger("--known-at", known)] == ["reported"]
    assert [r["leader"] for r in d.ledger("--as-of", at(3))] == [LEADER]
    assert [r["leader"] for r in d.ledger("--known-at", known)] == [None]


def test_a_case_reported_after_the_known_at_moment_is_not_known(d: Disputes) -> None:
    first = d.report(when=at(1))
    known = now()
    second = d.report(when=at(2))
    assert [r["case_no"] for r in d.ledger("--known-at", known)] == [first]
    assert [r["case_no"] for r in d.ledger("--known-at", now())] == [first, second]
    stderr = d.fails("show", second, "--known-at", known, code=3)
    assert stderr.startswith(f"error: case {second} had not been reported by known at ")


def test_as_of_is_inclusive_and_reads_times_without_offset_as_shanghai(d: Disputes) -> None:
    case = d.report(when="2024-03-01T09:00")
    assert d.json("show", case, "--as-of", "2024-03-01T09:00", "--json")["case_no"] == case
    assert d.json("show", case, "--as-of", "2024-03-01T01:00Z", "--json")["case_no"] == case
    assert d.json("show", case, "--as-of", "2024-03-01T09:00+08:00", "--json")["version"] == 1
    for before, named in (
        ("2024-03-01T08:59", "2024-03-01T08:59:00+08:00"),
        ("2024-03-01T00:59Z", "2024-03-01T08:59:00+08:00"),
        ("2024-03-01T09:00+09:00", "2024-03-01T08:00:00+08:00"),
    ):
        stderr = d.fails("show", case, "--as-of", before, code=3)
        assert stderr.strip() == f"error: case {case} had not been reported by {named}"
    assert [r["case_no"] for r in d.ledger("--as-of", "2024-03-01T01:00:00Z")] == [case]


def test_show_as_of_before_the_case_was_reported_is_not_found(sd: Disputes) -> None:
    """C02 was reported in 2022; C01 and C04 in 2021."""
    stderr = sd.fails("show", C02, "--as-of", "2021-12-31T23:59+08:00", code=3)
    assert stderr.strip() == (
        f"error: case {C02} had not been reported by 2021-12-31T23:59:00+08:00"
    )
    assert sd.json("show", C01, "--as-of", "2021-12-31T23:59+08:00", "--json")["case_no"] == C01
    rows = sd.ledger("--as-of", "2021-12-31T23:59+08:00")
    assert [r["case_no"] for r in rows] == [C01, C04]


def test_show_as_of_for_a_case_that_does_not_exist_is_not_found(sd: Disputes) -> None:
    stderr = sd.fails("show", "HY-2021-0999", "--as-of", "2022-01-01", code=3)
    assert stderr.strip() == "error: case HY-2021-0999 not found"


# == bad times ==================================================================================


@pytest.mark.parametrize("verb", ["ledger", "show"])
@pytest.mark.parametrize("option", ["--as-of", "--known-at"])
@pytest.mark.parametrize("text", ["yesterday", "2021-13-01", "2021-12-31 25:00", ""])
def test_an_unparseable_time_is_named_by_its_option(
    sd: Disputes, verb: str, option: str, text: str
) -> None:
    args = [verb, C01] if verb == "show" else [verb]
    stderr = sd.fails(*args, option, text, code=2)
    assert stderr.strip() == (
        f"error: {option}: '{text}' is not an ISO 8601 time (e.g. 2021-10-06T21:40+08:00)"
    )


def test_ledger_as_of_before_the_first_event_is_named(sd: Disputes) -> None:
    """The store's first case event occurred 2021-10-06 21:40 (C01's report)."""
    stderr = sd.fails("ledger", "--as-of", "2021-10-06T21:39", code=2)
    assert stderr.strip() == "error: --as-of: 2021-10-06T21:39:00+08:00 is before the first event"
    assert [r["case_no"] for r in sd.ledger("--as-of", "2021-10-06T21:40")] == [C01]


def test_ledger_known_at_before_the_first_record_is_named(sd: Disputes) -> None:
    stderr = sd.fails("ledger", "--known-at", "2021-10-06T21:40", code=2)
    assert stderr.strip() == (
        "error: --known-at: 2021-10-06T21:40:00+08:00 is before the first record"
    )


def test_ledger_as_of_on_a_store_with_no_case_is_named(d: Disputes) -> None:
    stderr = d.fails("ledger", "--as-of", "2024-03-01", code=2)
    assert stderr.startswith("error: --as-of: 2024-03-01T00:00:00+08:00 is before the first event")


def test_show_without_as_of_is_the_present(sd: Disputes) -> None:
    present = sd.show(C01)
    assert present["status"] == "closed"
    past = sd.json("show", C01, "--as-of", "2021-10-07", "--json")
    assert past["status"] == "open"
    assert past["version"] < present["version"]
    assert sd.show(C01) == present


def test_grid_worker_reports_are_visible_to_as_of(d: Disputes) -> None:
    """A report is the first event: as of its occurred time the case exists with its reporter."""
    case = d.report(when=at(4), actor=GRID)
    shown = d.json("show", case, "--as-of", at(4), "--json")
    assert (shown["reporter"], shown["status"], shown["grade"]) == (GRID, "reported", None)


def test_as_of_takes_a_late_entry_where_it_occurred(d: Disputes) -> None:
    """补录: a visit recorded after a later decision counts as of its occurred time, and the
    decision that occurred after the cut does not, although it was recorded first."""
    case = d.report(when=at(1))
    d.write("grade", case, "--grade", "yellow", "--reason", "r", actor=OFFICER, when=at(2))
    d.write("escalate", case, "--reason", "r", actor=OFFICER, when=at(5))
    d.write("visit", case, actor=OFFICER, when=at(3))
    as_of = d.json("show", case, "--as-of", at(4), "--json")
    assert (as_of["grade"], as_of["status"], as_of["version"]) == ("yellow", "open", 4)
    assert d.json("show", case, "--json")["grade"] == "red"


def test_ledger_as_of_gives_the_window_that_restarted_as_show_does(d: Disputes) -> None:
    """A follow-up 41 days after the last restarts the observation (§3): as of a later day
    the ledger's observe_until is the new window's end, the same as show's."""
    case = d.report(when=at(1))
    d.write("grade", case, "--grade", "red", "--reason", "r", actor=OFFICER, when=at(2))
    d.write(
        "resolve", case, "--agreement", "a", "--form", "oral", "--observe-days", "30",
        actor=OFFICER, when=at(3),
    )  # fmt: skip
    d.write("follow-up", case, actor=OFFICER, when=at(13))
    d.write("follow-up", case, actor=OFFICER, when=at(24, month=4))  # 42 days after
    when = at(26, month=4)
    shown = d.json("show", case, "--as-of", when, "--json")["observe_until"]
    rows = d.json("ledger", "--as-of", when, "--format", "json")
    assert shown.startswith("2024-05-24")
    assert [r["observe_until"] for r in rows if r["case_no"] == case] == [shown]
