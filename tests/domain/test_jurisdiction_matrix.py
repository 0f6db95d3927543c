"""Issue 11 §1: the role × scope × action matrix — every role (the police roles at the district,
at a station and in a village, the grid worker, the auditor, the three administrators, finance),
in and out of scope, against every verb (sent through the application, each on a case readied so
that the verb's rightful doer would succeed) and every read level (``read_level``).

The expected table below is written out by hand, person by person, from docs/trust.md §1 and
product.md §2 — not computed from the implementation. The test reports the unauthorised allows
(done, but not in the table) and the wrongful refusals (in the table, but refused) and requires
both to be 0.

The whole matrix runs in-process (in memory); a thin slice runs on the store under test
(SQLite, or PostgreSQL with ``DISPUTES_TEST_STORE=postgres``) through ``store_location``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from itertools import count
from typing import Any

import pytest

from disputes.domain.application import DisputesApp
from disputes.domain.commands import COMMANDS, build_command
from disputes.domain.errors import DisputesError, PurposeRequired
from disputes.domain.jurisdiction import CaseScope, ReadLevel, read_level
from disputes.domain.roster import Role, Roster

CST = timezone(timedelta(hours=8))
T0 = datetime(2022, 3, 1, 9, 0, tzinfo=CST)
NOW = datetime(2023, 6, 1, 12, 0, tzinfo=CST)
MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.popo"}

# -- the roster ------------------------------------------------------------------------------
# District HY: station WD (sector WD-S1 owned by P-WD, holding village WD-V01; village WD-V02
# directly under WD) and station DM (village DM-V01). District ZK: station ZK-S, village ZK-V01.

UNITS: list[dict[str, str | None]] = [
    {"code": "HY", "name": "淮阳区公安局", "kind": "district", "parent": None},
    {"code": "WD", "name": "王店派出所", "kind": "station", "parent": "HY"},
    {"code": "WD-S1", "name": "王店一片", "kind": "sector", "parent": "WD", "officer": "P-WD"},
    {"code": "WD-V01", "name": "东岗村", "kind": "village", "parent": "WD-S1"},
    {"code": "WD-V01-G1", "name": "第1网格", "kind": "grid", "parent": "WD-V01"},
    {"code": "WD-V02", "name": "李楼村", "kind": "village", "parent": "WD"},
    {"code": "WD-V02-G1", "name": "第1网格", "kind": "grid", "parent": "WD-V02"},
    {"code": "DM", "name": "豆门派出所", "kind": "station", "parent": "HY"},
    {"code": "DM-V01", "name": "高庙村", "kind": "village", "parent": "DM"},
    {"code": "DM-V01-G1", "name": "第1网格", "kind": "grid", "parent": "DM-V01"},
    {"code": "SFS", "name": "司法所", "kind": "partner", "parent": "HY"},
    {"code": "ZK", "name": "另一区", "kind": "district", "parent": None},
    {"code": "ZK-S", "name": "某派出所", "kind": "station", "parent": "ZK"},
    {"code": "ZK-V01", "name": "某村", "kind": "village", "parent": "ZK-S"},
]

PEOPLE: dict[str, tuple[str, str]] = {
    # id: (role, unit)
    "L-HY": ("leader", "HY"),
    "P-HY": ("community-police", "HY"),
    "A-HY": ("auxiliary-police", "HY"),
    "L-ZK": ("leader", "ZK"),
    "L-WD": ("leader", "WD"),
    "L-WD2": ("leader", "WD"),
    "P-WD": ("community-police", "WD"),
    "A-WD-V01": ("auxiliary-police", "WD-V01"),
    "A-WD-V02": ("auxiliary-police", "WD-V02"),
    "G-WD-V01": ("grid-worker", "WD-V01-G1"),
    "G-WD-V02": ("grid-worker", "WD-V02-G1"),
    "L-DM": ("leader", "DM"),
    "P-DM": ("community-police", "DM"),
    "A-DM-V01": ("auxiliary-police", "DM-V01"),
    "G-DM-V01": ("grid-worker", "DM-V01-G1"),
    "AUD": ("auditor", "HY"),
    "SYS": ("system-admin", "HY"),
    "SEC": ("security-admin", "HY"),
    "AUDADM": ("audit-admin", "HY"),
    "FIN": ("finance", "HY"),
    "AUD-WD": ("auditor", "WD"),
    "FIN-WD": ("finance", "WD"),
}
ROSTER = Roster.from_rows(
    UNITS,
    [
        {"id": pid, "name": f"某{pid}", "role": role, "unit": unit}
        for pid, (role, unit) in PEOPLE.items()
    ],
)

# -- the case every verb is tried on --------------------------------------------------------
# Reported by the grid worker G-WD-V01 in village WD-V01 (station WD); responsible leader L-WD,
# officer P-WD, auxiliary A-WD-V01. Supervision orders are given by the district leader L-HY.

REPORTER = "G-WD-V01"

# -- the expected table (by hand) -----------------------------------------------------------

IN_STATION_POLICE = {"L-HY", "P-HY", "A-HY", "L-WD", "L-WD2", "P-WD", "A-WD-V01"}
"""Police who may act on a WD-V01 case: the district's police roles, WD's leaders and community
officer, and WD-V01's auxiliary officer."""

EXPECTED_ACT: dict[str, set[str]] = {
    # report in WD-V01: the district's police, WD's leaders and officer, WD-V01's auxiliary and
    # WD-V01's grid worker — not WD-V02's or DM's people, not ZK's leader, not the non-case roles
    "report": {"L-HY", "P-HY", "A-HY", "L-WD", "L-WD2", "P-WD", "A-WD-V01", "G-WD-V01"},
    "grade": {"L-HY", "P-HY", "L-WD", "L-WD2", "P-WD"},
    "assign": {"L-HY", "L-WD", "L-WD2"},
    "deliberate": {"L-HY", "L-WD", "L-WD2"},
    "visit": IN_STATION_POLICE,
    "mediate": IN_STATION_POLICE,
    "refer": IN_STATION_POLICE,
    "receipt": IN_STATION_POLICE,
    "escalate": IN_STATION_POLICE,
    "downgrade": {"L-WD"},  # the responsible leader only
    "resolve": IN_STATION_POLICE,
    "follow-up": IN_STATION_POLICE,
    "relapse": IN_STATION_POLICE,
    "close": {"L-WD"},  # the responsible leader, who did not report it
    "supervise": {"L-HY", "L-WD", "L-WD2"},
    "answer-supervision": IN_STATION_POLICE - {"L-HY"},  # L-HY gave the order
    "outcome": IN_STATION_POLICE,
    "transfer": {"L-HY"},  # a district leader of the case's district
}

FULL, MASKED, OWN, NONE, NEEDS = "full", "masked", "own-report", "none", "purpose-required"
EXPECTED_READ: dict[str, tuple[str, str]] = {
    # person: (without a purpose, with the purpose "casework")
    "L-HY": (NEEDS, FULL),
    "P-HY": (NEEDS, FULL),
    "A-HY": (NEEDS, FULL),
    "L-ZK": (NONE, NONE),
    "L-WD": (FULL, FULL),
    "L-WD2": (FULL, FULL),
    "P-WD": (FULL, FULL),
    "A-WD-V01": (FULL, FULL),
    "A-WD-V02": (NONE, NONE),
    "G-WD-V01": (OWN, OWN),
    "G-WD-V02": (NONE, NONE),
    "L-DM": (NONE, NONE),
    "P-DM": (NONE, NONE),
    "A-DM-V01": (NONE, NONE),
    "G-DM-V01": (NONE, NONE),
    "AUD": (MASKED, FULL),
    "SYS": (NONE, NONE),
    "SEC": (NONE, NONE),
    "AUDADM": (NONE, NONE),
    "FIN": (NONE, NONE),
    "AUD-WD": (MASKED, FULL),
    "FIN-WD": (NONE, NONE),
}


def test_the_table_covers_every_role_verb_and_person() -> None:
    assert set(EXPECTED_ACT) == set(COMMANDS), "a verb without an expected row"
    assert set(EXPECTED_READ) == set(PEOPLE)
    assert {role for role, _ in PEOPLE.values()} == {str(r) for r in Role}


# -- driving the application ----------------------------------------------------------------

ARGS: dict[str, dict[str, Any]] = {
    "report": {
        "category": "neighbour",
        "source": "informant",
        "village": "WD-V01",
        "summary": "两家因排水沟争执",
    },
    "grade": {"grade": "red", "reason": "研判"},
    "assign": {"leader": "L-WD", "officer": "P-WD", "auxiliary": "A-WD-V01"},
    "deliberate": {"plan": "分头做工作"},
    "visit": {},
    "mediate": {"result": "progress"},
    "refer": {"to": "SFS", "reason": "属司法所职责"},
    "receipt": {"referral": 1, "outcome": "accepted"},
    "escalate": {"reason": "扬言报复"},
    "downgrade": {"reason": "情绪稳定"},
    "resolve": {"agreement": "书面协议", "form": "written", "observe_days": 30},
    "follow-up": {},
    "relapse": {"grade": "red", "reason": "再起冲突"},
    "close": {},
    "supervise": {"level": "yellow-card", "note": "三日内走访"},
    "answer-supervision": {"note": "已走访"},
    "outcome": {"kind": "petition"},
    "transfer": {"station": "DM", "leader": "L-DM", "officer": "P-DM", "reason": "跨所管辖"},
}

_ids = count(1)


class Desk:
    """Sends commands to one application; ``send`` raises on refusal."""

    def __init__(self, execute: Callable[[Any], Any]) -> None:
        self.execute = execute

    def send(self, verb: str, actor: str, case: str | None, at: datetime, **args: Any) -> str:
        data = {**ARGS[verb], **args, "actor": actor, "at": at.isoformat()}
        data["command_id"] = f"m-{next(_ids)}"
        if case is not None:
            data["case"] = case
        outcome = self.execute(build_command(verb, data))
        return str(outcome.case_no)

    def ready(self, verb: str) -> tuple[str | None, datetime]:
        """A case on which ``verb`` would succeed for its rightful doer, and when to try it."""
        if verb == "report":
            return None, T0
        at = T0
        case = self.send("report", REPORTER, None, at)
        if verb == "grade":
            return case, at + timedelta(hours=1)
        self.send("grade", "P-WD", case, at + timedelta(hours=1), grade="yellow")
        self.send("assign", "L-WD", case, at + timedelta(hours=2))
        at += timedelta(hours=3)
        if verb == "downgrade":
            self.send("escalate", "P-WD", case, at)
            return case, at + timedelta(hours=1)
        if verb == "receipt":
            self.send("refer", "P-WD", case, at)
            return case, at + timedelta(hours=1)
        if verb == "answer-supervision":
            self.send("supervise", "L-HY", case, at)
            return case, at + timedelta(hours=1)
        if verb in ("follow-up", "relapse", "close"):
            self.send("resolve", "P-WD", case, at)
            if verb == "close":
                self.send("follow-up", "P-WD", case, at + timedelta(days=20))
                return case, at + timedelta(days=31)
            return case, at + timedelta(days=1)
        return case, at


def attempt(desk: Desk, verb: str, person: str) -> tuple[bool, str]:
    """(done, why refused) of ``person`` issuing ``verb`` on a freshly readied case."""
    case, at = desk.ready(verb)
    try:
        desk.send(verb, person, case, at)
    except DisputesError as refusal:
        return False, f"{type(refusal).__name__}: {refusal.message}"
    return True, ""


def judge(desk: Desk, people: list[str], verbs: list[str]) -> tuple[list[str], list[str]]:
    """(unauthorised allows, wrongful refusals), each as ``person verb (why)`` lines."""
    allows: list[str] = []
    refusals: list[str] = []
    for verb in verbs:
        for person in people:
            done, why = attempt(desk, verb, person)
            expected = person in EXPECTED_ACT[verb]
            if done and not expected:
                allows.append(f"{person} {verb}")
            elif expected and not done:
                refusals.append(f"{person} {verb} ({why})")
    return allows, refusals


def test_every_role_in_and_out_of_scope_on_every_verb(capsys: pytest.CaptureFixture[str]) -> None:
    app = DisputesApp(MEMORY, clock=lambda: NOW)
    app.load_roster(ROSTER)
    allows, refusals = judge(Desk(app.execute), list(PEOPLE), list(COMMANDS))
    with capsys.disabled():
        print(  # the figures the issue asks for
            f"\njurisdiction matrix: {len(PEOPLE)} people × {len(COMMANDS)} verbs: "
            f"{len(allows)} unauthorised allows, {len(refusals)} wrongful refusals"
        )
    assert allows == [], "unauthorised allows"
    assert refusals == [], "wrongful refusals"
    app.close()


def _read(person: str, purpose: str | None) -> str:
    case = CaseScope("HY-2022-0001", "WD", "WD-V01", REPORTER)
    try:
        level = read_level(ROSTER, person, case, purpose, purposes={"casework", "audit"})
    except PurposeRequired:
        return NEEDS
    return str(level)


SHOWS = {NONE: 0, NEEDS: 0, OWN: 1, MASKED: 2, FULL: 3}
"""How much a read shows (a refusal for want of a purpose shows nothing)."""


def test_every_role_in_and_out_of_scope_reads() -> None:
    allows: list[str] = []
    refusals: list[str] = []
    for person, expected in EXPECTED_READ.items():
        for purpose, want in zip((None, "casework"), expected, strict=True):
            got = _read(person, purpose)
            if SHOWS[got] > SHOWS[want] or (got != want and want == NEEDS):
                allows.append(f"{person} purpose={purpose}: {got}, expected {want}")
            elif got != want:
                refusals.append(f"{person} purpose={purpose}: {got}, expected {want}")
    assert allows == [], "unauthorised reads"
    assert refusals == [], "wrongful refusals"


def test_read_levels_are_the_four_of_the_design() -> None:
    assert {str(level) for level in ReadLevel} == {FULL, MASKED, OWN, NONE}


# -- a thin slice on the store under test (SQLite, or PostgreSQL) ----------------------------

SLICE_PEOPLE = ["L-HY", "L-ZK", "L-WD", "A-WD-V02", "G-WD-V01", "L-DM", "AUD", "FIN"]
SLICE_VERBS = ["report", "visit", "close", "answer-supervision", "transfer"]


def test_a_slice_of_the_matrix_on_the_store_under_test(store_location: str) -> None:
    from disputes.storage.store import Store

    with Store(store_location, clock=lambda: NOW) as store:
        store.app.load_roster(ROSTER)
        allows, refusals = judge(Desk(store.execute), SLICE_PEOPLE, SLICE_VERBS)
    assert (allows, refusals) == ([], [])
