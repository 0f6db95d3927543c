"""Tamper-evident log (issue 4 §3–4, "Done when"; issue 5 for PostgreSQL): rows of the event
store edited the way an attacker with database access would — one byte of an event's state, a
row deleted, two rows' positions swapped, a forged row appended, a rewrite with the chain
recomputed — make ``disputes verify`` exit 1 naming every modified, deleted, inserted or
reordered event by case number and version, and change nothing; an intact store verifies
(exit 0); a signed checkpoint catches a rewrite that recomputes the chain.

Each test runs on SQLite and on PostgreSQL (parametrised by backend, tests/conftest.py), on its
own copy of the scenarios store: HY-2021-0001 (C01, 23 events), HY-2021-0002 (C04, 14 events),
HY-2022-0001 (C02, 12 events), plus the roster, case-number and policy aggregates — 57 stored
events. The edits only SQLite allows (a value of any type in any column, the file's own bytes
patched) and the hand edits of the chain and checkpoint tables are in test_tamper_sqlite.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.audit.tampering import checkpoint, human, problems, verify
from tests.support.driver import follow_up_after_the_scenarios

if TYPE_CHECKING:
    from tests.audit.tampering import Hands

C01, C04, C02 = "HY-2021-0001", "HY-2021-0002", "HY-2022-0001"
EVENTS = 57


def red_to_blue(hands: Hands, case_no: str, version: int) -> None:
    """The grading of ``case_no`` at ``version`` rewritten from red to blue."""
    target = hands.position(case_no, version)
    hands.set_state(target, hands.state_of(target).replace(b'"red"', b'"blue"'))


# == an intact store ============================================================================


def test_an_intact_store_verifies(hands: Hands) -> None:
    report = verify(hands, code=0)
    assert report == {
        "intact": True,
        "events": EVENTS,
        "checkpoints": 0,
        "problems": [],
        "key_pinned": False,
    }
    assert hands.d("verify").stdout == f"intact: {EVENTS} events, 0 checkpoints verified\n"


def test_a_store_that_goes_on_being_used_stays_intact(hands: Hands, key: Path) -> None:
    """Writes after a checkpoint extend the chain; both the log and the checkpoint verify."""
    hands.d("checkpoint", "--key", str(key))
    follow_up_after_the_scenarios(hands.d, C04)
    report = verify(hands, code=0)
    assert (report["events"], report["checkpoints"]) == (EVENTS + 1, 1)


# == modified ===================================================================================


def test_one_byte_of_an_events_state_edited_names_the_case_and_version(hands: Hands) -> None:
    target = hands.position(C01, 2)  # the first grading of C01: red
    state = hands.state_of(target)
    assert b'"grade":"red"' in state
    at = state.index(b'"grade":"red"') + len(b'"grade":"r')
    hands.set_state(target, state[:at] + b"o" + state[at + 1 :])  # "red" -> "rod"
    assert b'"grade":"rod"' in hands.state_of(target)

    report = verify(hands, code=1)
    assert problems(report) == {("modified", C01, 2)}
    assert report["problems"][0]["position"] == target
    stderr = human(hands)
    assert stderr.startswith(f"NOT INTACT: 1 problems in {EVENTS} events")
    assert f"modified   position {target}  {C01} v2" in stderr


@pytest.mark.parametrize(
    ("case_no", "version"),
    [(C01, 1), (C04, 7), (C02, 12)],
    ids=["a-report", "an-event-inside", "a-case's-last-event"],
)
def test_one_bit_flipped_anywhere_in_a_state_names_the_case_and_version(
    hands: Hands, case_no: str, version: int
) -> None:
    """Any byte, even one that leaves the state undecodable: verify reads the raw rows."""
    target = hands.position(case_no, version)
    state = bytearray(hands.state_of(target))
    state[len(state) // 2] ^= 0x01
    hands.set_state(target, bytes(state))
    report = verify(hands, code=1)
    assert problems(report) == {("modified", case_no, version)}
    assert f"{case_no} v{version}" in human(hands)


# == deleted ====================================================================================


@pytest.mark.parametrize(
    ("case_no", "version"), [(C01, 3), (C04, 14)], ids=["inside", "the-newest-event"]
)
def test_a_deleted_row_names_the_case_and_version(hands: Hands, case_no: str, version: int) -> None:
    target = hands.position(case_no, version)
    hands.delete(target)
    report = verify(hands, code=1)
    assert problems(report) == {("deleted", case_no, version)}
    assert report["events"] == EVENTS - 1
    assert f"deleted    position {target}  {case_no} v{version}" in human(hands)


# == reordered ==================================================================================


def test_two_events_of_a_case_swapped(hands: Hands) -> None:
    first, second = hands.position(C01, 3), hands.position(C01, 4)
    hands.swap(first, second)
    report = verify(hands, code=1)
    assert problems(report) == {("reordered", C01, 4), ("reordered", C01, 3)}
    assert {p["position"] for p in report["problems"]} == {first, second}
    stderr = human(hands)
    assert f"reordered  position {first}  {C01} v4" in stderr
    assert f"reordered  position {second}  {C01} v3" in stderr


def test_events_of_two_cases_swapped(hands: Hands) -> None:
    first, second = hands.position(C01, 20), hands.position(C02, 5)
    hands.swap(first, second)
    assert problems(verify(hands, code=1)) == {("reordered", C02, 5), ("reordered", C01, 20)}


# == inserted ===================================================================================


def test_a_forged_row_appended_is_caught_and_not_taken_in(hands: Hands) -> None:
    """A plausible forgery: a copy of the case's last event as a new version, at the next
    position. Verify names it, and does not feed it to the ledger or the audit trail on the
    way (``verify`` checks that the read models are unchanged)."""
    forged = hands.append_copy(C04, 14, 15)
    assert forged == EVENTS + 1
    report = verify(hands, code=1)
    assert problems(report) == {("inserted", C04, 15)}
    assert report["problems"][0]["position"] == forged
    assert report["events"] == EVENTS + 1
    assert f"inserted   position {forged}  {C04} v15" in human(hands)


# == a rewrite with the chain recomputed, and signed checkpoints ================================


def test_a_rewrite_with_a_recomputed_chain_passes_the_chain_checks(hands: Hands) -> None:
    """Without a checkpoint, a perfect rewrite is invisible to the chain — which is why
    checkpoints exist (README: what is protected). This pins the attacker model used below."""
    red_to_blue(hands, C01, 2)
    assert problems(verify(hands, code=1)) == {("modified", C01, 2)}
    hands.rechain()
    verify(hands, code=0)


def test_a_checkpoint_signs_the_head_and_is_listed(hands: Hands, key: Path) -> None:
    taken = checkpoint(hands, key)
    assert taken["position"] == EVENTS
    assert taken["chain_hash"] == hands.head()
    assert hands.d.json("checkpoints", "--json") == [taken]
    assert verify(hands, "--key", f"{key}.pub", code=0)["checkpoints"] == 1


def test_a_checkpoint_catches_a_rewrite_with_a_recomputed_chain(hands: Hands, key: Path) -> None:
    taken = checkpoint(hands, key)
    red_to_blue(hands, C01, 2)
    hands.rechain()
    report = verify(hands, code=1)
    assert [(p["kind"], p["position"]) for p in report["problems"]] == [
        ("checkpoint", taken["position"])
    ]
    assert "no longer has the signed head" in report["problems"][0]["detail"]
    assert f"checkpoint {taken['id']}" in human(hands)
