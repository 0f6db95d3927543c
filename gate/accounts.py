"""Accounts and sign-in (issue 11, docs/trust.md §2): what a system administrator does to
accounts, and what a person does to sign in, over one store.

The CLI (``disputes accounts …``, local mode) and the server (``/api/accounts…``,
``/api/sessions``) call these operations; nothing here knows click or HTTP. Administration
(:meth:`Accounts.create`, ``reset``, ``lock``, ``unlock``, ``list``) is a system
administrator's alone (role ``system-admin``, who has no case access); every change is an
``Account`` event in the store's log. Sessions are rows of the store's ``sessions`` table
(:mod:`disputes.storage.sessions`).

What a refusal says: an administrator's refusal names the rule and what would make it succeed;
a failed sign-in says the same for every cause (:class:`~disputes.domain.errors.SignInRefused`)
— an unknown person, a wrong password, a wrong or replayed code and a locked account are told
apart by nobody but the log (a wrong password or code on an open account records
``SignInFailed``), and take as long (a password hash is checked either way).

Nothing here prints or logs a secret. The initial password, the TOTP secret and its
``otpauth://`` URI leave only in the :class:`Issued` answer of ``create`` and ``reset``, once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from disputes.domain.accounts import Account, AccountLocked, CodeReused, LockReason, account_id
from disputes.domain.clock import Clock, local_iso
from disputes.domain.errors import (
    AccountExists,
    AccountNotFound,
    AccountPersonGone,
    ConcurrentModification,
    NotSystemAdmin,
    SessionInvalid,
    SignInRefused,
)
from disputes.domain.roster import Role
from disputes.gate.secrets import Secrets
from disputes.storage.sessions import Session, Sessions
from disputes.storage.store import Store

ATTEMPTS = 5
"""How many times an operation is tried when another writer changed the account meanwhile."""

T = TypeVar("T")


@dataclass(frozen=True)
class Issued:
    """What ``create`` and ``reset`` hand out, once: the person's new password and, when a
    new second factor was enrolled, its secret (for manual entry) and ``otpauth://`` URI (for
    a QR code). None for what was not renewed."""

    person: str
    password: str = field(repr=False)
    totp_secret: str | None = field(default=None, repr=False)
    provisioning_uri: str | None = field(default=None, repr=False)
    """(Not in the repr: a secret must not reach a log or a traceback by accident.)"""

    def as_json(self) -> dict[str, Any]:
        return {
            "person": self.person,
            "password": self.password,
            "totp_secret": self.totp_secret,
            "provisioning_uri": self.provisioning_uri,
        }


@dataclass(frozen=True)
class AccountRow:
    """One account as ``list`` shows it (no hash, no secret)."""

    person: str
    name: str | None
    """The person's name on the roster in force; None when they are no longer on it."""
    role: str | None
    status: str
    """``active`` or ``locked``."""
    lock_reason: str | None
    failed_attempts: int
    last_sign_in_at: datetime | None
    created_at: datetime
    created_by: str | None
    sessions: int
    """Live sessions now."""

    def as_json(self) -> dict[str, Any]:
        return {
            "person": self.person,
            "name": self.name,
            "role": self.role,
            "status": self.status,
            "lock_reason": self.lock_reason,
            "failed_attempts": self.failed_attempts,
            "last_sign_in_at": local_iso(self.last_sign_in_at),
            "created_at": local_iso(self.created_at),
            "created_by": self.created_by,
            "sessions": self.sessions,
        }


class Accounts:
    """Account administration and sign-in over ``store``. ``clock`` defaults to the store's;
    ``secrets`` (hashing, TOTP, the key file) to :class:`~disputes.gate.secrets.Secrets` with
    the library's argon2 defaults and the key of ``$DISPUTES_KEY_FILE``/the config dir."""

    def __init__(
        self, store: Store, clock: Clock | None = None, *, secrets: Secrets | None = None
    ) -> None:
        self.store = store
        self.clock: Clock = clock or store.app.clock
        self.secrets = secrets or Secrets()
        self._sessions: Sessions | None = None

    @property
    def sessions(self) -> Sessions:
        """The store's sessions table (created on first use)."""
        if self._sessions is None:
            self._sessions = Sessions(self.store.views)
        return self._sessions

    @property
    def _policy(self) -> Any:
        return self.store.policy.accounts

    # -- administration (a system administrator's) ------------------------------------------------

    def create(self, actor: str, person: str) -> Issued:
        """An account for roster person ``person``, with a new password and TOTP secret
        (returned once). Raises NotSystemAdmin, InvalidInput (not on the roster),
        AccountExists."""
        self._admin(actor)
        self.store.app.roster.person(person, "person")
        self.store.require_writable()
        password = self.secrets.new_password(self._policy.min_password_length)
        secret = self.secrets.new_totp_secret()
        account = Account(
            person=person,
            password_hash=self.secrets.hash_password(password),
            totp_secret=self.secrets.encrypt(secret),
            actor=actor,
            occurred_at=self.clock(),
        )
        try:
            self._get(person)
        except AccountNotFound:
            pass
        else:
            raise AccountExists(person)
        try:
            self.store.app.save(account)
        except IntegrityError:
            raise AccountExists(person) from None
        return Issued(person, password, secret, self.secrets.provisioning_uri(secret, person))

    def reset(self, actor: str, person: str, *, new_code: bool = False) -> Issued:
        """A new password for ``person`` (and, with ``new_code``, a new TOTP secret: a lost
        phone), returned once; the person's sessions end. A lock stays (unlock is its own
        act). Raises NotSystemAdmin, AccountNotFound."""
        self._admin(actor)
        self.store.require_writable()
        self._on_roster(person, "reset")
        password = self.secrets.new_password(self._policy.min_password_length)
        password_hash = self.secrets.hash_password(password)
        secret = self.secrets.new_totp_secret() if new_code else None
        encrypted = self.secrets.encrypt(secret) if secret else None

        def act(account: Account, now: datetime) -> None:
            account.reset_password(password_hash, actor, now)
            if encrypted is not None:
                account.enrol_totp(encrypted, actor, now)

        self._change(person, act)
        self.sessions.revoke_person(person, self.clock())
        uri = self.secrets.provisioning_uri(secret, person) if secret else None
        return Issued(person, password, secret, uri)

    def lock(self, actor: str, person: str, reason: LockReason = LockReason.ADMIN) -> AccountRow:
        """Lock ``person``'s account (``reason`` admin, or departed when the person leaves);
        their sessions end. Raises NotSystemAdmin, AccountNotFound, AccountAlreadyLocked."""
        self._admin(actor)
        self.store.require_writable()
        self._change(person, lambda account, now: account.lock(reason, actor, now))
        self.sessions.revoke_person(person, self.clock())
        return self.row(person)

    def departed(self, person: str, actor: str | None) -> bool:
        """Lock the account of a person who left (reason ``departed``) and end their sessions:
        for the roster change that records the departure (its actor's authority is the roster
        change's, so no system administrator is needed). Returns False, recording nothing,
        when the person has no account or it is locked as departed already."""
        self.store.require_writable()
        for _ in range(ATTEMPTS):
            try:
                account = self._get(person)
            except AccountNotFound:
                return False
            if account.locked == LockReason.DEPARTED:
                return False
            account.lock(LockReason.DEPARTED, actor, self.clock())
            try:
                self.store.app.save(account)
            except IntegrityError:
                continue
            self.sessions.revoke_person(person, self.clock())
            return True
        raise ConcurrentModification(
            f"the account of {person} changed at the same time {ATTEMPTS} times; nothing was "
            "recorded — try again"
        )

    def unlock(self, actor: str, person: str) -> AccountRow:
        """Unlock ``person``'s account (the failed-attempts count starts again). Raises
        NotSystemAdmin, AccountNotFound, AccountNotLocked."""
        self._admin(actor)
        self.store.require_writable()
        self._on_roster(person, "unlocked")
        self._change(person, lambda account, now: account.unlock(actor, now))
        return self.row(person)

    def list(self, actor: str, person: str | None = None) -> list[AccountRow]:
        """Every account (or ``person``'s alone), by person id. Raises NotSystemAdmin,
        AccountNotFound (``person`` without an account)."""
        self._admin(actor)
        if person is not None:
            return [self.row(person)]
        return [self.row(p) for p in sorted(self._people_with_accounts())]

    def row(self, person: str) -> AccountRow:
        """``person``'s account as ``list`` shows it. Raises AccountNotFound."""
        account = self._get(person)
        on_roster = self.store.app.roster.people.get(person)
        return AccountRow(
            person=person,
            name=on_roster.name if on_roster else None,
            role=str(on_roster.role) if on_roster else None,
            status="locked" if account.locked else "active",
            lock_reason=account.locked,
            failed_attempts=account.failed_attempts,
            last_sign_in_at=account.last_sign_in_at,
            created_at=account.created_at,
            created_by=account.created_by,
            sessions=len(self.sessions.live(person, self.clock())),
        )

    # -- signing in -------------------------------------------------------------------------------

    def sign_in(self, person: str, password: str, code: str) -> tuple[str, datetime]:
        """Sign ``person`` in with their password and current TOTP code: a new session.
        Returns the token (shown once) and when the session ends at the latest (it ends
        earlier when unused for the policy's ``idle_minutes``).

        Raises SignInRefused (one text, whatever was wrong). A wrong password or code on an
        open account records ``SignInFailed``; the policy's ``max_failed_attempts``-th in a
        row locks the account and ends its sessions."""
        policy = self._policy
        refused = SignInRefused(policy.max_failed_attempts)
        for _ in range(ATTEMPTS):
            now = self.clock()
            account = self._find(person)
            secret = self.secrets.decrypt(account.totp_secret) if account else None
            matches = self.secrets.password_matches(
                account.password_hash if account else None, password
            )
            if account is None or secret is None:
                raise refused
            step = self.secrets.code_step(secret, code, now) if matches else None
            try:
                if step is None:
                    self._fail(account, now)
                    raise refused
                try:
                    account.sign_in(step, now)
                except CodeReused:
                    self._fail(account, now)
                    raise refused from None
                except AccountLocked:
                    raise refused from None
                self.store.app.save(account)
            except IntegrityError:
                continue  # another sign-in or an administrator changed the account: again
            token, session = self.sessions.open(
                person,
                now,
                idle=timedelta(minutes=policy.idle_minutes),
                absolute=timedelta(hours=policy.absolute_hours),
            )
            # A lock saved after our sign-in but before the session existed revoked nothing:
            # look again, now that it exists.
            again = self._find(person)
            if again is None or again.locked is not None:
                self.sessions.revoke(token, self.clock())
                raise refused
            return token, session.expires_at
        raise ConcurrentModification(
            "the account changed at the same time several times; nothing was recorded — "
            "sign in again"
        )

    def _fail(self, account: Account, now: datetime) -> None:
        """Record a failed sign-in (raises IntegrityError when the account changed)."""
        locked = account.fail_sign_in(self._policy.max_failed_attempts, now)
        if account.pending_events:
            self.store.require_writable(
                "the failed attempt was not recorded", "这次失败的尝试未被记录"
            )
            self.store.app.save(account)
        if locked:
            self.sessions.revoke_person(account.person, now)

    def session(self, token: str) -> Session:
        """The live session of ``token`` (its use recorded, sliding its idle expiry).

        Raises SessionInvalid when the token is missing, unknown (forged), expired or revoked,
        or its person is no longer on the roster (departed). A lock ends a person's sessions
        when it is recorded, so a locked person's token is revoked."""
        if not token:
            raise SessionInvalid("no session token was given", "未提供会话令牌")
        now = self.clock()
        idle = timedelta(minutes=self._policy.idle_minutes)
        session = self.sessions.use(token, now, idle=idle)
        if session is None:
            raise SessionInvalid(
                "the session token is unknown, expired or revoked", "会话令牌无效、已过期或已注销"
            )
        if session.person not in self.store.app.roster.people:
            self.sessions.revoke_person(session.person, now)
            raise SessionInvalid(
                f"{session.person} is no longer on the roster",
                f"{session.person} 已不在花名册上",
            )
        return session

    def authenticate(self, token: str) -> str:
        """The person signed in with ``token`` (see :meth:`session`). Raises SessionInvalid."""
        return self.session(token).person

    def sign_out(self, token: str) -> None:
        """End the session of ``token``. Raises SessionInvalid when it has no live session."""
        self.session(token)
        self.sessions.revoke(token, self.clock())

    # -- helpers ----------------------------------------------------------------------------------

    def _admin(self, actor: str) -> None:
        """Raise NotSystemAdmin unless ``actor`` is a system administrator on the roster."""
        person = self.store.app.roster.people.get(actor)
        if person is None or person.role is not Role.SYSTEM_ADMIN:
            raise NotSystemAdmin(actor, str(person.role) if person else None)

    def _on_roster(self, person: str, verb: str) -> None:
        """Raise AccountPersonGone when ``person`` had a place on the roster but has none in
        force now (departed); an unknown person falls through to AccountNotFound."""
        app = self.store.app
        if person in app.roster.people or not app.roster_history.known(person):
            return
        departed = app.roster_history.departures().get(person)
        raise AccountPersonGone(person, verb, local_iso(departed) if departed else None)

    def _get(self, person: str) -> Account:
        """``person``'s account. Raises AccountNotFound."""
        try:
            account: Account = self.store.app.repository.get(account_id(person))
        except AggregateNotFoundError:
            raise AccountNotFound(person) from None
        return account

    def _find(self, person: str) -> Account | None:
        """``person``'s account when they are on the roster in force and have one, else None."""
        if person not in self.store.app.roster.people:
            return None
        try:
            return self._get(person)
        except AccountNotFound:
            return None

    def _change(self, person: str, act: Callable[[Account, datetime], None]) -> None:
        """Load ``person``'s account, ``act`` on it, save; again on a concurrent change (the
        account is reloaded: a failed save forgets its events). Raises AccountNotFound, what
        ``act`` raises, ConcurrentModification."""
        for _ in range(ATTEMPTS):
            account = self._get(person)
            act(account, self.clock())
            try:
                self.store.app.save(account)
            except IntegrityError:
                continue
            return
        raise ConcurrentModification(
            f"the account of {person} changed at the same time {ATTEMPTS} times; nothing was "
            "recorded — try again"
        )

    def _people_with_accounts(self) -> set[str]:
        """Every person who has an account (from the log's ``Account.Created`` events)."""
        recorder = self.store.app.recorder
        topic = get_topic(Account.Created)
        people: set[str] = set()
        start = 0
        while True:
            batch = recorder.select_notifications(
                start=start, limit=500, topics=[topic], inclusive_of_start=False
            )
            if not batch:
                return people
            for notification in batch:
                event = self.store.app.mapper.to_domain_event(notification)
                assert isinstance(event, Account.Created)
                people.add(event.person)
            start = batch[-1].id
