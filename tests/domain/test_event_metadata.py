"""product.md §2: every event records who (actor), when it happened (occurred time), when it was
stored (recorded time) and the policy version in force — and, for retries, its command id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from disputes.domain.application import DisputesApp
from disputes.domain.model import Dispute
from disputes.domain.model import dispute_events as model_events
from disputes.domain.policy import load_policy
from tests.domain.support import (
    AUXILIARY,
    CST,
    DISTRICT_LEADER,
    DM_LEADER,
    DM_POLICE,
    GRID,
    LEADER,
    POLICE,
    T0,
    Driver,
    dispute_events,
    new_app,
    utc_now,
)

EVERY_EVENT = {cls.event_name() for cls in model_events()}
"""Every event the model declares (so a new event cannot be left out of the walk below)."""


def _every_verb(d: Driver) -> None:
    """One case through every verb, each command with its own id, actor and occurred time."""
    at = T0
    steps: list[tuple[str, str, dict[str, object]]] = [
        ("report", GRID, {}),
        ("grade", POLICE, {"grade": "yellow"}),
        ("assign", LEADER, {}),
        ("deliberate", LEADER, {}),
        ("visit", AUXILIARY, {}),
        ("mediate", POLICE, {}),
        ("refer", AUXILIARY, {}),
        ("receipt", POLICE, {}),
        ("supervise", LEADER, {}),
        ("answer-supervision", POLICE, {}),
        ("escalate", AUXILIARY, {}),
        ("downgrade", LEADER, {}),
        ("resolve", POLICE, {"observe_days": 30}),
        ("follow-up", AUXILIARY, {}),
        ("transfer", DISTRICT_LEADER, {}),
        ("relapse", DM_POLICE, {"grade": "yellow"}),
        ("resolve", AUXILIARY, {"observe_days": 30}),
        ("follow-up", DM_POLICE, {}),
        ("close", DM_LEADER, {}),
        ("outcome", DM_POLICE, {}),
    ]
    case = None
    for number, (verb, actor, args) in enumerate(steps, start=1):
        at += timedelta(days=30) if verb == "close" else timedelta(days=1)
        outcome = d.act(verb, case, actor=actor, at=at, command_id=f"cmd-{number:02d}", **args)
        case = outcome.case_no


def test_every_event_records_actor_occurred_time_policy_version_and_command_id(
    d: Driver, app: DisputesApp
) -> None:
    started = utc_now()
    _every_verb(d)
    finished = utc_now()

    by_id = {command.command_id: command for command in d.sent}
    events = dispute_events(d.stored_since(0))
    assert {e.name for e in events} == EVERY_EVENT
    assert len(events) == len(d.sent)
    for event in events:
        command = by_id[event.command_id]
        assert event.actor == command.actor, type(event).__name__
        assert event.occurred_at == command.occurred_at, type(event).__name__
        assert event.occurred_at.utcoffset() is not None
        assert event.policy_version == app.policy.version
        # Recorded time: the store's clock at recording, in UTC — not the occurred time.
        assert event.timestamp.utcoffset() == timedelta(0)
        assert started <= event.timestamp <= finished


def test_events_are_stored_in_command_order_with_consecutive_versions(d: Driver) -> None:
    _every_verb(d)
    events = dispute_events(d.stored_since(0))
    assert [e.command_id for e in events] == [c.command_id for c in d.sent]
    assert [e.originator_version for e in events] == list(range(1, len(events) + 1))


def test_the_recorded_time_does_not_come_from_the_application_clock(
    d: Driver, app: DisputesApp
) -> None:
    """The app clock is frozen at 2023 (tests' NOW); recorded time is the real time of storing."""
    d.reported()
    event = dispute_events(d.stored_since(0))[0]
    assert abs(event.timestamp - utc_now()) < timedelta(minutes=1)
    assert abs(event.timestamp - app.clock()) > timedelta(days=1)


def test_an_occurred_time_without_offset_is_asia_shanghai(d: Driver) -> None:
    before = d.position()
    d.do(
        "report",
        at="2021-10-06 21:40",
        category="neighbour",
        source="visit",
        village="WD-V01",
        summary="排水纠纷",
    )
    reported = dispute_events(d.stored_since(before))[0]
    assert reported.occurred_at == datetime(2021, 10, 6, 13, 40, tzinfo=UTC)


def test_an_occurred_time_in_another_offset_is_kept_as_the_same_instant(d: Driver) -> None:
    before = d.position()
    d.do(
        "report",
        at="2021-10-06T13:40:00+00:00",
        category="neighbour",
        source="visit",
        village="WD-V01",
        summary="排水纠纷",
    )
    reported = dispute_events(d.stored_since(before))[0]
    assert reported.occurred_at == datetime(2021, 10, 6, 21, 40, tzinfo=CST)


def test_a_command_without_id_gets_a_fresh_one_each_time(d: Driver) -> None:
    case = d.opened()
    d.act("visit", case)
    d.act("visit", case)
    ids = [e.command_id for e in dispute_events(d.stored_since(0))]
    assert len(set(ids)) == len(ids)
    assert all(ids)


def test_the_policy_version_in_force_is_recorded() -> None:
    """An application stamps the version of its own policy, whatever it is."""
    changed = load_policy().model_copy(update={"version": "0123456789ab"})
    app = new_app(changed)
    driver = Driver(app, app.execute)
    driver.reported()
    event = dispute_events(driver.stored_since(0))[0]
    assert isinstance(event, Dispute.Reported)
    assert event.policy_version == "0123456789ab"
    app.close()
