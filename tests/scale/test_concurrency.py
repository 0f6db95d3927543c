"""Concurrency (issue 5 §3): officers acting on the same cases at once never lose an update.

Eight processes, each with its own Store, send 50 commands each (visits and mediations on three
open cases, follow-ups on two observing ones) at the same time. A command that loses the race is
retried by the application (every rule checked again on the new state) or answered exit 4 after
its attempts ran out. Afterwards every command that answered success is exactly one event (at
the version it answered), an exit-4 command none, no case has a version gap, the read models
agree with the events and with a rebuild, and ``disputes verify`` finds the hash chains intact.
The losers then send their commands again, with the same ids, and get through.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from disputes.storage.store import Store
from tests.scale import workers
from tests.scale.support import (
    census,
    check_rebuild,
    check_views,
    command_of,
    prepare,
    read_lines,
    verify,
    version_gaps,
)
from tests.support.stores import drop_location, new_location

if TYPE_CHECKING:
    from collections.abc import Callable

PROCESSES = 8
COMMANDS = 50
OPENERS = 6
ROUNDS = 5


def run_writers(
    location: str, folder: Path, cases: dict[str, str], processes: int, commands: int
) -> float:
    """Start the writers together and wait for them; returns the seconds they took."""
    ctx = workers.context()
    writers = [
        ctx.Process(
            target=workers.write,
            args=(location, f"w{n}", str(folder), cases, n, commands),
        )
        for n in range(processes)
    ]
    started = time.monotonic()
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=600)
    assert [w.exitcode for w in writers] == [0] * processes, "a writer failed (see stderr)"
    return time.monotonic() - started


@pytest.mark.slow
def test_eight_officers_on_five_cases(
    store_location: str, tmp_path: Path, cli: Any, figures: Callable[..., None]
) -> None:
    cases = prepare(store_location, open_cases=3, observing=2)
    with Store(store_location) as store:
        before = census(store)

    seconds = run_writers(store_location, tmp_path, cases, PROCESSES, COMMANDS)

    sent = {
        item["id"]: item
        for n in range(PROCESSES)
        for item in read_lines(tmp_path / f"sent-w{n}.jsonl")
    }
    answers = [a for n in range(PROCESSES) for a in read_lines(tmp_path / f"ack-w{n}.jsonl")]
    assert len(sent) == len(answers) == PROCESSES * COMMANDS
    kinds = Counter(a["answer"] for a in answers)
    assert set(kinds) <= {"ok", "exit4"}, [a for a in answers if a["answer"] not in ("ok", "exit4")]
    ok = [a for a in answers if a["answer"] == "ok"]
    lost_races = [a for a in answers if a["answer"] == "exit4"]
    assert not any(a["duplicate"] for a in ok), "a fresh command id answered as a duplicate"

    with Store(store_location) as store:
        found = census(store)
        assert not version_gaps(found)
        for answer in ok:
            assert found.by_command[answer["id"]] == [(answer["case"], answer["version"])]
        for answer in lost_races:
            assert answer["id"] not in found.by_command, "an exit-4 command left an event"
        assert found.case_events == before.case_events + len(ok)
        check_views(store, found)
        check_rebuild(store)
        verify(cli, store_location)

        # Whoever got exit 4 sends the command again, with the same id: it gets through now.
        for answer in lost_races:
            outcome = store.execute(command_of(sent[answer["id"]]))
            assert not outcome.duplicate
        after = census(store)
        for command_id in sent:
            assert len(after.by_command[command_id]) == 1, command_id
        assert after.case_events == before.case_events + len(sent)
        assert not version_gaps(after)
        check_views(store, after)
        check_rebuild(store)
    report = verify(cli, store_location)
    assert report["events"] == after.total

    figures(
        processes=PROCESSES,
        commands=len(answers),
        succeeded=len(ok),
        conflicts_retried=sum(a["conflicts"] for a in answers),
        exit4=len(lost_races),
        events=after.total,
        seconds=round(seconds, 1),
    )


@pytest.mark.slow
def test_first_use_of_a_store_by_many_processes(tmp_path: Path) -> None:
    """Six processes opening a store nobody has used yet, at the same instant, all succeed.

    This found two bugs: on SQLite, switching a new file to WAL answered "database is locked" at
    once (no busy timeout); on PostgreSQL, the library's CREATE OR REPLACE FUNCTION failed with
    "tuple concurrently updated". Each of the rounds is on a new store.
    """
    ctx = workers.context()
    for round_ in range(ROUNDS):
        location = new_location(tmp_path, f"round-{round_}.db")
        try:
            start = ctx.Barrier(OPENERS)
            openers = [
                ctx.Process(target=workers.open_store, args=(location, start))
                for _ in range(OPENERS)
            ]
            for opener in openers:
                opener.start()
            for opener in openers:
                opener.join(timeout=120)
            assert [o.exitcode for o in openers] == [0] * OPENERS, f"round {round_} (see stderr)"
        finally:
            drop_location(location)
