"""P6: the server (issue 11 §4). 8 concurrent connections (one asyncio httpx client) issue
single commands over HTTP to one ``disputes serve`` on PostgreSQL; the floor is the same single
commands in-process (``Gate.execute`` on a Store over the same database), measured alternately
in the same run. Reports commands/s as a ratio to the floor, and the HTTP latencies (p50, p99).

The commands: per case, ``report``, ``grade`` and three ``visit``s by the station's leader,
each connection working its own cases in order (a case's commands depend on each other); the
floor runs the same kind of lines one after another.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

from benchmarks.generate import roster_files
from benchmarks.measure import Stat, log

CONNECTIONS = 8
LEADER = "L-WD-01"
ADMIN = "S-HY-01"
VILLAGES = ("WD-V01", "WD-V02", "WD-V03", "WD-V04", "WD-V05")
VISITS = 3
COMMANDS_PER_CASE = 2 + VISITS


def case_lines(prefix: str, number: int) -> list[dict[str, Any]]:
    """The journal lines of one case (``case`` of the later lines filled in once reported)."""
    ident = f"{prefix}-{number}"
    lines: list[dict[str, Any]] = [
        {
            "id": f"{ident}-r",
            "command": "report",
            "args": {
                "category": "neighbour",
                "source": "visit",
                "village": VILLAGES[number % len(VILLAGES)],
                "summary": f"第{number}起邻里纠纷，双方因宅基地边界争吵",
                "parties": [
                    {"name": "梁某", "role": "applicant"},
                    {"name": "周某", "role": "respondent"},
                ],
            },
        },
        {"id": f"{ident}-g", "command": "grade", "args": {"grade": "red", "reason": "扬言报复"}},
    ]
    lines += [
        {
            "id": f"{ident}-v{v}",
            "command": "visit",
            "args": {"mode": "in-person", "note": "走访双方"},
        }
        for v in range(VISITS)
    ]
    return lines


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def in_process(location: str, cases: int) -> float:
    """Commands/s of the floor: the lines through ``Gate.execute`` one after another."""
    from disputes.gate.gate import Gate, Viewer
    from disputes.gate.journal import line_command
    from disputes.storage.store import Store

    with Store(location) as store:
        gate = Gate(store, Viewer(person=LEADER))
        limits = store.policy.limits
        prefix = uuid4().hex[:8]
        started = time.perf_counter()
        for number in range(cases):
            case_no = None
            for template in case_lines(prefix, number):
                line = {**template, "actor": LEADER}
                if case_no is not None:
                    line["case"] = case_no
                outcome = gate.execute(line_command(line, {}, limits))
                case_no = outcome.case_no
        seconds = time.perf_counter() - started
    return cases * COMMANDS_PER_CASE / seconds


async def _over_http(url: str, token: str, cases: int) -> tuple[float, list[float]]:
    import httpx

    prefix = uuid4().hex[:8]
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(
        base_url=url, headers=headers, limits=limits, timeout=60
    ) as client:
        queue: asyncio.Queue[int] = asyncio.Queue()
        for number in range(cases):
            queue.put_nowait(number)

        async def connection() -> None:
            while not queue.empty():
                number = queue.get_nowait()
                case_no = None
                for line in case_lines(prefix, number):
                    if case_no is not None:
                        line["case"] = case_no
                    sent = time.perf_counter()
                    answer = await client.post("/api/commands", json=line)
                    latencies.append((time.perf_counter() - sent) * 1000)
                    if answer.status_code != 200:
                        raise RuntimeError(f"{answer.status_code}: {answer.text}")
                    case_no = answer.json()["case_no"]

        started = time.perf_counter()
        await asyncio.gather(*(connection() for _ in range(CONNECTIONS)))
        seconds = time.perf_counter() - started
    return cases * COMMANDS_PER_CASE / seconds, latencies


def prepare(location: str, folder: Path) -> str:
    """Load the sample roster with a system administrator; an account for the leader. Returns
    the leader's TOTP secret and writes ``password`` beside the key file."""
    from disputes.domain.roster import Roster
    from disputes.gate.accounts import Accounts
    from disputes.storage.store import Access, Store

    units, people = roster_files()
    roster = Roster.from_csv(
        units.removeprefix("\ufeff"),
        people.removeprefix("\ufeff") + f"{ADMIN},严志刚,system-admin,HY\n",
    )
    with Store(location, access=Access.CREATE) as store:
        store.app.load_roster(roster, ADMIN)
        issued = Accounts(store).create(ADMIN, LEADER)
    (folder / "password").write_text(issued.password, encoding="utf-8")
    assert issued.totp_secret is not None
    return issued.totp_secret


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def measure(postgres: str, cases: int = 60, rounds: int = 3) -> dict[str, Any]:
    """P6 on a new database of the PostgreSQL server ``postgres`` (dropped afterwards)."""
    import httpx
    import psycopg
    import pyotp

    name = f"disputes_bench_{uuid4().hex[:10]}"
    with psycopg.connect(postgres, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"'.encode())
    location = urlsplit(postgres)._replace(path=f"/{name}").geturl()
    folder = Path(tempfile.mkdtemp(prefix="disputes-p6-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPUTES_")}
    env.update(DISPUTES_KEY_FILE=str(folder / "server.key"), XDG_CONFIG_HOME=str(folder))
    saved_key = os.environ.get("DISPUTES_KEY_FILE")
    os.environ["DISPUTES_KEY_FILE"] = env["DISPUTES_KEY_FILE"]
    process = None
    try:
        secret = prepare(location, folder)
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-c", "from disputes.cli.main import main; main()"]
        process = subprocess.Popen(
            [*command, "--db", location, "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(300):
            try:
                httpx.get(f"{url}/api/openapi.json", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        signed = httpx.post(
            f"{url}/api/sessions",
            json={
                "person": LEADER,
                "password": (folder / "password").read_text(encoding="utf-8"),
                "code": pyotp.TOTP(secret).now(),
            },
        )
        signed.raise_for_status()
        token = signed.json()["token"]
        log(f"P6: {CONNECTIONS} connections over HTTP vs in-process, PostgreSQL, {rounds} rounds")
        asyncio.run(_over_http(url, token, max(2, cases // 10)))  # warm-up
        in_process(location, max(2, cases // 10))
        floor: list[float] = []
        served: list[float] = []
        latencies: list[float] = []
        for _ in range(rounds):
            floor.append(in_process(location, cases))
            rate, times = asyncio.run(_over_http(url, token, cases))
            served.append(rate)
            latencies += times
    finally:
        if process is not None:
            process.terminate()
            process.wait(20)
        if saved_key is None:
            os.environ.pop("DISPUTES_KEY_FILE", None)
        else:
            os.environ["DISPUTES_KEY_FILE"] = saved_key
        with psycopg.connect(postgres, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())
    ratios = Stat([s / f for s, f in zip(served, floor, strict=True)])
    return {
        "ratio": ratios,
        "http_commands_per_s": Stat(served),
        "in_process_commands_per_s": Stat(floor),
        "p50_ms": statistics.median(latencies),
        "p99_ms": _percentile(latencies, 0.99),
        "commands": len(latencies),
    }


def results(postgres: str, cases: int = 60, rounds: int = 3) -> dict[str, Any]:
    """P6 as the JSON of ``python -m benchmarks``: ``p6_server_ratio`` and its details."""
    found = measure(postgres, cases, rounds)
    return {
        "p6_server_ratio": round(found["ratio"].median, 3),
        "p6": {
            "connections": CONNECTIONS,
            "commands": found["commands"],
            "ratio": found["ratio"].as_json(),
            "http_commands_per_s": found["http_commands_per_s"].as_json(1),
            "in_process_commands_per_s": found["in_process_commands_per_s"].as_json(1),
            "p50_ms": round(found["p50_ms"], 1),
            "p99_ms": round(found["p99_ms"], 1),
        },
    }


def render(found: dict[str, Any]) -> str:
    """One line of the table: the ratio, the two rates, the latencies."""
    p6 = found["p6"]
    holds = "ok" if found["p6_server_ratio"] >= TARGET else "MISSED"
    return (
        f"P6 server ÷ in-process ({p6['connections']} connections, PostgreSQL): "
        f"{found['p6_server_ratio']:.3f} (target >= {TARGET:g} {holds}); "
        f"HTTP {p6['http_commands_per_s']['median']:.1f} cmd/s, in-process "
        f"{p6['in_process_commands_per_s']['median']:.1f} cmd/s; latency p50 "
        f"{p6['p50_ms']:.1f} ms, p99 {p6['p99_ms']:.1f} ms ({p6['commands']} commands)"
    )


TARGET = 0.5
