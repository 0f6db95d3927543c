"""Sessions (storage/sessions.py): rows in the store's own database (SQLite, or PostgreSQL in
the PostgreSQL run), looked up by SHA-256 of the token; idle and absolute expiry with a clock
the test moves; revocation of one and of all a person's sessions."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from disputes.storage.sessions import TOUCH_EVERY, Sessions, token_hash
from disputes.storage.store import Store
from tests.support.accounts import T0

if TYPE_CHECKING:
    from collections.abc import Iterator

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)


@pytest.fixture
def store(store_location: str) -> Iterator[Store]:
    with Store(store_location) as opened:
        yield opened


@pytest.fixture
def sessions(store: Store) -> Sessions:
    return Sessions(store.views)


def test_the_token_is_random_and_only_its_sha256_is_stored(
    store: Store, sessions: Sessions
) -> None:
    token, session = sessions.open("L-WD-01", T0, idle=IDLE, absolute=ABSOLUTE)
    other, _ = sessions.open("L-WD-01", T0, idle=IDLE, absolute=ABSOLUTE)
    assert token != other
    assert len(token) >= 43  # secrets.token_urlsafe(32): 256 bits
    rows = store.views.query("SELECT * FROM sessions")
    assert {row["token_sha256"] for row in rows} == {
        hashlib.sha256(token.encode()).hexdigest(),
        token_hash(other),
    }
    assert not any(token in str(value) for row in rows for value in row.values())
    assert session.expires_at == T0 + ABSOLUTE
    assert session.idle_until == T0 + IDLE


def test_a_forged_or_unknown_token_has_no_session(sessions: Sessions) -> None:
    token, _ = sessions.open("L-WD-01", T0, idle=IDLE, absolute=ABSOLUTE)
    assert sessions.use(token[:-1] + ("A" if token[-1] != "A" else "B"), T0, idle=IDLE) is None
    assert sessions.use("", T0, idle=IDLE) is None
    assert sessions.use(token_hash(token), T0, idle=IDLE) is None  # the stored hash is no token
    assert sessions.use(token, T0, idle=IDLE) is not None


def test_idle_expiry_slides_with_use(sessions: Sessions) -> None:
    token, _ = sessions.open("L-WD-01", T0, idle=IDLE, absolute=ABSOLUTE)
    now = T0
    for _ in range(4):  # used every 25 minutes: alive for 100 minutes, past the idle 30
        now += timedelta(minutes=25)
        used = sessions.use(token, now, idle=IDLE)
        assert used is not None
        assert used.idle_until == now + IDLE
    stored = sessions.get(token)
    assert stored is not None
    assert stored.last_seen_at == now
    assert sessions.use(token, now + IDLE, idle=IDLE) is None  # 30 minutes unused: ended
    assert sessions.use(token, now + IDLE - timedelta(seconds=1), idle=IDLE) is not None


def test_a_use_within_a_minute_writes_nothing(sessions: Sessions) -> None:
    token, _ = sessions.open("L-WD-01", T0, idle=IDLE, absolute=ABSOLUTE)
    assert sessions.use(token, T0 + TOUCH_EVERY / 2, idle=IDLE) is not None
    stored = sessions.get(token)
    assert stored is not None
    assert stored.last_seen_at == T0


def test_absolute_expiry_ends_a_session_in_use(sessions: Sessions) -> None:
    token, _ = sessions.open("L-WD-01", T0, idle=IDLE, absolute=ABSOLUTE)
    now = T0
    while now + timedelta(minutes=20) < T0 + ABSOLUTE:
        now += timedelta(minutes=20)
        used = sessions.use(token, now, idle=IDLE)
        assert used is not None
        assert used.idle_until <= T0 + ABSOLUTE
    assert sessions.use(token, T0 + ABSOLUTE, idle=IDLE) is None


def test_revoke_one_and_all_of_a_person(sessions: Sessions) -> None:
    first, _ = sessions.open("L-WD-01", T0, idle=IDLE, absolute=ABSOLUTE)
    second, _ = sessions.open("L-WD-01", T0, idle=IDLE, absolute=ABSOLUTE)
    third, _ = sessions.open("L-WD-01", T0, idle=IDLE, absolute=ABSOLUTE)
    others, _ = sessions.open("P-WD-01", T0, idle=IDLE, absolute=ABSOLUTE)
    assert sessions.revoke(first, T0) is True
    assert sessions.revoke(first, T0) is False
    assert sessions.use(first, T0, idle=IDLE) is None
    assert len(sessions.live("L-WD-01", T0)) == 2
    assert sessions.revoke_person("L-WD-01", T0) == 2
    assert sessions.use(second, T0, idle=IDLE) is None
    assert sessions.use(third, T0, idle=IDLE) is None
    assert sessions.live("L-WD-01", T0) == []
    assert sessions.use(others, T0, idle=IDLE) is not None


def test_purge_deletes_ended_sessions_only(sessions: Sessions) -> None:
    ended, _ = sessions.open("L-WD-01", T0, idle=IDLE, absolute=ABSOLUTE)
    later = T0 + timedelta(hours=1)
    alive, _ = sessions.open("L-WD-01", later, idle=IDLE, absolute=ABSOLUTE)
    assert sessions.purge(later) == 1
    assert sessions.get(ended) is None
    assert sessions.get(alive) is not None


def test_the_table_is_kept_by_a_rebuild_and_by_reopening(store_location: str) -> None:
    with Store(store_location) as store:
        token, _ = Sessions(store.views).open("L-WD-01", T0, idle=IDLE, absolute=ABSOLUTE)
        store.projections.rebuild()
    with Store(store_location) as store:
        assert Sessions(store.views).use(token, T0, idle=IDLE) is not None
