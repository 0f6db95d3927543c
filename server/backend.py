"""What the server does with its one store: sign-in and sessions (:mod:`disputes.gate.accounts`)
and every read and write through the gate (:mod:`disputes.gate.gate`), each request's work run
on one worker thread.

One store per server process, touched by one thread only: the store's view connection (SQLite
or PostgreSQL) and its application are not shared between threads, and SQLite takes one writer
at a time anyway. The event loop parses, validates and answers requests while that thread works,
so the HTTP side of concurrent requests overlaps with the store's work; a request's
authentication and its work are one job on the thread (one hop, one session look-up).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from disputes.domain.errors import DisputesError, InvalidInput
from disputes.gate.accounts import Accounts
from disputes.storage.store import Store

if TYPE_CHECKING:
    from disputes.gate.gate import Gate

T = TypeVar("T")


class NotSignedIn(DisputesError):
    """No session token was sent (the server answers 401)."""


@dataclass(frozen=True)
class Session:
    """Who a request's token names, and until when."""

    person: str
    expires_at: datetime | None
    """When the session ends at the latest (fixed at sign-in)."""
    token: str
    idle_until: datetime | None = None
    """When it ends if not used again before then (moved by each use)."""


class Backend:
    """The server's store, its worker thread, and the operations the endpoints call."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.accounts = Accounts(store)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="disputes-store")
        self._closed = threading.Event()

    async def run(self, work: Callable[[], T]) -> T:
        """Run ``work`` on the store's thread; the event loop goes on serving meanwhile."""
        return await asyncio.get_running_loop().run_in_executor(self._worker, work)

    async def as_person(self, token: str | None, work: Callable[[Session], T]) -> T:
        """Authenticate ``token`` and run ``work`` for its session, in one job on the thread."""

        def job() -> T:
            return work(self.authenticate(token))

        return await self.run(job)

    def close(self) -> None:
        if not self._closed.is_set():
            self._closed.set()
            self._worker.shutdown(wait=True)
            self.store.close()

    # -- sessions ------------------------------------------------------------------------------

    def authenticate(self, token: str | None) -> Session:
        """The session of ``token``; raises an Unauthorized error (401) for a missing, forged,
        expired or revoked one."""
        if not token:
            raise NotSignedIn(
                "not signed in: send the session token as `Authorization: Bearer …` "
                "(`disputes login`)",
                zh="未登录：请在请求中附上会话令牌（`Authorization: Bearer …`，"
                "先运行 `disputes login`）",
            )
        found = self.accounts.session(token)
        return Session(found.person, found.expires_at, token, found.ends_at())

    def sign_in(self, person: str, password: str, code: str) -> dict[str, Any]:
        """``{token, person, name, role, expires_at}`` for a successful sign-in."""
        token, expires_at = self.accounts.sign_in(person, password, code)
        who = self.person(person)
        return {
            "token": token,
            "person": person,
            "name": who["name"],
            "role": who["role"],
            "expires_at": _time(expires_at),
        }

    def sign_out(self, session: Session) -> None:
        self.accounts.sign_out(session.token)

    def whoami(self, session: Session) -> dict[str, Any]:
        return {
            **self.person(session.person),
            "expires_at": _time(session.expires_at),
            "idle_until": _time(session.idle_until),
        }

    def labels(self, session: Session) -> dict[str, Any]:
        """``GET /api/labels``: what the CLI as a client needs to render tables as local mode
        does — the policy's labels (zh/en) and the names of units and of the roster's staff.
        Informants are never named here; parties are not on the roster."""
        from disputes.domain.roster import Role

        self.person(session.person)  # the signed-in person is on the roster
        policy = self.store.policy
        roster = self.store.app.roster

        def table(codes: Any) -> dict[str, dict[str, str]]:
            return {code: {"zh": entry.zh, "en": entry.en} for code, entry in codes.items()}

        return {
            "policy": {
                "categories": table(policy.categories),
                "sources": table(policy.sources),
                "signals": table(policy.signals),
                "purposes": table(policy.access.purposes),
            },
            "units": {code: str(unit.name) for code, unit in roster.units.items()},
            "people": {
                pid: str(person.name)
                for pid, person in roster.people.items()
                if person.role != Role.INFORMANT
            },
        }

    def person(self, person_id: str) -> dict[str, Any]:
        """``{person, name, role, unit, unit_name}`` of a roster person."""
        roster = self.store.app.roster
        person = roster.person(person_id, "person")
        unit = roster.units.get(person.unit)
        return {
            "person": person.id,
            "name": person.name,
            "role": str(person.role),
            "unit": person.unit,
            "unit_name": unit.name if unit is not None else None,
        }

    def account(
        self, session: Session, action: str, person: str | None, *, new_code: bool = False
    ) -> Any:
        """An account operation (``list``, ``create``, ``reset``, ``lock``, ``unlock``) done by
        the signed-in person (:class:`Accounts` checks they are a system administrator), as
        ``accounts … --json`` prints it."""
        by = session.person
        if action == "list":
            return [row.as_json() for row in self.accounts.list(by, person)]
        assert person is not None
        if action == "create":
            return self.accounts.create(by, person).as_json()
        if action == "reset":
            return self.accounts.reset(by, person, new_code=new_code).as_json()
        if action == "lock":
            return self.accounts.lock(by, person).as_json()
        return self.accounts.unlock(by, person).as_json()

    # -- the gate --------------------------------------------------------------------------------

    def gate(self, session: Session, purpose: str | None = None) -> Gate:
        """The gate for the signed-in person: scoped, masked, and every read logged."""
        from disputes.gate.gate import Gate, Viewer

        return Gate(self.store, Viewer(person=session.person, purpose=purpose, logged=True))


def _time(value: datetime | None) -> str | None:
    from disputes.domain.clock import local_iso

    return local_iso(value)


def parse_when(name: str, text: str | None) -> datetime | None:
    """A query parameter's time (ISO 8601; no offset means Asia/Shanghai); InvalidInput names
    the parameter."""
    from disputes.domain.clock import parse_time

    if text is None:
        return None
    try:
        return parse_time(text)
    except ValueError as exc:
        raise InvalidInput(name, str(exc)) from None
