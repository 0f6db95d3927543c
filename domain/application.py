"""The disputes application: one method per verb (product.md §2; supervision: issue 3).

Each method is declared with ``@handles(CommandModel)`` and reads in a few lines: the verb's own
roster and policy checks, then load, act, save. What all verbs share (command ids, the actor's
role, the clock, retries on a version conflict) is done around it by
:func:`disputes.domain.service.handles`. ``execute(command)`` runs the method declared for a
command's type.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from eventsourcing.application import AggregateNotFoundError

from disputes.domain import commands as c
from disputes.domain.clock import SHANGHAI
from disputes.domain.errors import InvalidInput, SameStation
from disputes.domain.jurisdiction import CaseScope, check_act, check_assignees
from disputes.domain.model import Dispute
from disputes.domain.records import CaseNumbers, sequence_id
from disputes.domain.reward_verbs import RewardVerbs
from disputes.domain.roster import INFORMANT_ROLES, POLICE_ROLES, Role, Roster, UnitKind
from disputes.domain.service import CommandLookup, Outcome, handles
from disputes.domain.values import Grade

__all__ = ["CommandLookup", "DisputesApp", "Outcome"]


class DisputesApp(RewardVerbs):
    """The disputes application. ``env`` selects the store (eventsourcing's persistence keys)."""

    name = "disputes"
    """Names the store's tables on PostgreSQL (``disputes_events``): the library would take
    the class name of each subclass, so every subclass must say it again."""

    # -- the verbs (product.md §2; supervision: issue 3; rewards, issue 13: RewardVerbs) -------

    @handles(c.Report)
    def report(self, command: c.Report) -> Outcome:
        """登记: a new case in the reporting village's station and district, numbered
        ``<district>-<year>-<NNNN>`` by the year of its occurred time (Asia/Shanghai)."""
        roster = self.roster_for(command)
        village = roster.unit(command.village, UnitKind.VILLAGE, "village")
        check_act(roster, command.actor, command.verb, None, village=village.code)
        _in_policy("category", command.category, self.policy.categories)
        _in_policy("source", command.source, self.policy.sources)
        informant = command.informant
        if informant is not None:
            _with_role(roster, informant, "informant", INFORMANT_ROLES)
        elif roster.person(command.actor).role is Role.GRID_WORKER:
            informant = command.actor  # a grid worker reporting is the informant (issue 13)
        station = roster.ancestor(village.code, UnitKind.STATION)
        district = roster.ancestor(village.code, UnitKind.DISTRICT)
        assert station is not None  # guaranteed by Roster validation
        assert district is not None
        meta = self.meta(command)
        year = meta.occurred_at.astimezone(SHANGHAI).year
        photos: dict[str, Any] = (  # only when there are some: older reports stay as they were
            {"attachments": [a.model_dump() for a in command.attachments]}
            if command.attachments
            else {}
        )
        try:
            numbers: CaseNumbers = self.repository.get(sequence_id(district.code, year))
        except AggregateNotFoundError:
            numbers = CaseNumbers(district=district.code, year=year)
        case = Dispute(
            case_no=numbers.allocate(),
            category=command.category,
            source=command.source,
            district=district.code,
            station=station.code,
            village=village.code,
            summary=command.summary,
            parties=[p.model_dump() for p in command.parties],
            people_involved=command.people_involved,
            informant=informant,
            **meta.fields(),
            **photos,
        )
        return self._save_case(command, case, numbers)

    @handles(c.Grade)
    def grade(self, command: c.Grade) -> Outcome:
        """研判定级: red or yellow, with reason and the policy's risk signals."""
        for signal in command.signals:
            _in_policy("signals", signal, self.policy.signals)
        case = self.case_for(command)
        case.grade(Grade(command.grade), command.reason, command.signals, self.meta(command))
        return self._save_case(command, case)

    @handles(c.Assign)
    def assign(self, command: c.Assign) -> Outcome:
        """分包: the responsible leader must be a leader, the officer police, both of the case's
        station or the district; the auxiliary and grid worker, when named, of their roles."""
        roster = self.roster_for(command)
        _with_role(roster, command.leader, "leader", (Role.LEADER,))
        _with_role(roster, command.officer, "officer", POLICE_ROLES)
        if command.auxiliary:
            _with_role(roster, command.auxiliary, "auxiliary", (Role.AUXILIARY_POLICE,))
        if command.grid_worker:
            _with_role(roster, command.grid_worker, "grid_worker", (Role.GRID_WORKER,))
        case = self.case_for(command)
        check_assignees(roster, CaseScope.of(case), command.leader, command.officer)
        meta = self.meta(command)
        case.assign(command.leader, command.officer, command.auxiliary, command.grid_worker, meta)
        return self._save_case(command, case)

    @handles(c.Deliberate)
    def deliberate(self, command: c.Deliberate) -> Outcome:
        """一案一议: every attendee must be on the roster."""
        roster = self.roster_for(command)
        for attendee in command.attendees:
            roster.person(attendee, "attendees")
        case = self.case_for(command)
        case.deliberate(command.plan, command.attendees, self.meta(command))
        return self._save_case(command, case)

    @handles(c.Visit)
    def visit(self, command: c.Visit) -> Outcome:
        """走访."""
        case = self.case_for(command)
        case.visit(command.mode, command.note, self.meta(command))
        return self._save_case(command, case)

    @handles(c.Mediate)
    def mediate(self, command: c.Mediate) -> Outcome:
        """调解: the units taking part must be partner units of the roster."""
        roster = self.roster_for(command)
        for unit in command.with_units:
            roster.unit(unit, UnitKind.PARTNER, "with_units")
        case = self.case_for(command)
        case.mediate(command.note, command.result, command.with_units, self.meta(command))
        return self._save_case(command, case)

    @handles(c.Refer)
    def refer(self, command: c.Refer) -> Outcome:
        """分流移交 to a partner unit of the roster; the answer names the new referral."""
        self.roster_for(command).unit(command.to, UnitKind.PARTNER, "to")
        case = self.case_for(command)
        referral = case.refer(command.to, command.reason, self.meta(command))
        return self._save_case(command, case, referral=referral)

    @handles(c.RecordReceipt)
    def record_receipt(self, command: c.RecordReceipt) -> Outcome:
        """回执 for an open referral."""
        case = self.case_for(command)
        case.record_receipt(command.referral, command.outcome, command.note, self.meta(command))
        return self._save_case(command, case)

    @handles(c.Escalate)
    def escalate(self, command: c.Escalate) -> Outcome:
        """升级 yellow → red."""
        case = self.case_for(command)
        case.escalate(command.reason, self.meta(command))
        return self._save_case(command, case)

    @handles(c.Downgrade)
    def downgrade(self, command: c.Downgrade) -> Outcome:
        """降级 red → yellow, by the case's responsible leader."""
        case = self.case_for(command)
        case.downgrade(command.reason, self.meta(command))
        return self._save_case(command, case)

    @handles(c.Resolve)
    def resolve(self, command: c.Resolve) -> Outcome:
        """化解: observation for ``observe_days`` (the policy's default when not given; never
        under the policy's minimum, product.md §2)."""
        observation = self.policy.observation
        if command.observe_days is not None and command.observe_days < observation.minimum_days:
            raise InvalidInput(
                "observe_days",
                f"{command.observe_days} is under the policy minimum of "
                f"{observation.minimum_days} days",
            )
        days = command.observe_days or observation.default_days
        case = self.case_for(command)
        gap = observation.follow_up_max_gap_days
        case.resolve(command.agreement, command.form, days, gap, self.meta(command))
        return self._save_case(command, case)

    @handles(c.FollowUp)
    def follow_up(self, command: c.FollowUp) -> Outcome:
        """回访 during observation."""
        case = self.case_for(command)
        case.follow_up(command.mode, command.note, self.meta(command))
        return self._save_case(command, case)

    @handles(c.Relapse)
    def relapse(self, command: c.Relapse) -> Outcome:
        """反弹: back to red or yellow."""
        case = self.case_for(command)
        case.relapse(Grade(command.grade), command.reason, self.meta(command))
        return self._save_case(command, case)

    @handles(c.Close)
    def close_case(self, command: c.Close) -> Outcome:
        """销号 under 不化解不销案 (product.md §3).

        (Not ``close``: the library's ``Application.close`` releases the store.)"""
        case = self.case_for(command)
        case.close(command.note, self.meta(command))
        return self._save_case(command, case)

    @handles(c.Supervise)
    def supervise(self, command: c.Supervise) -> Outcome:
        """督办 as a yellow or red card."""
        case = self.case_for(command)
        case.supervise(command.level, command.note, self.meta(command))
        return self._save_case(command, case)

    @handles(c.RecordOutcome)
    def record_outcome(self, command: c.RecordOutcome) -> Outcome:
        """严重后果 on a case, by police roles."""
        case = self.case_for(command)
        case.record_outcome(command.kind, command.ref, command.note, self.meta(command))
        return self._save_case(command, case)

    @handles(c.AnswerSupervision)
    def answer_supervision(self, command: c.AnswerSupervision) -> Outcome:
        """督办反馈 to every open order."""
        case = self.case_for(command)
        case.answer_supervision(command.note, self.meta(command))
        return self._save_case(command, case)

    @handles(c.Transfer)
    def transfer(self, command: c.Transfer) -> Outcome:
        """跨所移交 (district leader): the case moves to another station, with its responsible
        leader and officer there; the old station's duties on it end."""
        roster = self.roster_for(command)
        station = roster.unit(command.station, UnitKind.STATION, "station")
        _with_role(roster, command.leader, "leader", (Role.LEADER,))
        _with_role(roster, command.officer, "officer", POLICE_ROLES)
        case = self.case_for(command)
        if station.code == case.station:
            raise SameStation(case.case_no, station.name)
        target = CaseScope(case.case_no, station.code, case.village, case.reporter)
        check_assignees(roster, target, command.leader, command.officer)
        meta = self.meta(command)
        case.transfer(station.code, command.leader, command.officer, command.reason, meta)
        return self._save_case(command, case)


def _in_policy(field: str, value: str, allowed: Mapping[str, Any]) -> None:
    if value not in allowed:
        known = "、".join(
            f"{code}（{entry.zh}）" if hasattr(entry, "zh") else code
            for code, entry in allowed.items()
        )
        raise InvalidInput(
            field,
            f"'{value}' is not in the policy; known: {', '.join(allowed)}",
            zh=f"“{value}”不在政策规定之列；可选：{known}",
        )


ROLE_NAMES = {
    Role.LEADER: "a leader",
    Role.COMMUNITY_POLICE: "a community police officer",
    Role.AUXILIARY_POLICE: "an auxiliary officer",
    Role.GRID_WORKER: "a grid worker",
    Role.AUDITOR: "an auditor",
    Role.SYSTEM_ADMIN: "a system administrator",
    Role.SECURITY_ADMIN: "a security administrator",
    Role.AUDIT_ADMIN: "an audit administrator",
    Role.FINANCE: "finance staff",
    Role.INFORMANT: "an enrolled informant",
}


def _with_role(roster: Roster, person_id: str, field: str, roles: tuple[Role, ...]) -> None:
    """Raise InvalidInput naming ``field`` unless the person is on the roster in ``roles``."""
    person = roster.person(person_id, field)
    if person.role not in roles:
        wanted = " or ".join(ROLE_NAMES[r] for r in roles)
        raise InvalidInput(field, f"{person_id} is {ROLE_NAMES[person.role]}, not {wanted}")
