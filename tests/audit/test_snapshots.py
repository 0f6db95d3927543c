"""Snapshots under bitemporal replay (issue 4 §1): a case of more than 500 events, built through
the application, replays ``show --as-of`` from its snapshots to exactly the state a full replay
of its events (no snapshot) gives at that version."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from itertools import cycle
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

from disputes.cli.render import case_json
from disputes.domain.clock import SHANGHAI
from disputes.domain.commands import build_command
from disputes.domain.model import Dispute, dispute_id
from disputes.storage.chain import ChainedSQLiteApplicationRecorder
from disputes.storage.store import Store
from tests.support.driver import LEADER, OFFICER, Disputes, sample_roster

if TYPE_CHECKING:
    from pathlib import Path

    import click

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only]

START = datetime(2023, 1, 2, 8, 0, tzinfo=SHANGHAI)
EVENTS = 520
INTERVAL = 100  # DisputesApp.snapshotting_intervals[Dispute]
CYCLE: list[tuple[str, str, dict[str, Any]]] = [
    ("visit", OFFICER, {"mode": "in-person", "note": "走访"}),
    ("escalate", OFFICER, {"reason": "扬言报复"}),
    ("mediate", OFFICER, {"result": "progress", "with_units": ["SFS"]}),
    ("downgrade", LEADER, {"reason": "情绪稳定"}),
    ("refer", OFFICER, {"to": "FL", "reason": "妇联协助"}),
    ("receipt", OFFICER, {"referral": 0, "outcome": "handled", "note": "已处理"}),
    ("mediate", OFFICER, {"result": "failed"}),
    ("deliberate", LEADER, {"plan": "再议", "attendees": [LEADER, OFFICER]}),
    ("assign", LEADER, {"leader": LEADER, "officer": "P-WD-02"}),
    ("assign", LEADER, {"leader": LEADER, "officer": OFFICER}),
]


def when(version: int) -> datetime:
    """The occurred time of the case's event ``version`` (one hour apart)."""
    return START + timedelta(hours=version - 1)


def as_of(version: int) -> str:
    return when(version).isoformat()


@pytest.fixture(scope="module")
def long_case(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A store file with one case of EVENTS events, recorded through the application."""
    db = tmp_path_factory.mktemp("snapshots") / "long.db"
    with Store(str(db)) as store:
        store.app.load_roster(sample_roster())

        def run(verb: str, actor: str, version: int, **args: Any) -> Any:
            data = {"actor": actor, "at": when(version).isoformat(), **args}
            outcome = store.execute(build_command(verb, data, store.policy.limits))
            assert outcome.version == version, (verb, outcome)
            return outcome

        case = run(
            "report",
            "G-WD-V01-G1",
            1,
            category="neighbour",
            source="informant",
            village="WD-V01",
            summary="两家因宅基地边界反复争执",
        ).case_no
        run("grade", OFFICER, 2, case=case, grade="yellow", reason="口角", signals=[])
        run("assign", LEADER, 3, case=case, leader=LEADER, officer=OFFICER)
        referral = 0
        steps = cycle(CYCLE)
        for version in range(4, EVENTS + 1):
            verb, actor, args = next(steps)
            if verb == "receipt":
                args = {**args, "referral": referral}
            outcome = run(verb, actor, version, case=case, **args)
            if verb == "refer":
                referral = outcome.referral
    return db, case


def full_replay(store: Store, case: str, version: int) -> Dispute:
    """The case at ``version`` folded from its stored events one by one — no snapshot."""
    aggregate: Dispute | None = None
    for stored in store.app.recorder.select_events(dispute_id(case), lte=version):
        aggregate = store.app.mapper.to_domain_event(stored).mutate(aggregate)
    assert aggregate is not None
    assert aggregate.version == version
    return aggregate


def state(dispute: Dispute) -> dict[str, Any]:
    """Everything the aggregate holds."""
    return {k: v for k, v in vars(dispute).items() if k != "_pending_events"}


def test_the_case_has_snapshots_to_replay_from(long_case: tuple[Path, str]) -> None:
    db, case = long_case
    with Store(str(db)) as store:
        snapshots = store.app.snapshots
        assert snapshots is not None
        versions = [s.originator_version for s in snapshots.get(dispute_id(case))]
    assert versions == [INTERVAL, 2 * INTERVAL, 3 * INTERVAL, 4 * INTERVAL, 5 * INTERVAL]
    assert len(versions) == EVENTS // INTERVAL


def test_every_version_from_snapshots_equals_the_full_replay(
    long_case: tuple[Path, str],
) -> None:
    """All versions: the repository (nearest snapshot + the events after it) against one fold
    of every stored event."""
    db, case = long_case
    with Store(str(db)) as store:
        aggregate: Dispute | None = None
        previous: dict[str, Any] | None = None
        for stored in store.app.recorder.select_events(dispute_id(case)):
            aggregate = store.app.mapper.to_domain_event(stored).mutate(aggregate)
            assert aggregate is not None
            now = copy.deepcopy(state(aggregate))
            assert now != previous, "every event changes the case's state"
            assert state(store.app.get_case(case, version=aggregate.version)) == now
            previous = now
        assert aggregate is not None
        assert aggregate.version == EVENTS


def test_show_as_of_starts_from_the_nearest_snapshot(
    cli: click.Group, long_case: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As of version 250 the replay reads only the events after the snapshot at 200."""
    db, case = long_case
    reads: list[tuple[int | None, int | None]] = []
    select_events = ChainedSQLiteApplicationRecorder.select_events

    def spy(self: Any, originator_id: Any, **kwargs: Any) -> Any:
        if originator_id == dispute_id(case):
            reads.append((kwargs.get("gt"), kwargs.get("lte")))
        return select_events(self, originator_id, **kwargs)

    monkeypatch.setattr(ChainedSQLiteApplicationRecorder, "select_events", spy)
    d = Disputes(cli, CliRunner(), db)
    assert d.json("show", case, "--as-of", as_of(250), "--json")["version"] == 250
    assert reads == [(200, 250)]


@pytest.mark.parametrize(
    "version",
    [1, 3, 99, 100, 101, 199, 200, 250, 301, 399, 400, 401, 499, 500, 501, EVENTS],
)
def test_show_as_of_replays_a_long_case_correctly(
    cli: click.Group, long_case: tuple[Path, str], version: int
) -> None:
    db, case = long_case
    d = Disputes(cli, CliRunner(), db)
    shown = d.json("show", case, "--as-of", as_of(version), "--json")
    with Store(str(db)) as store:
        expected = case_json(full_replay(store, case, version))
    assert {k: shown[k] for k in expected} == expected
    assert shown["version"] == version


def test_an_edited_snapshot_fails_verify(
    long_case: tuple[Path, str], cli: click.Group, tmp_path: Path
) -> None:
    """A snapshot is not in the chain, but replays start from it: verify replays each one
    from its events, so a snapshot edited in the file (the grade it holds) is named."""
    import shutil
    import sqlite3
    from contextlib import closing

    from tests.support.stores import settle

    source, case = long_case
    settle(source)
    db = tmp_path / "copy.db"
    shutil.copyfile(source, db)
    d = Disputes(cli, CliRunner(), db)
    d("verify")
    with closing(sqlite3.connect(db)) as connection, connection:
        (version, state) = connection.execute(
            "SELECT originator_version, state FROM stored_snapshots WHERE originator_id = ?"
            " ORDER BY originator_version LIMIT 1",
            (dispute_id(case).hex,),
        ).fetchone()
        grade = b'"grade":"red"' if b'"grade":"yellow"' in state else b'"grade":"yellow"'
        edited = state.replace(b'"grade":"red"', grade).replace(b'"grade":"yellow"', grade)
        assert edited != state
        connection.execute(
            "UPDATE stored_snapshots SET state = ? WHERE originator_version = ?",
            (edited, version),
        )
    report = d.json("verify", "--json", code=1)
    assert [(p["kind"], p["case_no"], p["version"]) for p in report["problems"]] == [
        ("snapshot", case, version)
    ]
