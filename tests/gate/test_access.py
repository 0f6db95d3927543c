"""The access log (issue 11 §3): with ``logged`` (server mode) every read that shows personal
details records an access entry, refused reads too; local mode records none; the entries are
read by the audit administrator and auditors only; the view rebuilds to the same rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from disputes.domain.errors import OutOfScope
from tests.gate.conftest import AUDIT_ADMIN, AUDITOR, OTHER_STATION_LEADER, World
from tests.support.driver import GRID, LEADER


def entries(world: World) -> list[dict[str, object]]:
    return world.gate(None).access_log()


def test_reads_of_personal_details_are_recorded(world: World) -> None:
    world.gate(LEADER, logged=True).show(world.case)
    world.gate(LEADER, logged=True).history(world.case)
    world.gate(AUDITOR, logged=True).show(world.case)
    world.gate(AUDITOR, logged=True).show(world.case, purpose="audit")
    found = entries(world)
    assert [(e["person"], e["action"], e["masked"], e["purpose"]) for e in found] == [
        (LEADER, "show", False, None),
        (LEADER, "history", False, None),
        (AUDITOR, "show", True, None),
        (AUDITOR, "show", False, "audit"),
    ]
    assert all(e["cases"] == [world.case] and e["allowed"] for e in found)
    assert all(str(e["at"]).endswith("+08:00") for e in found)


def test_refused_reads_are_recorded(world: World) -> None:
    with pytest.raises(OutOfScope):
        world.gate(OTHER_STATION_LEADER, logged=True).show(world.case)
    with pytest.raises(OutOfScope):
        world.gate(GRID, logged=True).history(world.case)
    found = entries(world)
    assert [(e["person"], e["action"], e["allowed"]) for e in found] == [
        (OTHER_STATION_LEADER, "show", False),
        (GRID, "history", False),
    ]
    assert all("jurisdiction rule" in str(e["reason"]) for e in found)


def test_no_entry_without_personal_details_nor_in_local_mode(world: World) -> None:
    world.gate(GRID, logged=True).show(world.case)  # the standing of their own report only
    world.gate(LEADER, logged=True).ledger()  # the ledger names no party
    world.gate(LEADER).show(world.case)  # local mode: not logged
    world.gate(None).history(world.case)  # the trusted desk
    assert entries(world) == []


def test_the_access_log_is_the_auditors_and_the_audit_administrators(world: World) -> None:
    world.gate(LEADER, logged=True).show(world.case)
    assert len(world.gate(AUDITOR).access_log()) == 1
    assert len(world.gate(AUDIT_ADMIN).access_log()) == 1
    with pytest.raises(OutOfScope, match="access log"):
        world.gate(LEADER).access_log()


def test_the_access_log_filters(world: World) -> None:
    other = world.report(day=4)
    world.gate(LEADER, logged=True).show(world.case)
    world.gate(AUDITOR, logged=True).show(other)
    log = world.gate(AUDITOR)
    assert [e["person"] for e in log.access_log(case=other)] == [AUDITOR]
    assert [e["cases"] for e in log.access_log(person=LEADER)] == [[world.case]]
    future = datetime(2100, 1, 1, tzinfo=UTC)
    assert log.access_log(since=future) == []
    assert len(log.access_log(until=future)) == 2


def test_the_access_log_view_rebuilds_to_the_same_rows(world: World) -> None:
    world.gate(LEADER, logged=True).show(world.case)
    with pytest.raises(OutOfScope):
        world.gate(OTHER_STATION_LEADER, logged=True).show(world.case)
    before = entries(world)
    world.store.projections.rebuild()
    assert entries(world) == before
    assert len(before) == 2
