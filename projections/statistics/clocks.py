"""The deadlines a case's officers had to meet (跟办), replayed from its events in occurred
order, for the half-year rating: each first contact after a grading, each contact while open,
each follow-up while observing, with when it was met (or not).

The cadences are the policy's (``[cadence]``, as on the due board): a grading (or relapse)
starts a first-contact clock (red: hours, yellow: days); a contact (visit or mediation) meets
the running clock and starts the next at the grade's cadence; an escalation or downgrade
restarts the running clock at the new grade; resolution starts the follow-up clock, each
follow-up meets it and starts the next; closure ends it. A clock ended by anything but what
meets it counts as missed when it was already due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from disputes.domain.policy import Cadence
from disputes.projections.statistics.cases import CONTACTS, CaseLine


@dataclass(frozen=True)
class Deadline:
    rule: str
    """``first-contact``, ``contact`` or ``follow-up``."""
    due: datetime
    met_at: datetime | None
    """When it was met (None: missed, or still running)."""

    def late_by(self, end: datetime) -> timedelta:
        """How late it was met, or is at ``end`` when not met (zero when on time)."""
        return max((self.met_at or end) - self.due, timedelta(0))


def _first_contact(cadence: Cadence, grade: str) -> timedelta:
    if grade == "red":
        return timedelta(hours=cadence.red_first_contact_hours)
    return timedelta(days=cadence.yellow_first_contact_days)


def _contact(cadence: Cadence, grade: str) -> timedelta:
    days = cadence.red_contact_every_days if grade == "red" else cadence.yellow_contact_every_days
    return timedelta(days=days)


def deadlines(case: CaseLine, cadence: Cadence, end: datetime) -> list[Deadline]:
    """Every deadline of ``case`` that fell due before ``end`` (met or not)."""
    found: list[Deadline] = []
    running: tuple[str, datetime] | None = None
    grade: str | None = None
    contacted = False

    def supersede(at: datetime) -> None:
        nonlocal running
        if running is not None and running[1] < at:
            found.append(Deadline(running[0], running[1], None))
        running = None

    for fact in case.facts:
        at = fact.at
        if fact.event in ("Graded", "Relapsed") and fact.value is not None:
            supersede(at)
            grade, contacted = fact.value, False
            running = ("first-contact", at + _first_contact(cadence, grade))
        elif fact.event in ("Escalated", "Downgraded") and grade is not None:
            supersede(at)
            grade = "red" if fact.event == "Escalated" else "yellow"
            running = (
                ("contact", at + _contact(cadence, grade))
                if contacted
                else ("first-contact", at + _first_contact(cadence, grade))
            )
        elif fact.event in CONTACTS and grade in ("red", "yellow") and running is not None:
            if running[0] in ("first-contact", "contact"):
                found.append(Deadline(running[0], running[1], at))
                contacted = True
                running = ("contact", at + _contact(cadence, grade))
        elif fact.event == "Resolved":
            supersede(at)
            grade = "blue"
            running = ("follow-up", at + timedelta(days=cadence.follow_up_every_days))
        elif fact.event == "FollowedUp" and running is not None and running[0] == "follow-up":
            found.append(Deadline("follow-up", running[1], at))
            running = ("follow-up", at + timedelta(days=cadence.follow_up_every_days))
        elif fact.event == "Closed":
            supersede(at)
    if running is not None and running[1] < end:
        found.append(Deadline(running[0], running[1], None))
    return [d for d in found if d.due < end]
