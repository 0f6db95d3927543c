"""P1 … P5, each measured with its floor in the same run (see BENCHMARKS.md for the method).

Longer than 400 lines on purpose: each figure sits beside the floor it is a ratio to, so that a
reader can check that both do the same work; issue 15 rewrites this harness.
"""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

from benchmarks import breakdown, floors
from benchmarks.generate import END, LONG_ALIAS, journal_path, roster_files

CHUNKS = 10
"""P1 is timed per chunk of the journal (apply and floor interleaved): one sample per chunk."""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Stat:
    """Samples of one quantity: the median and the spread (max − min) relative to it."""

    values: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def spread(self) -> float:
        if len(self.values) < 2 or self.median == 0:
            return 0.0
        return (max(self.values) - min(self.values)) / abs(self.median)

    def as_json(self, digits: int = 3) -> dict[str, Any]:
        return {
            "median": round(self.median, digits),
            "min": round(min(self.values), digits),
            "max": round(max(self.values), digits),
            "n": len(self.values),
        }


def fresh(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


# -- machine noise ------------------------------------------------------------------------------


def noise(rounds: int = 9) -> dict[str, Any]:
    """A fixed CPU workload and a fixed fsync workload, each timed ``rounds`` times.

    The spread of these (max − min over median) is the machine's noise during the run: a ratio
    that moves less than this between runs has not moved.
    """
    cpu: list[float] = []
    sync: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        connection = sqlite3.connect(Path(tmp) / "noise.db", isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")
        connection.execute("CREATE TABLE t (x)")
        for _ in range(rounds):
            started = time.perf_counter()
            sum(i * i % 7 for i in range(300_000))
            cpu.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            for i in range(20):
                connection.execute("INSERT INTO t VALUES (?)", (i,))
            sync.append((time.perf_counter() - started) * 1000 / 20)
        connection.close()
    a, b = Stat(cpu), Stat(sync)
    return {
        "cpu_ms": a.as_json(),
        "cpu_spread_pct": round(a.spread * 100, 1),
        "commit_ms": b.as_json(),
        "commit_spread_pct": round(b.spread * 100, 1),
    }


# -- P1: build a store with `apply`, the bare library saving the same batches alongside ----------


@dataclass
class Build:
    cases: int
    db: Path
    lines: int = 0
    applied: int = 0
    failed: int = 0
    events: int = 0
    transactions: int = 0
    apply_seconds: float = 0.0
    floor_seconds: float = 0.0
    chunk_ratios: list[float] = field(default_factory=list)
    case_numbers: dict[str, str] = field(default_factory=dict)
    batches: list[tuple[int, int]] = field(default_factory=list)
    """The notification ids (first, last) of each events transaction apply wrote."""
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds of apply spent saving (the library's writes and the chain: ``commit_unit``) and
    projecting (``Projections.project``); the rest is deciding (parse, validate, roster and
    clock checks, the aggregates)."""

    @property
    def ratio(self) -> Stat:
        return Stat(self.chunk_ratios)

    def as_json(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "commands": self.lines,
            "applied": self.applied,
            "failed": self.failed,
            "events": self.events,
            "transactions": self.transactions,
            "apply_seconds": round(self.apply_seconds, 2),
            "apply_commands_per_s": round(self.lines / self.apply_seconds),
            "floor_seconds": round(self.floor_seconds, 2),
            "floor_commands_per_s": round(self.lines / self.floor_seconds),
            "ratio_overall": round(self.floor_seconds / self.apply_seconds, 3),
            "ratio_chunks": self.ratio.as_json(),
            "phases_seconds": {k: round(v, 2) for k, v in self.phases.items()},
        }


class _Pacer:
    """Times ``apply`` between progress calls and, at each chunk boundary, lets the bare
    library save the batches ``apply`` wrote in that chunk (outside ``apply``'s time)."""

    def __init__(self, source: Any, floor_db: Path, result: Build, chunk_lines: int) -> None:
        self.source = source
        self.bare = floors.bare_app(floor_db)
        self.result = result
        self.chunk_lines = chunk_lines
        self.boundary = chunk_lines
        self.done = 0
        self.apply = 0.0
        self.batches: list[tuple[int, int]] = []
        self.floor_from = 0
        self.mark = time.perf_counter()
        recorder = source.recorder
        self.insert_events = recorder.insert_events

        def recording_insert(stored_events: Any, **kwargs: Any) -> Any:
            ids = self.insert_events(stored_events, **kwargs)
            if ids:
                self.batches.append((min(ids), max(ids)))
            return ids

        setattr(recorder, "insert_events", recording_insert)  # noqa: B010 (on the instance)

    def start(self) -> None:
        self.mark = time.perf_counter()

    def progress(self, lines: int) -> None:
        self.apply += time.perf_counter() - self.mark
        self.done += lines
        if self.done >= self.boundary:
            self.close_chunk()
            self.boundary += self.chunk_lines
            log(f"  {self.result.cases:,} cases: {self.done:,} lines")
        self.mark = time.perf_counter()

    def close_chunk(self) -> None:
        todo = self.batches[self.floor_from :]
        self.floor_from = len(self.batches)
        spent = floors.save_batches(self.source, self.bare, todo)
        if self.apply > 0 and spent > 0:
            self.result.chunk_ratios.append(spent / self.apply)
        self.result.apply_seconds += self.apply
        self.result.floor_seconds += spent
        self.apply = 0.0

    def finish(self) -> None:
        self.apply += time.perf_counter() - self.mark
        if self.floor_from < len(self.batches) or self.apply > 0:
            self.close_chunk()
        setattr(self.source.recorder, "insert_events", self.insert_events)  # noqa: B010
        self.bare.close()
        self.result.transactions = len(self.batches)
        self.result.batches = self.batches
        self.result.events = sum(last - first + 1 for first, last in self.batches)


def build(cases: int, workdir: Path, chunks: int = CHUNKS) -> Build:
    """Apply the synthetic journal of ``cases`` to a fresh store (timed per chunk) and, after
    each chunk, let the bare library save the same events in the same batches (timed too)."""
    from disputes.cli.journal import apply_journal
    from disputes.domain.roster import Roster
    from disputes.storage.store import Store

    journal = journal_path(workdir, cases)
    with journal.open(encoding="utf-8") as handle:
        total = sum(1 for text in handle if text.strip())
    result = Build(cases=cases, db=workdir / f"store-{cases}.db", lines=total)
    floor_db = workdir / f"floor-{cases}.db"
    fresh(result.db)
    fresh(floor_db)
    store = Store(str(result.db))
    store.app.load_roster(Roster.from_csv(*roster_files()))
    pacer = _Pacer(store.app, floor_db, result, max(1, total // chunks))
    gc.collect()
    phases = breakdown.Phases()
    timed = {"save": (store.app, "commit_unit"), "project": (store.projections, "project")}
    with journal.open(encoding="utf-8") as handle, phases.timing(timed):
        pacer.start()
        outcome = apply_journal(store, handle, pacer.progress)
    pacer.finish()
    result.phases = dict(phases.seconds)
    store.close()
    fresh(floor_db)
    result.applied = outcome.applied
    result.failed = len(outcome.failed)
    if LONG_ALIAS in outcome.cases:
        result.case_numbers = {LONG_ALIAS: outcome.cases[LONG_ALIAS]}
    if outcome.failed:
        log(f"  {len(outcome.failed)} lines failed, first: {outcome.failed[0].as_json()}")
    return result


# -- P3: rebuild ÷ the library's decoded read ----------------------------------------------------


def rebuild(db: Path, runs: int) -> dict[str, Any]:
    from disputes.storage.store import Store

    ratios: list[float] = []
    rebuild_rates: list[float] = []
    read_rates: list[float] = []
    events = 0
    for _ in range(runs):
        bare = floors.bare_app(db)
        gc.collect()
        count, seconds = floors.decoded_read(bare)
        bare.close()
        read_rates.append(count / seconds)
        with Store(str(db)) as store:
            gc.collect()
            phases = breakdown.Phases()  # per batch: a few calls, no cost worth naming
            timed: dict[str, tuple[Any, str]] = {
                p.name: (p, "process_many") for p in store.projections.projections
            }
            timed["read"] = (store.app.recorder, "select_notifications")
            with phases.timing(timed):
                started = time.perf_counter()
                events = store.projections.rebuild()
                spent = time.perf_counter() - started
        shares = {k: round(v / events * 1e6, 1) for k, v in phases.seconds.items()}
        shares["(rest: decode, runner, commits)"] = round(
            (spent - sum(phases.seconds.values())) / events * 1e6, 1
        )
        rebuild_rates.append(events / spent)
        ratios.append(rebuild_rates[-1] / read_rates[-1])
        log(f"  rebuild {events:,} events: {events / spent:,.0f}/s; read {count / seconds:,.0f}/s")
    return {
        "ratio": Stat(ratios),
        "rebuild_events": events,
        "rebuild_events_per_s": Stat(rebuild_rates),
        "floor_events_per_s": Stat(read_rates),
        "us_per_event": shares,
    }


# -- P4: a 500-event case ----------------------------------------------------------------------


def timed_ms(
    action: Callable[[], Any], repeat: int, before: Callable[[], Any] | None = None
) -> Stat:
    values = []
    for _ in range(repeat):
        if before is not None:
            before()
        started = time.perf_counter()
        action()
        values.append((time.perf_counter() - started) * 1000)
    return Stat(values)


def long_case(db: Path, case_no: str, repeat: int = 15) -> dict[str, Stat]:
    from disputes.domain.model import dispute_id
    from disputes.storage.store import Store

    with Store(str(db)) as store:
        history = store.history(case_no)
        assert len(history) >= 500, f"{case_no} has {len(history)} events"
        middle = history[len(history) // 2]
        as_of = datetime.fromisoformat(middle["occurred_at"])
        cache = store.app.repository.cache
        key = dispute_id(case_no)

        def cold() -> None:
            if cache is not None:
                with contextlib.suppress(KeyError):
                    cache.get(key, evict=True)

        if importlib.util.find_spec("disputes.audit.replay") is not None:
            from disputes.audit.replay import case_as_of

            def show_as_of() -> Any:
                return case_as_of(store, case_no, as_of)
        else:

            def show_as_of() -> Any:
                return store.app.get_case(case_no, version=int(middle["version"]))

        return {
            "history": timed_ms(lambda: store.history(case_no), repeat),
            "show": timed_ms(lambda: store.case(case_no), repeat, cold),
            "show_as_of": timed_ms(show_as_of, repeat),
        }


def disputes_argv(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("disputes")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-c", "from disputes.cli.main import main; main()", *args]


def cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPUTES_")}
    env["DISPUTES_LANG"] = "en"
    return env


def cli_reads(db: Path, repeat: int = 7) -> dict[str, Any]:
    """An officer's reads from the command line — ``show CASE`` and ``history CASE`` of a
    typical case (the median number of events), ``ledger --station S --status open`` (the
    largest station's open cases) — and ``disputes --help``, start to exit, interleaved with
    the import floor, after one warm-up round; Python may write our modules' bytecode then, as
    an installed product has it. (The 500-event case and the unselective ledger are P4's and
    P5's in-process figures: printing hundreds of rows is not start-up.)"""
    env = cli_env()
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    connection = sqlite3.connect(db)
    try:
        station = connection.execute(
            "SELECT station FROM ledger GROUP BY station ORDER BY COUNT(*) DESC LIMIT 1"
        ).fetchone()[0]
        case_no, events = connection.execute(
            "SELECT case_no, events FROM ledger ORDER BY events, case_no LIMIT 1"
            " OFFSET (SELECT COUNT(*) / 2 FROM ledger)"
        ).fetchone()
    finally:
        connection.close()
    args = {
        "help": ["--help"],
        "show": ["--db", str(db), "show", case_no],
        "history": ["--db", str(db), "history", case_no],
        "ledger": ["--db", str(db), "ledger", "--station", station, "--status", "open"],
    }
    commands = {
        "import_floor": floors.IMPORT_FLOOR,
        **{name: disputes_argv(*given) for name, given in args.items()},
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(repeat + 1):
        for name, argv in commands.items():
            seconds = floors.run_seconds(argv, env)
            if round_:  # the first round warms the page cache (and writes bytecode)
                times[name].append(seconds * 1000)
    found: dict[str, Any] = {"station": station, "case": case_no, "case_events": events}
    found.update({name: Stat(values) for name, values in times.items()})
    # Where each command's start-up goes (-X importtime: import self time per package).
    found["imports"] = {
        name: breakdown.imports(breakdown.python_argv(*given), env) for name, given in args.items()
    }
    return found


# -- P5: the ledger and the due board on the big store ------------------------------------------


def ledger_filters(db: Path) -> tuple[list[dict[str, str]], dict[str, str]]:
    """An officer's questions — a station's open cases, a station's observed cases, every red
    case, one category in a station (the largest station and category) — and, for
    information only, one unselective filter (a category across all stations: a third of the
    store, an export rather than a question)."""
    connection = sqlite3.connect(db)
    try:
        station = connection.execute(
            "SELECT station FROM ledger GROUP BY station ORDER BY COUNT(*) DESC LIMIT 1"
        ).fetchone()[0]
        category = connection.execute(
            "SELECT category FROM ledger GROUP BY category ORDER BY COUNT(*) DESC LIMIT 1"
        ).fetchone()[0]
    finally:
        connection.close()
    questions = [
        {"station": station, "status": "open"},
        {"station": station, "status": "observing"},
        {"grade": "red"},
        {"station": station, "category": category},
    ]
    return questions, {"category": category}


def reads(db: Path, repeat: int = 9) -> dict[str, Any]:
    """P5: ``Store.ledger`` for each question, and ``Store.due`` on the store's last day (the
    journal stops at END: later, every running clock of the store would be years overdue)."""
    from disputes.storage.store import Store

    out: dict[str, Any] = {"ledger": []}
    questions, unselective = ledger_filters(db)
    with Store(str(db)) as store:
        store.catch_up()
        for filters in [*questions, unselective]:
            rows = len(store.ledger(**filters))
            stat = timed_ms(lambda f=filters: store.ledger(**f), repeat)  # type: ignore[misc]
            entry = {"filters": filters, "rows": rows, "ms": stat}
            if filters is unselective:
                out["unselective"] = entry
            else:
                out["ledger"].append(entry)
        due = getattr(store, "due", None)
        if importlib.util.find_spec("disputes.projections.due_board") is not None and due:
            on = END - timedelta(minutes=1)
            items = len(due(on=on))
            out["due"] = {"items": items, "ms": timed_ms(lambda: due(on=on), repeat)}
    return out


# -- P2: one write command, big store ÷ 1k store ------------------------------------------------


def _live_cases(db: Path, skip: Sequence[str], count: int) -> list[tuple[str, str, str]]:
    """``count`` cases being worked (open: a visit; observed: a follow-up), spread over the
    store: (case number, its officer, the verb)."""
    connection = sqlite3.connect(db)
    try:
        rows = connection.execute(
            "SELECT case_no, officer, status FROM ledger"
            " WHERE status IN ('open', 'observing') AND officer IS NOT NULL ORDER BY case_no"
        ).fetchall()
    finally:
        connection.close()
    picked = [r for r in rows if r[0] not in skip]
    if len(picked) < count:  # a tiny store (smoke test): take cases more than once
        picked += [r for r in rows if r[0] in skip]
    assert picked, f"no case being worked in {db}"
    step = max(1, len(picked) // count)
    verb = {"open": "visit", "observing": "follow-up"}
    return [
        (str(r[0]), str(r[1]), verb[r[2]])
        for r in (picked[(i * step) % len(picked)] for i in range(count))
    ]


REPORT = {
    "actor": "G-WD-V01-G1",
    "category": "neighbour",
    "source": "informant",
    "village": "WD-V01",
    "summary": "两家因排水沟争执（基准测试）",
    "parties": [{"name": "梁某", "role": "applicant"}, {"name": "田某", "role": "respondent"}],
}


def _now_iso() -> str:
    return (datetime.now(UTC) - timedelta(minutes=1)).isoformat(timespec="seconds")


def writes(small: Path, big: Path, skip: Sequence[str], repeat: int = 25, cli: int = 7) -> Any:
    """``visit`` on an open case or ``follow-up`` on an observed one (a different case each
    time, so never a warm aggregate: "visit" in the results) and
    ``report`` of a new case, in-process (Store.execute: validate, load, save, project) and
    through the CLI, alternating between the 1k store and the big store."""
    from disputes.domain.commands import build_command
    from disputes.storage.store import Store

    stores = {"small": small, "big": big}
    picks = {k: _live_cases(db, skip, repeat + 1 + cli + 1) for k, db in stores.items()}
    ms: dict[str, dict[str, list[float]]] = {
        k: {"visit": [], "report": [], "cli_visit": [], "cli_report": []} for k in stores
    }
    opened = {k: Store(str(db)) for k, db in stores.items()}
    try:

        def run(key: str, verb: str, data: dict[str, Any], label: str, timed: bool) -> None:
            store = opened[key]
            data = {**data, "at": _now_iso(), "command_id": f"bench-{uuid4().hex}"}
            command = build_command(verb, data, store.policy.limits)
            started = time.perf_counter()
            store.execute(command)
            if timed:
                ms[key][label].append((time.perf_counter() - started) * 1000)

        for i in range(repeat + 1):  # the first round warms the process up
            for key in stores:
                case_no, officer, verb = picks[key][i]
                visit = {"case": case_no, "actor": officer, "mode": "phone", "note": "电话回访"}
                run(key, verb, visit, "visit", timed=i > 0)
                run(key, "report", REPORT, "report", timed=i > 0)
    finally:
        for store in opened.values():
            store.close()
    env = cli_env()
    for i in range(cli + 1):
        for key, db in stores.items():
            case_no, officer, verb = picks[key][repeat + 1 + i]
            visit = disputes_argv(
                "--db",
                str(db),
                "--as",
                officer,
                verb,
                case_no,
                "--mode",
                "phone",
                "--note",
                "电话回访",
                "--at",
                _now_iso(),
                "--json",
            )
            report = disputes_argv(
                "--db",
                str(db),
                "--as",
                str(REPORT["actor"]),
                "report",
                "--category",
                str(REPORT["category"]),
                "--source",
                str(REPORT["source"]),
                "--village",
                str(REPORT["village"]),
                "--summary",
                str(REPORT["summary"]),
                "--at",
                _now_iso(),
                "--json",
            )
            visit_ms = floors.run_seconds(visit, env) * 1000
            report_ms = floors.run_seconds(report, env) * 1000
            if i > 0:
                ms[key]["cli_visit"].append(visit_ms)
                ms[key]["cli_report"].append(report_ms)
    return {k: {kind: Stat(v) for kind, v in kinds.items()} for k, kinds in ms.items()}
