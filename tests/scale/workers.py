"""The writer processes of the scale tests: each opens its own Store and
sends commands with known command ids, like one officer's laptop.

A writer logs every command to ``sent-NAME.jsonl`` *before* sending it, and its answer to
``ack-NAME.jsonl`` only *after* ``Store.execute`` returned (each line flushed at once, so a
SIGKILL loses at most the line being written; a half-written last line does not count). A
command in the sent log without an answer had an unknown outcome.

The processes are started by :func:`context`: multiprocessing's ``forkserver``, with this module
(and so the whole product, eventsourcing and psycopg) imported once in the server, so a new
writer starts in milliseconds instead of the second a fresh interpreter takes — which is what
lets the crash test kill hundreds of them in a minute. Nothing is connected before the fork.
"""

from __future__ import annotations

import json
import multiprocessing
import random
from pathlib import Path
from typing import Any

from eventsourcing.persistence import IntegrityError

from disputes.cli.exits import exit_code
from disputes.domain.errors import ConcurrentModification, DisputesError
from disputes.storage.store import Store
from tests.scale.support import command_of, pick_command


def context() -> Any:
    """The multiprocessing context the writers run in (see the module docstring)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])
    return ctx


def write(
    location: str,
    name: str,
    folder: str,
    cases: dict[str, str],
    seed: int,
    limit: int | None = None,
    report_share: float = 0.0,
) -> None:
    """Send commands ``NAME-1``, ``NAME-2``, … (``limit`` of them, or until killed)."""
    rng = random.Random(seed)  # noqa: S311 (which command to send, not a secret)
    conflicts = 0
    with (
        Path(folder, f"sent-{name}.jsonl").open("a", encoding="utf-8") as sent,
        Path(folder, f"ack-{name}.jsonl").open("a", encoding="utf-8") as ack,
        Store(location) as store,
    ):
        save = store.app.save

        def counting_save(*objs: Any, **kwargs: Any) -> Any:
            """The application's save, counting the conflicts DisputesApp.execute retries."""
            nonlocal conflicts
            try:
                return save(*objs, **kwargs)
            except IntegrityError:
                conflicts += 1
                raise

        store.app.save = counting_save  # type: ignore[method-assign]
        number = 0
        while limit is None or number < limit:
            number += 1
            item = pick_command(rng, f"{name}-{number}", cases, report_share)
            sent.write(json.dumps(item, ensure_ascii=False) + "\n")
            sent.flush()
            before = conflicts
            answer: dict[str, Any] = {"id": item["id"]}
            try:
                outcome = store.execute(command_of(item))
            except ConcurrentModification:
                answer["answer"] = "exit4"
            except DisputesError as exc:
                answer.update(answer=f"exit{exit_code(exc)}", message=exc.message)
            else:
                answer.update(
                    answer="ok",
                    case=outcome.case_no,
                    version=outcome.version,
                    duplicate=outcome.duplicate,
                )
            answer["conflicts"] = conflicts - before
            ack.write(json.dumps(answer, ensure_ascii=False) + "\n")
            ack.flush()


def open_store(location: str, start: Any) -> None:
    """Wait for the others at barrier ``start``, then open the store and close it (the first
    use of a store creates its tables)."""
    start.wait()
    with Store(location) as store:
        store.catch_up()
