"""Bad input over HTTP (issue 11 §4): malformed JSON, wrong types, huge bodies, missing,
expired and forged tokens, another person's token on a case out of their scope — each answered
with the right status and a clear error body, nothing written, and no stack trace."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import uuid4

import httpx
import pytest

from tests.server.conftest import serving
from tests.server.harness import GRID, LEADER, OFFICER, OTHER_LEADER, body_error, expire
from tests.support.stores import stored_events

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tests.server.harness import Served

REPORT = {
    "category": "neighbour",
    "source": "visit",
    "village": "WD-V01",
    "summary": "两户因排水沟争执",
    "parties": [{"name": "梁某", "role": "applicant"}],
}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for the module: every test here checks what it changed, not the whole."""
    with serving(tmp_path_factory.mktemp("served")) as server:
        yield server


@pytest.fixture(scope="module")
def leader(served: Served) -> Iterator[httpx.Client]:
    with served.http(served.sign_in(LEADER)) as client:
        yield client


def _report(client: httpx.Client, ident: str = "r1") -> str:
    ident = f"{ident}-{uuid4().hex}"
    answer = client.post("/api/commands", json={"id": ident, "command": "report", "args": REPORT})
    assert answer.status_code == 200, answer.text
    case: str = answer.json()["case_no"]
    return case


BAD_BODIES: list[tuple[str, bytes, int, str]] = [
    ("malformed JSON", b'{"id": "x", "command": ', 422, "body"),
    ("not an object", b"[1, 2]", 422, "body"),
    ("not UTF-8", b'{"id": "\xff"}', 422, "body"),
    ("id not a string", b'{"id": 5, "command": "report", "args": {}}', 422, "id"),
    ("args not an object", b'{"id": "x", "command": "report", "args": []}', 422, "args"),
    ("unknown key", b'{"id": "x", "command": "report", "verb": 1}', 422, "verb"),
    ("repeated key", b'{"id": "x", "id": "y", "command": "report"}', 422, "id"),
    ("unknown verb", b'{"id": "x", "command": "explode", "case": "HY-2024-0001"}', 422, None),
    (
        "wrong type in args",
        b'{"id": "x", "command": "report", "args": {"category": 5, "source": "visit", '
        b'"village": "WD-V01", "summary": "s"}}',
        422,
        "category",
    ),
    (
        "deep nesting",
        b'{"id": "x", "command": "report", "args": ' + b"[" * 100_000 + b"}",
        422,
        None,
    ),
    ("escape sequence", b'{"id": "x\\u001b[2J", "command": "report"}', 422, None),
    ("no case", b'{"id": "x", "command": "grade", "args": {"grade": "red"}}', 422, "case"),
]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [pytest.param(body, status, field, id=name) for name, body, status, field in BAD_BODIES],
)
def test_a_bad_command_body_is_refused_and_records_nothing(
    served: Served, leader: httpx.Client, body: bytes, status: int, field: str | None
) -> None:
    before = stored_events(served.location)
    answer = leader.post(
        "/api/commands", content=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == status, answer.text
    error = body_error(answer)
    assert error["exit"] == 2
    if field is not None:
        assert field in (error["field"] or "") or field in error["message"]
    assert stored_events(served.location) == before


def test_a_huge_body_is_refused_with_413(served: Served, leader: httpx.Client) -> None:
    before = stored_events(served.location)
    huge = b'{"id": "x", "command": "report", "args": {"summary": "' + b"a" * 2_000_000 + b'"}}'
    answer = leader.post("/api/commands", content=huge)
    assert answer.status_code == 413
    assert body_error(answer)["kind"] == "invalid"

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
        yield b'{"id": "x", "command": "report", "args": {"summary": "'
        for _ in range(40):
            yield b"a" * 50_000
        yield b'"}}'

    streamed = leader.post("/api/commands", content=chunks())
    assert streamed.status_code == 413
    body_error(streamed)
    assert stored_events(served.location) == before


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing"),
        pytest.param({"Authorization": "Bearer forged-token-0123456789"}, id="forged"),
        pytest.param({"Authorization": "Basic dXNlcjpwYXNz"}, id="not-bearer"),
        pytest.param({"Authorization": "Bearer"}, id="empty"),
    ],
)
def test_no_valid_token_is_401(served: Served, headers: dict[str, str]) -> None:
    before = stored_events(served.location)
    with served.http() as client:
        for method, path, body in (
            ("GET", "/api/whoami", None),
            ("GET", "/api/ledger", None),
            ("GET", "/api/cases/HY-2024-0001", None),
            ("POST", "/api/commands", {"id": "x", "command": "report", "args": REPORT}),
            ("GET", "/api/accounts", None),
        ):
            answer = client.request(method, path, json=body, headers=headers)
            assert answer.status_code == 401, (path, answer.text)
            assert answer.headers["www-authenticate"] == "Bearer"
            assert body_error(answer)["kind"] == "unauthorized"
    assert stored_events(served.location) == before


def test_an_expired_or_revoked_token_is_401(served: Served) -> None:
    expired, revoked = served.sign_in(OFFICER), served.sign_in(GRID)
    expire(served.location, expired)
    with served.http(expired) as client:
        answer = client.get("/api/whoami")
        assert answer.status_code == 401
        assert "expired" in body_error(answer)["message"]
    with served.http(revoked) as client:
        assert client.get("/api/whoami").status_code == 200
        assert client.delete("/api/sessions/current").status_code == 204
        answer = client.get("/api/whoami")
        assert answer.status_code == 401
        body_error(answer)


def test_another_persons_token_on_a_case_out_of_scope(served: Served, leader: httpx.Client) -> None:
    case = _report(leader)
    before = stored_events(served.location)
    with served.http(served.sign_in(OTHER_LEADER)) as other:
        for method, path, body in (
            ("GET", f"/api/cases/{case}", None),
            ("GET", f"/api/cases/{case}/history", None),
            (
                "POST",
                "/api/commands",
                {
                    "id": "o1",
                    "command": "grade",
                    "case": case,
                    "args": {"grade": "red", "reason": "x"},
                },
            ),
        ):
            answer = other.request(method, path, json=body)
            assert answer.status_code == 403, (path, answer.text)
            error = body_error(answer)
            assert (error["exit"], error["kind"]) == (1, "refused")
            assert OTHER_LEADER in error["message"]
        rows = other.get("/api/ledger").json()
        assert case not in {row["case_no"] for row in rows}
    events = stored_events(served.location)
    # Only access entries (the refused reads) were recorded, no case event.
    assert events >= before
    assert len(leader.get(f"/api/cases/{case}/history").json()) == 1


def test_a_command_in_another_persons_name_is_refused(served: Served, leader: httpx.Client) -> None:
    before = stored_events(served.location)
    line: dict[str, Any] = {"id": "x", "actor": OTHER_LEADER, "command": "report", "args": REPORT}
    answer = leader.post("/api/commands", json=line)
    assert answer.status_code == 403
    assert body_error(answer)["kind"] == "refused"
    assert stored_events(served.location) == before


def test_a_retry_with_the_same_id_records_nothing_new(leader: httpx.Client) -> None:
    line = {"id": "same", "command": "report", "args": REPORT}
    first, second = leader.post("/api/commands", json=line), leader.post("/api/commands", json=line)
    assert first.json()["duplicate"] is False
    assert second.json() == {**first.json(), "duplicate": True}


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/api/cases/HY-2024-9999", 404, None),
        ("/api/cases/HY-2024-0001?as_of=yesterday", 422, "as_of"),
        ("/api/ledger?status=" + "x" * 100, 422, "status"),
        ("/api/due?overdue=maybe", 422, "overdue"),
        ("/api/nothing-here", 404, None),
    ],
)
def test_bad_reads(leader: httpx.Client, path: str, status: int, field: str | None) -> None:
    answer = leader.get(path)
    assert answer.status_code == status, answer.text
    error = body_error(answer)
    if field:
        assert error["field"] == field


def test_sign_in_failures_say_one_thing_and_are_limited(served: Served) -> None:
    with served.http() as client:
        texts = set()
        for person in (LEADER, "NOBODY"):
            answer = client.post(
                "/api/sessions", json={"person": person, "password": "wrong", "code": "000000"}
            )
            assert answer.status_code == 401
            texts.add(body_error(answer)["message"])
        assert len(texts) == 1
        statuses = [
            client.post(
                "/api/sessions", json={"person": "NOBODY", "password": "x", "code": "1"}
            ).status_code
            for _ in range(12)
        ]
        assert statuses[-1] == 429
        body_error(
            client.post("/api/sessions", json={"person": "NOBODY", "password": "x", "code": "1"})
        )
        malformed = client.post(
            "/api/sessions", content=b"{", headers={"Content-Type": "application/json"}
        )
        assert malformed.status_code == 422
        body_error(malformed)
