"""Write the pre-redesign store fixture (``data/pre-redesign.db``) and its expected outputs.

Run it ONCE with the code from BEFORE the redesign (issue 9), at commit c4e4f31 (the old
``src/disputes`` layout), never with newer code — the point of the fixture is that it was
written and read by the old code:

    git worktree add --detach /tmp/old c4e4f31
    cd /tmp/old && python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]'
    python3 tests/compat/make_fixture.py --disputes /tmp/old/.venv/bin/disputes \
        --samples /tmp/old/src/disputes/samples/huaiyang

(run from this repository's root; the script only needs the standard library and drives the
old ``disputes`` executable through subprocesses). It is not run by the test suite.

What it does: a fresh SQLite store; the sample roster; ``scenarios.jsonl`` (3 cases);
``data/extra.jsonl`` (two more cases: one of 130 events, so a Dispute snapshot is stored,
with referral and receipt, escalate, supervision order and answer, downgrade, a relapse during
observation and a close; one closed and relapsing after closure, with a command sent twice)
applied twice (the second run records nothing); one write retried with the same
``--command-id`` through the CLI; a signing key and one checkpoint (only the public key is
kept, as ``data/station.key.pub``). The store is copied with ``VACUUM INTO`` (a single file,
no -wal/-shm). Then every read the test compares is run on a scratch copy of that file and
recorded in ``data/expected/NAME.json`` as ``{"argv", "exit_code", "stdout" | "json",
"stderr"}``; ``argv`` omits the leading ``--db FILE`` and may hold ``{pub}`` (the public key)
and ``{dossier}`` (an output file) placeholders.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
EXPECTED = DATA / "expected"

DUE_ON = ("2022-04-02T09:00+08:00", "2022-06-30T18:00+08:00", "2023-01-20T09:00+08:00")
"""Moments of the due board: X1 under an open supervision order; mid-2022; after X2's relapse."""
AS_OF = "2022-04-02T09:00+08:00"
"""``show --as-of`` / ``ledger --as-of``: X1 at version 40-odd, its supervision order open."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--disputes", required=True, help="the OLD code's disputes executable")
    parser.add_argument("--samples", required=True, type=Path, help="old samples/huaiyang")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        make(args.disputes, args.samples, Path(tmp))


def make(exe: str, samples: Path, tmp: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPUTES_")}
    env["XDG_DATA_HOME"] = str(tmp / "xdg")

    def run(db: Path, *argv: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [exe, "--db", str(db), *argv], capture_output=True, text=True, env=env, check=False
        )
        assert done.returncode == code, (argv, done.returncode, done.stdout, done.stderr)
        return done

    work = tmp / "work.db"
    run(work, "roster", "load", "--units", str(samples / "units.csv"), "--people",
        str(samples / "people.csv"))  # fmt: skip
    for journal in (samples / "scenarios.jsonl", DATA / "extra.jsonl", DATA / "extra.jsonl"):
        result = json.loads(run(work, "apply", str(journal), "--json").stdout)
        assert not result["failed"], result
        print(journal.name, {k: result[k] for k in ("applied", "skipped")})
    # A write retried with the same command id: recorded once, answered alike both times.
    retry = ("--as", "P-WD-01", "visit", "HY-2022-0003", "--mode", "phone", "--note", "电话稳控",
             "--at", "2023-01-16T10:00+08:00", "--command-id", "CLI-RETRY-1", "--json")  # fmt: skip
    first, second = (json.loads(run(work, *retry).stdout) for _ in range(2))
    assert first.pop("duplicate") is False, first
    assert second.pop("duplicate") is True, second
    assert first == second, (first, second)
    key = tmp / "station.key"
    run(work, "keygen", "--out", str(key))
    run(work, "checkpoint", "--key", str(key))

    DATA.mkdir(exist_ok=True)
    fixture = DATA / "pre-redesign.db"
    fixture.unlink(missing_ok=True)
    with closing(sqlite3.connect(work)) as connection:
        connection.execute("VACUUM INTO ?", (str(fixture),))
    shutil.copyfile(key.with_name("station.key.pub"), DATA / "station.key.pub")

    scratch = tmp / "scratch.db"
    shutil.copyfile(fixture, scratch)
    with closing(sqlite3.connect(fixture)) as connection:
        (snapshots,) = connection.execute("SELECT COUNT(*) FROM stored_snapshots").fetchone()
        (events,) = connection.execute("SELECT COUNT(*) FROM stored_events").fetchone()
    assert snapshots > 0, "no snapshot was stored"
    print(f"{fixture}: {fixture.stat().st_size} bytes, {events} events, {snapshots} snapshots")

    if EXPECTED.exists():
        shutil.rmtree(EXPECTED)
    EXPECTED.mkdir()
    placeholders = {"{pub}": str(DATA / "station.key.pub"), "{dossier}": str(tmp / "dossier.json")}

    def unplace(text: str) -> str:
        for name, value in placeholders.items():
            text = text.replace(value, name)
        return text

    def record(name: str, *argv: str, as_json: bool = True, code: int = 0) -> Any:
        real = [placeholders.get(a, a) for a in argv]
        done = run(scratch, *real, code=code)
        entry: dict[str, Any] = {"argv": list(argv), "exit_code": done.returncode}
        if as_json:
            entry["json"] = json.loads(done.stdout)
        else:
            entry["stdout"] = unplace(done.stdout)
        entry["stderr"] = unplace(done.stderr)
        text = json.dumps(entry, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        (EXPECTED / f"{name}.json").write_text(text, encoding="utf-8")
        return entry.get("json")

    rows = record("ledger", "ledger", "--format", "json")
    for row in rows:
        case = row["case_no"]
        record(f"show-{case}", "show", case, "--json")
        record(f"history-{case}", "history", case, "--json")
    record("ledger-as-of", "ledger", "--as-of", AS_OF, "--format", "json")
    record("show-HY-2022-0002-as-of", "show", "HY-2022-0002", "--as-of", AS_OF, "--json")
    for n, on in enumerate(DUE_ON, 1):
        record(f"due-{n}", "due", "--on", on, "--json")
    record("roster-units", "roster", "list", "--kind", "units", "--json")
    record("roster-people", "roster", "list", "--json")
    record("checkpoints", "checkpoints", "--json")
    record("verify", "verify", as_json=False)
    record("verify-json", "verify", "--json")
    record("verify-key", "verify", "--key", "{pub}", as_json=False)
    record("verify-key-json", "verify", "--key", "{pub}", "--json")
    record("export-HY-2021-0002", "export", "HY-2021-0002", "--dossier", "{dossier}",
           as_json=False)  # fmt: skip
    dossier = json.loads(Path(placeholders["{dossier}"]).read_text(encoding="utf-8"))
    (EXPECTED / "dossier-HY-2021-0002.json").write_text(
        json.dumps(dossier, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    with closing(sqlite3.connect(scratch)) as connection:
        (after,) = connection.execute("SELECT COUNT(*) FROM stored_events").fetchone()
    assert after == events, "a read wrote an event"


if __name__ == "__main__":
    main()
