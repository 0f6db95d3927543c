"""Shared test support for the domain and projection tests: a small roster, fixed times and a
driver that records commands and reads back what was stored.

The roster is written out here (not read from the sample files) so that each test states the
people and units it relies on:

- district ``HY`` → station ``WD`` → village ``WD-V01`` → grid ``WD-V01-G1``;
  partner units ``SFS``, ``FL``
- district ``ZK`` → station ``ZK-S`` → village ``ZK-V01`` (a second district for case numbers)
- a second station ``DM`` of ``HY`` with village ``DM-V01`` (for ``transfer``)
- ``L-WD-01`` and ``L-WD-02`` leaders, ``P-WD-01`` community police, ``A-WD-V01`` auxiliary
  police, ``G-WD-V01-G1`` grid worker, ``P-ZK-01`` community police in the other district;
  ``L-HY-01`` the district's leader; ``L-DM-01`` and ``P-DM-01`` leader and officer of DM.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from disputes.domain.application import DisputesApp, Outcome
from disputes.domain.commands import Command, build_command
from disputes.domain.model import Dispute
from disputes.domain.policy import Policy
from disputes.domain.records import CaseNumbers
from disputes.domain.roster import Roster

CST = timezone(timedelta(hours=8))
T0 = datetime(2021, 10, 6, 21, 40, tzinfo=CST)
"""The moment the first dispute of a test is reported (Asia/Shanghai)."""
NOW = datetime(2023, 6, 1, 12, 0, tzinfo=CST)
"""The application clock: well after every occurred time the tests use."""

LEADER = "L-WD-01"
OTHER_LEADER = "L-WD-02"
POLICE = "P-WD-01"
AUXILIARY = "A-WD-V01"
GRID = "G-WD-V01-G1"
ZK_POLICE = "P-ZK-01"
DISTRICT_LEADER = "L-HY-01"
DM_LEADER = "L-DM-01"
DM_POLICE = "P-DM-01"

ROLE_OF = {
    LEADER: "leader",
    POLICE: "community-police",
    AUXILIARY: "auxiliary-police",
    GRID: "grid-worker",
}
"""One person per role (all in station WD)."""

UNITS: list[dict[str, str | None]] = [
    {"code": "HY", "name": "淮阳区公安局", "kind": "district", "parent": None},
    {"code": "WD", "name": "王店派出所", "kind": "station", "parent": "HY"},
    {"code": "WD-V01", "name": "东岗村", "kind": "village", "parent": "WD"},
    {"code": "WD-V01-G1", "name": "第1网格", "kind": "grid", "parent": "WD-V01"},
    {"code": "SFS", "name": "司法所", "kind": "partner", "parent": "HY"},
    {"code": "FL", "name": "妇联", "kind": "partner", "parent": "HY"},
    {"code": "ZK", "name": "周口另一区", "kind": "district", "parent": None},
    {"code": "ZK-S", "name": "某派出所", "kind": "station", "parent": "ZK"},
    {"code": "ZK-V01", "name": "某村", "kind": "village", "parent": "ZK-S"},
    {"code": "DM", "name": "豆门派出所", "kind": "station", "parent": "HY"},
    {"code": "DM-V01", "name": "豆门村", "kind": "village", "parent": "DM"},
]
PEOPLE: list[dict[str, str]] = [
    {"id": LEADER, "name": "萧卫东", "role": "leader", "unit": "WD"},
    {"id": OTHER_LEADER, "name": "韩新民", "role": "leader", "unit": "WD"},
    {"id": POLICE, "name": "冯桂芝", "role": "community-police", "unit": "WD"},
    {"id": AUXILIARY, "name": "傅桂芝", "role": "auxiliary-police", "unit": "WD-V01"},
    {"id": GRID, "name": "郭翠花", "role": "grid-worker", "unit": "WD-V01-G1"},
    {"id": ZK_POLICE, "name": "李建国", "role": "community-police", "unit": "ZK-S"},
    {"id": DISTRICT_LEADER, "name": "孙淑珍", "role": "leader", "unit": "HY"},
    {"id": DM_LEADER, "name": "曾海涛", "role": "leader", "unit": "DM"},
    {"id": DM_POLICE, "name": "彭晓明", "role": "community-police", "unit": "DM"},
]

ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic"}
META = {"actor", "occurred_at", "policy_version", "command_id", "os_user"}


MEMORY = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


def make_roster() -> Roster:
    return Roster.from_rows(UNITS, PEOPLE)


def new_app(policy: Policy | None = None) -> DisputesApp:
    """An application on the in-memory store, clock at ``NOW``, with the test roster loaded."""
    app = DisputesApp(MEMORY, policy=policy, clock=lambda: NOW)
    app.load_roster(make_roster())
    return app


def day(days: float, hours: float = 0) -> datetime:
    """``T0`` plus some days and hours."""
    return T0 + timedelta(days=days, hours=hours)


def own_fields(event: Any) -> dict[str, Any]:
    """The fields particular to an event (not the envelope, not who/when/policy/command id)."""
    return {k: v for k, v in vars(event).items() if k not in ENVELOPE | META}


DEFAULT_ACTOR = {
    "report": GRID,
    "grade": POLICE,
    "assign": LEADER,
    "deliberate": LEADER,
    "downgrade": LEADER,
    "close": LEADER,
    "transfer": DISTRICT_LEADER,
}

DEFAULT_ARGS: dict[str, dict[str, Any]] = {
    "report": {
        "category": "neighbour",
        "source": "informant",
        "village": "WD-V01",
        "summary": "梁某与邻居田某因房后排水问题发生争执",
    },
    "grade": {"grade": "red", "reason": "持械对峙"},
    "assign": {"leader": LEADER, "officer": POLICE},
    "deliberate": {"plan": "所长包案，分头做工作"},
    "visit": {},
    "mediate": {"result": "progress"},
    "refer": {"to": "SFS", "reason": "属司法所职责"},
    "receipt": {"referral": 1, "outcome": "accepted"},
    "escalate": {"reason": "扬言报复"},
    "downgrade": {"reason": "情绪稳定"},
    "resolve": {"agreement": "签订书面调解协议", "form": "written", "observe_days": 30},
    "follow-up": {},
    "relapse": {"grade": "red", "reason": "再次发生冲突"},
    "close": {},
    "supervise": {"level": "yellow-card", "note": "限三日内回访"},
    "answer-supervision": {"note": "已回访"},
    "outcome": {"kind": "homicide", "ref": "A4113"},
    "transfer": {"station": "DM", "leader": DM_LEADER, "officer": DM_POLICE, "reason": "跨所管辖"},
}
"""Valid arguments of each verb, for tests whose point is elsewhere."""


@dataclass
class Driver:
    """Builds commands like a user would (through ``build_command``, with the policy's limits),
    records them through ``execute`` and reads back the stored events.

    ``at`` defaults to one hour after the previous command this driver sent.
    """

    app: DisputesApp
    execute: Callable[[Command], Outcome]
    last_at: datetime = T0 - timedelta(hours=1)
    sent: list[Command] = field(default_factory=list)

    def command(
        self,
        verb: str,
        *,
        actor: str | None = None,
        at: datetime | str | None = None,
        **args: Any,
    ) -> Command:
        sent_at = {c.command_id: c.occurred_at for c in self.sent}
        if at is None and args.get("command_id") in sent_at:
            at = sent_at[args["command_id"]]  # a retry is the same command, at the same time
        when = self.last_at + timedelta(hours=1) if at is None else at
        data: dict[str, Any] = {
            "actor": actor or DEFAULT_ACTOR.get(verb, POLICE),
            "at": when.isoformat() if isinstance(when, datetime) else when,
            **args,
        }
        return build_command(verb, data, self.app.policy.limits)

    def do(
        self,
        verb: str,
        *,
        actor: str | None = None,
        at: datetime | str | None = None,
        **args: Any,
    ) -> Outcome:
        """Record one command with explicit arguments."""
        command = self.command(verb, actor=actor, at=at, **args)
        outcome = self.execute(command)
        self.sent.append(command)
        self.last_at = max(self.last_at, command.occurred_at)
        return outcome

    def act(
        self,
        verb: str,
        case: str | None = None,
        *,
        actor: str | None = None,
        at: datetime | str | None = None,
        **args: Any,
    ) -> Outcome:
        """Record one command, defaulting the arguments the test does not mention."""
        data = {**DEFAULT_ARGS[verb], **args}
        if case is not None:
            data["case"] = case
        return self.do(verb, actor=actor, at=at, **data)

    # -- reading back ------------------------------------------------------------------------

    def position(self) -> int:
        """How many events the store holds (the highest notification id)."""
        return self.app.recorder.max_notification_id() or 0

    def stored_since(self, position: int) -> list[Any]:
        """Every event stored after ``position``, decoded, in recording order."""
        notifications = self.app.recorder.select_notifications(
            start=position, limit=10_000, inclusive_of_start=False
        )
        return [self.app.mapper.to_domain_event(n) for n in notifications]

    def when(self, verb: str, case: str | None = None, **kwargs: Any) -> list[Any]:
        """Record one command (``act``) and return the events it stored."""
        before = self.position()
        self.act(verb, case, **kwargs)
        return self.stored_since(before)

    @contextmanager
    def nothing_stored(self) -> Iterator[None]:
        """Assert the block stores no event at all (used around refused commands)."""
        before = self.position()
        yield
        assert self.position() == before, [type(e).__name__ for e in self.stored_since(before)]

    # -- common starting points ("given") ------------------------------------------------------

    def reported(self, **args: Any) -> str:
        return self.act("report", **args).case_no

    def opened(self, grade: str = "red", *, assign: bool = True) -> str:
        case = self.reported()
        self.act("grade", case, grade=grade)
        if assign:
            self.act("assign", case)
        return case

    def observing(self, observe_days: int = 30, at: datetime | None = None) -> str:
        case = self.opened()
        self.act("resolve", case, observe_days=observe_days, at=at)
        return case

    def closed(self) -> str:
        """A case resolved (30 days), followed up after 15 days and closed after 30."""
        case = self.opened()
        resolved = self.last_at + timedelta(hours=1)
        self.act("resolve", case, observe_days=30, at=resolved)
        self.act("follow-up", case, at=resolved + timedelta(days=15))
        self.act("close", case, at=resolved + timedelta(days=30))
        return case


def dispute_events(events: list[Any]) -> list[Any]:
    """Only the events of cases (not the roster, policy or case-number records)."""
    return [e for e in events if isinstance(e, Dispute.Event)]


def case_events(events: list[Any]) -> list[Any]:
    """The events of cases and of the case-number sequences."""
    return [e for e in events if isinstance(e, Dispute.Event | CaseNumbers.Event)]


def names(events: list[Any]) -> list[str]:
    """Events by their stable topic names: ``Dispute.Graded``, ``CaseNumbers.Allocated``."""
    return [type(e).TOPIC.removeprefix("disputes:") for e in events]


def utc_now() -> datetime:
    return datetime.now(tz=UTC)
