"""Case dossiers (issue 4 §5, "Bad input", "Done when"): ``export CASE --dossier FILE`` after a
checkpoint writes a file that ``verify-dossier FILE --key PUBLIC_KEY`` verifies offline, with no
store at all; any edit to it — truncated, reordered, one character changed, re-signed with
another key — fails (exit 1) naming what is wrong; a key that cannot be used is exit 2; an
export with no checkpoint, or with events after the latest one, is refused (exit 1).
(Over 400 lines: one tamper case per way of editing a dossier.)

Stores are copies of the scenarios store; the dossiers are of HY-2021-0002 (C04, 14 events).
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

from disputes.audit.chain import event_digest, link_case, link_global
from disputes.audit.checkpoint import load_private_key, load_public_key, sign
from disputes.audit.dossier import verify_dossier
from tests.support.driver import follow_up_after_the_scenarios

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import click

    from tests.support.driver import Disputes

CASE = "HY-2021-0002"
CASE_EVENTS = 14
OTHER = "HY-2021-0001"
HEAD = 57


@pytest.fixture
def dossier(sd: Disputes, key: Path, tmp_path: Path) -> Path:
    """A checkpoint, then the dossier of CASE."""
    sd("checkpoint", "--key", str(key))
    path = tmp_path / "case.json"
    result = sd("export", CASE, "--dossier", str(path))
    assert result.stdout == (
        f"{path}: {CASE_EVENTS} events of {CASE}, checkpoint 1 at position {HEAD}\n"
    )
    return path


def check(d: Disputes, path: Path, key: Path, *, code: int) -> list[str]:
    """``verify-dossier --json``: the problems it names (none when it verifies)."""
    answer = d.json("verify-dossier", str(path), "--key", str(key), "--json", code=code)
    assert answer["verified"] is (code == 0)
    problems: list[str] = answer["problems"]
    return problems


def edited(path: Path, change: Callable[[dict[str, Any]], None]) -> Path:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    out = path.with_name("edited.json")
    out.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return out


def public(key: Path) -> Path:
    return Path(f"{key}.pub")


# == it verifies ================================================================================


@pytest.mark.sqlite_only
def test_a_dossier_verifies_offline_with_the_public_key(
    sd: Disputes, dossier: Path, key: Path
) -> None:
    history = sd.history(CASE)
    checkpoints = sd.json("checkpoints", "--json")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{sd.db}{suffix}").unlink(missing_ok=True)

    result = sd("verify-dossier", str(dossier), "--key", str(public(key)))
    assert result.stdout.startswith(
        f"verified: {CASE}, {CASE_EVENTS} events, signed head at position {HEAD} ("
    )
    assert check(sd, dossier, public(key), code=0) == []
    assert not sd.db.exists(), "verify-dossier opened a store"

    data = json.loads(dossier.read_text(encoding="utf-8"))
    assert [e["version"] for e in data["events"]] == [r["version"] for r in history]
    assert [e["topic"].rsplit(".", 1)[-1] for e in data["events"]] == [r["event"] for r in history]
    assert json.loads(data["events"][0]["state"])["case_no"] == CASE
    assert data["checkpoint"] == checkpoints[-1]


def test_the_private_key_file_also_serves_as_the_public_key(
    sd: Disputes, dossier: Path, key: Path
) -> None:
    assert check(sd, dossier, key, code=0) == []


def test_checkpoint_export_and_verify_dossier_on_the_store_under_test(
    sd: Disputes, key: Path, tmp_path: Path
) -> None:
    """The whole round on the backend under test (the offline test above deletes an SQLite
    file): checkpoint, export, verify-dossier; one edited state fails."""
    taken = sd.json("checkpoint", "--key", str(key), "--json")
    assert sd.json("checkpoints", "--json") == [taken]
    verified = sd.json("verify", "--json", "--key", f"{key}.pub")
    assert (verified["intact"], verified["checkpoints"]) == (True, 1)
    dossier = tmp_path / "case.json"
    result = sd("export", CASE, "--dossier", str(dossier))
    assert (
        result.stdout
        == f"{dossier}: {CASE_EVENTS} events of {CASE}, checkpoint 1 at position {HEAD}\n"
    )
    answer = sd.json("verify-dossier", str(dossier), "--key", f"{key}.pub", "--json")
    assert answer == {"verified": True, "problems": []}
    data = json.loads(dossier.read_text(encoding="utf-8"))
    data["events"][3]["state"] = data["events"][3]["state"].replace("a", "b", 1)
    dossier.write_text(json.dumps(data), encoding="utf-8")
    answer = sd.json("verify-dossier", str(dossier), "--key", f"{key}.pub", "--json", code=1)
    assert answer["verified"] is False


def test_reformatting_the_json_changes_nothing_that_is_verified(
    sd: Disputes, dossier: Path, key: Path
) -> None:
    compact = dossier.with_name("compact.json")
    compact.write_text(json.dumps(json.loads(dossier.read_text(encoding="utf-8"))), "utf-8")
    assert check(sd, compact, public(key), code=0) == []


def test_a_case_with_no_events_since_the_checkpoint_exports_after_later_writes(
    sd: Disputes, key: Path, tmp_path: Path
) -> None:
    """Writes to another case after the checkpoint do not hold this case's dossier back."""
    sd("checkpoint", "--key", str(key))
    follow_up_after_the_scenarios(sd, CASE)
    path = tmp_path / "other.json"
    sd("export", OTHER, "--dossier", str(path))
    assert check(sd, path, public(key), code=0) == []


# == any edit fails =============================================================================


@pytest.mark.parametrize("kept", [0.0, 0.1, 0.5, 0.999])
def test_a_truncated_file_is_named(sd: Disputes, dossier: Path, key: Path, kept: float) -> None:
    """Cut anywhere, the file is no longer JSON: README "For auditors" gives exit 2 when the
    file cannot be read, naming the file. (A cut that keeps valid JSON — events dropped — is a
    failed verification, exit 1: the next tests.)"""
    raw = dossier.read_bytes()
    cut = dossier.with_name("cut.json")
    cut.write_bytes(raw[: int(len(raw) * kept)])
    result = sd("verify-dossier", str(cut), "--key", str(public(key)), code=2)
    assert result.stderr.startswith(f"error: {cut}: not a dossier (truncated or not JSON)")
    assert result.stdout == ""


def test_events_cut_off_at_the_end_are_named(sd: Disputes, dossier: Path, key: Path) -> None:
    """The subtle truncation: the last events dropped, the rest intact and valid JSON."""

    def drop_last_two(data: dict[str, Any]) -> None:
        del data["events"][-2:]

    problems = check(sd, edited(dossier, drop_last_two), public(key), code=1)
    assert len(problems) == 1
    assert problems[0].startswith(f"events: the signed log has v{CASE_EVENTS - 1} (position ")
    assert f"v{CASE_EVENTS} (position " in problems[0]
    assert problems[0].endswith("of the case, missing here")


def test_events_cut_off_at_the_start_are_named(sd: Disputes, dossier: Path, key: Path) -> None:
    def drop_first(data: dict[str, Any]) -> None:
        del data["events"][0]

    problems = check(sd, edited(dossier, drop_first), public(key), code=1)
    assert "event 1: version 2 out of order (expected 1)" in problems
    assert any(p.startswith("events: the signed log has v1 (position ") for p in problems)


def test_reordered_events_are_named(sd: Disputes, dossier: Path, key: Path) -> None:
    def swap(data: dict[str, Any]) -> None:
        events = data["events"]
        events[4], events[5] = events[5], events[4]

    problems = check(sd, edited(dossier, swap), public(key), code=1)
    assert "event 5: version 6 out of order (expected 5)" in problems
    assert "event 6: version 5 out of order (expected 6)" in problems
    assert (
        "NOT VERIFIED"
        in sd(
            "verify-dossier",
            str(dossier.with_name("edited.json")),
            "--key",
            str(public(key)),
            code=1,
        ).stderr
    )


def test_one_character_changed_in_an_event_is_named(sd: Disputes, dossier: Path, key: Path) -> None:
    def one_character(data: dict[str, Any]) -> None:
        state: str = data["events"][6]["state"]
        at = state.index('"actor":"') + len('"actor":"')
        data["events"][6]["state"] = state[:at] + "Z" + state[at + 1 :]
        assert data["events"][6]["state"] != state

    position = json.loads(dossier.read_text("utf-8"))["events"][6]["position"]
    changed = edited(dossier, one_character)
    assert check(sd, changed, public(key), code=1) == [
        "event v7: content does not match its digest (edited)",
        "event v7: case chain broken",
        f"event v7: not in the signed log at position {position}",
    ]
    stderr = sd("verify-dossier", str(changed), "--key", str(public(key)), code=1).stderr
    assert stderr.splitlines() == [
        f"NOT VERIFIED: {changed}",
        "  event v7: content does not match its digest (edited)",
        "  event v7: case chain broken",
        f"  event v7: not in the signed log at position {position}",
    ]


def link_digest(oid: str, version: int, topic: str, state_hash: str) -> str:
    """An event's digest from its parts (chain.py's canonical serialisation)."""
    return hashlib.sha256(
        json.dumps([oid, version, topic, state_hash], separators=(",", ":")).encode()
    ).hexdigest()


def test_an_edit_with_every_hash_recomputed_misses_the_signed_head(
    sd: Disputes, dossier: Path, key: Path
) -> None:
    """The forger recomputes the event's digest, the case chain, every event's chain hash and
    the proof — everything but the signature."""

    def forge(data: dict[str, Any]) -> None:
        oid, events = data["originator_id"], data["events"]
        assert "P-" in events[2]["state"]
        events[2]["state"] = events[2]["state"].replace("P-", "Q-")
        case_hash, parts = "", {}
        for event in events:
            state = event["state"].encode("utf-8")
            event["digest"] = event_digest(oid, event["version"], event["topic"], state)
            case_hash = event["case_hash"] = link_case(case_hash, event["digest"])
            parts[event["position"]] = (event["topic"], hashlib.sha256(state).hexdigest())
        assert link_digest(oid, 1, *parts[events[0]["position"]]) == events[0]["digest"]
        chain = data["proof"]["previous_chain_hash"]
        by_position = {e["position"]: e for e in events}
        for link in data["proof"]["links"]:
            if link[0] in parts:
                link[3], link[4] = parts[link[0]]
            chain = link_global(chain, link[0], link_digest(*link[1:]))
            if link[0] in by_position:
                by_position[link[0]]["chain_hash"] = chain

    problems = check(sd, edited(dossier, forge), public(key), code=1)
    assert problems == ["proof: the chain does not reach the signed checkpoint head"]


def test_a_dossier_re_signed_with_another_key_is_named(
    sd: Disputes, dossier: Path, key: Path, cli: click.Group, tmp_path: Path
) -> None:
    other = tmp_path / "other.key"
    CliRunner().invoke(cli, ["keygen", "--out", str(other)], catch_exceptions=False)
    forger = load_private_key(str(other))

    def re_sign(data: dict[str, Any]) -> None:
        c = data["checkpoint"]
        forged = sign(forger, c["position"], c["chain_hash"], c["signed_at"])
        c["public_key"], c["signature"] = forged.public_key, forged.signature

    resigned = edited(dossier, re_sign)
    assert check(sd, resigned, public(other), code=0) == [], "the forgery itself is sound"
    assert check(sd, resigned, public(key), code=1) == [
        "checkpoint: signed with a different key than --key",
        "checkpoint: the signature does not verify with --key",
    ]


def test_a_dossier_checked_against_another_key_fails(
    sd: Disputes, dossier: Path, cli: click.Group, tmp_path: Path
) -> None:
    other = tmp_path / "other.key"
    CliRunner().invoke(cli, ["keygen", "--out", str(other)], catch_exceptions=False)
    assert check(sd, dossier, public(other), code=1) == [
        "checkpoint: signed with a different key than --key",
        "checkpoint: the signature does not verify with --key",
    ]


def leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every scalar in a JSON value."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from leaves(v, (*path, i))
    else:
        yield path


def one_character_changed(value: Any) -> Any:
    """The value with one character changed (a digit of a number, a letter or hex digit of a
    string; hex stays lower-case hex)."""
    if isinstance(value, bool) or value is None:
        msg = f"no booleans or nulls in a dossier: {value!r}"
        raise AssertionError(msg)
    if isinstance(value, int):
        text = str(value)
        return int(text[:-1] + ("1" if text[-1] != "1" else "2"))
    at = len(value) // 2
    old = value[at]
    new = (
        ("1" if old != "1" else "2") if old in "0123456789abcdef" else ("x" if old != "x" else "y")
    )
    return value[:at] + new + value[at + 1 :]


def test_any_single_character_edit_anywhere_fails(dossier: Path, key: Path) -> None:
    """Every scalar of the dossier, changed by one character, fails verification — except the
    checkpoint's ``id``, the store's row number of the checkpoint, which is not signed."""
    original = json.loads(dossier.read_text(encoding="utf-8"))
    station = load_public_key(str(public(key)))
    assert verify_dossier(original, station) == []
    paths = [p for p in leaves(original) if p != ("checkpoint", "id")]
    assert len(paths) > 100
    passed = []
    for path in paths:
        data = copy.deepcopy(original)
        holder = data
        for step in path[:-1]:
            holder = holder[step]
        if holder[path[-1]] == "":
            continue
        holder[path[-1]] = one_character_changed(holder[path[-1]])
        if not verify_dossier(data, station):
            passed.append(path)
    assert passed == [], f"edits that still verify: {passed}"


# == keys and files that cannot be used =========================================================


@pytest.mark.parametrize("kind", ["missing", "a-directory", "not-a-key"])
def test_an_unusable_key_file_is_exit_2_with_a_clear_message(
    sd: Disputes, dossier: Path, tmp_path: Path, kind: str
) -> None:
    garbage = tmp_path / "garbage.pub"
    garbage.write_text("-----BEGIN PUBLIC KEY-----\nnot base64\n", encoding="utf-8")
    path = {"missing": tmp_path / "nope.pub", "a-directory": tmp_path, "not-a-key": garbage}[kind]
    result = sd("verify-dossier", str(dossier), "--key", str(path), code=2)
    assert result.stdout == ""
    expected = {
        "missing": f"error: --key: cannot read {path}: No such file or directory",
        "a-directory": f"error: --key: cannot read {path}: Is a directory",
        "not-a-key": f"error: --key: {path} is not a PEM Ed25519 key",
    }[kind]
    assert result.stderr.strip() == expected


def test_a_key_of_another_algorithm_is_exit_2(sd: Disputes, dossier: Path, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key

    path = tmp_path / "ec.pub"
    path.write_bytes(
        generate_private_key(SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    result = sd("verify-dossier", str(dossier), "--key", str(path), code=2)
    assert result.stderr.strip() == f"error: --key: {path} is not an Ed25519 key"


def test_without_a_key_verify_dossier_is_a_usage_error(sd: Disputes, dossier: Path) -> None:
    result = sd("verify-dossier", str(dossier), code=2)
    assert "错误：缺少选项 --key" in result.stderr
    result = sd("verify-dossier", str(dossier), "--lang", "en", code=2)
    assert "Missing option '--key'" in result.stderr


def test_a_missing_dossier_file_is_named(sd: Disputes, key: Path, tmp_path: Path) -> None:
    path = tmp_path / "nowhere.json"
    result = sd("verify-dossier", str(path), "--key", str(public(key)), "--lang", "en", code=2)
    assert result.stderr.strip() == f"error: {path}: cannot read: No such file or directory"


# == exports that are refused ===================================================================


def test_export_without_any_checkpoint_is_refused(sd: Disputes, tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    stderr = sd.fails("export", CASE, "--dossier", str(path), code=1)
    assert stderr.strip() == "error: no checkpoint yet: run `disputes checkpoint` first"
    assert not path.exists()


def test_export_with_events_after_the_latest_checkpoint_is_refused(
    sd: Disputes, key: Path, tmp_path: Path
) -> None:
    sd("checkpoint", "--key", str(key))
    follow_up_after_the_scenarios(sd, CASE)
    path = tmp_path / "case.json"
    stderr = sd.fails("export", CASE, "--dossier", str(path), code=1)
    assert stderr.strip() == (
        f"error: {CASE} has events recorded after the latest checkpoint (position {HEAD}):"
        " run `disputes checkpoint` first"
    )
    assert not path.exists()
    sd("checkpoint", "--key", str(key))
    sd("export", CASE, "--dossier", str(path))
    assert check(sd, path, public(key), code=0) == []


def test_export_of_an_unknown_case_is_not_found(sd: Disputes, key: Path, tmp_path: Path) -> None:
    sd("checkpoint", "--key", str(key))
    path = tmp_path / "case.json"
    stderr = sd.fails("export", "HY-2021-0999", "--dossier", str(path), code=3)
    assert stderr.strip() == "error: case HY-2021-0999 not found"
    assert not path.exists()
