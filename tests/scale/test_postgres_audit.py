"""The tamper-evident log on PostgreSQL (issue 4 on issue 5's store): rows of ``disputes_events``
edited with SQL the way an attacker with database access would — one byte of an event's state,
a row deleted, two rows' notification ids swapped, a forged row appended, a rewrite with the
chain recomputed after a checkpoint — make ``disputes verify`` exit 1 naming the case and
version; the intact store verifies (exit 0); checkpoint, dossier export and ``verify-dossier``
work as on SQLite.

Runs whenever ``DISPUTES_TEST_POSTGRES`` names a server, whatever the backend under test: each
test gets its own copy (``CREATE DATABASE … TEMPLATE``) of a scenarios store built once —
HY-2021-0001 (C01, 23 events), HY-2021-0002 (C04, 14), HY-2022-0001 (C02, 12), 57 events.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID, uuid4

import pytest
from click.testing import CliRunner

from disputes.audit.chain import GENESIS, event_digest, link_case, link_global
from disputes.domain.model import dispute_id
from tests.support.driver import PEOPLE, SCENARIOS, UNITS, Disputes
from tests.support.stores import SERVER

pytestmark = pytest.mark.skipif(not SERVER, reason="DISPUTES_TEST_POSTGRES is not set")

C01, C04, C02 = "HY-2021-0001", "HY-2021-0002", "HY-2022-0001"
EVENTS = 57
EVENTS_TABLE, CHAIN_TABLE = "disputes_events", "disputes_events_chain"  # DisputesApp.name


def admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(SERVER, autocommit=True) as connection:
        connection.execute(statement)  # type: ignore[arg-type]


def url_of(database: str) -> str:
    return urlsplit(SERVER)._replace(path=f"/{database}").geturl()


def load_sample(d: Disputes, journal: Path) -> None:
    d("roster", "load", "--units", str(UNITS), "--people", str(PEOPLE))
    d("apply", "--quiet", str(journal))


@pytest.fixture(scope="module")
def template(cli: Any) -> Iterator[str]:
    """A database with the scenarios store, copied by every test (never used directly)."""
    name = f"disputes_test_template_{uuid4().hex[:8]}"
    admin(f"CREATE DATABASE {name}")
    try:
        load_sample(Disputes(cli, CliRunner(), url_of(name)), SCENARIOS)
        yield name
    finally:
        admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def sd(cli: Any, template: str) -> Iterator[Disputes]:
    """A driver on this test's own copy of the scenarios store."""
    name = f"disputes_test_{uuid4().hex[:12]}"
    admin(f"CREATE DATABASE {name} TEMPLATE {template}")
    try:
        yield Disputes(cli, CliRunner(), url_of(name))
    finally:
        admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def key(tmp_path: Path, cli: Any) -> Path:
    path = tmp_path / "station.key"
    result = CliRunner().invoke(cli, ["keygen", "--out", str(path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return path


# -- what an attacker does -----------------------------------------------------------------------


def sql(d: Disputes, statement: str, *params: Any) -> list[tuple[Any, ...]]:
    """Run one statement on the store's database, as psql would (committed at once)."""
    import psycopg

    with psycopg.connect(str(d.db), autocommit=True) as connection:
        cursor = connection.execute(statement, params or None)  # type: ignore[arg-type]
        return list(cursor.fetchall()) if cursor.description else []


def position(d: Disputes, case_no: str, version: int) -> int:
    rows = sql(
        d,
        f"SELECT notification_id FROM {EVENTS_TABLE}"
        " WHERE originator_id = %s AND originator_version = %s",
        dispute_id(case_no),
        version,
    )
    assert rows, f"{case_no} v{version} is not stored"
    return int(rows[0][0])


def state_of(d: Disputes, notification_id: int) -> bytes:
    rows = sql(d, f"SELECT state FROM {EVENTS_TABLE} WHERE notification_id = %s", notification_id)
    return bytes(rows[0][0])


def set_state(d: Disputes, notification_id: int, state: bytes) -> None:
    sql(
        d,
        f"UPDATE {EVENTS_TABLE} SET state = %s WHERE notification_id = %s",
        state,
        notification_id,
    )


def rechain(d: Disputes) -> None:
    """Recompute the chain table from the events, exactly as the recorder does."""
    events = sql(
        d,
        "SELECT notification_id, originator_id, originator_version, topic, state"
        f" FROM {EVENTS_TABLE} ORDER BY notification_id",
    )
    head, cases, rows = GENESIS, dict[str, str](), []
    for position_, oid, version, topic, state in events:
        hex_id = UUID(str(oid)).hex
        digest = event_digest(hex_id, version, topic, bytes(state))
        cases[hex_id] = link_case(cases.get(hex_id, GENESIS), digest)
        head = link_global(head, position_, digest)
        rows.append((position_, hex_id, version, digest, cases[hex_id], head))
    import psycopg

    with psycopg.connect(str(d.db)) as connection:  # one transaction
        connection.execute(f"DELETE FROM {CHAIN_TABLE}")
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {CHAIN_TABLE} VALUES (%s,%s,%s,%s,%s,%s)", rows)


# -- what the auditor sees -----------------------------------------------------------------------


def verify(d: Disputes, *args: str, code: int) -> dict[str, Any]:
    report: dict[str, Any] = d.json("verify", "--json", *args, code=code)
    assert report["intact"] is (code == 0)
    return report


def problems(report: dict[str, Any]) -> set[tuple[str, str | None, int | None]]:
    return {(p["kind"], p["case_no"], p["version"]) for p in report["problems"]}


def human(d: Disputes) -> str:
    result = d("verify", code=1)
    assert result.stdout == ""
    return result.stderr


# -- the tests -----------------------------------------------------------------------------------


def test_an_intact_store_verifies(sd: Disputes) -> None:
    report = verify(sd, code=0)
    assert (report["events"], report["problems"]) == (EVENTS, [])
    assert sd("verify").stdout == f"intact: {EVENTS} events, 0 checkpoints verified\n"


def test_one_byte_of_an_events_state_edited_names_the_case_and_version(sd: Disputes) -> None:
    target = position(sd, C01, 2)  # the first grading of C01: red
    state = state_of(sd, target)
    assert b'"grade":"red"' in state
    at = state.index(b'"grade":"red"') + len(b'"grade":"r')
    set_state(sd, target, state[:at] + b"o" + state[at + 1 :])  # "red" -> "rod"
    report = verify(sd, code=1)
    assert problems(report) == {("modified", C01, 2)}
    assert report["problems"][0]["position"] == target
    stderr = human(sd)
    assert stderr.startswith(f"NOT INTACT: 1 problems in {EVENTS} events")
    assert f"modified   position {target}  {C01} v2" in stderr


def test_one_bit_flipped_anywhere_in_a_state_is_named(sd: Disputes) -> None:
    target = position(sd, C04, 7)
    state = bytearray(state_of(sd, target))
    state[len(state) // 2] ^= 0x01
    set_state(sd, target, bytes(state))
    assert problems(verify(sd, code=1)) == {("modified", C04, 7)}


@pytest.mark.parametrize(("case_no", "version"), [(C01, 3), (C04, 14)])
def test_a_deleted_row_names_the_case_and_version(sd: Disputes, case_no: str, version: int) -> None:
    target = position(sd, case_no, version)
    sql(sd, f"DELETE FROM {EVENTS_TABLE} WHERE notification_id = %s", target)
    report = verify(sd, code=1)
    assert problems(report) == {("deleted", case_no, version)}
    assert report["events"] == EVENTS - 1
    assert f"deleted    position {target}  {case_no} v{version}" in human(sd)


def test_two_rows_with_their_notification_ids_swapped(sd: Disputes) -> None:
    first, second = position(sd, C01, 3), position(sd, C01, 4)
    update = f"UPDATE {EVENTS_TABLE} SET notification_id = %s WHERE notification_id = %s"
    sql(sd, update, -1, first)
    sql(sd, update, first, second)
    sql(sd, update, second, -1)
    report = verify(sd, code=1)
    assert problems(report) == {("reordered", C01, 4), ("reordered", C01, 3)}
    stderr = human(sd)
    assert f"reordered  position {first}  {C01} v4" in stderr
    assert f"reordered  position {second}  {C01} v3" in stderr


def test_a_forged_row_appended_is_named(sd: Disputes) -> None:
    """A copy of the case's last event as a new version, given the next notification id."""
    last = position(sd, C04, 14)
    sql(
        sd,
        f"INSERT INTO {EVENTS_TABLE} (originator_id, originator_version, topic, state)"
        f" SELECT originator_id, 15, topic, state FROM {EVENTS_TABLE} WHERE notification_id = %s",
        last,
    )
    forged = position(sd, C04, 15)
    report = verify(sd, code=1)
    assert problems(report) == {("inserted", C04, 15)}
    assert report["events"] == EVENTS + 1
    assert f"inserted   position {forged}  {C04} v15" in human(sd)


def test_a_checkpoint_catches_a_rewrite_with_a_recomputed_chain(sd: Disputes, key: Path) -> None:
    taken = sd.json("checkpoint", "--key", str(key), "--json")
    assert taken["position"] == EVENTS
    target = position(sd, C01, 2)
    set_state(sd, target, state_of(sd, target).replace(b'"red"', b'"blue"'))
    rechain(sd)
    stale = verify(sd, code=1)  # the views still say red
    found = {(p["kind"], p.get("table"), p["case_no"]) for p in stale["problems"]}
    assert ("view", "history", C01) in found
    sd("rebuild")
    report = verify(sd, code=1)
    assert [(p["kind"], p["position"]) for p in report["problems"]] == [
        ("checkpoint", taken["position"])
    ]


def test_a_deleted_checkpoint_record_is_named(sd: Disputes, key: Path) -> None:
    """A checkpoint is an entry of the chain: deleting its record is a deleted event."""
    from disputes.audit.checkpoint import CHECKPOINTS_ID

    sd("checkpoint", "--key", str(key))
    record = sql(
        sd, f"SELECT notification_id FROM {EVENTS_TABLE} WHERE originator_id = %s", CHECKPOINTS_ID
    )[0][0]
    sql(sd, f"DELETE FROM {EVENTS_TABLE} WHERE notification_id = %s", record)
    report = verify(sd, code=1)
    assert problems(report) == {("deleted", "checkpoint", 1)}
    assert report["problems"][0]["position"] == record == EVENTS + 1


def test_a_whole_rewrite_is_caught_by_the_witness_file(
    sd: Disputes, key: Path, tmp_path: Path
) -> None:
    """Event edited, checkpoint record and its chain entry deleted, chain recomputed, views
    rebuilt: the store verifies on its own, not against the district's witness file."""
    from disputes.audit.checkpoint import CHECKPOINTS_ID

    witness = tmp_path / "district.witness"
    sd("checkpoint", "--key", str(key), "--witness", str(witness))
    sql(sd, f"DELETE FROM {EVENTS_TABLE} WHERE originator_id = %s", CHECKPOINTS_ID)
    target = position(sd, C01, 2)
    set_state(sd, target, state_of(sd, target).replace(b'"red"', b'"blue"'))
    rechain(sd)
    sd("rebuild")
    verify(sd, "--key", f"{key}.pub", code=0)
    report = verify(sd, "--key", f"{key}.pub", "--witness", str(witness), code=1)
    assert [(p["kind"], p["position"]) for p in report["problems"]] == [("witness", EVENTS)]


@pytest.mark.parametrize(
    ("statement", "table", "case_no", "column", "stored"),
    [
        (
            f"UPDATE ledger SET status = 'resolved' WHERE case_no = '{C04}'",
            "ledger", C04, "status", "resolved",
        ),
        (
            f"UPDATE history SET actor = 'L-WD-01' WHERE case_no = '{C01}' AND version = 2",
            "history", C01, "actor", "L-WD-01",
        ),
    ],
    ids=["ledger", "history"],
)  # fmt: skip
def test_an_edited_view_row_is_named(
    sd: Disputes, statement: str, table: str, case_no: str, column: str, stored: str
) -> None:
    sql(sd, statement)
    report = verify(sd, code=1)
    assert [
        (p["kind"], p["table"], p["case_no"], p["column"], p["stored"]) for p in report["problems"]
    ] == [("view", table, case_no, column, stored)]


def test_checkpoint_dossier_and_verify_dossier(sd: Disputes, key: Path, tmp_path: Path) -> None:
    taken = sd.json("checkpoint", "--key", str(key), "--json")
    assert sd.json("checkpoints", "--json") == [taken]
    assert verify(sd, "--key", f"{key}.pub", code=0)["checkpoints"] == 1
    dossier = tmp_path / "case.json"
    result = sd("export", C04, "--dossier", str(dossier))
    assert result.stdout == f"{dossier}: 14 events of {C04}, checkpoint 1 at position {EVENTS}\n"
    answer = sd.json("verify-dossier", str(dossier), "--key", f"{key}.pub", "--json")
    assert answer == {"verified": True, "problems": []}
    data = json.loads(dossier.read_text(encoding="utf-8"))
    data["events"][3]["state"] = data["events"][3]["state"].replace("a", "b", 1)
    dossier.write_text(json.dumps(data), encoding="utf-8")
    answer = sd.json("verify-dossier", str(dossier), "--key", f"{key}.pub", "--json", code=1)
    assert answer["verified"] is False
