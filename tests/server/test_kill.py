"""SIGKILL the server mid-load (issue 11 §4): several clients send commands with command ids;
the server is killed while they do, and started again. Every command a client saw acknowledged
is stored exactly once; clients that send every command again with its id (acknowledged or not)
record nothing twice, and each acknowledged id still answers with the case it made."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import httpx

from tests.server.harness import GRID, LEADER, OFFICER, OTHER_LEADER

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.server.harness import Served

VILLAGES = {LEADER: "WD-V01", OFFICER: "WD-V02", OTHER_LEADER: "DM-V01", GRID: "WD-V01"}
"""Each client's person and a village they may report in."""
KILL_AFTER = 60
"""Acknowledged commands (all clients together) before the server is killed."""


def _line(person: str, number: int) -> dict[str, object]:
    return {
        "id": f"{person}-{number}",
        "command": "report",
        "args": {
            "category": "neighbour",
            "source": "visit",
            "village": VILLAGES[person],
            "summary": f"第{number}起邻里纠纷",
        },
    }


class Client(threading.Thread):
    """Sends reports one after another until the server stops answering."""

    def __init__(self, served: Served, person: str, token: str) -> None:
        super().__init__(daemon=True)
        self.url, self.person, self.token = served.url, person, token
        self.acknowledged: dict[str, str] = {}
        self.sent = 0

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.url, headers=headers, timeout=20) as http:
            for number in range(10_000):
                self.sent = number + 1
                try:
                    answer = http.post("/api/commands", json=_line(self.person, number))
                except httpx.TransportError:
                    return  # the server is gone: this one's answer was lost
                assert answer.status_code == 200, answer.text
                self.acknowledged[f"{self.person}-{number}"] = answer.json()["case_no"]


def test_sigkill_mid_load_loses_no_acknowledged_command_and_doubles_none(
    served: Served, figures: Callable[..., None]
) -> None:
    from disputes.storage.store import Store

    tokens = {person: served.sign_in(person) for person in VILLAGES}
    clients = [Client(served, person, tokens[person]) for person in VILLAGES]
    for client in clients:
        client.start()
    deadline = time.monotonic() + 60
    while sum(len(c.acknowledged) for c in clients) < KILL_AFTER:
        assert time.monotonic() < deadline, "the load did not get going"
        time.sleep(0.01)
    served.kill()
    for client in clients:
        client.join(30)
        assert not client.is_alive()
    acknowledged = {k: v for c in clients for k, v in c.acknowledged.items()}
    assert len(acknowledged) >= KILL_AFTER

    attempted = [f"{c.person}-{n}" for c in clients for n in range(c.sent)]
    with Store(served.location) as store:  # before any retry: the acknowledged are all there
        store.catch_up()
        survived = store.find_commands(attempted)
    assert set(acknowledged) <= set(survived)
    assert all(survived[ident].case_no == case for ident, case in acknowledged.items())

    served.start()
    every_id: list[str] = []
    with served.http() as http:
        for client in clients:  # each sends all it sent again, the lost answer too
            headers = {"Authorization": f"Bearer {tokens[client.person]}"}
            for number in range(client.sent):
                line = _line(client.person, number)
                every_id.append(str(line["id"]))
                answer = http.post("/api/commands", json=line, headers=headers)
                assert answer.status_code == 200, answer.text
                if line["id"] in acknowledged:
                    assert answer.json()["duplicate"] is True
                    assert answer.json()["case_no"] == acknowledged[str(line["id"])]
    served.stop()

    with Store(served.location) as store:
        store.catch_up()
        recorded = store.find_commands(every_id)
        cases = store.ledger()
    assert set(recorded) == set(every_id)
    assert len(cases) == len(every_id)  # one case per id: none twice
    assert len({r.case_no for r in recorded.values()}) == len(every_id)
    figures(
        clients=len(clients),
        sent_before_kill=sum(c.sent for c in clients),
        acknowledged=len(acknowledged),
        answer_lost=sum(c.sent for c in clients) - len(acknowledged),
        recorded_but_unacknowledged=len(set(survived) - set(acknowledged)),
        stored_after_retries=len(recorded),
        lost=0,
        recorded_twice=0,
    )
