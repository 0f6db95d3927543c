"""What is stored must stay readable: event topics are stable names (not module paths), and a
case reloaded from a snapshot (taken every 100 versions) equals the case replayed from all of its
events — in memory and in SQLite."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from eventsourcing.application import project_aggregate
from eventsourcing.utils import get_topic, resolve_topic

from disputes.domain.application import DisputesApp
from disputes.domain.model import Dispute, dispute_id
from disputes.domain.records import CaseNumbers
from tests.domain.support import AUXILIARY, NOW, Driver, day, make_roster

if TYPE_CHECKING:
    from pathlib import Path

LIFECYCLE_EVENTS = [
    "Reported",
    "Graded",
    "Assigned",
    "Deliberated",
    "Visited",
    "Mediated",
    "Referred",
    "ReceiptRecorded",
    "Escalated",
    "Downgraded",
    "Resolved",
    "FollowedUp",
    "Relapsed",
    "Closed",
]


@pytest.mark.parametrize("name", LIFECYCLE_EVENTS)
def test_dispute_event_topics_are_stable(name: str) -> None:
    cls = getattr(Dispute, name)
    assert get_topic(cls) == f"disputes:Dispute.{name}"
    assert resolve_topic(f"disputes:Dispute.{name}") is cls


def test_aggregate_topics_are_stable() -> None:
    assert get_topic(Dispute) == "disputes:Dispute"
    assert get_topic(Dispute.Graded) == "disputes:Dispute.Graded"
    assert get_topic(CaseNumbers) == "disputes:CaseNumbers"
    assert get_topic(CaseNumbers.Allocated) == "disputes:CaseNumbers.Allocated"


def test_stored_notifications_carry_the_stable_topics(d: Driver, app: DisputesApp) -> None:
    case = d.opened()
    d.act("visit", case)
    notifications = app.recorder.select_notifications(start=1, limit=100)
    topics = [n.topic for n in notifications if n.originator_id == dispute_id(case)]
    assert topics == [
        "disputes:Dispute.Reported",
        "disputes:Dispute.Graded",
        "disputes:Dispute.Assigned",
        "disputes:Dispute.Visited",
    ]


def _long_case(d: Driver, visits: int) -> str:
    """A case with ``visits`` visits, a referral answered after the 100th version, then settled
    with follow-ups — so the snapshot at version 100 holds an open referral and lists."""
    case = d.opened("yellow")
    d.act("deliberate", case, attendees=["L-WD-01", "P-WD-01"])
    d.act("refer", case, to="SFS")
    d.act("mediate", case, result="failed", with_units=["SFS", "FL"])
    for _ in range(visits):
        d.act("visit", case, actor=AUXILIARY)
    d.act("receipt", case, referral=1, outcome="handled")
    d.act("escalate", case)
    resolved = d.last_at + timedelta(hours=1)
    d.act("resolve", case, at=resolved, observe_days=30)
    d.act("follow-up", case, at=resolved + timedelta(days=10))
    d.act("follow-up", case, at=resolved + timedelta(days=25))
    return case


def _state(aggregate: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(aggregate).items() if k != "_pending_events"}


def _check_round_trip(app: DisputesApp, case: str) -> None:
    ident = dispute_id(case)
    assert app.snapshots is not None
    snapshots = list(app.snapshots.get(ident))
    assert [s.originator_version for s in snapshots][-1:] == [100]

    from_snapshot = app.get_case(case)
    replayed = project_aggregate(None, app.events.get(ident))
    assert replayed is not None
    assert from_snapshot.version == replayed.version > 100
    assert _state(from_snapshot) == _state(replayed)

    # The case as it was at the snapshot's version, too.
    at_snapshot = app.get_case(case, version=100)
    replayed_100 = project_aggregate(None, app.events.get(ident, lte=100))
    assert _state(at_snapshot) == _state(replayed_100)
    assert at_snapshot.open_referrals == 1


def test_snapshot_round_trip_in_memory(d: Driver, app: DisputesApp) -> None:
    case = _long_case(d, visits=110)
    _check_round_trip(app, case)


def test_a_case_reloaded_from_a_snapshot_goes_on_by_the_same_rules(
    d: Driver, app: DisputesApp
) -> None:
    case = _long_case(d, visits=110)
    dispute = app.get_case(case)
    closing = dispute.resolved_at + timedelta(days=30)
    outcome = d.act("close", case, at=closing)
    assert (outcome.status, outcome.version) == ("closed", dispute.version + 1)


def test_snapshot_round_trip_in_sqlite(tmp_path: Path) -> None:
    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(tmp_path / "e.db")}
    writer = DisputesApp(env, clock=lambda: NOW)
    writer.load_roster(make_roster())
    case = _long_case(Driver(writer, writer.execute), visits=110)
    writer.close()

    reader = DisputesApp(env, clock=lambda: NOW)
    _check_round_trip(reader, case)
    reader.close()


def test_a_case_under_100_versions_has_no_snapshot(d: Driver, app: DisputesApp) -> None:
    case = d.opened()
    assert app.snapshots is not None
    assert list(app.snapshots.get(dispute_id(case))) == []


def test_the_snapshot_interval_is_100(d: Driver, app: DisputesApp) -> None:
    case = d.reported(at=day(0))
    d.act("grade", case)
    for _ in range(97):
        d.act("visit", case)
    assert app.get_case(case).version == 99
    assert app.snapshots is not None
    assert list(app.snapshots.get(dispute_id(case))) == []
    d.act("visit", case)
    assert [s.originator_version for s in app.snapshots.get(dispute_id(case))] == [100]
