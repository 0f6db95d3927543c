"""Fixtures of the gate tests: a store on the backend under test with the sample roster, an
auditor and an audit administrator at the district, and one case of WD-V01 with two parties,
recorded through the gate at the trusted desk."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from disputes.domain.commands import build_command
from disputes.domain.policy import POLICY_ENV
from disputes.domain.roster import Roster
from disputes.gate.gate import Gate, Viewer
from disputes.storage.store import Store
from tests.support.driver import (
    AUX,
    GRID,
    LEADER,
    OFFICER,
    PEOPLE,
    UNITS,
    VILLAGE,
    at,
    clean_environment,
)

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from disputes.domain.application import Outcome

AUDITOR = "AU-HY-01"
AUDIT_ADMIN = "AA-HY-01"
DISTRICT_LEADER = "L-HY-01"
OTHER_STATION_LEADER = "L-XG-01"
PARTIES = [{"name": "梁某某", "role": "applicant"}, {"name": "张某", "role": "respondent"}]
SUMMARY = "梁某某与张某因排水争执，梁某某电话13812345678，身份证41272219800101123X"


def roster() -> Roster:
    """The sample roster with an auditor and an audit administrator at the district."""
    people = PEOPLE.read_text(encoding="utf-8-sig").rstrip("\n")
    people += f"\n{AUDITOR},审计员甲,auditor,HY\n{AUDIT_ADMIN},审计管理员乙,audit-admin,HY\n"
    return Roster.from_csv(UNITS.read_text(encoding="utf-8-sig"), people)


@dataclass
class World:
    """The store, and a way to record commands and read as anyone."""

    store: Store
    case: str = ""

    def run(self, verb: str, actor: str, when: str, **args: Any) -> Outcome:
        data = {"actor": actor, "at": when, **args}
        command = build_command(verb, data, self.store.policy.limits)
        return Gate(self.store).execute(command)

    def gate(self, person: str | None, *, logged: bool = False, purpose: str | None = None) -> Gate:
        return Gate(self.store, Viewer(person=person, logged=logged, purpose=purpose))

    def report(self, actor: str = GRID, day: int = 1) -> str:
        return self.run(
            "report",
            actor,
            at(day),
            category="neighbour",
            source="informant",
            village=VILLAGE,
            summary=SUMMARY,
            parties=PARTIES,
        ).case_no


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    clean_environment(monkeypatch, tmp_path)
    monkeypatch.delenv(POLICY_ENV, raising=False)


@pytest.fixture
def world(store_location: str) -> Iterator[World]:
    """One case of WD-V01, reported by the grid worker, graded, assigned to LEADER/OFFICER."""
    with Store(store_location) as store:
        store.app.load_roster(roster())
        w = World(store)
        w.case = w.report()
        w.run("grade", OFFICER, at(1, 10), case=w.case, grade="red", reason="对峙")
        w.run("assign", LEADER, at(1, 11), case=w.case, leader=LEADER, officer=OFFICER)
        w.run("visit", AUX, at(2), case=w.case, note="梁某某情绪稳定")
        yield w
