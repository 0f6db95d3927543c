"""``python -m benchmarks [--cases 1000,10000,100000] [--json]``: see BENCHMARKS.md."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import measure, physical, server
from benchmarks.generate import GENERATOR_VERSION, LONG_ALIAS, SEED, journal_path
from benchmarks.measure import Stat, log

MEMORY_GROWTH = 1.25
"""Peak memory of apply is "flat in journal size" when the big journal's peak is within this
factor of the next size's (see :func:`memory_reference`)."""

SMALL = 1000
"""P2 compares the largest store with this one."""

TARGETS: dict[str, tuple[str, float]] = {
    "p1_apply_ratio": (">=", 0.4),
    "p1_physical_ratio": ("<=", 1.5),
    "p1_memory_ratio": ("<=", MEMORY_GROWTH),
    "p2_flat_ratio": ("<=", 1.2),
    "p3_rebuild_ratio": (">=", 0.5),
    "p4_history_ms": ("<=", 20.0),
    "p4_cli_ratio": ("<=", 1.0),
    "p4_help_ratio": ("<=", 1.0),
    "p5_ledger_ms": ("<=", 100.0),
    "p5_due_ms": ("<=", 200.0),
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure the engine against floors measured in the same run (P1 … P5).",
    )
    parser.add_argument(
        "--cases",
        default="10000",
        help="comma-separated store sizes in cases (≈20 events each), e.g. 1000,10000,100000; "
        "the largest is the big store of P2–P5, and a 1000-case store is always built for P2 "
        "(default: %(default)s)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--workdir",
        type=Path,
        help="where journals and stores go (kept; journals are reused); default a temporary "
        "directory, removed afterwards",
    )
    parser.add_argument(
        "--rebuild-runs",
        type=int,
        default=0,
        help="P3 repetitions (default 3, or 1 above 500k events)",
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get("DISPUTES_BENCH_POSTGRES"),
        help="P6 (the server): a PostgreSQL server URL to create a scratch database on "
        "[env DISPUTES_BENCH_POSTGRES]; without it P6 is left out",
    )
    parser.add_argument(
        "--server-only",
        action="store_true",
        help="measure P6 alone (needs --postgres)",
    )
    parser.add_argument(
        "--server-cases",
        type=int,
        default=60,
        help="P6: cases per round (5 commands each; default %(default)s)",
    )
    parser.add_argument(
        "--write-set-from",
        metavar="N=FILE",
        help="take the traced run and physical floor of the N-case journal from FILE, which "
        "`python -m benchmarks.physical --trace-only --cases N --workdir OTHER --out FILE` "
        "writes beside this run (waited for); see BENCHMARKS.md",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="fewest samples, and the smallest size as the P2 baseline (a smoke test, not a "
        "measurement)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.server_only:
        if not args.postgres:
            print("--server-only needs --postgres URL", file=sys.stderr)
            return 2
        found = server.results(args.postgres, args.server_cases)
        print(server.render(found), file=sys.stderr if args.json else sys.stdout)
        if args.json:
            print(json.dumps(found, ensure_ascii=False, indent=2))
        return 0
    sizes = sorted({int(s.replace("_", "")) for s in args.cases.split(",") if s.strip()})
    if not sizes or sizes[0] < 1:
        print("--cases: give positive sizes, e.g. 1000,10000,100000", file=sys.stderr)
        return 2
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="disputes-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        small = min(SMALL, sizes[0]) if args.quick else SMALL
        external: dict[int, Path] = {}
        if args.write_set_from:
            size_text, _, file_text = args.write_set_from.partition("=")
            external[int(size_text.replace("_", ""))] = Path(file_text)
        results = run(
            sizes, workdir, args.rebuild_runs, small=small, quick=args.quick, external=external
        )
        if args.postgres:
            found = server.results(args.postgres, args.server_cases)
            results["p6_server_ratio"] = found["p6_server_ratio"]
            results["details"]["p6"] = found["p6"]
            results["targets"]["p6_server_ratio"] = {
                "target": f">= {server.TARGET:g}",
                "holds": found["p6_server_ratio"] >= server.TARGET,
            }
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    table = render(results)
    if args.json:
        print(table, file=sys.stderr)
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        print(table)
    return 0


def run(
    sizes: list[int],
    workdir: Path,
    rebuild_runs: int = 0,
    *,
    small: int = SMALL,
    quick: bool = False,
    external: dict[int, Path] | None = None,
) -> dict[str, Any]:
    """Build the stores, measure P1 … P5, return the results (see ``main``).

    ``small`` is the baseline store of P2; ``quick`` takes the fewest samples (smoke test).
    """
    started = time.perf_counter()
    log(f"workdir {workdir}; sizes {sizes}; machine noise …")
    noise_before = measure.noise(3 if quick else 9)
    big_size = sizes[-1]
    builds: dict[int, measure.Build] = {}
    write_sets: dict[int, dict[str, Any]] = {}
    for size in sorted({*sizes, small}):
        log(f"P1: applying {size:,} cases (bare library saving the same batches alongside)")
        builds[size] = measure.build(size, workdir)
        log(f"  {builds[size].as_json()}")
        log("  the same batches through EventStore.put; the traced run (a child: its peak")
        log("  memory) and the physical floor replaying its write transactions")
        write_sets[size] = physical.measure(
            builds[size], journal_path(workdir, size), workdir, (external or {}).get(size)
        )
        log(f"  {write_sets[size]}")
    big = builds[big_size]
    long_case = big.case_numbers[LONG_ALIAS]

    runs = rebuild_runs or (3 if big.events <= 500_000 else 1)
    log(f"P3: rebuild vs decoded read, {runs} run(s)")
    p3 = measure.rebuild(big.db, runs)
    log("P5: ledger and due board")
    p5 = measure.reads(big.db, repeat=2 if quick else 9)
    log(f"P4: history/show of {long_case} (500 events), CLI reads and --help vs import floor")
    p4 = measure.long_case(big.db, long_case, repeat=2 if quick else 15)
    p4_cli = measure.cli_reads(big.db, repeat=1 if quick else 7)
    cli_ratios = {
        k: p4_cli[k].median / p4_cli["import_floor"].median
        for k in ("help", "show", "history", "ledger")
    }
    log(f"P2: one write command, {big_size:,}-case store vs {small:,}-case store")
    p2 = measure.writes(
        builds[small].db, big.db, skip=[long_case], repeat=2 if quick else 25, cli=1 if quick else 7
    )
    noise_after = measure.noise(3 if quick else 9)

    p2_ratios = {kind: p2["big"][kind].median / p2["small"][kind].median for kind in p2["big"]}
    p2_paired = paired_ratios(p2, ("visit", "report"))
    p2_cli_paired = paired_ratios(p2, ("cli_visit", "cli_report"))
    ledger_worst = max(entry["ms"].median for entry in p5["ledger"])
    p4_worst = max(p4["history"].median, p4["show_as_of"].median)
    out: dict[str, Any] = {
        "cases": big_size,
        "events": big.events,
        "commands": big.lines,
        "p1_apply_ratio": round(write_sets[big_size]["put_seconds"] / big.apply_seconds, 3),
        "p1_save_ratio": round(big.ratio.median, 3),
        "p1_physical_ratio": round(big.apply_seconds / write_sets[big_size]["physical_seconds"], 2),
        "p1_peak_mb": round(write_sets[big_size]["peak_mb"], 1),
    }
    reference = memory_reference(sorted(builds))
    if reference is not None:
        out["p1_memory_ratio"] = round(
            write_sets[big_size]["peak_mb"] / write_sets[reference]["peak_mb"], 2
        )
    out |= {
        "p2_flat_ratio": round(p2_paired.median, 3),
        "p3_rebuild_ratio": round(p3["ratio"].median, 3),
        "p4_history_ms": round(p4_worst, 2),
        "p4_cli_ratio": round(max(cli_ratios[k] for k in ("show", "history", "ledger")), 3),
        "p4_help_ratio": round(cli_ratios["help"], 3),
        "p5_ledger_ms": round(ledger_worst, 2),
    }
    if "due" in p5:
        out["p5_due_ms"] = round(p5["due"]["ms"].median, 2)
    out["floors"] = {
        "p1_bare_save_commands_per_s": round(big.lines / big.floor_seconds),
        "p1_bare_put_commands_per_s": round(big.lines / write_sets[big_size]["put_seconds"]),
        "p1_physical_commands_per_s": round(big.lines / write_sets[big_size]["physical_seconds"]),
        "p1_peak_mb_by_size": {str(k): round(v["peak_mb"], 1) for k, v in write_sets.items()},
        "p2_small_store_ms": {k: round(v.median, 2) for k, v in p2["small"].items()},
        "p3_decoded_read_events_per_s": round(p3["floor_events_per_s"].median),
        "p4_import_ms": round(p4_cli["import_floor"].median, 1),
    }
    out["targets"] = {
        key: {"target": f"{op} {bound:g}", "holds": _holds(out[key], op, bound)}
        for key, (op, bound) in TARGETS.items()
        if key in out
    }
    out["details"] = {
        "p1": {
            str(size): {
                **b.as_json(),
                "put_floor_seconds": round(write_sets[size]["put_seconds"], 2),
                "physical_floor_seconds": round(write_sets[size]["physical_seconds"], 2),
                "peak_mb": round(write_sets[size]["peak_mb"], 1),
                "write_transactions": write_sets[size]["transactions"],
                "write_rows": write_sets[size]["rows"],
            }
            for size, b in builds.items()
        },
        "p2": {
            "paired": p2_paired.as_json(),
            "cli_paired": p2_cli_paired.as_json(),
            "ratios": {k: round(v, 3) for k, v in p2_ratios.items()},
            "small_ms": {k: v.as_json(2) for k, v in p2["small"].items()},
            "big_ms": {k: v.as_json(2) for k, v in p2["big"].items()},
        },
        "p3": {
            "ratio": p3["ratio"].as_json(),
            "rebuild_events": p3["rebuild_events"],
            "rebuild_events_per_s": p3["rebuild_events_per_s"].as_json(0),
            "floor_events_per_s": p3["floor_events_per_s"].as_json(0),
            "us_per_event": p3["us_per_event"],
        },
        "p4": {
            "case": long_case,
            **{f"{k}_ms": v.as_json(2) for k, v in p4.items()},
            "cli_station": p4_cli["station"],
            "cli_case": p4_cli["case"],
            "cli_case_events": p4_cli["case_events"],
            "cli_imports": p4_cli["imports"],
            "cli_ratios": {k: round(v, 3) for k, v in cli_ratios.items()},
            **{f"cli_{k}_ms": p4_cli[k].as_json(1) for k in (*cli_ratios, "import_floor")},
        },
        "p5": {
            "ledger": [
                {"filters": e["filters"], "rows": e["rows"], "ms": e["ms"].as_json(2)}
                for e in p5["ledger"]
            ],
            "unselective": {
                "filters": p5["unselective"]["filters"],
                "rows": p5["unselective"]["rows"],
                "ms": p5["unselective"]["ms"].as_json(2),
            },
            **(
                {"due": {"items": p5["due"]["items"], "ms": p5["due"]["ms"].as_json(2)}}
                if "due" in p5
                else {}
            ),
        },
    }
    out["noise"] = {"before": noise_before, "after": noise_after}
    out["run"] = {
        "seed": SEED,
        "generator": GENERATOR_VERSION,
        "sizes": sorted(builds),
        "p2_baseline_cases": small,
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {platform.system()}, {_cpus()} CPUs",
        "seconds": round(time.perf_counter() - started, 1),
    }
    return out


MEMORY_FROM = 10_000
"""Peak memory is compared from this journal size up: below it apply's bounded caches (5,000
kept aggregates, case numbers, chain heads) are not full yet, so a 1k journal's peak says how
full they were, not whether memory grows with the journal."""


def memory_reference(sizes: list[int]) -> int | None:
    """The size whose peak memory the largest is compared with (``p1_memory_ratio``): the
    next smaller size of at least :data:`MEMORY_FROM` cases, or None when the run has none
    (``--cases 10000,100000`` has one)."""
    candidates = [s for s in sizes[:-1] if s >= MEMORY_FROM]
    return candidates[-1] if candidates else None


def paired_ratios(p2: dict[str, dict[str, Stat]], kinds: tuple[str, ...]) -> Stat:
    """P2's decision: for each round (the big store and the 1k store measured back to back,
    :func:`measure.writes`), the big store's time for the round's commands (a visit or
    follow-up on a cold case, and a report) over the 1k store's time for the same commands;
    the median of these paired ratios. In-process (``kinds`` visit, report) it decides the
    target; through the CLI (cli_visit, cli_report: process start-up is most of each run) it
    is reported beside it."""
    rounds = min(len(p2[size][kind].values) for size in ("big", "small") for kind in kinds)
    return Stat(
        [
            sum(p2["big"][kind].values[i] for kind in kinds)
            / sum(p2["small"][kind].values[i] for kind in kinds)
            for i in range(rounds)
        ]
    )


def _cpus() -> int:
    import os

    return os.cpu_count() or 0


def _holds(value: float, op: str, bound: float) -> bool:
    return value >= bound if op == ">=" else value <= bound


def render(results: dict[str, Any]) -> str:
    details = results["details"]
    rows: list[tuple[str, str, str, str, str]] = []

    def add(key: str, label: str, value: str, floor: str, spread: str) -> None:
        target = results["targets"].get(key)
        verdict = "" if target is None else ("ok" if target["holds"] else "MISSED")
        goal = f"{target['target']} {verdict}" if target else ""
        rows.append((label, value, goal, floor, spread))

    p1 = details["p1"][str(results["cases"])]
    floors = results["floors"]
    add(
        "p1_apply_ratio",
        "P1 apply ÷ bare library (put)",
        f"{results['p1_apply_ratio']:.3f}",
        f"EventStore.put {floors['p1_bare_put_commands_per_s']:,} cmd/s "
        f"(apply {p1['apply_commands_per_s']:,}); ÷ Application.save "
        f"{results['p1_save_ratio']:.3f} ({p1['floor_commands_per_s']:,} cmd/s)",
        _spread(p1["ratio_chunks"]),
    )
    phases = p1.get("phases_seconds", {})
    if phases:
        total = p1["apply_seconds"]
        decide = total - sum(phases.values())
        split = ", ".join(f"{k} {v / total:.0%}" for k, v in {"decide": decide, **phases}.items())
        rows.append(("  where apply's time goes", split, "", "", ""))
    add(
        "p1_physical_ratio",
        "P1 apply ÷ physical floor (× slower)",
        f"{results['p1_physical_ratio']:.2f}",
        f"raw sqlite3 {floors['p1_physical_commands_per_s']:,} cmd/s, "
        f"{p1['write_rows']:,} rows in {sum(p1['write_transactions'].values()):,} transactions",
        "n=1",
    )
    peaks = ", ".join(
        f"{int(k):,} cases {v:.0f} MB" for k, v in floors["p1_peak_mb_by_size"].items()
    )
    if "p1_memory_ratio" in results:
        add(
            "p1_memory_ratio",
            "P1 peak memory, big ÷ next size",
            f"{results['p1_memory_ratio']:.2f}",
            peaks,
            "n=1",
        )
    else:
        rows.append(("P1 peak memory of apply", f"{results['p1_peak_mb']:.0f} MB", "", peaks, ""))
    p2 = details["p2"]
    add(
        "p2_flat_ratio",
        "P2 write big ÷ 1k (in-process, paired)",
        f"{results['p2_flat_ratio']:.3f}",
        ", ".join(
            f"{k} {p2['small_ms'][k]['median']:.1f} → {p2['big_ms'][k]['median']:.1f} ms"
            for k in p2["small_ms"]
        )
        + f"; CLI paired {p2['cli_paired']['median']:.2f} (reported, not decided)",
        _spread(p2["paired"]),
    )
    p3 = details["p3"]
    add(
        "p3_rebuild_ratio",
        "P3 rebuild ÷ decoded read",
        f"{results['p3_rebuild_ratio']:.3f}",
        f"{p3['floor_events_per_s']['median']:,.0f} ev/s "
        f"(rebuild {p3['rebuild_events_per_s']['median']:,.0f})",
        _spread(p3["ratio"]),
    )
    if p3.get("us_per_event"):
        split = ", ".join(f"{k} {v:.0f}" for k, v in p3["us_per_event"].items())
        rows.append(("  rebuild µs/event", split, "", "", ""))
    p4 = details["p4"]
    add(
        "p4_history_ms",
        "P4 history / show --as-of",
        f"{results['p4_history_ms']:.1f} ms",
        f"history {p4['history_ms']['median']:.1f}, as-of {p4['show_as_of_ms']['median']:.1f}, "
        f"show {p4['show_ms']['median']:.1f} ms",
        _spread(p4["history_ms"]),
    )
    add(
        "p4_cli_ratio",
        "P4 CLI read ÷ import (worst)",
        f"{results['p4_cli_ratio']:.3f}",
        f"import {p4['cli_import_floor_ms']['median']:.0f} ms; "
        + ", ".join(f"{k} {p4[f'cli_{k}_ms']['median']:.0f}" for k in ("show", "history", "ledger"))
        + " ms",
        _spread(p4["cli_show_ms"]),
    )
    add(
        "p4_help_ratio",
        "P4 CLI --help ÷ import",
        f"{results['p4_help_ratio']:.3f}",
        f"--help {p4['cli_help_ms']['median']:.0f} ms",
        _spread(p4["cli_help_ms"]),
    )
    for name, spent in p4.get("cli_imports", {}).items():
        shown = [(k, v) for k, v in spent.items() if k != "(total)"][:5]
        split = ", ".join(f"{k} {v:.0f}" for k, v in shown)
        rows.append((f"  {name}: imports, ms", split, "", "", ""))
    worst = max(details["p5"]["ledger"], key=lambda e: e["ms"]["median"])
    add(
        "p5_ledger_ms",
        "P5 ledger, filtered (worst)",
        f"{results['p5_ledger_ms']:.1f} ms",
        f"{worst['filters']} → {worst['rows']:,} rows",
        _spread(worst["ms"]),
    )
    if "p5_due_ms" in results:
        due = details["p5"]["due"]
        add(
            "p5_due_ms",
            "P5 due board",
            f"{results['p5_due_ms']:.1f} ms",
            f"{due['items']:,} items",
            _spread(due["ms"]),
        )
    headers = ("measure", "value", "target", "floor / detail", "spread")
    widths = [max(len(headers[i]), *(len(r[i]) for r in rows)) for i in range(5)]
    lines = [
        f"disputes benchmark — {results['cases']:,} cases, {results['events']:,} events, "
        f"{results['run']['seconds']:.0f} s ({results['run']['machine']})",
        "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    if "p6_server_ratio" in results:
        lines.append(
            server.render({"p6_server_ratio": results["p6_server_ratio"], "p6": details["p6"]})
        )
    noise = results["noise"]
    lines.append(
        "machine noise (max−min over median): cpu "
        f"{noise['before']['cpu_spread_pct']}% / {noise['after']['cpu_spread_pct']}%, "
        f"commit {noise['before']['commit_spread_pct']}% / "
        f"{noise['after']['commit_spread_pct']}% (before / after)"
    )
    return "\n".join(lines)


def _spread(stat: dict[str, Any]) -> str:
    median = stat["median"]
    if not median or stat["n"] < 2:
        return "n=1"
    return f"±{(stat['max'] - stat['min']) / median * 50:.0f}% (n={stat['n']})"


__all__ = ["Stat", "main"]
