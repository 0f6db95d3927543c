"""The Account aggregate's rules (docs/trust.md §2): given events, a command, the events it
records or the refusal — on the aggregate alone (hashes and secrets are opaque text here)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from eventsourcing.application import Application

from disputes.domain.accounts import (
    Account,
    AccountLocked,
    CodeReused,
    LockReason,
    account_id,
)
from disputes.domain.errors import AccountAlreadyLocked, AccountNotLocked, RuleViolation

NOW = datetime(2024, 3, 1, 1, 0, tzinfo=UTC)
ADMIN = "S-HY-01"
# Opaque stand-ins: the aggregate never reads a hash or a secret, only keeps them.
HASH = "$argon2id$opaque"
CIPHERTEXT = "gAAAA-opaque"
NEW_HASH = "$argon2id$new"
NEW_CIPHERTEXT = "gAAAA-new"


def new_account() -> Account:
    account = Account(
        person="L-WD-01",
        password_hash=HASH,
        totp_secret=CIPHERTEXT,
        actor=ADMIN,
        occurred_at=NOW,
    )
    account.collect_events()
    return account


def recorded(account: Account) -> list[str]:
    return [type(e).__name__ for e in account.collect_events()]


def test_one_account_per_person_by_a_derived_id() -> None:
    assert new_account().id == account_id("L-WD-01")
    assert account_id("L-WD-01") != account_id("L-WD-02")


def test_events_have_explicit_stable_topics() -> None:
    events = [Account.Created, Account.PasswordReset, Account.TotpEnrolled, Account.Locked]
    events += [Account.Unlocked, Account.SignInFailed, Account.SignedIn]
    assert [e.TOPIC for e in events] == [
        f"disputes:Account.{name}"
        for name in (
            "Created",
            "PasswordReset",
            "TotpEnrolled",
            "Locked",
            "Unlocked",
            "SignInFailed",
            "SignedIn",
        )
    ]


def test_locked_after_max_failed_attempts_in_a_row() -> None:
    account = new_account()
    for _ in range(2):
        assert account.fail_sign_in(3, NOW) is False
    assert recorded(account) == ["SignInFailed", "SignInFailed"]
    assert account.fail_sign_in(3, NOW) is True
    assert recorded(account) == ["SignInFailed", "Locked"]
    assert account.locked == LockReason.FAILED_ATTEMPTS
    # A locked account records no more failures: the log cannot be grown without bound.
    assert account.fail_sign_in(3, NOW) is False
    assert recorded(account) == []


def test_a_success_starts_the_count_again() -> None:
    account = new_account()
    account.fail_sign_in(3, NOW)
    account.fail_sign_in(3, NOW)
    account.sign_in(100, NOW)
    account.fail_sign_in(3, NOW)
    account.fail_sign_in(3, NOW)
    assert account.locked is None
    assert account.failed_attempts == 2
    assert account.last_sign_in_at == NOW


def test_a_locked_account_does_not_sign_in() -> None:
    account = new_account()
    account.lock(LockReason.ADMIN, ADMIN, NOW)
    with pytest.raises(AccountLocked):
        account.sign_in(100, NOW)


def test_a_code_is_used_once() -> None:
    account = new_account()
    account.sign_in(100, NOW)
    with pytest.raises(CodeReused):
        account.sign_in(100, NOW + timedelta(seconds=10))
    with pytest.raises(CodeReused):
        account.sign_in(99, NOW + timedelta(seconds=10))
    account.sign_in(101, NOW + timedelta(seconds=30))


def test_unlock_clears_the_lock_and_the_count() -> None:
    account = new_account()
    for _ in range(3):
        account.fail_sign_in(3, NOW)
    account.unlock(ADMIN, NOW)
    assert account.locked is None
    assert account.failed_attempts == 0
    assert recorded(account)[-1] == "Unlocked"


def test_unlock_of_an_open_account_is_refused_saying_why() -> None:
    with pytest.raises(AccountNotLocked) as refused:
        new_account().unlock(ADMIN, NOW)
    assert isinstance(refused.value, RuleViolation)
    assert "not locked" in refused.value.message
    assert "未锁定" in refused.value.text("zh")


def test_lock_twice_for_one_reason_is_refused_a_departure_replaces_the_reason() -> None:
    account = new_account()
    account.lock(LockReason.ADMIN, ADMIN, NOW)
    with pytest.raises(AccountAlreadyLocked) as refused:
        account.lock(LockReason.ADMIN, ADMIN, NOW)
    assert "accounts unlock L-WD-01" in refused.value.message
    account.lock(LockReason.DEPARTED, ADMIN, NOW)
    assert account.locked == LockReason.DEPARTED


def test_reset_counts_again_but_keeps_a_lock() -> None:
    account = new_account()
    account.fail_sign_in(5, NOW)
    account.lock(LockReason.ADMIN, ADMIN, NOW)
    account.reset_password(NEW_HASH, ADMIN, NOW)
    assert account.failed_attempts == 0
    assert account.locked == LockReason.ADMIN
    assert account.password_hash == NEW_HASH


def test_a_new_code_secret_allows_any_step_again() -> None:
    account = new_account()
    account.sign_in(500, NOW)
    account.enrol_totp(NEW_CIPHERTEXT, ADMIN, NOW)
    account.sign_in(10, NOW)
    assert account.totp_secret == NEW_CIPHERTEXT


def test_replayed_from_the_store_with_the_same_state() -> None:
    app: Application[object] = Application()
    account = new_account()
    account.fail_sign_in(2, NOW)
    account.fail_sign_in(2, NOW)
    account.unlock(ADMIN, NOW)
    account.sign_in(7, NOW)
    fresh = Account(
        person="P-WD-01", password_hash=HASH, totp_secret=CIPHERTEXT, actor=ADMIN, occurred_at=NOW
    )
    app.save(fresh)
    fresh.fail_sign_in(2, NOW)
    fresh.sign_in(3, NOW)
    app.save(fresh)
    again: Account = app.repository.get(account_id("P-WD-01"))
    assert (again.failed_attempts, again.last_totp_step, again.locked) == (0, 3, None)
    assert again.last_sign_in_at == NOW
