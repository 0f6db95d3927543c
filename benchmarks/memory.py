"""Peak memory of ``disputes apply`` (issue 15: flat in journal size, stated in MB).

:func:`peak_memory` loads the sample roster into a fresh store, then runs ``disputes --db STORE
apply JOURNAL --quiet --json`` as a child of a small Python process that reports the child's
peak resident set (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``: only that one child was
ever waited for there). So the figure is the real command's, start to exit, imports included.

``python -m benchmarks.memory JOURNAL [JOURNAL …] --workdir DIR`` prints one JSON object per
journal: ``{"journal": …, "lines": …, "peak_mb": …, "seconds": …}``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

_MEASURE = """
import resource, subprocess, sys
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
if done.returncode not in (0, 1):
    sys.exit(f"apply exited {done.returncode}: {done.stderr.decode()[-2000:]}")
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""
"""Runs its arguments as one child and prints that child's peak RSS (KiB on Linux)."""


def disputes_cli() -> list[str]:
    """How to start the ``disputes`` command with this interpreter."""
    return [sys.executable, "-c", "from disputes.cli.main import main; main()"]


def peak_memory(journal: Path, workdir: Path) -> float:
    """Peak resident memory (MB, 10⁶ bytes) of ``disputes apply`` applying ``journal`` to a
    fresh store in ``workdir`` (with the sample roster; the store is removed afterwards).
    Raises RuntimeError when the roster load or apply fails to run (exit 1, some lines
    refused, is accepted)."""
    from benchmarks.generate import sample_dir
    from benchmarks.measure import fresh

    db = workdir / "memory.db"
    fresh(db)
    env = {**os.environ, "DISPUTES_DB": str(db)}
    roster = sample_dir()
    load = [
        *disputes_cli(),
        "roster",
        "load",
        "--units",
        str(roster / "units.csv"),
        "--people",
        str(roster / "people.csv"),
    ]
    done = subprocess.run(load, capture_output=True, env=env, check=False)
    if done.returncode != 0:
        msg = f"roster load exited {done.returncode}: {done.stderr.decode()[-2000:]}"
        raise RuntimeError(msg)
    apply = [*disputes_cli(), "apply", str(journal), "--quiet", "--json"]
    try:
        measured = subprocess.run(
            [sys.executable, "-c", _MEASURE, *apply],
            capture_output=True,
            env=env,
            check=False,
        )
        if measured.returncode != 0:
            raise RuntimeError(measured.stderr.decode()[-2000:])
        kib = int(measured.stdout.decode().split()[-1])
    finally:
        fresh(db)
    return kib * 1024 / 1e6


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.memory")
    parser.add_argument("journals", nargs="+", type=Path)
    parser.add_argument("--workdir", type=Path, required=True)
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    for journal in args.journals:
        with journal.open("rb") as handle:
            lines = sum(1 for raw in handle if raw.strip())
        started = time.perf_counter()
        peak = peak_memory(journal, args.workdir)
        seconds = time.perf_counter() - started
        shape = {"journal": journal.name, "lines": lines, "peak_mb": round(peak, 1)}
        print(json.dumps({**shape, "seconds": round(seconds, 1)}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
