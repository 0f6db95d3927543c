"""Sessions (issue 11, docs/trust.md §2): who is signed in, as a table in the store.

Sessions are not events: a session is a short-lived key, not a fact of the record (the sign-in
itself is an event, ``Account.SignedIn``). One row per session in the table ``sessions`` of the
store's own database (SQLite or PostgreSQL, through the view connection and its dialect):
``sha256(token)``, the person, when it was created and last seen, when it ends if unused
(``idle_until``, sliding) and at the latest (``expires_at``, fixed at sign-in), and when it was
revoked. The token itself is never stored: it is shown once, to the person signing in; a copy
of the store gives no one a usable token. A token is looked up by SHA-256 (fast, and enough: a
token carries 256 random bits, nothing to guess), never by the password hash.

Times are stored as microseconds since the epoch (UTC).

Sliding expiry: each use of a session moves ``idle_until`` to ``now + idle``; to spare the store
a write on every request, a use less than :data:`TOUCH_EVERY` after the last recorded one writes
nothing (so a session may end up to that much earlier than the idle time after its last use).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from disputes.storage.views import ViewDatabase

TABLE = "sessions"
TOUCH_EVERY = timedelta(seconds=60)
"""A session's last use is recorded at most this often (see the module docstring)."""

DDL = (
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    token_sha256 TEXT PRIMARY KEY,
    person TEXT NOT NULL,
    created_at {{integer}} NOT NULL,
    last_seen_at {{integer}} NOT NULL,
    idle_until {{integer}} NOT NULL,
    expires_at {{integer}} NOT NULL,
    revoked_at {{integer}}
)""",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_person ON {TABLE} (person)",
)

COLUMNS = "person, created_at, last_seen_at, idle_until, expires_at, revoked_at"


def token_hash(token: str) -> str:
    """The SHA-256 of a token (hex): the session's key in the table."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _micros(moment: datetime) -> int:
    delta = moment.astimezone(UTC) - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _time(micros: int | None) -> datetime | None:
    if micros is None:
        return None
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(micros))


@dataclass(frozen=True)
class Session:
    """One session as stored (times UTC)."""

    person: str
    created_at: datetime
    last_seen_at: datetime
    idle_until: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def ends_at(self) -> datetime:
        """When the session ends if not used again: the earlier of the two expiries."""
        return min(self.idle_until, self.expires_at)

    def live_at(self, now: datetime) -> bool:
        """True when not revoked and neither expiry has passed at ``now``."""
        return self.revoked_at is None and now < self.ends_at()

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Session:
        created, seen, idle, expires = (
            _time(row[k]) for k in ("created_at", "last_seen_at", "idle_until", "expires_at")
        )
        assert created is not None
        assert seen is not None
        assert idle is not None
        assert expires is not None
        return cls(str(row["person"]), created, seen, idle, expires, _time(row["revoked_at"]))


class Sessions:
    """The sessions table of a store (``db``: the store's view database, SQLite or
    PostgreSQL). The table is created on first use."""

    def __init__(self, db: ViewDatabase) -> None:
        self.db = db
        with db.transaction() as cursor:
            for ddl in DDL:
                cursor.execute(ddl)

    def open(
        self, person: str, now: datetime, *, idle: timedelta, absolute: timedelta
    ) -> tuple[str, Session]:
        """A new session for ``person`` at ``now``; returns the token (shown once, never
        stored) and the session. ``idle`` and ``absolute`` are its two lifetimes."""
        token = secrets.token_urlsafe(32)
        expires = now + absolute
        session = Session(person, now, now, min(now + idle, expires), expires)
        with self.db.transaction() as cursor:
            cursor.execute(
                f"INSERT INTO {TABLE} (token_sha256, {COLUMNS}) VALUES ({{?}}, {{?}}, {{?}},"
                " {?}, {?}, {?}, NULL)",
                (
                    token_hash(token),
                    person,
                    _micros(now),
                    _micros(now),
                    _micros(session.idle_until),
                    _micros(expires),
                ),
            )
        return token, session

    def get(self, token: str) -> Session | None:
        """The session of ``token`` as stored (live or not), or None when there is none."""
        rows = self.db.query(
            f"SELECT {COLUMNS} FROM {TABLE} WHERE token_sha256 = {{?}}", [token_hash(token)]
        )
        return Session.from_row(rows[0]) if rows else None

    def use(self, token: str, now: datetime, *, idle: timedelta) -> Session | None:
        """The live session of ``token`` at ``now``, its idle expiry moved to ``now + idle``
        (never past its absolute expiry; recorded at most every :data:`TOUCH_EVERY`); None
        when the token has no session, or it expired or was revoked."""
        session = self.get(token)
        if session is None or not session.live_at(now):
            return None
        if now - session.last_seen_at < TOUCH_EVERY:
            return session
        idle_until = min(now + idle, session.expires_at)
        self.db.query(
            f"UPDATE {TABLE} SET last_seen_at = {{?}}, idle_until = {{?}}"
            " WHERE token_sha256 = {?} AND revoked_at IS NULL AND last_seen_at < {?}"
            " RETURNING person",
            [_micros(now), _micros(idle_until), token_hash(token), _micros(now)],
        )
        return Session(
            session.person, session.created_at, now, idle_until, session.expires_at, None
        )

    def revoke(self, token: str, now: datetime) -> bool:
        """End the session of ``token`` (sign-out). Returns False when it had no live row."""
        rows = self.db.query(
            f"UPDATE {TABLE} SET revoked_at = {{?}} WHERE token_sha256 = {{?}}"
            " AND revoked_at IS NULL RETURNING person",
            [_micros(now), token_hash(token)],
        )
        return bool(rows)

    def revoke_person(self, person: str, now: datetime) -> int:
        """End every session of ``person`` (on lock, reset, departure); returns how many."""
        rows = self.db.query(
            f"UPDATE {TABLE} SET revoked_at = {{?}} WHERE person = {{?}} AND revoked_at IS NULL"
            " RETURNING person",
            [_micros(now), person],
        )
        return len(rows)

    def live(self, person: str, now: datetime) -> list[Session]:
        """The live sessions of ``person`` at ``now``, newest first."""
        rows = self.db.query(
            f"SELECT {COLUMNS} FROM {TABLE} WHERE person = {{?}} AND revoked_at IS NULL"
            " AND idle_until > {?} AND expires_at > {?} ORDER BY created_at DESC",
            [person, _micros(now), _micros(now)],
        )
        return [Session.from_row(row) for row in rows]

    def purge(self, before: datetime) -> int:
        """Delete the rows of sessions that ended (expired or revoked) before ``before``;
        returns how many."""
        cut = _micros(before)
        rows = self.db.query(
            f"DELETE FROM {TABLE} WHERE expires_at < {{?}} OR idle_until < {{?}}"
            " OR revoked_at < {?} RETURNING person",
            [cut, cut, cut],
        )
        return len(rows)
