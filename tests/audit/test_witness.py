"""Checkpoints that cannot be deleted unseen, and witness files kept outside the store
(issue 10 item 2).

Inside the store, each checkpoint is itself an entry of the global chain (a checkpoint record in
the log), so deleting it fails ``verify``. Against someone who rewrites the whole file —
events, chain, checkpoints, views — only a witness outside the store helps: ``checkpoint
--witness FILE`` appends each signed head to FILE, and ``verify --witness FILE`` fails on any
rewrite or rollback behind a head it holds. Events after the latest checkpoint are reported as
protected by the chain alone.

Every store is a copy of the scenarios store (57 events); tampering is done on the file.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from disputes.audit.checkpoint import CHECKPOINTS_ID, sign
from tests.audit.test_tamper import (
    C04,
    EVENTS,
    checkpoint_record,
    edit_checkpoint,
    head_at,
    problems,
    rechain,
    rewrite,
    sql,
    verify,
)
from tests.support.stores import settle

if TYPE_CHECKING:
    from tests.support.driver import Disputes

pytestmark = pytest.mark.sqlite_only  # edits the SQLite file by hand

RECORD = EVENTS + 1
"""The position of the first checkpoint's own record (right after the head it signs)."""


def follow_up(d: Disputes, when: str = "2022-05-16T09:30") -> None:
    d.write("follow-up", C04, "--mode", "in-person", "--note", "回访", actor="A-XG-V01", when=when)


def delete_record(db: Path, version: int = 1, *, with_chain_entry: bool = False) -> None:
    """Delete a checkpoint record from the file (and its chain entry, when asked)."""
    at = position_of_record(db, version)
    statements: list[tuple[str, tuple[Any, ...]]] = [
        ("DELETE FROM stored_events WHERE rowid = ?", (at,))
    ]
    if with_chain_entry:
        statements.append(("DELETE FROM event_chain WHERE notification_id = ?", (at,)))
    sql(db, *statements)


def position_of_record(db: Path, version: int = 1) -> int:
    import sqlite3
    from contextlib import closing

    with closing(sqlite3.connect(db)) as connection:
        (at,) = connection.execute(
            "SELECT rowid FROM stored_events WHERE originator_id = ? AND originator_version = ?",
            (CHECKPOINTS_ID.hex, version),
        ).fetchone()
    return int(at)


# == inside the store: a checkpoint is an entry of the chain ===================================


def test_a_checkpoint_is_recorded_as_an_entry_of_the_chain(sd: Disputes, key: Path) -> None:
    taken = sd.json("checkpoint", "--key", str(key), "--json")
    assert (taken["id"], taken["position"]) == (1, EVENTS)
    assert position_of_record(sd.db) == RECORD
    assert checkpoint_record(sd.db)["chain_hash"] == taken["chain_hash"] == head_at(sd.db, EVENTS)
    report = verify(sd, "--key", f"{key}.pub", code=0)
    assert (report["events"], report["checkpoints"]) == (EVENTS, 1)  # the record is no event
    assert "tail" not in report


def test_deleting_a_checkpoint_record_fails_verify(sd: Disputes, key: Path) -> None:
    sd("checkpoint", "--key", str(key))
    delete_record(sd.db)
    report = verify(sd, "--key", f"{key}.pub", code=1)
    assert problems(report) == {("deleted", "checkpoint", 1)}
    assert report["problems"][0]["position"] == RECORD
    assert sd.json("checkpoints", "--json") == []
    assert f"deleted    position {RECORD}  checkpoint v1" in sd("verify", code=1).stderr


def test_deleting_a_checkpoint_with_its_chain_entry_breaks_the_chain(
    sd: Disputes, key: Path
) -> None:
    """Without recomputing the chain, the entries after the checkpoint no longer follow."""
    sd("checkpoint", "--key", str(key))
    follow_up(sd)
    delete_record(sd.db, with_chain_entry=True)
    report = verify(sd, code=1)
    assert [(p["kind"], p["position"]) for p in report["problems"]] == [("chain", RECORD + 1)]


def test_an_edited_checkpoint_record_is_named(sd: Disputes, key: Path) -> None:
    sd("checkpoint", "--key", str(key))
    edit_checkpoint(sd.db, signed_at="2020-01-01T00:00:00+08:00")
    report = verify(sd, code=1)
    assert ("modified", "checkpoint", 1) in problems(report)
    assert any("bad signature" in p["detail"] for p in report["problems"])


def test_a_checkpoint_by_another_key_fails_against_the_pinned_key(sd: Disputes, key: Path) -> None:
    """An attacker signs a checkpoint of their own (a well-formed record, chain recomputed)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    sd("checkpoint", "--key", str(key))
    signed = checkpoint_record(sd.db)
    forged = sign(Ed25519PrivateKey.generate(), EVENTS, signed["chain_hash"], signed["signed_at"])
    edit_checkpoint(sd.db, public_key=forged.public_key, signature=forged.signature)
    rechain(sd.db)
    verify(sd, code=0)  # its own key vouches for it …
    report = verify(sd, "--key", f"{key}.pub", code=1)  # … the station's does not
    assert [p["detail"] for p in report["problems"]] == ["checkpoint 1: not signed by --key"]


# == the tail after the latest checkpoint ========================================================


def test_events_after_the_latest_checkpoint_are_reported_as_the_chains_alone(
    sd: Disputes, key: Path
) -> None:
    sd("checkpoint", "--key", str(key))
    follow_up(sd)
    follow_up(sd, "2022-06-16T09:30")
    report = verify(sd, code=0)
    assert report["tail"] == {"events": 2, "after_position": EVENTS}
    result = sd("verify")
    assert result.stdout == f"intact: {EVENTS + 2} events, 1 checkpoints verified\n"
    assert result.stderr.startswith(
        f"note: 2 events after the latest checkpoint (position {EVENTS})"
        " are protected by the chain alone\n"
    )
    sd("checkpoint", "--key", str(key))
    assert "tail" not in verify(sd, code=0)


# == outside the store: the witness file =========================================================


@pytest.fixture
def witness(tmp_path: Path) -> Path:
    return tmp_path / "district.witness"


def test_checkpoint_appends_to_the_witness_file_and_never_overwrites(
    sd: Disputes, key: Path, witness: Path
) -> None:
    first = sd.json("checkpoint", "--key", str(key), "--witness", str(witness), "--json")
    line = witness.read_text(encoding="utf-8")
    assert json.loads(line) == {"format": "disputes-witness/1", **first}
    follow_up(sd)
    said = sd("checkpoint", "--key", str(key), "--witness", str(witness)).stdout
    assert said.startswith(f"checkpoint 2: position {RECORD + 1}, head ")
    assert said.endswith(f"\nwitness: appended to {witness} (keep it outside the store)\n")
    lines = witness.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[0] == line
    second = sd.json("checkpoints", "--json")[1]
    assert json.loads(lines[1]) == {"format": "disputes-witness/1", **second}
    result = sd("verify", "--witness", str(witness), "--key", f"{key}.pub")
    assert result.stdout == (
        f"intact: {EVENTS + 1} events, 2 checkpoints verified\n"
        f"witness: 2 heads of {witness} found in the log\n"
    )
    assert verify(sd, "--witness", str(witness), code=0)["witnessed"] == 2


def test_witness_export_writes_every_checkpoint_and_refuses_an_existing_file(
    sd: Disputes, key: Path, witness: Path
) -> None:
    taken = sd.json("checkpoint", "--key", str(key), "--json")
    assert sd("witness", "export", "--out", str(witness)).stdout == f"{witness}: 1 signed heads\n"
    assert [json.loads(x)["signature"] for x in witness.read_text().splitlines()] == [
        taken["signature"]
    ]
    before = witness.read_bytes()
    result = sd("witness", "export", "--out", str(witness), code=2)
    assert result.stderr == f"error: --out: {witness} exists; refusing to overwrite it\n"
    assert witness.read_bytes() == before
    verify(sd, "--witness", str(witness), code=0)


def test_a_rewrite_that_deletes_the_checkpoints_is_caught_by_the_witness(
    sd: Disputes, key: Path, witness: Path
) -> None:
    """The whole-file attacker: an event edited, the checkpoint deleted, the chain recomputed,
    the views rebuilt. The store alone cannot tell; the district's witness file can."""
    sd("checkpoint", "--key", str(key), "--witness", str(witness))
    delete_record(sd.db, with_chain_entry=True)
    rewrite(sd)
    assert verify(sd, "--key", f"{key}.pub", code=0)["checkpoints"] == 0  # the limit in-store
    report = verify(sd, "--key", f"{key}.pub", "--witness", str(witness), code=1)
    assert [(p["kind"], p["position"]) for p in report["problems"]] == [("witness", EVENTS)]
    assert "no longer has the signed head" in report["problems"][0]["detail"]
    stderr = sd("verify", "--witness", str(witness), code=1).stderr
    assert f"witness    position {EVENTS}  -: witnessed head 1:" in stderr


def test_deleting_the_latest_checkpoint_alone_is_caught_by_the_witness(
    sd: Disputes, key: Path, witness: Path
) -> None:
    """The checkpoint record and its chain entry cut off the end of the log: the chain cannot
    see a missing tail, the witness can."""
    sd("checkpoint", "--key", str(key), "--witness", str(witness))
    delete_record(sd.db, with_chain_entry=True)
    verify(sd, code=0)
    report = verify(sd, "--witness", str(witness), code=1)
    assert [p["kind"] for p in report["problems"]] == ["witness"]
    assert "the store lacks the witnessed checkpoint" in report["problems"][0]["detail"]


def test_a_rollback_to_an_older_copy_is_caught_by_the_witness(
    sd: Disputes, key: Path, witness: Path, tmp_path: Path
) -> None:
    """A backup from before the latest checkpoint put back in place of the store."""
    sd("checkpoint", "--key", str(key), "--witness", str(witness))
    settle(sd.db)
    backup = tmp_path / "backup.db"
    shutil.copyfile(sd.db, backup)
    follow_up(sd)
    sd("checkpoint", "--key", str(key), "--witness", str(witness))
    settle(sd.db)
    shutil.copyfile(backup, sd.db)
    verify(sd, "--key", f"{key}.pub", code=0)
    report = verify(sd, "--key", f"{key}.pub", "--witness", str(witness), code=1)
    assert [(p["kind"], p["position"]) for p in report["problems"]] == [("witness", RECORD + 1)]
    assert "rolled back or rewritten" in report["problems"][0]["detail"]


def test_a_witnessed_head_by_another_key_fails_against_the_pinned_key(
    sd: Disputes, key: Path, witness: Path
) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    taken = sd.json("checkpoint", "--key", str(key), "--json")
    forged = sign(Ed25519PrivateKey.generate(), EVENTS, taken["chain_hash"], taken["signed_at"])
    witness.write_text(
        json.dumps({"format": "disputes-witness/1", **forged.as_json()}) + "\n", encoding="utf-8"
    )
    report = verify(sd, "--key", f"{key}.pub", "--witness", str(witness), code=1)
    assert [p["detail"] for p in report["problems"]] == ["witnessed head None: not signed by --key"]


@pytest.mark.parametrize("kind", ["missing", "not-json", "not-a-head"])
def test_an_unusable_witness_file_is_named(sd: Disputes, witness: Path, kind: str) -> None:
    if kind == "not-json":
        witness.write_text("{\n", encoding="utf-8")
    elif kind == "not-a-head":
        witness.write_text('{"format": "disputes-witness/1", "position": 3}\n', encoding="utf-8")
    result = sd("verify", "--witness", str(witness), code=2)
    assert result.stderr.startswith("error: --witness: ")
    assert str(witness) in result.stderr
    assert "Traceback" not in result.stderr


def test_checkpoint_to_an_unwritable_witness_takes_no_checkpoint(
    sd: Disputes, key: Path, tmp_path: Path
) -> None:
    nowhere = tmp_path / "no-such-folder" / "district.witness"
    result = sd("checkpoint", "--key", str(key), "--witness", str(nowhere), code=2)
    assert result.stderr.startswith(f"error: --witness: cannot append to {nowhere}")
    assert sd.json("checkpoints", "--json") == []
