"""A community officer's own sector first on their board (issue 11 §1, 包片): ``due`` for a
community officer owning sectors (``--officer P``, or reading as P) lists the cases of villages
in P's sectors first, then the rest, each part in the board's own order. The expectation is the
board as a leader of the station sees it (no sector rule), split by village by hand."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from disputes.domain.clock import parse_time
from disputes.domain.jurisdiction import sector_villages
from disputes.domain.roster import Roster
from disputes.gate.gate import Gate, Viewer
from disputes.storage.store import Store
from tests.gate.conftest import World
from tests.support.driver import LEADER, OFFICER, PEOPLE, UNITS, at

if TYPE_CHECKING:
    from collections.abc import Iterator

OTHER_OFFICER = "P-WD-02"
SECTOR_VILLAGE = "WD-V02"
GRID_OF = {"WD-V01": "G-WD-V01-G1", "WD-V02": "G-WD-V02-G1"}


def sector_roster() -> Roster:
    """The sample roster with one sector of WD, 王店一片 (WD-S1), owned by P-WD-01 and holding
    李楼村 (WD-V02); 东岗村 (WD-V01) stays directly under the station."""
    lines = UNITS.read_text(encoding="utf-8-sig").rstrip("\n").splitlines()
    out = [lines[0] + ",officer"]
    for line in lines[1:]:
        moved = line.startswith("WD-V02,")
        out.append(line.replace(",village,WD", ",village,WD-S1") if moved else line)
        if line.startswith("WD,"):
            out.append(f"WD-S1,王店一片,sector,WD,{OFFICER}")
    return Roster.from_csv("\n".join(out) + "\n", PEOPLE.read_text(encoding="utf-8-sig"))


@pytest.fixture
def board(store_location: str) -> Iterator[tuple[World, dict[str, str]]]:
    """Five WD cases, graded one after another (so the older ones are more urgent): villages
    WD-V01, WD-V02, WD-V01, WD-V02 with P-WD-01 responsible, and WD-V02 with P-WD-02."""
    with Store(store_location) as store:
        store.app.load_roster(sector_roster())
        w = World(store)
        villages: dict[str, str] = {}
        plan = [
            ("WD-V01", OFFICER),
            ("WD-V02", OFFICER),
            ("WD-V01", OFFICER),
            ("WD-V02", OFFICER),
            ("WD-V02", OTHER_OFFICER),
        ]
        for day, (village, officer) in enumerate(plan, start=1):
            case = w.run(
                "report", GRID_OF[village], at(day), category="neighbour", source="informant",
                village=village, summary="两家因排水争执",
            ).case_no  # fmt: skip
            w.run("grade", OFFICER, at(day, 10), case=case, grade="yellow", reason="争执")
            w.run("assign", LEADER, at(day, 11), case=case, leader=LEADER, officer=officer)
            villages[case] = village
        yield w, villages


def sector_first(rows: list[dict[str, Any]], villages: dict[str, str]) -> list[dict[str, Any]]:
    mine = [r for r in rows if villages[r["case_no"]] == SECTOR_VILLAGE]
    rest = [r for r in rows if villages[r["case_no"]] != SECTOR_VILLAGE]
    return mine + rest


def test_the_sector_villages_of_an_officer() -> None:
    roster = sector_roster()
    assert sector_villages(roster, OFFICER) == {SECTOR_VILLAGE}
    assert sector_villages(roster, OTHER_OFFICER) == frozenset()  # owns no sector
    assert sector_villages(roster, LEADER) == frozenset()  # not a community officer
    assert sector_villages(roster, None) == frozenset()


def test_an_officer_reading_their_board_sees_their_sector_first(
    board: tuple[World, dict[str, str]],
) -> None:
    w, villages = board
    on = parse_time(at(20))
    base = Gate(w.store, Viewer(person=LEADER)).due(on)
    assert len({r["case_no"] for r in base}) == 5  # first contact, stalled: two items each
    expected = sector_first(base, villages)
    assert expected != base  # the board's own order is not sector-first: the rule shows
    assert Gate(w.store, Viewer(person=OFFICER)).due(on) == expected
    # A community officer owning no sector: the board's own order.
    assert Gate(w.store, Viewer(person=OTHER_OFFICER)).due(on) == base


def test_officer_option_orders_that_officer_s_cases(board: tuple[World, dict[str, str]]) -> None:
    w, villages = board
    on = parse_time(at(20))
    base = [r for r in Gate(w.store).due(on) if r["officer"] == OFFICER]
    assert len({r["case_no"] for r in base}) == 4
    expected = sector_first(base, villages)
    assert expected != base
    assert Gate(w.store).due(on, officer=OFFICER) == expected  # the desk, --officer P-WD-01
    assert Gate(w.store, Viewer(person=LEADER)).due(on, officer=OFFICER) == expected
    # --officer names whose board it is: P-WD-02's board keeps the board's order.
    other = Gate(w.store, Viewer(person=OFFICER)).due(on, officer=OTHER_OFFICER)
    assert [r["case_no"] for r in other] == [
        r["case_no"] for r in Gate(w.store).due(on) if r["officer"] == OTHER_OFFICER
    ]
