"""The HTTP API (docs/trust.md §4): JSON over ``/api``, every read and write through the gate as
the signed-in person, errors as :mod:`.errors` says, the OpenAPI at ``/api/openapi.json``.

Build it with :func:`create_app` over one open store; ``disputes serve`` runs it on uvicorn.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from disputes.domain.errors import DisputesError, InvalidInput, StoreError
from disputes.gate.journal import check_line, line_command, load_object
from disputes.server.backend import Backend, Session, parse_when
from disputes.server.errors import (
    ApiError,
    api_error,
    internal,
    too_large,
    too_many,
    unauthorized,
)
from disputes.storage.store import Store

log = logging.getLogger("disputes.server")

MAX_BODY = 1_000_000
"""Request bodies larger than this many bytes are refused (413) before they are read."""
SIGN_IN_WINDOW = 60
SIGN_IN_ATTEMPTS = 10
"""At most this many sign-in attempts per person, and per client address, each minute (429);
the account's own lockout (``[accounts] max_failed_attempts``) counts failures across time."""

Text = Annotated[str, Field(max_length=200)]
Purpose = Annotated[
    str | None,
    Query(max_length=40, description="Why you read: a purpose code from the policy (办案, 审计 …)"),
]
TimeQuery = Annotated[
    str | None,
    Query(max_length=40, description="ISO 8601; no offset means Asia/Shanghai"),
]
Code = Annotated[str | None, Query(max_length=40)]
CasePath = Annotated[str, Path(max_length=40, description="A case number (HY-2021-0001)")]


class SignIn(BaseModel):
    """``POST /api/sessions``: a roster person's password and the TOTP code of their phone."""

    model_config = ConfigDict(extra="forbid")
    person: Annotated[str, Field(min_length=1, max_length=40)]
    password: Annotated[str, Field(min_length=1, max_length=200)]
    code: Annotated[str, Field(min_length=1, max_length=12)]


JOURNAL_LINE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "One command journal line (product.md §5); `actor` omitted or the "
    "signed-in person; `at` omitted means now.",
    "required": ["id", "command"],
    "additionalProperties": False,
    "properties": {
        "id": {"type": "string", "minLength": 1, "maxLength": 100},
        "at": {"type": "string"},
        "actor": {"type": "string"},
        "command": {"type": "string"},
        "case": {"type": "string"},
        "args": {"type": "object"},
    },
}


class ErrorDetail(BaseModel):
    """What went wrong: the CLI's exit code of it, its kind, the message in English and
    Chinese, and the input it is about (or null)."""

    exit: int
    kind: str
    message: str
    zh: str
    field: str | None


class ErrorBody(BaseModel):
    """Every refusal's body (docs/trust.md §4)."""

    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (401, "Not signed in: no, an unknown, expired or revoked session token"),
        (403, "Refused: out of your scope, or not your role"),
        (404, "No such case, referral, account or path"),
        (409, "Refused by a lifecycle rule, or a concurrent change (safe to retry)"),
        (413, "Request body too large"),
        (422, "Invalid input"),
        (429, "Too many sign-in attempts"),
        (500, "The server failed (its log has the details)"),
        (503, "The store is unavailable"),
    )
}


class BodyTooLarge(Exception):
    """A request body went over :data:`MAX_BODY` while it was read."""


class BodyLimit:
    """Refuse a request body over ``limit`` bytes: by its Content-Length before reading, or
    while reading a body sent without one (chunked)."""

    def __init__(self, app: ASGIApp, limit: int, larger: dict[str, int] | None = None) -> None:
        self.app = app
        self.limit = limit
        self.larger = larger or {}
        """Paths allowed a larger body (the web desk's 上报 with photos)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope.get("path", ""), self.limit)
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and (not value.isdigit() or int(value) > limit):
                await _send(send, too_large(limit))
                return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        await self.app(scope, limited, send)


async def _send(send: Send, error: ApiError) -> None:
    response = _response(error)
    await send(
        {
            "type": "http.response.start",
            "status": response.status_code,
            "headers": response.raw_headers,
        }
    )
    await send({"type": "http.response.body", "body": response.body})


def _response(error: ApiError, headers: dict[str, str] | None = None) -> JSONResponse:
    if error.status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return JSONResponse(error.body(), status_code=error.status, headers=headers)


class SignInLimit:
    """Sign-in attempts per key (a person, a client address) in the last minute."""

    def __init__(self) -> None:
        self.seen: defaultdict[str, deque[float]] = defaultdict(deque)

    def allow(self, *keys: str) -> int:
        """0 when an attempt is allowed now (and counted), else the seconds to wait."""
        now = time.monotonic()
        wait = 0
        for key in keys:
            times = self.seen[key]
            while times and times[0] <= now - SIGN_IN_WINDOW:
                times.popleft()
            if len(times) >= SIGN_IN_ATTEMPTS:
                wait = max(wait, int(times[0] + SIGN_IN_WINDOW - now) + 1)
        if wait:
            return wait
        for key in keys:
            self.seen[key].append(now)
        return 0


def bearer(request: Request) -> str | None:
    """The token of ``Authorization: Bearer …``, or None."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


Token = Annotated[str | None, Depends(bearer)]


def create_app(store: Store, *, max_body: int = MAX_BODY) -> FastAPI:
    """The API over ``store`` (opened by the caller; closed when the app shuts down)."""
    backend = Backend(store)
    limits = SignInLimit()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        backend.close()

    app = FastAPI(
        title="disputes",
        summary="Serious village disputes, found and settled (一村一警 · 红黄蓝三色评估调处)",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        responses=ERROR_RESPONSES,
    )
    app.state.backend = backend
    app.state.max_body = max_body
    app.state.sign_in_limits = limits  # shared with the web desk's sign-in form
    _install_handlers(app)
    from disputes.server.web import UPLOAD_BODY, UPLOAD_PATHS

    app.add_middleware(BodyLimit, limit=max_body, larger=dict.fromkeys(UPLOAD_PATHS, UPLOAD_BODY))

    @app.post("/api/sessions", status_code=201, tags=["sessions"])
    async def sign_in(body: SignIn, request: Request) -> dict[str, Any]:
        """Sign in: ``{token, person, name, role, expires_at}``; the token is shown once."""
        client = request.client.host if request.client else "?"
        wait = limits.allow(f"person:{body.person}", f"client:{client}")
        if wait:
            raise _Refusal(too_many(wait))
        return await backend.run(lambda: backend.sign_in(body.person, body.password, body.code))

    @app.delete("/api/sessions/current", status_code=204, tags=["sessions"])
    async def sign_out(token: Token) -> Response:
        """Sign out: the token stops working."""
        await backend.as_person(token, backend.sign_out)
        return Response(status_code=204)

    @app.get("/api/whoami", tags=["sessions"])
    async def whoami(token: Token) -> dict[str, Any]:
        """Who the token names: ``{person, name, role, unit, unit_name, expires_at}``."""
        return await backend.as_person(token, backend.whoami)

    @app.post(
        "/api/commands",
        tags=["cases"],
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": JOURNAL_LINE_SCHEMA}},
            }
        },
    )
    async def command(request: Request, token: Token) -> dict[str, Any]:
        """Record one command, a journal line: the write verb's ``--json``. A retry with the
        same ``id`` records nothing new and answers as the first time."""
        body = await request.body()

        def work(session: Session) -> dict[str, Any]:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidInput("body", "not UTF-8 text") from None
            raw = load_object(text, "body")
            actor = raw.setdefault("actor", session.person)
            if actor != session.person:
                raise ActorMismatch(session.person, actor)
            line = check_line(raw, required=("id", "actor"))
            built = line_command(line, {}, backend.store.policy.limits)
            answer: dict[str, Any] = backend.gate(session).execute(built).as_json()
            return answer

        return await backend.as_person(token, work)

    add_case_routes(app, backend)
    from disputes.server.accounts import add_account_routes

    add_account_routes(app, backend)
    from disputes.server.web import add_desk

    add_desk(app, backend)  # the web desk (issue 14): /desk/…, same sessions and gate
    return app


def add_case_routes(app: FastAPI, backend: Backend) -> None:
    """The reads: cases, histories, the ledger, the due board, verify, the access log."""

    @app.get("/api/cases/{case}", tags=["cases"])
    async def show(
        case: CasePath,
        token: Token,
        as_of: TimeQuery = None,
        known_at: TimeQuery = None,
        purpose: Purpose = None,
    ) -> dict[str, Any]:
        """One case, as ``show --json`` (masked or refused as your scope says)."""
        when, known = parse_when("as_of", as_of), parse_when("known_at", known_at)
        return await backend.as_person(
            token, lambda s: backend.gate(s, purpose).show(case, as_of=when, known_at=known)
        )

    @app.get("/api/cases/{case}/history", tags=["cases"])
    async def history(
        case: CasePath, token: Token, purpose: Purpose = None
    ) -> list[dict[str, Any]]:
        """The audit trail of a case, as ``history --json``."""
        return await backend.as_person(token, lambda s: backend.gate(s, purpose).history(case))

    @app.get("/api/ledger", tags=["cases"])
    async def ledger(
        token: Token,
        status: Code = None,
        grade: Code = None,
        station: Code = None,
        category: Code = None,
        as_of: TimeQuery = None,
        known_at: TimeQuery = None,
        purpose: Purpose = None,
    ) -> list[dict[str, Any]]:
        """台账 rows in your scope, as ``ledger --format json``."""
        filters: dict[str, Any] = {
            "status": status,
            "grade": grade,
            "station": station,
            "category": category,
        }
        if as_of is not None:
            filters["as_of"] = parse_when("as_of", as_of)
        if known_at is not None:
            filters["known_at"] = parse_when("known_at", known_at)
        return await backend.as_person(token, lambda s: backend.gate(s, purpose).ledger(**filters))

    @app.get("/api/due", tags=["cases"])
    async def due(
        token: Token,
        on: TimeQuery = None,
        station: Code = None,
        officer: Code = None,
        leader: Code = None,
        overdue: bool = False,
    ) -> list[dict[str, Any]]:
        """The due board in your scope, as ``due --json``."""
        options: dict[str, Any] = {
            "on": parse_when("on", on),
            "station": station,
            "officer": officer,
            "leader": leader,
            "overdue": overdue,
        }
        return await backend.as_person(token, lambda s: backend.gate(s).due(**options))

    @app.get("/api/verify", tags=["audit"])
    async def verify(token: Token) -> dict[str, Any]:
        """Re-read and check the whole log, as ``verify --json``."""
        return await backend.as_person(token, lambda s: backend.gate(s).verify())

    @app.get("/api/access-log", tags=["audit"])
    async def access_log(
        token: Token,
        case: Code = None,
        person: Code = None,
        since: Annotated[str | None, Query(alias="from", max_length=40)] = None,
        until: Annotated[str | None, Query(alias="to", max_length=40)] = None,
    ) -> list[dict[str, Any]]:
        """Who read what, as ``access-log --json`` (audit administrator and auditors)."""
        start, end = parse_when("from", since), parse_when("to", until)
        return await backend.as_person(
            token,
            lambda s: backend.gate(s).access_log(case=case, person=person, since=start, until=end),
        )


class ActorMismatch(DisputesError):
    """A command line names another actor than the signed-in person (403)."""

    def __init__(self, person: str, actor: str) -> None:
        super().__init__(
            f"actor rule: you are signed in as {person}; a command names you as its actor "
            f"(leave actor out), not {actor}",
            zh=f"操作人规则：您以 {person} 身份登录；命令的操作人只能是您本人（可省略 actor），"
            f"不能是 {actor}",
        )


class _Refusal(Exception):
    def __init__(self, error: ApiError) -> None:
        self.error = error


def _install_handlers(app: FastAPI) -> None:
    """Every failure answers the error body; none answers a stack trace."""

    async def domain(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DisputesError)
        return _response(_status_of(exc))

    async def refusal(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, _Refusal)
        return _response(exc.error)

    async def validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = list(exc.errors())
        first = errors[0] if errors else {}
        where = [str(part) for part in first.get("loc", ()) if part not in ("body", "query")]
        field = ".".join(where) or None
        reasons = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', 'invalid')}"
            for e in errors[:5]
        )
        message = f"invalid request: {reasons}"
        zh = f"请求无效：{reasons}"
        return _response(ApiError(422, 2, "invalid", message, zh, field))

    async def http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 400:  # FastAPI could not parse the body (not JSON, not UTF-8)
            return _response(
                ApiError(
                    422,
                    2,
                    "invalid",
                    "body: not valid JSON text (UTF-8); nothing was recorded",
                    "请求内容不是有效的 JSON 文本（UTF-8）；未记录任何内容",
                    "body",
                )
            )
        kinds = {404: "not-found", 405: "invalid"}
        message = {
            404: "no such path in the API (see /api/openapi.json)",
            405: "method not allowed on this path (see /api/openapi.json)",
        }.get(exc.status_code, str(exc.detail))
        zh = {404: "接口中没有该路径（见 /api/openapi.json）", 405: "该路径不支持此方法"}.get(
            exc.status_code, message
        )
        error = ApiError(exc.status_code, 2, kinds.get(exc.status_code, "invalid"), message, zh)
        return _response(error, dict(exc.headers) if exc.headers else None)

    async def body_too_large(_: Request, __: Exception) -> JSONResponse:
        return _response(too_large(app.state.max_body))

    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        from disputes.storage.failures import describe, is_store_failure
        from disputes.storage.store import redact

        if is_store_failure(exc):  # the store failed under a request: nothing was recorded
            where = redact(app.state.backend.store.location)
            return _response(api_error(StoreError(f"store {where}: {describe(exc, where)}")))
        reference = secrets.token_hex(4)
        log.error("request failed (reference %s)", reference, exc_info=exc)
        return _response(internal(reference))

    app.add_exception_handler(DisputesError, domain)
    app.add_exception_handler(_Refusal, refusal)
    app.add_exception_handler(RequestValidationError, validation)
    app.add_exception_handler(HTTPException, http)
    app.add_exception_handler(BodyTooLarge, body_too_large)
    app.add_exception_handler(Exception, unexpected)


def _status_of(error: DisputesError) -> ApiError:
    from disputes.server.backend import NotSignedIn

    if isinstance(error, NotSignedIn):
        return unauthorized(error.message, error.zh or error.message)
    if isinstance(error, ActorMismatch):
        return ApiError(403, 1, "refused", error.message, error.zh)
    return api_error(error)
