"""Accounts (issue 11, docs/trust.md §2): one per roster person, so a person signs in as
themselves. Every change is an event, stored and hash-chained with the rest of the log.

The aggregate keeps what the rules need and nothing readable: the password as an argon2id hash
and the TOTP secret encrypted with a key kept outside the store (``disputes.gate.secrets``
makes both; this module never sees a password, a code or a plain secret). The rules it decides:
an account is created once; after the policy's ``max_failed_attempts`` failed sign-ins in a row
it is locked (``failed-attempts``) until a system administrator unlocks it; a locked account
does not sign in; a TOTP code's time step is used once (a code seen signing in is refused if
replayed). Who may administer accounts (a system administrator) is checked by the gate, which
knows the roster.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from disputes.domain.errors import AccountAlreadyLocked, AccountNotLocked
from disputes.domain.values import NAMESPACE


class LockReason(StrEnum):
    """Why an account is locked: by an administrator, by the failed-attempts rule, or because
    the person left (a departure locks the account)."""

    ADMIN = "admin"
    FAILED_ATTEMPTS = "failed-attempts"
    DEPARTED = "departed"


def account_id(person: str) -> UUID:
    """The aggregate id of a person's account (deterministic: no look-up needed)."""
    return uuid5(NAMESPACE, f"account:{person}")


class AccountLocked(Exception):
    """Raised by :meth:`Account.sign_in` on a locked account (the gate turns it into the one
    sign-in refusal that names no cause)."""


class CodeReused(Exception):
    """Raised by :meth:`Account.sign_in` when the TOTP code's time step was used already."""


class Account(Aggregate):
    """A person's account. ``actor`` on every event is who did it (None: the lockout rule)."""

    TOPIC: ClassVar[str] = "disputes:Account"

    class Event(Aggregate.Event):
        TOPIC = "disputes:Account.Event"
        actor: str | None
        occurred_at: datetime

    class Created(Event, Aggregate.Created):
        TOPIC = "disputes:Account.Created"
        person: str
        password_hash: str
        totp_secret: str
        """The TOTP secret, Fernet-encrypted (``disputes.gate.secrets``)."""

    class PasswordReset(Event):
        TOPIC = "disputes:Account.PasswordReset"
        password_hash: str

    class TotpEnrolled(Event):
        TOPIC = "disputes:Account.TotpEnrolled"
        totp_secret: str
        """The new TOTP secret, Fernet-encrypted."""

    class Locked(Event):
        TOPIC = "disputes:Account.Locked"
        reason: str

    class Unlocked(Event):
        TOPIC = "disputes:Account.Unlocked"

    class SignInFailed(Event):
        TOPIC = "disputes:Account.SignInFailed"

    class SignedIn(Event):
        TOPIC = "disputes:Account.SignedIn"
        totp_step: int
        """The TOTP time step of the code used (a replay of it is refused)."""

    @staticmethod
    def create_id(person: str, **_: object) -> UUID:
        return account_id(person)

    @event(Created)
    def __init__(
        self,
        *,
        person: str,
        password_hash: str,
        totp_secret: str,
        actor: str | None,
        occurred_at: datetime,
    ) -> None:
        self.person = person
        self.password_hash = password_hash
        self.totp_secret = totp_secret
        self.created_by = actor
        self.created_at = occurred_at
        self.locked: str | None = None
        """The lock reason (a :class:`LockReason` value), None while the account is open."""
        self.failed_attempts = 0
        """Failed sign-ins since the last success, unlock or reset."""
        self.last_sign_in_at: datetime | None = None
        self.last_totp_step = -1

    # -- administration ---------------------------------------------------------------------------

    def reset_password(self, password_hash: str, actor: str, occurred_at: datetime) -> None:
        """A new password (its hash). The failed-attempts count starts again; a lock stays."""
        self._password_reset(password_hash=password_hash, actor=actor, occurred_at=occurred_at)

    @event(PasswordReset)
    def _password_reset(self, password_hash: str, actor: str, occurred_at: datetime) -> None:
        self.password_hash = password_hash
        self.failed_attempts = 0

    def enrol_totp(self, totp_secret: str, actor: str, occurred_at: datetime) -> None:
        """A new TOTP secret (encrypted), e.g. for a lost phone; codes of the old one stop."""
        self._totp_enrolled(totp_secret=totp_secret, actor=actor, occurred_at=occurred_at)

    @event(TotpEnrolled)
    def _totp_enrolled(self, totp_secret: str, actor: str, occurred_at: datetime) -> None:
        self.totp_secret = totp_secret
        self.last_totp_step = -1

    def lock(self, reason: LockReason, actor: str | None, occurred_at: datetime) -> None:
        """Lock the account. Raises AccountAlreadyLocked when it is locked for that reason
        already (a lock for another reason replaces the reason: a departure outranks a
        lockout)."""
        if self.locked == reason:
            raise AccountAlreadyLocked(self.person, self.locked)
        self._locked(reason=str(reason), actor=actor, occurred_at=occurred_at)

    @event(Locked)
    def _locked(self, reason: str, actor: str | None, occurred_at: datetime) -> None:
        self.locked = reason

    def unlock(self, actor: str, occurred_at: datetime) -> None:
        """Open a locked account again; the failed-attempts count starts again. Raises
        AccountNotLocked."""
        if self.locked is None:
            raise AccountNotLocked(self.person)
        self._unlocked(actor=actor, occurred_at=occurred_at)

    @event(Unlocked)
    def _unlocked(self, actor: str, occurred_at: datetime) -> None:
        self.locked = None
        self.failed_attempts = 0

    # -- signing in -------------------------------------------------------------------------------

    def fail_sign_in(self, max_attempts: int, occurred_at: datetime) -> bool:
        """Record a failed sign-in; the ``max_attempts``-th in a row locks the account
        (``failed-attempts``). A locked account records nothing more (so failed attempts
        cannot grow the log without bound). Returns True when this attempt locked it."""
        if self.locked is not None:
            return False
        self._sign_in_failed(actor=self.person, occurred_at=occurred_at)
        if self.failed_attempts < max_attempts:
            return False
        self._locked(reason=str(LockReason.FAILED_ATTEMPTS), actor=None, occurred_at=occurred_at)
        return True

    @event(SignInFailed)
    def _sign_in_failed(self, actor: str, occurred_at: datetime) -> None:
        self.failed_attempts += 1

    def sign_in(self, totp_step: int, occurred_at: datetime) -> None:
        """Record a successful sign-in (password and code checked by the caller) with the
        code's time step. Raises AccountLocked, CodeReused (a step not after the last used)."""
        if self.locked is not None:
            raise AccountLocked(self.person)
        if totp_step <= self.last_totp_step:
            raise CodeReused(self.person)
        self._signed_in(totp_step=totp_step, actor=self.person, occurred_at=occurred_at)

    @event(SignedIn)
    def _signed_in(self, totp_step: int, actor: str, occurred_at: datetime) -> None:
        self.failed_attempts = 0
        self.last_sign_in_at = occurred_at
        self.last_totp_step = totp_step
