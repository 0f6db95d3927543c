"""Reads through the gate, per read level (docs/trust.md §1, §3): the trusted desk sees all; a
leader of another station is refused and sees nothing in lists; a grid worker sees only the
standing of their own reports; an auditor sees names masked unless a purpose is stated; a
district role needs a purpose."""

from __future__ import annotations

import pytest

from disputes.domain.clock import parse_time
from disputes.domain.errors import InvalidInput, OutOfScope, PurposeRequired
from disputes.gate.gate import OWN_REPORT_DUE_KEYS, OWN_REPORT_KEYS, NotTheSignedInPerson
from tests.gate.conftest import (
    AUDITOR,
    DISTRICT_LEADER,
    OTHER_STATION_LEADER,
    SUMMARY,
    World,
)
from tests.support.driver import AUX, GRID, LEADER, OFFICER, at


def test_the_desk_sees_every_name(world: World) -> None:
    shown = world.gate(None).show(world.case)
    assert [p["name"] for p in shown["parties"]] == ["梁某某", "张某"]
    assert shown["summary"] == SUMMARY
    assert world.gate(None).history(world.case)[0]["event"] == "Reported"


def test_the_leader_of_the_case_sees_it_whole(world: World) -> None:
    assert world.gate(LEADER).show(world.case) == world.gate(None).show(world.case)
    assert world.gate(LEADER).history(world.case) == world.gate(None).history(world.case)
    assert world.gate(LEADER).ledger() == world.gate(None).ledger()


def test_a_leader_of_another_station_is_refused_on_show(world: World) -> None:
    other = world.gate(OTHER_STATION_LEADER)
    with pytest.raises(OutOfScope, match=world.case):
        other.show(world.case)
    with pytest.raises(OutOfScope):
        other.history(world.case)
    assert other.ledger() == []
    assert other.due(parse_time(at(20))) == []
    assert world.gate(None).due(parse_time(at(20)))  # there is something to hide


def test_a_grid_worker_sees_only_their_reports_and_no_parties(world: World) -> None:
    other = world.report(actor=AUX, day=3)  # the same village, reported by someone else
    grid = world.gate(GRID)
    shown = grid.show(world.case)
    assert set(shown) == set(OWN_REPORT_KEYS)
    assert (shown["status"], shown["grade"]) == ("open", "red")
    assert "梁某某" not in str(shown)
    rows = grid.ledger()
    assert [r["case_no"] for r in rows] == [world.case]
    assert set(rows[0]) == set(OWN_REPORT_KEYS)
    with pytest.raises(OutOfScope):
        grid.show(other)
    with pytest.raises(OutOfScope):
        grid.history(world.case)  # the trail names parties and officers
    due = grid.due(parse_time(at(20)))
    assert due
    assert {r["case_no"] for r in due} == {world.case}
    assert all(set(r) == set(OWN_REPORT_DUE_KEYS) for r in due)


def test_an_auditor_sees_masked_names_unless_a_purpose_is_stated(world: World) -> None:
    masked = world.gate(AUDITOR).show(world.case)
    assert [p["name"] for p in masked["parties"]] == ["梁**", "张*"]
    assert "梁某某" not in masked["summary"]
    assert "13812345678" not in masked["summary"]
    assert "138****5678" in masked["summary"]
    assert "41272219800101123X" not in masked["summary"]
    trail = world.gate(AUDITOR).history(world.case)
    assert "梁某某" not in str(trail)
    assert trail[-1]["note"] == "梁**情绪稳定"
    full = world.gate(AUDITOR).show(world.case, purpose="audit")
    assert full == world.gate(None).show(world.case)
    assert world.gate(AUDITOR, purpose="audit").history(world.case) == world.gate(None).history(
        world.case
    )


def test_a_purpose_is_a_code_of_the_policy(world: World) -> None:
    with pytest.raises(InvalidInput, match="purpose"):
        world.gate(AUDITOR).show(world.case, purpose="curiosity")


def test_a_district_role_needs_a_purpose(world: World) -> None:
    district = world.gate(DISTRICT_LEADER)
    with pytest.raises(PurposeRequired):
        district.show(world.case)
    with pytest.raises(PurposeRequired):
        district.ledger()
    assert district.show(world.case, purpose="supervision") == world.gate(None).show(world.case)
    assert len(district.ledger(purpose="supervision")) == 1
    with pytest.raises(PurposeRequired):
        district.due(parse_time(at(20)))
    board = world.gate(None).due(parse_time(at(20)))
    assert district.due(parse_time(at(20)), purpose="supervision") == board


def test_execute_refuses_another_actor_and_records_the_os_user(world: World) -> None:
    from disputes.domain.commands import build_command
    from disputes.gate.gate import Gate, Viewer

    gate = Gate(world.store, Viewer(person=OFFICER, os_user="desk-7"))
    visit = {"actor": LEADER, "case": world.case, "at": at(3)}
    with pytest.raises(NotTheSignedInPerson):
        gate.execute(build_command("visit", visit, None))
    outcome = gate.execute(build_command("visit", {**visit, "actor": OFFICER}, None))
    event = world.store.app.recorded_event(world.store.case(world.case), outcome.version)
    assert (event.actor, event.os_user) == (OFFICER, "desk-7")
    # Kept beside the actor, not among the event's own fields: history --json is unchanged.
    assert "os_user" not in world.gate(None).history(world.case)[-1]
