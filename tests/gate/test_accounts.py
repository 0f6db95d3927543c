"""Accounts and sign-in through the gate (gate/accounts.py) on a real store (SQLite, or
PostgreSQL in the PostgreSQL run), with a clock the test moves and the cheap argon2 hasher.

What is proved: the stored hash is argon2id and not the password; a TOTP code of a fixed clock
signs in, once; lockout after the policy's N failures, unlocked by a system administrator only;
every failed sign-in says the same; idle and absolute expiry; revocation on lock, reset and
departure; a forged token is refused; the key file is made with mode 0600; no password, TOTP
secret or token is in any stored event field; account events verify and are ignored by the
projections.
"""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from argon2 import PasswordHasher, Type, extract_parameters

from disputes.audit.log import verify_store
from disputes.domain.accounts import Account, LockReason, account_id
from disputes.domain.errors import (
    AccountAlreadyLocked,
    AccountExists,
    AccountNotFound,
    AccountNotLocked,
    AccountPersonGone,
    DisputesError,
    InvalidInput,
    NotSystemAdmin,
    SessionInvalid,
    SignInRefused,
)
from disputes.gate.accounts import Accounts, Issued
from disputes.gate.secrets import KEY_ENV, Secrets, load_or_create_key
from disputes.storage.store import Store
from tests.support.accounts import ADMIN, CHEAP_HASHER, SECURITY, Clock, admin_roster

if TYPE_CHECKING:
    from collections.abc import Iterator

LEADER = "L-WD-01"
OFFICER = "P-WD-01"


@pytest.fixture(autouse=True)
def _key_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "keys" / "server.key"))


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(store_location: str, clock: Clock) -> Iterator[Store]:
    with Store(store_location, clock=clock) as opened:
        opened.app.load_roster(admin_roster())
        yield opened


@pytest.fixture
def accounts(store: Store, clock: Clock) -> Accounts:
    return Accounts(store, clock, secrets=Secrets(hasher=CHEAP_HASHER))


def code(issued: Issued, clock: Clock, seconds: int = 0) -> str:
    """The code the person's authenticator shows at ``clock`` (+ ``seconds``)."""
    assert issued.totp_secret is not None
    return Secrets.code_at(issued.totp_secret, clock() + timedelta(seconds=seconds))


def signed_in(accounts: Accounts, issued: Issued, clock: Clock) -> str:
    token, _ = accounts.sign_in(issued.person, issued.password, code(issued, clock))
    clock.advance(seconds=30)  # the next sign-in needs the next code
    return token


def account_events(store: Store) -> list[dict[str, Any]]:
    """Every stored Account event's fields, as stored (decoded JSON)."""
    views = store.views
    rows = views.rows(
        f"SELECT topic, state FROM {views.events_table} ORDER BY {views.position_column}"
    )
    return [json.loads(bytes(state)) for topic, state in rows if "Account" in str(topic)]


# -- administration ---------------------------------------------------------------------------


def test_create_gives_a_password_and_a_second_factor_once(accounts: Accounts, store: Store) -> None:
    issued = accounts.create(ADMIN, LEADER)
    assert len(issued.password) >= store.policy.accounts.min_password_length
    assert issued.totp_secret is not None
    assert issued.provisioning_uri is not None
    assert issued.provisioning_uri.startswith("otpauth://totp/disputes:L-WD-01?")
    assert f"secret={issued.totp_secret}" in issued.provisioning_uri
    with pytest.raises(AccountExists) as again:
        accounts.create(ADMIN, LEADER)
    assert "accounts reset L-WD-01" in again.value.message


def test_the_stored_hash_is_argon2id_and_not_the_password(accounts: Accounts, store: Store) -> None:
    issued = accounts.create(ADMIN, LEADER)
    account: Account = store.app.repository.get(account_id(LEADER))
    assert account.password_hash != issued.password
    assert account.password_hash.startswith("$argon2id$")
    assert extract_parameters(account.password_hash).type is Type.ID
    assert PasswordHasher().verify(account.password_hash, issued.password)


def test_production_hashes_at_the_library_defaults() -> None:
    defaults = PasswordHasher()
    hasher = Secrets().hasher
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism, hasher.type) == (
        defaults.time_cost,
        defaults.memory_cost,
        defaults.parallelism,
        Type.ID,
    )


def test_only_a_system_administrator_administers_accounts(accounts: Accounts) -> None:
    accounts.create(ADMIN, OFFICER)
    for actor in (SECURITY, LEADER, "NOBODY"):
        for act in (
            lambda a: accounts.create(a, LEADER),
            lambda a: accounts.reset(a, OFFICER),
            lambda a: accounts.lock(a, OFFICER),
            lambda a: accounts.unlock(a, OFFICER),
            accounts.list,
        ):
            with pytest.raises(NotSystemAdmin) as refused:
                act(actor)
            assert "only a system administrator (role system-admin)" in refused.value.message
            assert "系统管理员" in refused.value.text("zh")


def test_accounts_are_for_roster_people(accounts: Accounts) -> None:
    with pytest.raises(InvalidInput, match="not on the roster"):
        accounts.create(ADMIN, "NOBODY")
    with pytest.raises(AccountNotFound) as missing:
        accounts.lock(ADMIN, LEADER)
    assert "accounts create L-WD-01" in missing.value.message


def test_list_shows_status_and_never_a_hash_or_secret(accounts: Accounts, clock: Clock) -> None:
    issued = accounts.create(ADMIN, LEADER)
    accounts.create(ADMIN, OFFICER)
    signed_in(accounts, issued, clock)
    accounts.lock(ADMIN, OFFICER)
    rows = {row.person: row.as_json() for row in accounts.list(ADMIN)}
    assert rows[LEADER]["status"] == "active"
    assert rows[LEADER]["last_sign_in_at"] == "2024-03-01T09:00:00+08:00"
    assert rows[LEADER]["sessions"] == 1
    assert rows[OFFICER]["status"] == "locked"
    assert rows[OFFICER]["lock_reason"] == "admin"
    text = json.dumps(rows)
    assert issued.password not in text
    assert "argon2" not in text
    assert str(issued.totp_secret) not in text


# -- signing in -------------------------------------------------------------------------------


def test_sign_in_with_password_and_code_of_a_fixed_clock(
    accounts: Accounts, clock: Clock, store: Store
) -> None:
    issued = accounts.create(ADMIN, LEADER)
    token, expires = accounts.sign_in(LEADER, issued.password, code(issued, clock))
    assert expires == clock() + timedelta(hours=store.policy.accounts.absolute_hours)
    assert accounts.authenticate(token) == LEADER


def test_a_code_of_the_step_before_or_after_is_accepted_not_further(
    accounts: Accounts, clock: Clock
) -> None:
    issued = accounts.create(ADMIN, LEADER)
    accounts.sign_in(LEADER, issued.password, code(issued, clock, -30))
    clock.advance(seconds=60)
    accounts.sign_in(LEADER, issued.password, code(issued, clock, +30))
    clock.advance(seconds=90)
    with pytest.raises(SignInRefused):
        accounts.sign_in(LEADER, issued.password, code(issued, clock, -90))


def test_a_code_is_not_accepted_twice(accounts: Accounts, clock: Clock) -> None:
    issued = accounts.create(ADMIN, LEADER)
    used = code(issued, clock)
    accounts.sign_in(LEADER, issued.password, used)
    with pytest.raises(SignInRefused):
        accounts.sign_in(LEADER, issued.password, used)


def test_every_failed_sign_in_says_the_same(accounts: Accounts, clock: Clock) -> None:
    issued = accounts.create(ADMIN, LEADER)
    accounts.create(ADMIN, OFFICER)
    accounts.lock(ADMIN, OFFICER)
    good = code(issued, clock)
    wrong_code = f"{(int(good) + 1) % 1_000_000:06d}"
    attempts = [
        ("NOBODY", issued.password, good),  # no such person
        (SECURITY, issued.password, good),  # on the roster, no account
        (LEADER, issued.password + "x", good),  # wrong password
        (LEADER, issued.password, wrong_code),  # wrong code
        (LEADER, issued.password, "not a code"),
        (OFFICER, issued.password, good),  # locked
    ]
    texts = set()
    for person, password, given in attempts:
        with pytest.raises(SignInRefused) as refused:
            accounts.sign_in(person, password, given)
        texts.add((refused.value.message, refused.value.text("zh")))
        assert person not in refused.value.message
    assert len(texts) == 1
    (message, zh), *_ = texts
    assert "the person, the password or the code is wrong" in message
    assert "system administrator unlocks it" in message
    assert "连续失败5次" in zh


def test_locked_after_n_failures_then_unlocked_by_an_administrator(
    accounts: Accounts, clock: Clock, store: Store
) -> None:
    issued = accounts.create(ADMIN, LEADER)
    token = signed_in(accounts, issued, clock)
    limit = store.policy.accounts.max_failed_attempts
    for _ in range(limit):
        with pytest.raises(SignInRefused):
            accounts.sign_in(LEADER, "wrong password", code(issued, clock))
    row = accounts.list(ADMIN, LEADER)[0]
    assert (row.status, row.lock_reason, row.failed_attempts) == ("locked", "failed-attempts", 5)
    with pytest.raises(SessionInvalid):  # the lockout ended the live session
        accounts.authenticate(token)
    with pytest.raises(SignInRefused):  # the right password and code: still locked
        accounts.sign_in(LEADER, issued.password, code(issued, clock))
    before = len(account_events(store))
    with pytest.raises(SignInRefused):
        accounts.sign_in(LEADER, "wrong again", code(issued, clock))
    assert len(account_events(store)) == before  # nothing more is recorded while locked
    with pytest.raises(NotSystemAdmin):
        accounts.unlock(LEADER, LEADER)
    accounts.unlock(ADMIN, LEADER)
    assert accounts.list(ADMIN, LEADER)[0].failed_attempts == 0
    signed_in(accounts, issued, clock)
    with pytest.raises(AccountNotLocked):
        accounts.unlock(ADMIN, LEADER)


def test_lock_ends_sessions_and_refuses_sign_in(accounts: Accounts, clock: Clock) -> None:
    issued = accounts.create(ADMIN, LEADER)
    first = signed_in(accounts, issued, clock)
    second = signed_in(accounts, issued, clock)
    accounts.lock(ADMIN, LEADER)
    for token in (first, second):
        with pytest.raises(SessionInvalid):
            accounts.authenticate(token)
    with pytest.raises(SignInRefused):
        accounts.sign_in(LEADER, issued.password, code(issued, clock))
    with pytest.raises(AccountAlreadyLocked):
        accounts.lock(ADMIN, LEADER)
    accounts.lock(ADMIN, LEADER, LockReason.DEPARTED)
    assert accounts.list(ADMIN, LEADER)[0].lock_reason == "departed"


def test_reset_ends_sessions_and_only_the_new_password_works(
    accounts: Accounts, clock: Clock
) -> None:
    issued = accounts.create(ADMIN, LEADER)
    token = signed_in(accounts, issued, clock)
    renewed = accounts.reset(ADMIN, LEADER)
    assert renewed.totp_secret is None  # the second factor stays
    assert renewed.password != issued.password
    with pytest.raises(SessionInvalid):
        accounts.authenticate(token)
    with pytest.raises(SignInRefused):
        accounts.sign_in(LEADER, issued.password, code(issued, clock))
    clock.advance(seconds=30)
    accounts.sign_in(LEADER, renewed.password, code(issued, clock))


def test_reset_with_a_new_code_replaces_the_second_factor(accounts: Accounts, clock: Clock) -> None:
    issued = accounts.create(ADMIN, LEADER)
    renewed = accounts.reset(ADMIN, LEADER, new_code=True)
    assert renewed.totp_secret not in (None, issued.totp_secret)
    assert renewed.provisioning_uri is not None
    with pytest.raises(SignInRefused):
        accounts.sign_in(LEADER, renewed.password, code(issued, clock))
    clock.advance(seconds=30)
    accounts.sign_in(LEADER, renewed.password, code(renewed, clock))


# -- sessions ---------------------------------------------------------------------------------


def test_idle_expiry_slides_absolute_expiry_ends(
    accounts: Accounts, clock: Clock, store: Store
) -> None:
    policy = store.policy.accounts
    issued = accounts.create(ADMIN, LEADER)
    token = signed_in(accounts, issued, clock)
    started = clock() - timedelta(seconds=30)
    while clock() + timedelta(minutes=policy.idle_minutes - 1) < started + timedelta(
        hours=policy.absolute_hours
    ):
        clock.advance(minutes=policy.idle_minutes - 1)
        assert accounts.authenticate(token) == LEADER
    clock.now = started + timedelta(hours=policy.absolute_hours)
    with pytest.raises(SessionInvalid):
        accounts.authenticate(token)
    other = signed_in(accounts, issued, clock)
    clock.advance(minutes=policy.idle_minutes)
    with pytest.raises(SessionInvalid) as idle:
        accounts.authenticate(other)
    assert "expired" in idle.value.message


def test_forged_missing_and_signed_out_tokens_are_refused(accounts: Accounts, clock: Clock) -> None:
    issued = accounts.create(ADMIN, LEADER)
    token = signed_in(accounts, issued, clock)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in ("", forged, "x" * 43, issued.password):
        with pytest.raises(SessionInvalid):
            accounts.authenticate(bad)
    accounts.sign_out(token)
    with pytest.raises(SessionInvalid):
        accounts.authenticate(token)
    with pytest.raises(SessionInvalid):
        accounts.sign_out(token)


def test_a_departed_person_is_refused(accounts: Accounts, clock: Clock, store: Store) -> None:
    issued = accounts.create(ADMIN, LEADER)
    token = signed_in(accounts, issued, clock)
    store.app.load_roster(admin_roster(without=LEADER))
    with pytest.raises(SessionInvalid) as gone:
        accounts.authenticate(token)
    assert "no longer on the roster" in gone.value.message
    with pytest.raises(SignInRefused):
        accounts.sign_in(LEADER, issued.password, code(issued, clock))


def test_a_departure_locks_the_account_and_ends_its_sessions(
    accounts: Accounts, clock: Clock
) -> None:
    issued = accounts.create(ADMIN, LEADER)
    token = signed_in(accounts, issued, clock)
    assert accounts.departed(LEADER, "L-HY-01") is True
    assert accounts.departed(LEADER, "L-HY-01") is False  # once
    assert accounts.departed(OFFICER, "L-HY-01") is False  # no account: nothing to lock
    with pytest.raises(SessionInvalid):
        accounts.authenticate(token)
    row = accounts.list(ADMIN, LEADER)[0]
    assert (row.status, row.lock_reason) == ("locked", "departed")


# -- secrets ----------------------------------------------------------------------------------


def test_the_key_file_is_made_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "config" / "disputes" / "server.key"
    key = load_or_create_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key(path) == key


def test_the_key_file_defaults_to_the_config_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, store: Store
) -> None:
    monkeypatch.delenv(KEY_ENV)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    Accounts(store, secrets=Secrets(hasher=CHEAP_HASHER)).create(ADMIN, LEADER)
    path = tmp_path / "cfg" / "disputes" / "server.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_store_without_its_key_does_not_give_the_secret(
    accounts: Accounts, store: Store, clock: Clock, tmp_path: Path
) -> None:
    issued = accounts.create(ADMIN, LEADER)
    other = Accounts(
        store,
        clock,
        secrets=Secrets(key=load_or_create_key(tmp_path / "other.key"), hasher=CHEAP_HASHER),
    )
    with pytest.raises(DisputesError, match="encrypted with another key"):
        other.sign_in(LEADER, issued.password, code(issued, clock))


def test_no_secret_in_any_stored_event(accounts: Accounts, store: Store, clock: Clock) -> None:
    issued = accounts.create(ADMIN, LEADER)
    token = signed_in(accounts, issued, clock)
    with pytest.raises(SignInRefused):
        accounts.sign_in(LEADER, "wrong", code(issued, clock))
    renewed = accounts.reset(ADMIN, LEADER, new_code=True)
    accounts.lock(ADMIN, LEADER)
    accounts.unlock(ADMIN, LEADER)
    events = account_events(store)
    assert len(events) == 7
    secrets = [issued.password, issued.totp_secret, renewed.password, renewed.totp_secret, token]
    for fields in events:
        for value in fields.values():
            for secret in secrets:
                assert str(secret) not in str(value)
    snapshots = store.views.rows(f"SELECT state FROM {store.views.snapshots_table}")
    assert not any(str(issued.password).encode() in bytes(row[0]) for row in snapshots)


# -- the log --------------------------------------------------------------------------------


def test_account_events_verify_and_the_projections_ignore_them(
    accounts: Accounts, store: Store, clock: Clock
) -> None:
    from disputes.domain.commands import Report

    issued = accounts.create(ADMIN, LEADER)
    signed_in(accounts, issued, clock)
    with pytest.raises(SignInRefused):
        accounts.sign_in(LEADER, "wrong", code(issued, clock))
    report_ = Report.model_validate(
        {
            "actor": "G-WD-V01-G1",
            "category": "neighbour",
            "source": "informant",
            "village": "WD-V01",
            "summary": "两家因排水争执",
        }
    )
    case = store.execute(report_).case_no
    accounts.lock(ADMIN, LEADER)
    assert store.catch_up() == 0
    before = store.ledger()
    assert [row["case_no"] for row in before] == [case]
    store.projections.rebuild()
    assert store.ledger() == before
    report = verify_store(store)
    assert report.intact, report.problems
    assert report.events >= 6


def test_a_change_that_lost_a_race_is_decided_again_on_the_reloaded_account(
    accounts: Accounts, store: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    issued = accounts.create(ADMIN, LEADER)
    stale: Account = store.app.repository.get(account_id(LEADER))
    accounts.lock(ADMIN, LEADER)  # another administrator, meanwhile
    reads = iter([stale])
    fresh = accounts._get  # the seam where the account is read
    monkeypatch.setattr(accounts, "_get", lambda person: next(reads, None) or fresh(person))
    accounts.lock(ADMIN, LEADER, LockReason.DEPARTED)  # saved on the reloaded account
    account: Account = store.app.repository.get(account_id(LEADER))
    assert (account.version, account.locked) == (3, "departed")
    accounts.unlock(ADMIN, LEADER)
    stale_again: Account = store.app.repository.get(account_id(LEADER))
    with pytest.raises(SignInRefused):
        accounts.sign_in(LEADER, "wrong", code(issued, clock))  # another attempt, meanwhile
    found = iter([stale_again])
    finds = accounts._find
    monkeypatch.setattr(accounts, "_find", lambda person: next(found, None) or finds(person))
    with pytest.raises(SignInRefused):  # the stale account's save fails: counted on the fresh
        accounts.sign_in(LEADER, "wrong", code(issued, clock))
    assert accounts.list(ADMIN, LEADER)[0].failed_attempts == 2


# -- a roster changed by another process (a `roster depart` beside a running server) ----------


def test_a_departure_recorded_by_another_process_is_seen_by_a_running_application(
    accounts: Accounts, clock: Clock, store: Store, store_location: str
) -> None:
    from disputes.domain.roster import RosterChange

    issued = accounts.create(ADMIN, LEADER)
    token = signed_in(accounts, issued, clock)
    assert LEADER in store.app.roster.people  # the running application's cache is built
    with Store(store_location, clock=clock) as other:  # `roster depart` in local mode
        other.app.change_roster(RosterChange(clock(), "person-departed", {"person_id": LEADER}))
        Accounts(other, clock, secrets=Secrets(hasher=CHEAP_HASHER)).departed(LEADER, ADMIN)
    clock.advance(seconds=1)
    assert LEADER not in store.app.roster.people
    with pytest.raises(SessionInvalid):
        accounts.authenticate(token)
    with pytest.raises(AccountPersonGone) as unlock:
        accounts.unlock(ADMIN, LEADER)
    assert "no longer on the roster" in unlock.value.message
    assert "departed" in unlock.value.message
    assert unlock.value.zh is not None
    assert "离职" in unlock.value.zh
    with pytest.raises(AccountPersonGone):
        accounts.reset(ADMIN, LEADER)
    assert accounts.list(ADMIN, LEADER)[0].status == "locked"
    with pytest.raises(SignInRefused):
        accounts.sign_in(LEADER, issued.password, code(issued, clock))


def test_a_roster_change_by_another_application_on_the_same_store_is_seen(
    store: Store, store_location: str, clock: Clock
) -> None:
    from disputes.domain.roster import RosterChange

    assert "L-XG-01" in store.app.roster.people
    with Store(store_location, clock=clock) as other:
        other.app.change_roster(RosterChange(clock(), "person-departed", {"person_id": "L-XG-01"}))
    clock.advance(seconds=1)
    assert "L-XG-01" not in store.app.roster.people
    assert "L-XG-01" not in store.app.roster_at(clock()).people


def test_a_code_of_digits_that_are_not_ascii_is_refused_not_an_error() -> None:
    # "²".isdigit() is true; secrets.compare_digest refuses non-ASCII text with TypeError.
    secret, now = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", datetime(2021, 10, 6, 6, 0, tzinfo=UTC)
    assert Secrets.code_step(secret, Secrets.code_at(secret, now), now) is not None
    assert Secrets.code_step(secret, "12345²", now) is None
    assert Secrets.code_step(secret, "１２３４５６", now) is None  # full-width digits
