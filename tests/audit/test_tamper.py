"""Tamper-evident log (issue 4 §3–4, "Done when"): a store file edited like an attacker would —
with the ``sqlite3`` module or by patching the file's bytes — fails ``disputes verify``, which
names every modified, deleted, inserted or reordered event by case number and version; an
intact store verifies (exit 0); a signed checkpoint catches a rewrite that recomputes the chain.

Every store here is a copy of the scenarios store (``sd``): HY-2021-0001 (C01, 23 events),
HY-2021-0002 (C04, 14 events), HY-2022-0001 (C02, 12 events), plus the roster, case-number and
policy aggregates — 57 stored events.

(Over 400 lines: one test per way of editing the log, its chain and its checkpoints.)
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

from disputes.audit.chain import GENESIS, event_digest, link_case, link_global
from disputes.audit.checkpoint import CHECKPOINTS_ID, sign
from disputes.domain.model import dispute_id
from tests.support.stores import settle

pytestmark = pytest.mark.sqlite_only  # edits the SQLite file by hand

if TYPE_CHECKING:
    import click

    from tests.support.driver import Disputes

C01, C04, C02 = "HY-2021-0001", "HY-2021-0002", "HY-2022-0001"
EVENTS = 57
WATCHED = ("stored_events", "event_chain", "ledger", "history", "command_log", "tracking")


# -- what an attacker does -----------------------------------------------------------------------


def sql(db: Path, *statements: tuple[str, tuple[Any, ...]] | str) -> None:
    """Run statements on the store file and commit, as the sqlite3 tool would."""
    with closing(sqlite3.connect(db)) as connection:
        for statement in statements:
            if isinstance(statement, str):
                connection.execute(statement)
            else:
                connection.execute(*statement)
        connection.commit()


def position(db: Path, case_no: str, version: int) -> int:
    """The rowid (notification id) of a case's event."""
    with closing(sqlite3.connect(db)) as connection:
        row = connection.execute(
            "SELECT rowid FROM stored_events WHERE originator_id = ? AND originator_version = ?",
            (dispute_id(case_no).hex, version),
        ).fetchone()
    assert row is not None, f"{case_no} v{version} is not stored"
    return int(row[0])


def state_of(db: Path, rowid: int) -> bytes:
    with closing(sqlite3.connect(db)) as connection:
        return bytes(
            connection.execute(
                "SELECT state FROM stored_events WHERE rowid = ?", (rowid,)
            ).fetchone()[0]
        )


def contents(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the event store, the chain and the read models."""
    with closing(sqlite3.connect(db)) as connection:
        return {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in WATCHED
        }


def rechain(db: Path) -> None:
    """Recompute the whole ``event_chain`` from ``stored_events``, exactly as the recorder does
    (the attacker knows the algorithm; only the signing key is secret)."""
    with closing(sqlite3.connect(db)) as connection:
        events = connection.execute(
            "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events"
            " ORDER BY rowid"
        ).fetchall()
        head, cases, chain = GENESIS, dict[str, str](), []
        for rowid, oid, version, topic, state in events:
            digest = event_digest(oid, version, topic, bytes(state))
            cases[oid] = link_case(cases.get(oid, GENESIS), digest)
            head = link_global(head, rowid, digest)
            chain.append((rowid, oid, version, digest, cases[oid], head))
        connection.execute("DELETE FROM event_chain")
        connection.executemany("INSERT INTO event_chain VALUES (?,?,?,?,?,?)", chain)
        connection.commit()


# -- what the auditor sees -----------------------------------------------------------------------


def verify(d: Disputes, *args: str, code: int) -> dict[str, Any]:
    """``disputes verify --json``; checks the exit code and that verify changed nothing."""
    before = contents(d.db)
    report: dict[str, Any] = d.json("verify", "--json", *args, code=code)
    assert contents(d.db) == before, "verify changed the store"
    assert report["intact"] is (code == 0)
    return report


def problems(report: dict[str, Any]) -> set[tuple[str, str | None, int | None]]:
    return {(p["kind"], p["case_no"], p["version"]) for p in report["problems"]}


def human(d: Disputes) -> str:
    """The human report of a failing ``disputes verify`` (stderr)."""
    result = d("verify", code=1)
    assert result.stdout == ""
    return result.stderr


# == an intact store ============================================================================


def test_an_intact_store_verifies(sd: Disputes) -> None:
    report = verify(sd, code=0)
    assert report == {
        "intact": True,
        "events": EVENTS,
        "checkpoints": 0,
        "problems": [],
        "tail": {"events": EVENTS, "after_position": None},
        "key_pinned": False,
    }
    result = sd("verify")
    assert result.stdout == f"intact: {EVENTS} events, 0 checkpoints verified\n"
    assert result.stderr == (
        f"note: no checkpoint yet: all {EVENTS} events are protected by the chain alone"
        " (run `disputes checkpoint`)\n"
    )


def test_a_store_that_goes_on_being_used_stays_intact(sd: Disputes, key: Path) -> None:
    """Writes after a checkpoint extend the chain; both the log and the checkpoint verify."""
    sd("checkpoint", "--key", str(key))
    sd.write(
        "follow-up",
        C04,
        "--mode",
        "in-person",
        "--note",
        "回访",
        actor="A-XG-V01",
        when="2022-05-16T09:30",
    )
    report = verify(sd, code=0)
    assert (report["events"], report["checkpoints"]) == (EVENTS + 1, 1)


# == modified ===================================================================================


def test_one_byte_edited_in_the_database_file_names_the_case_and_version(sd: Disputes) -> None:
    """The Done-when test: one byte of one stored event changed in the file itself."""
    target = position(sd.db, C01, 2)  # the first grading of C01: red
    state = state_of(sd.db, target)
    assert b'"grade":"red"' in state
    settle(sd.db)
    raw = sd.db.read_bytes()
    assert raw.count(state) == 1, "the event's bytes must be found exactly once in the file"
    at = raw.index(state) + state.index(b'"grade":"red"') + len(b'"grade":"r')
    patched = raw[:at] + b"o" + raw[at + 1 :]  # "red" -> "rod"
    assert sum(a != b for a, b in zip(raw, patched, strict=True)) == 1
    sd.db.write_bytes(patched)
    assert b'"grade":"rod"' in state_of(sd.db, target)

    report = verify(sd, code=1)
    assert problems(report) == {("modified", C01, 2)}
    assert report["problems"][0]["position"] == target
    stderr = human(sd)
    assert f"modified   position {target}  {C01} v2" in stderr
    assert stderr.startswith(f"NOT INTACT: 1 problems in {EVENTS} events")


@pytest.mark.parametrize(
    ("case_no", "version"),
    [(C01, 1), (C04, 7), (C02, 12)],
    ids=["a-report", "an-event-inside", "a-case's-last-event"],
)
def test_one_byte_flipped_with_sqlite3_names_the_case_and_version(
    sd: Disputes, case_no: str, version: int
) -> None:
    """Any byte, even one that leaves the state undecodable: verify reads the raw rows."""
    target = position(sd.db, case_no, version)
    state = bytearray(state_of(sd.db, target))
    state[len(state) // 2] ^= 0x01
    sql(sd.db, ("UPDATE stored_events SET state = ? WHERE rowid = ?", (bytes(state), target)))
    report = verify(sd, code=1)
    assert problems(report) == {("modified", case_no, version)}
    assert f"{case_no} v{version}" in human(sd)


def append_a_space(db: Path, rowid: int) -> None:
    sql(
        db,
        ("UPDATE stored_events SET state = ? WHERE rowid = ?", (state_of(db, rowid) + b" ", rowid)),
    )


@pytest.mark.parametrize(
    ("column", "value"),
    [("state", "CAST(state AS TEXT) || ' '"), ("state", "NULL"), ("originator_version", "'three'")],
    ids=["state-as-text", "state-null", "version-as-text"],
)
def test_a_value_of_another_type_edited_in_is_named_not_a_crash(
    sd: Disputes, column: str, value: str
) -> None:
    """SQLite lets a hand edit store any type in any column; verify must still name the row."""
    target = position(sd.db, C04, 3)
    sql(sd.db, (f"UPDATE stored_events SET {column} = {value} WHERE rowid = ?", (target,)))
    report = verify(sd, code=1)
    assert [(p["kind"], p["position"], p["case_no"]) for p in report["problems"]] == [
        ("modified" if column == "state" else "reordered", target, C04)
    ]


def test_a_changed_topic_is_a_modification(sd: Disputes) -> None:
    target = position(sd.db, C02, 4)
    sql(
        sd.db,
        (
            "UPDATE stored_events SET topic = 'disputes:Dispute.Closed' WHERE rowid = ?",
            (target,),
        ),
    )
    assert problems(verify(sd, code=1)) == {("modified", C02, 4)}


# == deleted ====================================================================================


@pytest.mark.parametrize(
    ("case_no", "version"), [(C01, 3), (C04, 14)], ids=["inside", "the-newest-event"]
)
def test_a_deleted_row_names_the_case_and_version(sd: Disputes, case_no: str, version: int) -> None:
    target = position(sd.db, case_no, version)
    sql(sd.db, ("DELETE FROM stored_events WHERE rowid = ?", (target,)))
    report = verify(sd, code=1)
    assert problems(report) == {("deleted", case_no, version)}
    assert report["events"] == EVENTS - 1
    assert f"deleted    position {target}  {case_no} v{version}" in human(sd)


def test_a_whole_case_deleted_names_every_event(sd: Disputes) -> None:
    sql(sd.db, ("DELETE FROM stored_events WHERE originator_id = ?", (dispute_id(C02).hex,)))
    report = verify(sd, code=1)
    assert problems(report) == {("deleted", C02, v) for v in range(1, 13)}


# == reordered ==================================================================================


def swap_rowids(db: Path, first: int, second: int) -> None:
    sql(
        db,
        ("UPDATE stored_events SET rowid = -1 WHERE rowid = ?", (first,)),
        ("UPDATE stored_events SET rowid = ? WHERE rowid = ?", (first, second)),
        ("UPDATE stored_events SET rowid = ? WHERE rowid = -1", (second,)),
    )


def test_two_events_of_a_case_swapped(sd: Disputes) -> None:
    first, second = position(sd.db, C01, 3), position(sd.db, C01, 4)
    swap_rowids(sd.db, first, second)
    report = verify(sd, code=1)
    assert problems(report) == {("reordered", C01, 4), ("reordered", C01, 3)}
    assert {p["position"] for p in report["problems"]} == {first, second}
    stderr = human(sd)
    assert f"reordered  position {first}  {C01} v4" in stderr
    assert f"reordered  position {second}  {C01} v3" in stderr


def test_events_of_two_cases_swapped(sd: Disputes) -> None:
    first, second = position(sd.db, C01, 20), position(sd.db, C02, 5)
    swap_rowids(sd.db, first, second)
    assert problems(verify(sd, code=1)) == {("reordered", C02, 5), ("reordered", C01, 20)}


def test_the_contents_of_two_rows_swapped(sd: Disputes) -> None:
    """Same positions, ids and versions, but each row holds the other's topic and state."""
    first, second = position(sd.db, C04, 3), position(sd.db, C04, 4)
    with closing(sqlite3.connect(sd.db)) as connection:
        select = "SELECT topic, state FROM stored_events WHERE rowid = ?"
        a = connection.execute(select, (first,)).fetchone()
        b = connection.execute(select, (second,)).fetchone()
        assert a != b
        update = "UPDATE stored_events SET topic = ?, state = ? WHERE rowid = ?"
        connection.execute(update, (*b, first))
        connection.execute(update, (*a, second))
        connection.commit()
    assert problems(verify(sd, code=1)) == {("modified", C04, 3), ("modified", C04, 4)}


# == inserted ===================================================================================


def test_a_forged_row_appended_is_caught_and_not_taken_in(sd: Disputes) -> None:
    """A plausible forgery: a copy of the case's last event as a new version. Verify names it,
    and does not feed it to the ledger or the audit trail on the way."""
    last = position(sd.db, C04, 14)
    with closing(sqlite3.connect(sd.db)) as connection:
        topic = connection.execute(
            "SELECT topic FROM stored_events WHERE rowid = ?", (last,)
        ).fetchone()[0]
    sql(
        sd.db,
        (
            "INSERT INTO stored_events VALUES (?, 15, ?, ?)",
            (dispute_id(C04).hex, topic, state_of(sd.db, last)),
        ),
    )
    report = verify(sd, code=1)  # also checks that the views were left alone
    assert problems(report) == {("inserted", C04, 15)}
    assert report["problems"][0]["position"] == EVENTS + 1
    assert report["events"] == EVENTS + 1
    assert f"inserted   position {EVENTS + 1}  {C04} v15" in human(sd)


def test_a_forged_row_that_is_not_even_an_event_is_named_not_a_crash(sd: Disputes) -> None:
    sql(
        sd.db,
        (
            "INSERT INTO stored_events VALUES (?, 13, 'disputes:Dispute.Closed', ?)",
            (dispute_id(C02).hex, b"{}"),
        ),
    )
    assert problems(verify(sd, code=1)) == {("inserted", C02, 13)}
    assert f"{C02} v13" in human(sd)


def test_a_forged_row_in_a_gap_left_by_a_deletion(sd: Disputes) -> None:
    """Delete an event and put another in its place: the position now holds a stranger."""
    target = position(sd.db, C01, 6)
    sql(
        sd.db,
        ("DELETE FROM stored_events WHERE rowid = ?", (target,)),
        (
            "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state)"
            " VALUES (?, ?, 99, 'disputes:Dispute.Visited', ?)",
            (target, dispute_id(C01).hex, state_of(sd.db, position(sd.db, C01, 5))),
        ),
    )
    report = verify(sd, code=1)
    assert ("reordered", C01, 99) in problems(report)


# == the chain table itself =====================================================================


@pytest.mark.parametrize("column", ["event_digest", "case_hash", "chain_hash"])
def test_an_edited_chain_row_names_the_case_and_version(sd: Disputes, column: str) -> None:
    target = position(sd.db, C02, 6)
    sql(
        sd.db,
        (
            f"UPDATE event_chain SET {column} = CASE substr({column}, 1, 1) WHEN '0' THEN '1'"
            f" ELSE '0' END || substr({column}, 2) WHERE notification_id = ?",
            (target,),
        ),
    )
    report = verify(sd, code=1)
    at_target = {
        (p["kind"], p["case_no"], p["version"])
        for p in report["problems"]
        if p["position"] == target
    }
    assert ("chain", C02, 6) in at_target
    assert f"chain      position {target}  {C02} v6" in human(sd)


def test_a_deleted_chain_row_leaves_its_event_unaccounted_for(sd: Disputes) -> None:
    target = position(sd.db, C01, 9)
    sql(sd.db, ("DELETE FROM event_chain WHERE notification_id = ?", (target,)))
    assert ("inserted", C01, 9) in problems(verify(sd, code=1))


def rewrite(d: Disputes, case_no: str = C01, version: int = 2) -> None:
    """The perfect rewrite: red becomes blue in an event, the chain is recomputed and the views
    rebuilt from the rewritten events (``disputes rebuild``, as anyone holding the file can)."""
    target = position(d.db, case_no, version)
    sql(
        d.db,
        (
            "UPDATE stored_events SET state = CAST(REPLACE(CAST(state AS TEXT), '\"red\"',"
            " '\"blue\"') AS BLOB) WHERE rowid = ?",
            (target,),
        ),
    )
    rechain(d.db)
    d("rebuild")
    settle(d.db)


def test_a_rewrite_with_a_recomputed_chain_passes_the_chain_checks(sd: Disputes) -> None:
    """Without a checkpoint, a perfect rewrite is invisible to the chain — which is why
    checkpoints and witness files exist (README: what is protected). This pins the attacker
    model used below; a rewrite that leaves the views alone is caught by them (test_views)."""
    target = position(sd.db, C01, 2)
    sql(
        sd.db,
        (
            "UPDATE stored_events SET state = CAST(REPLACE(CAST(state AS TEXT), '\"red\"',"
            " '\"blue\"') AS BLOB) WHERE rowid = ?",
            (target,),
        ),
    )
    assert problems(verify(sd, code=1)) == {("modified", C01, 2)}
    rechain(sd.db)
    stale = verify(sd, code=1)  # the views still hold what the events said before
    assert {(p["kind"], p["table"], p["case_no"]) for p in stale["problems"]} >= {
        ("view", "history", C01)
    }
    sd("rebuild")
    verify(sd, code=0)


# == several kinds at once ======================================================================


def test_every_problem_is_reported_not_just_the_first(sd: Disputes) -> None:
    edited, deleted = position(sd.db, C01, 2), position(sd.db, C04, 5)
    first, second = position(sd.db, C02, 2), position(sd.db, C02, 3)
    sql(
        sd.db,
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
    swap_rowids(sd.db, first, second)
    report = verify(sd, code=1)
    assert problems(report) == {
        ("modified", C01, 2),
        ("deleted", C04, 5),
        ("reordered", C02, 3),
        ("reordered", C02, 2),
        ("inserted", C01, 40),
    }
    assert human(sd).startswith("NOT INTACT: 5 problems")


# == signed checkpoints =========================================================================


def checkpoint_record(db: Path, version: int = 1) -> dict[str, Any]:
    """The signed head a checkpoint record holds (its stored state)."""
    with closing(sqlite3.connect(db)) as connection:
        (state,) = connection.execute(
            "SELECT state FROM stored_events WHERE originator_id = ? AND originator_version = ?",
            (CHECKPOINTS_ID.hex, version),
        ).fetchone()
    found: dict[str, Any] = json.loads(state)
    return found


def edit_checkpoint(db: Path, version: int = 1, **changes: Any) -> None:
    """Change fields of a checkpoint record in the file (its chain entry left as it was)."""
    state = json.dumps({**checkpoint_record(db, version), **changes}, sort_keys=True)
    sql(
        db,
        (
            "UPDATE stored_events SET state = ? WHERE originator_id = ? AND originator_version = ?",
            (state.encode(), CHECKPOINTS_ID.hex, version),
        ),
    )


def head_at(db: Path, position_: int) -> str:
    with closing(sqlite3.connect(db)) as connection:
        (head,) = connection.execute(
            "SELECT chain_hash FROM event_chain WHERE notification_id = ?", (position_,)
        ).fetchone()
    return str(head)


def checkpoint(d: Disputes, key: Path) -> dict[str, Any]:
    taken: dict[str, Any] = d.json("checkpoint", "--key", str(key), "--json")
    return taken


def test_a_checkpoint_signs_the_head_and_is_listed(sd: Disputes, key: Path) -> None:
    taken = checkpoint(sd, key)
    assert taken["position"] == EVENTS
    with closing(sqlite3.connect(sd.db)) as connection:
        head = connection.execute(
            "SELECT chain_hash FROM event_chain WHERE notification_id = ?", (EVENTS,)
        ).fetchone()[0]
    assert taken["chain_hash"] == head
    assert sd.json("checkpoints", "--json") == [taken]
    assert verify(sd, "--key", f"{key}.pub", code=0)["checkpoints"] == 1


def test_a_checkpoint_catches_a_rewrite_with_a_recomputed_chain(sd: Disputes, key: Path) -> None:
    taken = checkpoint(sd, key)
    rewrite(sd)
    report = verify(sd, code=1)
    assert [(p["kind"], p["position"]) for p in report["problems"]] == [
        ("checkpoint", taken["position"])
    ]
    assert "no longer has the signed head" in report["problems"][0]["detail"]
    assert f"checkpoint {taken['id']}" in human(sd)


def test_a_checkpoint_moved_to_the_rewritten_head_fails_its_signature(
    sd: Disputes, key: Path
) -> None:
    checkpoint(sd, key)
    append_a_space(sd.db, position(sd.db, C01, 2))
    rechain(sd.db)
    edit_checkpoint(sd.db, chain_hash=head_at(sd.db, EVENTS))
    rechain(sd.db)
    sd("rebuild")
    report = verify(sd, code=1)
    assert any("bad signature" in p["detail"] for p in report["problems"])


def test_a_checkpoint_re_signed_with_another_key_fails_against_the_station_key(
    sd: Disputes, key: Path
) -> None:
    """The attacker rewrites the log and signs the new head with a key of their own."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    checkpoint(sd, key)
    append_a_space(sd.db, position(sd.db, C01, 2))
    rechain(sd.db)
    signed = checkpoint_record(sd.db)
    forged = sign(Ed25519PrivateKey.generate(), EVENTS, head_at(sd.db, EVENTS), signed["signed_at"])
    edit_checkpoint(
        sd.db,
        chain_hash=forged.chain_hash,
        public_key=forged.public_key,
        signature=forged.signature,
    )
    rechain(sd.db)
    sd("rebuild")
    verify(sd, code=0)  # without the station's key, the forged checkpoint passes
    report = verify(sd, "--key", f"{key}.pub", code=1)
    assert [p["detail"] for p in report["problems"]] == ["checkpoint 1: not signed by --key"]


def test_a_checkpoint_of_a_tampered_log_is_refused(sd: Disputes, key: Path) -> None:
    sql(sd.db, "DELETE FROM stored_events WHERE rowid = 9")
    result = sd("checkpoint", "--key", str(key), code=1)
    assert "checkpoint refused: the store does not verify (1 problems)" in result.stderr
    assert sd.json("checkpoints", "--json") == []


# == keys =======================================================================================


@pytest.fixture
def not_a_key(tmp_path: Path) -> Path:
    path = tmp_path / "notes.txt"
    path.write_text("not a key\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", ["missing", "a-directory", "not-a-key"])
def test_an_unusable_signing_key_is_named_and_nothing_is_signed(
    sd: Disputes, tmp_path: Path, not_a_key: Path, kind: str
) -> None:
    path = {"missing": tmp_path / "nope.key", "a-directory": tmp_path, "not-a-key": not_a_key}[kind]
    before = contents(sd.db)
    result = sd("checkpoint", "--key", str(path), code=2)
    assert result.stderr.startswith(f"error: --key: {path}") or result.stderr.startswith(
        f"error: --key: cannot read {path}"
    )
    assert str(path) in result.stderr
    assert contents(sd.db) == before
    assert sd.json("checkpoints", "--json") == []


def test_checkpoint_without_any_key_names_the_option_and_the_variable(sd: Disputes) -> None:
    result = sd("checkpoint", code=2)
    assert "error: --key: no signing key: give --key FILE or set DISPUTES_SIGNING_KEY" in (
        result.stderr
    )


def test_the_configured_signing_key_is_pinned_without_key_option(
    sd: Disputes, key: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkpoint re-signed by an attacker's key fails when DISPUTES_SIGNING_KEY is set."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    checkpoint(sd, key)
    signed = checkpoint_record(sd.db)
    forged = sign(
        Ed25519PrivateKey.generate(), signed["position"], signed["chain_hash"], signed["signed_at"]
    )
    edit_checkpoint(sd.db, public_key=forged.public_key, signature=forged.signature)
    rechain(sd.db)
    assert verify(sd, code=0)["key_pinned"] is False
    monkeypatch.setenv("DISPUTES_SIGNING_KEY", str(key))
    report = verify(sd, code=1)
    assert report["key_pinned"] is True
    assert [p["detail"] for p in report["problems"]] == ["checkpoint 1: not signed by --key"]


def test_the_signing_key_may_come_from_the_environment(
    sd: Disputes, key: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPUTES_SIGNING_KEY", str(key))
    assert sd.json("checkpoint", "--json")["position"] == EVENTS


@pytest.mark.parametrize("kind", ["missing", "a-directory", "not-a-key"])
def test_verify_with_an_unusable_public_key_is_named(
    sd: Disputes, tmp_path: Path, not_a_key: Path, kind: str
) -> None:
    path = {"missing": tmp_path / "nope.pub", "a-directory": tmp_path, "not-a-key": not_a_key}[kind]
    result = sd("verify", "--key", str(path), code=2)
    assert result.stderr.startswith("error: --key: ")
    assert str(path) in result.stderr


def test_keygen_never_overwrites_a_key(cli: click.Group, key: Path) -> None:
    before = key.read_bytes()
    assert key.stat().st_mode & 0o777 == 0o600
    result = CliRunner().invoke(cli, ["keygen", "--out", str(key)], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: --out: {key} exists; refusing to overwrite a key"
    assert key.read_bytes() == before
