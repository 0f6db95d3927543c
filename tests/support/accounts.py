"""What the account tests share: the sample roster with a system administrator, a settable
clock, and the cheap argon2 hasher.

``CHEAP_HASHER`` is the documented way tests lower the argon2 cost (disputes.gate.secrets):
``argon2.profiles.CHEAPEST``, passed to ``Secrets(hasher=…)``. Production code never passes a
hasher; the CLI tests run at the library's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher, profiles

from disputes.domain.roster import Roster
from tests.support.driver import PEOPLE, UNITS

CHEAP_HASHER = PasswordHasher.from_parameters(profiles.CHEAPEST)

ADMIN = "S-HY-01"
"""The system administrator added to the sample roster (district unit HY)."""
SECURITY = "X-HY-01"
"""A security administrator (not a system administrator)."""
EXTRA_PEOPLE = f"{ADMIN},严志刚,system-admin,HY\n{SECURITY},陶建英,security-admin,HY\n"

T0 = datetime(2024, 3, 1, 1, 0, tzinfo=UTC)
"""The tests' "now" at the start (2024-03-01 09:00 Asia/Shanghai)."""


def people_csv(without: str | None = None) -> str:
    """The sample people.csv with the administrators; ``without`` leaves one person out."""
    lines = PEOPLE.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    kept = [line for line in lines if without is None or not line.startswith(f"{without},")]
    return "".join(kept) + EXTRA_PEOPLE


def admin_roster(without: str | None = None) -> Roster:
    """The sample roster with a system and a security administrator."""
    return Roster.from_csv(UNITS.read_text(encoding="utf-8-sig"), people_csv(without))


def write_people(folder: Path, without: str | None = None) -> Path:
    """people.csv with the administrators, written into ``folder``."""
    path = folder / "people-admins.csv"
    path.write_text(people_csv(without), encoding="utf-8")
    return path


@dataclass
class Clock:
    """A clock the test moves: ``clock()`` is now, ``clock.advance(minutes=…)`` moves it."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now
