"""How the API refuses (docs/trust.md §4): the error body and its OpenAPI schema, the body
cap (413), the sign-in rate limit (429), and the exception handlers that turn every failure —
a domain error, a malformed request, an unknown path, an unforeseen exception — into the error
body, never a stack trace."""

from __future__ import annotations

import logging
import secrets
import time
from collections import defaultdict, deque
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from disputes.domain.errors import DisputesError
from disputes.server.errors import ApiError, api_error, internal, too_large, unauthorized

log = logging.getLogger("disputes.server")

SIGN_IN_WINDOW = 60
SIGN_IN_ATTEMPTS = 10
"""At most this many sign-in attempts per person, and per client address, each minute (429);
the account's own lockout (``[accounts] max_failed_attempts``) counts failures across time."""


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
    answer = response(error)
    await send(
        {
            "type": "http.response.start",
            "status": answer.status_code,
            "headers": answer.raw_headers,
        }
    )
    await send({"type": "http.response.body", "body": answer.body})


def response(error: ApiError, headers: dict[str, str] | None = None) -> JSONResponse:
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


class ActorMismatch(DisputesError):
    """A command line names another actor than the signed-in person (403)."""

    def __init__(self, person: str, actor: str) -> None:
        super().__init__(
            f"actor rule: you are signed in as {person}; a command names you as its actor "
            f"(leave actor out), not {actor}",
            zh=f"操作人规则：您以 {person} 身份登录；命令的操作人只能是您本人（可省略 actor），"
            f"不能是 {actor}",
        )


class Refusal(Exception):
    def __init__(self, error: ApiError) -> None:
        self.error = error


def install_handlers(app: FastAPI) -> None:
    """Every failure answers the error body; none answers a stack trace."""

    async def domain(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DisputesError)
        return response(_status_of(exc))

    async def refusal(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Refusal)
        return response(exc.error)

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
        return response(ApiError(422, 2, "invalid", message, zh, field))

    async def http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 400:  # FastAPI could not parse the body (not JSON, not UTF-8)
            return response(
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
        return response(error, dict(exc.headers) if exc.headers else None)

    async def body_too_large(_: Request, __: Exception) -> JSONResponse:
        return response(too_large(app.state.max_body))

    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        from disputes.storage.failures import is_store_failure, store_failure
        from disputes.storage.store import redact

        if is_store_failure(exc):  # the store failed under a request: nothing was recorded
            where = redact(app.state.backend.store.location)
            return response(api_error(store_failure(exc, where)))
        reference = secrets.token_hex(4)
        log.error("request failed (reference %s)", reference, exc_info=exc)
        return response(internal(reference))

    app.add_exception_handler(DisputesError, domain)
    app.add_exception_handler(Refusal, refusal)
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
