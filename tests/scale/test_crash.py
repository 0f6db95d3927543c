"""Crash safety (issue 5 §4): writer processes SIGKILLed at random moments lose nothing that was
acknowledged and record nothing twice.

Four writers send commands (visits, mediations, follow-ups, some reports) to one store; every
fifth of a second or so one of them, at random, is killed with SIGKILL — wherever it is: in
the middle of a transaction, between the events' commit and the read models' catch-up, opening
the store — and a new one takes its place. That goes on until ``KILLS`` kills or ``SECONDS``
seconds (``DISPUTES_CRASH_KILLS``/``DISPUTES_CRASH_SECONDS`` change them). Then:

- every command acknowledged (its answer logged after ``execute`` returned) is in the event
  store, once, at the version it answered; a command answered exit 4 is not;
- no aggregate has a version gap, and ``disputes verify`` finds the hash chains intact;
- the read models, behind perhaps, agree with the events after the next command, and a rebuild
  gives the same rows;
- every command sent — acknowledged or cut off with an unknown outcome — sent again with the same
  command id is recorded once in all: those already recorded answer "duplicate", the others are
  recorded now; sent a third time (every one of unknown outcome, a sample of the others),
  nothing at all is recorded.
"""

from __future__ import annotations

import os
import random
import signal
import time
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
    pick_command,
    prepare,
    read_lines,
    verify,
    version_gaps,
)
from tests.support.stores import BACKEND

if TYPE_CHECKING:
    from collections.abc import Callable

WRITERS = 4
KILLS = int(os.environ.get("DISPUTES_CRASH_KILLS") or (200 if BACKEND == "sqlite" else 150))
SECONDS = float(os.environ.get("DISPUTES_CRASH_SECONDS") or (60 if BACKEND == "sqlite" else 45))
PAUSE = 0.35
"""A kill comes after a random pause of 0 to PAUSE seconds."""
AGAIN = 100
"""Acknowledged commands sent a third time (with every command of unknown outcome)."""
REPORTS = 0.1
"""Share of reports among the commands (the rest act on the prepared cases)."""


@pytest.mark.slow
def test_sigkilled_writers_lose_and_double_nothing(
    store_location: str, tmp_path: Path, cli: Any, figures: Callable[..., None]
) -> None:
    cases = prepare(store_location, open_cases=4, observing=2)
    rng = random.Random(5)  # noqa: S311 (when to kill, not a secret)
    ctx = workers.context()
    generation = 0

    def start() -> Any:
        nonlocal generation
        generation += 1
        writer = ctx.Process(
            target=workers.write,
            args=(store_location, f"g{generation}", str(tmp_path), cases, generation),
            kwargs={"report_share": REPORTS},
        )
        writer.start()
        return writer

    writers = [start() for _ in range(WRITERS)]
    kills = 0
    started = time.monotonic()
    while kills < KILLS and time.monotonic() - started < SECONDS:
        time.sleep(rng.uniform(0, PAUSE))
        slot = rng.randrange(WRITERS)
        assert writers[slot].exitcode is None, "a writer stopped on its own (see stderr)"
        os.kill(writers[slot].pid, signal.SIGKILL)
        writers[slot].join()
        kills += 1
        writers[slot] = start()
    for writer in writers:  # the last ones are killed too
        os.kill(writer.pid, signal.SIGKILL)
        writer.join()
        kills += 1
    seconds = time.monotonic() - started

    names = [f"g{n}" for n in range(1, generation + 1)]
    sent = {item["id"]: item for n in names for item in read_lines(tmp_path / f"sent-{n}.jsonl")}
    answers = {a["id"]: a for n in names for a in read_lines(tmp_path / f"ack-{n}.jsonl")}
    assert set(answers) <= set(sent)
    assert {a["answer"] for a in answers.values()} <= {"ok", "exit4"}, answers
    acknowledged = [a for a in answers.values() if a["answer"] == "ok"]
    unknown = [command_id for command_id in sent if command_id not in answers]

    with Store(store_location) as store:
        found = census(store)
        lost = [a["id"] for a in acknowledged if not found.by_command.get(a["id"])]
        assert not lost, f"acknowledged commands lost: {lost}"
        for answer in acknowledged:
            assert found.by_command[answer["id"]] == [(answer["case"], answer["version"])]
        for answer in answers.values():
            if answer["answer"] == "exit4":
                assert answer["id"] not in found.by_command
        doubled = {k: v for k, v in found.by_command.items() if len(v) > 1}
        assert not doubled, f"commands recorded twice: {doubled}"
        assert not version_gaps(found)
        recorded_unacknowledged = sum(1 for c in unknown if c in found.by_command)
    verify(cli, store_location)

    with Store(store_location) as store:
        # The next command brings the read models up to date, whatever the kills left behind.
        store.execute(command_of(pick_command(rng, "after-the-crashes", cases)))
        check_views(store, census(store))
        check_rebuild(store)

        # Everything sent — acknowledged or not — is sent again with its command id.
        resent = {c: store.execute(command_of(item)) for c, item in sent.items()}
        for answer in acknowledged:
            outcome = resent[answer["id"]]
            assert outcome.duplicate
            assert (outcome.case_no, outcome.version) == (answer["case"], answer["version"])
        for command_id in unknown:
            assert resent[command_id].duplicate == (command_id in found.by_command)
        after = census(store)
        assert all(len(after.by_command[c]) == 1 for c in sent)
        assert not version_gaps(after)

        # And a third time (those of unknown outcome, and a sample of the others): nothing at
        # all is recorded.
        third = unknown + rng.sample([a["id"] for a in acknowledged], min(AGAIN, len(acknowledged)))
        assert all(store.execute(command_of(sent[c])).duplicate for c in third)
        assert census(store).total == after.total
        check_views(store, after)
        check_rebuild(store)
    report = verify(cli, store_location)
    assert report["events"] == after.total

    figures(
        kills=kills,
        seconds=round(seconds, 1),
        commands_sent=len(sent),
        acknowledged=len(acknowledged),
        exit4=len(answers) - len(acknowledged),
        unknown_outcome=len(unknown),
        recorded_but_unacknowledged=recorded_unacknowledged,
        conflicts_retried=sum(a["conflicts"] for a in answers.values()),
        lost=len(lost),
        recorded_twice=0,
    )
