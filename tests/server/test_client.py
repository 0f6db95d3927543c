"""RemoteGate without a server (httpx's mock transport): a command whose answer was lost is sent
again with the same id; a refusal comes back as the domain error of its family."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import httpx
import pytest

from disputes.cli import client
from disputes.cli.client import RemoteGate, command_line
from disputes.domain.commands import Command, build_command
from disputes.domain.errors import ConcurrentModification, DisputesError, NotFound, RuleViolation

if TYPE_CHECKING:
    from collections.abc import Callable

ANSWER = {
    "case_no": "HY-2024-0001",
    "verb": "grade",
    "event": "Graded",
    "version": 2,
    "status": "open",
    "grade": "red",
    "duplicate": False,
    "referral": None,
}


def _gate(handler: Callable[[httpx.Request], httpx.Response]) -> RemoteGate:
    return RemoteGate("http://server.test", "t0ken", transport=httpx.MockTransport(handler))


def _grade() -> Command:
    return build_command(
        "grade",
        {
            "actor": "L-WD-01",
            "case": "HY-2024-0001",
            "grade": "red",
            "reason": "持械",
            "command_id": "c-1",
        },
    )


def test_a_lost_answer_is_sent_again_with_the_same_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client.time, "sleep", lambda _: None)
    seen: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        assert request.headers["Authorization"] == "Bearer t0ken"
        if len(seen) == 1:
            raise httpx.ReadError("connection reset")
        if len(seen) == 2:
            return httpx.Response(503, json={"error": {}})
        return httpx.Response(200, json={**ANSWER, "duplicate": True})

    outcome = _gate(handler).execute(_grade())
    assert outcome.duplicate is True
    assert [line["id"] for line in seen] == ["c-1", "c-1", "c-1"]
    assert seen[0] == {
        "id": "c-1",
        "command": "grade",
        "case": "HY-2024-0001",
        "args": {"grade": "red", "reason": "持械", "signals": []},
    }


def test_the_line_leaves_the_actor_to_the_token() -> None:
    line = command_line(_grade())
    assert "actor" not in line
    assert "actor" not in line["args"]


@pytest.mark.parametrize(
    ("status", "code", "family"),
    [
        (403, 1, RuleViolation),
        (404, 3, NotFound),
        (409, 4, ConcurrentModification),
        (422, 2, DisputesError),
    ],
)
def test_a_refusal_is_its_family(status: int, code: int, family: type[DisputesError]) -> None:
    body = {"error": {"exit": code, "kind": "x", "message": "no", "zh": "不行", "field": None}}
    gate = _gate(lambda _: httpx.Response(status, json=body))
    with pytest.raises(family) as raised:
        gate.show("HY-2024-0001")
    assert raised.value.text("zh") == "不行"
    assert raised.value.text("en") == "no"


def test_an_answer_that_is_not_the_error_body_is_named() -> None:
    gate = _gate(lambda _: httpx.Response(502, text="<html>bad gateway</html>"))
    with pytest.raises(DisputesError, match="502"):
        gate.whoami()
