"""The CLI as the server's client (docs/trust.md §4): :class:`RemoteGate` has the gate's
methods and answers what the gate answers, over HTTP(S) with the signed-in person's token.

A refusal comes back as the domain error of the same family (a rule's refusal, not found, a
concurrent modification, invalid input), so the root group prints it and exits with the code
it would have locally. A command whose answer was lost (the connection dropped, the server
restarted) is sent again with the same command id: the server records it at most once.
"""

from __future__ import annotations

import os
import ssl
import time
from datetime import datetime
from typing import Any

import httpx

from disputes.domain.commands import LINE_FIELDS, CaseCommand, Command
from disputes.domain.errors import (
    ConcurrentModification,
    DisputesError,
    NotFound,
    RuleViolation,
    StoreError,
)
from disputes.domain.service import Outcome

TIMEOUT = httpx.Timeout(60.0, connect=10.0)
RETRIES = 4
"""Times a command is sent again (same id) when its answer was lost, 0.5 s, 1 s, 2 s … apart."""
FAMILIES: dict[int, type[DisputesError]] = {
    1: RuleViolation,
    3: NotFound,
    4: ConcurrentModification,
}


class ServerUnreachable(StoreError):
    """The server did not answer (exit 2)."""


def tls_context() -> ssl.SSLContext:
    """The system's trusted authorities, plus ``DISPUTES_CA_FILE`` (a district's own CA)."""
    context = ssl.create_default_context()
    cafile = os.environ.get("DISPUTES_CA_FILE")
    if cafile:
        context.load_verify_locations(cafile=cafile)
    return context


def refusal(response: httpx.Response) -> DisputesError:
    """The domain error an error answer stands for."""
    try:
        error = response.json()["error"]
        message, zh, code = str(error["message"]), error.get("zh"), int(error["exit"])
    except (ValueError, KeyError, TypeError):
        text = response.text[:200]
        message = f"the server answered {response.status_code} {response.reason_phrase}: {text}"
        zh, code = f"服务器返回 {response.status_code}：{text}", 2
    family = FAMILIES.get(code, DisputesError)
    return family(message, zh=zh if isinstance(zh, str) else None)


def command_line(command: Command) -> dict[str, Any]:
    """A command model as a journal line (``actor`` left out: the server's is the token's)."""
    line: dict[str, Any] = {"id": command.command_id, "command": command.verb}
    if command.occurred_at is not None:
        line["at"] = command.occurred_at.isoformat()
    if isinstance(command, CaseCommand):
        line["case"] = command.case_no
    reward_no = getattr(command, "reward_no", None)
    if reward_no is not None:  # approve-, reject-, pay-, cancel-reward (issue 13)
        line["reward"] = reward_no
    args = command.model_dump(mode="json", exclude=set(LINE_FIELDS), exclude_none=True)
    line["args"] = args
    return line


class RemoteGate:
    """The gate's methods over the API of ``server`` (a base URL), as the person whose session
    ``token`` is. ``purpose`` goes with every read (district roles and auditors need one)."""

    def __init__(
        self,
        server: str,
        token: str | None,
        *,
        purpose: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.server = server.rstrip("/")
        self.purpose = purpose
        self._labels: Any = None
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(
            base_url=self.server,
            headers=headers,
            timeout=TIMEOUT,
            verify=tls_context(),
            transport=transport,
        )

    def close(self) -> None:
        self.http.close()

    # -- the wire -----------------------------------------------------------------------------

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send one request; the JSON answer, or the domain error the refusal stands for."""
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise self.unreachable(exc) from None
        if response.is_error:
            raise refusal(response)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    def unreachable(self, exc: Exception) -> ServerUnreachable:
        why = str(exc) or type(exc).__name__
        return ServerUnreachable(
            f"cannot reach the server {self.server}: {why}; check DISPUTES_SERVER / --server "
            "and that the server runs",
            zh=f"无法连接服务器 {self.server}：{why}；"
            "请检查 DISPUTES_SERVER / --server 以及服务是否在运行",
        )

    def get(self, path: str, **params: Any) -> Any:
        return self.request("GET", path, params=_query(params))

    def read(self, path: str, **params: Any) -> Any:
        """A read of personal details: with the purpose."""
        return self.get(path, purpose=self.purpose, **params)

    # -- sessions -------------------------------------------------------------------------------

    def sign_in(self, person: str, password: str, code: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.request(
            "POST", "/api/sessions", json={"person": person, "password": password, "code": code}
        )
        return answer

    def sign_out(self) -> None:
        self.request("DELETE", "/api/sessions/current")

    def whoami(self) -> dict[str, Any]:
        answer: dict[str, Any] = self.get("/api/whoami")
        return answer

    def labels(self) -> Any:
        """The server's ``/api/labels`` as a label source for the local rendering code (it
        has ``policy`` and ``app.roster`` as a store does); asked once per command."""
        if self._labels is None:
            self._labels = remote_labels(self.get("/api/labels"))
        return self._labels

    # -- the gate's methods ---------------------------------------------------------------------

    def execute(self, command: Command) -> Outcome:
        """Record one command; sent again with the same id while its answer is lost."""
        answer = self.send_line(command_line(command))
        return Outcome(**answer)

    def send_line(self, line: dict[str, Any], retries: int = RETRIES) -> dict[str, Any]:
        """``POST /api/commands`` one journal line (it must carry its ``id``)."""
        for attempt in range(retries + 1):
            try:
                response = self.http.post("/api/commands", json=line)
            except httpx.TransportError as exc:
                if attempt == retries:
                    raise self.unreachable(exc) from None
                time.sleep(0.5 * 2**attempt)
                continue
            if response.status_code in (502, 503, 504) and attempt < retries:
                time.sleep(0.5 * 2**attempt)
                continue
            if response.is_error:
                raise refusal(response)
            answer: dict[str, Any] = response.json()
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

    def show(
        self, case_no: str, as_of: datetime | None = None, known_at: datetime | None = None
    ) -> dict[str, Any]:
        found: dict[str, Any] = self.read(
            f"/api/cases/{_segment(case_no)}", as_of=as_of, known_at=known_at
        )
        return found

    def history(self, case_no: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.read(f"/api/cases/{_segment(case_no)}/history")
        return found

    def ledger(self, **filters: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.read("/api/ledger", **filters)
        return found

    def due(self, **options: Any) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.read("/api/due", **options)
        return found

    def verify(self) -> dict[str, Any]:
        found: dict[str, Any] = self.get("/api/verify")
        return found

    def stats(self, **options: Any) -> dict[str, Any]:
        """``stats --format json`` (options: first, last, by, station, as_of, known_at, lang)."""
        first, last = options.pop("first"), options.pop("last")
        found: dict[str, Any] = self.read("/api/stats", **{"from": first, "to": last}, **options)
        return found

    def rewards(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        purpose: str | None = None,
        **options: Any,
    ) -> list[dict[str, Any]]:
        """``rewards`` rows (options: status, station, informant), masked by the server."""
        found: list[dict[str, Any]] = self.get(
            "/api/rewards",
            purpose=purpose or self.purpose,
            **{"from": since, "to": until},
            **options,
        )
        return found

    def informants(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        purpose: str | None = None,
        station: str | None = None,
    ) -> list[dict[str, Any]]:
        """``informants --json`` rows, masked by the server."""
        found: list[dict[str, Any]] = self.get(
            "/api/informants",
            purpose=purpose or self.purpose,
            station=station,
            **{"from": since, "to": until},
        )
        return found

    def rating(self, half: str, station: str | None = None) -> dict[str, Any]:
        """``rating HALF --format json``."""
        found: dict[str, Any] = self.get(f"/api/rating/{_segment(half)}", station=station)
        return found

    def access_log(
        self,
        case: str | None = None,
        person: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.get(
            "/api/access-log", case=case, person=person, **{"from": since, "to": until}
        )
        return found

    # -- accounts -------------------------------------------------------------------------------

    def accounts(self, action: str, person: str | None = None, *, new_code: bool = False) -> Any:
        """``list``, ``create``, ``reset``, ``lock``, ``unlock`` (docs/trust.md §4)."""
        if action == "list":
            return self.get("/api/accounts", person=person)
        if action == "create":
            return self.request("POST", "/api/accounts", json={"person": person})
        path = f"/api/accounts/{_segment(person or '')}/{action}"
        body = {"new_code": True} if new_code else None
        return self.request("POST", path, json=body)


def _segment(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def _query(params: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in params.items():
        if value is None or value is False:
            continue
        if isinstance(value, datetime):
            out[key] = value.isoformat()
        else:
            out[key] = "true" if value is True else str(value)
    return out


def remote_labels(answer: dict[str, Any]) -> Any:
    """A store-like label source from ``GET /api/labels``: ``policy.categories|sources|signals``
    and ``policy.access.purposes`` of ``{code: Label}``, ``app.roster.units|people`` of objects
    with a ``name`` (what :class:`~disputes.cli.render.Names` and the tables read)."""
    from types import SimpleNamespace

    from disputes.domain.policy import Label

    tables = {
        kind: {code: Label(**entry) for code, entry in answer["policy"].get(kind, {}).items()}
        for kind in ("categories", "sources", "signals", "purposes")
    }
    policy = SimpleNamespace(
        categories=tables["categories"],
        sources=tables["sources"],
        signals=tables["signals"],
        access=SimpleNamespace(purposes=tables["purposes"]),
    )
    roster = SimpleNamespace(
        units={code: SimpleNamespace(name=name) for code, name in answer["units"].items()},
        people={pid: SimpleNamespace(name=name) for pid, name in answer["people"].items()},
    )
    return SimpleNamespace(policy=policy, app=SimpleNamespace(roster=roster))
