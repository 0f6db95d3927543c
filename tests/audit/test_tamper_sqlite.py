"""Tamper-evident log, the edits only an SQLite file allows (issue 4 §3–4, "Done when"): the
file's own bytes patched, a value of any type in any column, rows rewritten with the ``sqlite3``
module — in the events, the chain table and the checkpoints — and the signing keys. Verify names
every modified, deleted, inserted or reordered event by case number and version and changes
nothing. The edits both backends allow are in test_tamper.py, on SQLite and PostgreSQL.

Every store here is a copy of the scenarios store (``sd``): HY-2021-0001 (C01, 23 events),
HY-2021-0002 (C04, 14 events), HY-2022-0001 (C02, 12 events), plus the roster, case-number and
policy aggregates — 57 stored events.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from disputes.audit.checkpoint import sign
from disputes.domain.model import dispute_id
from tests.audit.tampering import SqliteHands, checkpoint, human, problems, verify
from tests.support.stores import settle

pytestmark = pytest.mark.sqlite_only  # edits the SQLite file by hand

if TYPE_CHECKING:
    import click

    from tests.support.driver import Disputes

C01, C04, C02 = "HY-2021-0001", "HY-2021-0002", "HY-2022-0001"
EVENTS = 57


@pytest.fixture
def hands(sd: Disputes) -> SqliteHands:
    return SqliteHands(sd)


# == modified ===================================================================================


def test_one_byte_edited_in_the_database_file_names_the_case_and_version(
    hands: SqliteHands,
) -> None:
    """The Done-when test: one byte of one stored event changed in the file itself."""
    target = hands.position(C01, 2)  # the first grading of C01: red
    state = hands.state_of(target)
    assert b'"grade":"red"' in state
    settle(hands.db)
    raw = hands.db.read_bytes()
    assert raw.count(state) == 1, "the event's bytes must be found exactly once in the file"
    at = raw.index(state) + state.index(b'"grade":"red"') + len(b'"grade":"r')
    patched = raw[:at] + b"o" + raw[at + 1 :]  # "red" -> "rod"
    assert sum(a != b for a, b in zip(raw, patched, strict=True)) == 1
    hands.db.write_bytes(patched)
    assert b'"grade":"rod"' in hands.state_of(target)

    report = verify(hands, code=1)
    assert problems(report) == {("modified", C01, 2)}
    assert report["problems"][0]["position"] == target
    stderr = human(hands)
    assert f"modified   position {target}  {C01} v2" in stderr
    assert stderr.startswith(f"NOT INTACT: 1 problems in {EVENTS} events")


def append_a_space(hands: SqliteHands, rowid: int) -> None:
    hands.set_state(rowid, hands.state_of(rowid) + b" ")


@pytest.mark.parametrize(
    ("column", "value"),
    [("state", "CAST(state AS TEXT) || ' '"), ("state", "NULL"), ("originator_version", "'three'")],
    ids=["state-as-text", "state-null", "version-as-text"],
)
def test_a_value_of_another_type_edited_in_is_named_not_a_crash(
    hands: SqliteHands, column: str, value: str
) -> None:
    """SQLite lets a hand edit store any type in any column; verify must still name the row."""
    target = hands.position(C04, 3)
    hands.sql((f"UPDATE stored_events SET {column} = {value} WHERE rowid = ?", (target,)))
    report = verify(hands, code=1)
    assert [(p["kind"], p["position"], p["case_no"]) for p in report["problems"]] == [
        ("modified" if column == "state" else "reordered", target, C04)
    ]


def test_a_changed_topic_is_a_modification(hands: SqliteHands) -> None:
    target = hands.position(C02, 4)
    hands.sql(
        (
            "UPDATE stored_events SET topic = 'disputes:Dispute.Closed' WHERE rowid = ?",
            (target,),
        ),
    )
    assert problems(verify(hands, code=1)) == {("modified", C02, 4)}


# == deleted ====================================================================================


def test_a_whole_case_deleted_names_every_event(hands: SqliteHands) -> None:
    hands.sql(("DELETE FROM stored_events WHERE originator_id = ?", (dispute_id(C02).hex,)))
    report = verify(hands, code=1)
    assert problems(report) == {("deleted", C02, v) for v in range(1, 13)}


# == reordered ==================================================================================


def test_the_contents_of_two_rows_swapped(hands: SqliteHands) -> None:
    """Same positions, ids and versions, but each row holds the other's topic and state."""
    first, second = hands.position(C04, 3), hands.position(C04, 4)
    with closing(sqlite3.connect(hands.db)) as connection:
        select = "SELECT topic, state FROM stored_events WHERE rowid = ?"
        a = connection.execute(select, (first,)).fetchone()
        b = connection.execute(select, (second,)).fetchone()
        assert a != b
        update = "UPDATE stored_events SET topic = ?, state = ? WHERE rowid = ?"
        connection.execute(update, (*b, first))
        connection.execute(update, (*a, second))
        connection.commit()
    assert problems(verify(hands, code=1)) == {("modified", C04, 3), ("modified", C04, 4)}


# == inserted ===================================================================================


def test_a_forged_row_that_is_not_even_an_event_is_named_not_a_crash(hands: SqliteHands) -> None:
    hands.sql(
        (
            "INSERT INTO stored_events VALUES (?, 13, 'disputes:Dispute.Closed', ?)",
            (dispute_id(C02).hex, b"{}"),
        ),
    )
    assert problems(verify(hands, code=1)) == {("inserted", C02, 13)}
    assert f"{C02} v13" in human(hands)


def test_a_forged_row_in_a_gap_left_by_a_deletion(hands: SqliteHands) -> None:
    """Delete an event and put another in its place: the position now holds a stranger."""
    target = hands.position(C01, 6)
    hands.sql(
        ("DELETE FROM stored_events WHERE rowid = ?", (target,)),
        (
            "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state)"
            " VALUES (?, ?, 99, 'disputes:Dispute.Visited', ?)",
            (target, dispute_id(C01).hex, hands.state_of(hands.position(C01, 5))),
        ),
    )
    report = verify(hands, code=1)
    assert ("reordered", C01, 99) in problems(report)


# == the chain table itself =====================================================================


@pytest.mark.parametrize("column", ["event_digest", "case_hash", "chain_hash"])
def test_an_edited_chain_row_names_the_case_and_version(hands: SqliteHands, column: str) -> None:
    target = hands.position(C02, 6)
    hands.sql(
        (
            f"UPDATE event_chain SET {column} = CASE substr({column}, 1, 1) WHEN '0' THEN '1'"
            f" ELSE '0' END || substr({column}, 2) WHERE notification_id = ?",
            (target,),
        ),
    )
    report = verify(hands, code=1)
    at_target = {
        (p["kind"], p["case_no"], p["version"])
        for p in report["problems"]
        if p["position"] == target
    }
    assert ("chain", C02, 6) in at_target
    assert f"chain      position {target}  {C02} v6" in human(hands)


def test_a_deleted_chain_row_leaves_its_event_unaccounted_for(hands: SqliteHands) -> None:
    target = hands.position(C01, 9)
    hands.sql(("DELETE FROM event_chain WHERE notification_id = ?", (target,)))
    assert ("inserted", C01, 9) in problems(verify(hands, code=1))


# == several kinds at once ======================================================================


def test_every_problem_is_reported_not_just_the_first(hands: SqliteHands) -> None:
    edited, deleted = hands.position(C01, 2), hands.position(C04, 5)
    first, second = hands.position(C02, 2), hands.position(C02, 3)
    hands.sql(
        (
            "UPDATE stored_events SET state = CAST(state || X'20' AS BLOB) WHERE rowid = ?",
            (edited,),
        ),
        ("DELETE FROM stored_events WHERE rowid = ?", (deleted,)),
        (
            "INSERT INTO stored_events VALUES (?, 40, 'disputes:Dispute.Visited', X'7B7D')",
            (dispute_id(C01).hex,),
        ),
    )
    hands.swap(first, second)
    report = verify(hands, code=1)
    assert problems(report) == {
        ("modified", C01, 2),
        ("deleted", C04, 5),
        ("reordered", C02, 3),
        ("reordered", C02, 2),
        ("inserted", C01, 40),
    }
    assert human(hands).startswith("NOT INTACT: 5 problems")


# == signed checkpoints =========================================================================


def test_a_checkpoint_moved_to_the_rewritten_head_fails_its_signature(
    hands: SqliteHands, key: Path
) -> None:
    checkpoint(hands, key)
    append_a_space(hands, hands.position(C01, 2))
    hands.rechain()
    hands.sql(
        "UPDATE checkpoints SET chain_hash = (SELECT chain_hash FROM event_chain"
        " ORDER BY notification_id DESC LIMIT 1)",
    )
    report = verify(hands, code=1)
    assert any("bad signature" in p["detail"] for p in report["problems"])


def test_a_checkpoint_re_signed_with_another_key_fails_against_the_station_key(
    hands: SqliteHands, key: Path
) -> None:
    """The attacker rewrites the log and signs the new head with a key of their own."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    checkpoint(hands, key)
    append_a_space(hands, hands.position(C01, 2))
    hands.rechain()
    with closing(sqlite3.connect(hands.db)) as connection:
        position_, head, signed_at = connection.execute(
            "SELECT position, (SELECT chain_hash FROM event_chain ORDER BY notification_id"
            " DESC LIMIT 1), signed_at FROM checkpoints"
        ).fetchone()
    forged = sign(Ed25519PrivateKey.generate(), position_, head, signed_at)
    hands.sql(
        (
            "UPDATE checkpoints SET chain_hash = ?, public_key = ?, signature = ?",
            (forged.chain_hash, forged.public_key, forged.signature),
        ),
    )
    report = verify(hands, "--key", f"{key}.pub", code=1)
    assert [p["detail"] for p in report["problems"]] == ["checkpoint 1: not signed by --key"]


def test_a_checkpoint_of_a_tampered_log_is_refused(hands: SqliteHands, key: Path) -> None:
    hands.sql("DELETE FROM stored_events WHERE rowid = 9")
    result = hands.d("checkpoint", "--key", str(key), code=1)
    assert "checkpoint refused: the log does not verify (1 problems)" in result.stderr
    assert hands.d.json("checkpoints", "--json") == []


# == keys =======================================================================================


@pytest.fixture
def not_a_key(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("not a key\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["missing", "a-directory", "not-a-key"])
def test_an_unusable_signing_key_is_named_and_nothing_is_signed(
    hands: SqliteHands, tmp_path: Path, not_a_key: Path, kind: str
) -> None:
    path = {"missing": tmp_path / "nope.key", "a-directory": tmp_path, "not-a-key": not_a_key}[kind]
    before = hands.contents()
    result = hands.d("checkpoint", "--key", str(path), code=2)
    assert result.stderr.startswith(f"error: --key: {path}") or result.stderr.startswith(
        f"error: --key: cannot read {path}"
    )
    assert str(path) in result.stderr
    assert hands.contents() == before
    assert hands.d.json("checkpoints", "--json") == []


def test_checkpoint_without_any_key_names_the_option_and_the_variable(hands: SqliteHands) -> None:
    result = hands.d("checkpoint", code=2)
    assert "error: --key: no signing key: give --key FILE or set DISPUTES_SIGNING_KEY" in (
        result.stderr
    )


def test_the_configured_signing_key_is_pinned_without_key_option(
    hands: SqliteHands, key: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkpoint re-signed by an attacker's key fails when DISPUTES_SIGNING_KEY is set."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    checkpoint(hands, key)
    with closing(sqlite3.connect(hands.db)) as connection:
        position_, head, signed_at = connection.execute(
            "SELECT position, chain_hash, signed_at FROM checkpoints"
        ).fetchone()
    forged = sign(Ed25519PrivateKey.generate(), position_, head, signed_at)
    hands.sql(
        (
            "UPDATE checkpoints SET public_key = ?, signature = ?",
            (forged.public_key, forged.signature),
        ),
    )
    assert verify(hands, code=0)["key_pinned"] is False
    monkeypatch.setenv("DISPUTES_SIGNING_KEY", str(key))
    report = verify(hands, code=1)
    assert report["key_pinned"] is True
    assert [p["detail"] for p in report["problems"]] == ["checkpoint 1: not signed by --key"]


def test_the_signing_key_may_come_from_the_environment(
    hands: SqliteHands, key: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPUTES_SIGNING_KEY", str(key))
    assert hands.d.json("checkpoint", "--json")["position"] == EVENTS


@pytest.mark.parametrize("kind", ["missing", "a-directory", "not-a-key"])
def test_verify_with_an_unusable_public_key_is_named(
    hands: SqliteHands, tmp_path: Path, not_a_key: Path, kind: str
) -> None:
    path = {"missing": tmp_path / "nope.pub", "a-directory": tmp_path, "not-a-key": not_a_key}[kind]
    result = hands.d("verify", "--key", str(path), code=2)
    assert result.stderr.startswith("error: --key: ")
    assert str(path) in result.stderr


def test_keygen_never_overwrites_a_key(cli: click.Group, key: Path) -> None:
    before = key.read_bytes()
    assert key.stat().st_mode & 0o777 == 0o600
    result = CliRunner().invoke(cli, ["keygen", "--out", str(key)], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: --out: {key} exists; refusing to overwrite a key"
    assert key.read_bytes() == before
