"""The HTTP API (docs/trust.md §4): JSON over ``/api``, every read and write through the gate as
the signed-in person, errors as :mod:`.errors` says, the OpenAPI at ``/api/openapi.json``.

Build it with :func:`create_app` over one open store; ``disputes serve`` runs it on uvicorn.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from disputes.domain.errors import InvalidInput
from disputes.gate.journal import check_line, line_command, load_object
from disputes.server.backend import Backend, Session, parse_when
from disputes.server.errors import too_many
from disputes.server.refusals import (
    ERROR_RESPONSES,
    ActorMismatch,
    BodyLimit,
    Refusal,
    SignInLimit,
    install_handlers,
)
from disputes.storage.store import Store

MAX_BODY = 1_000_000
"""Request bodies larger than this many bytes are refused (413) before they are read."""
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
    install_handlers(app)
    from disputes.server.web import UPLOAD_BODY, UPLOAD_PATHS

    app.add_middleware(BodyLimit, limit=max_body, larger=dict.fromkeys(UPLOAD_PATHS, UPLOAD_BODY))

    @app.post("/api/sessions", status_code=201, tags=["sessions"])
    async def sign_in(body: SignIn, request: Request) -> dict[str, Any]:
        """Sign in: ``{token, person, name, role, expires_at}``; the token is shown once."""
        client = request.client.host if request.client else "?"
        wait = limits.allow(f"person:{body.person}", f"client:{client}")
        if wait:
            raise Refusal(too_many(wait))
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

    @app.get("/api/labels", tags=["sessions"])
    async def labels(token: Token) -> dict[str, Any]:
        """The policy's labels (zh/en: categories, sources, signals, purposes) and the names of
        units and staff, for the CLI as a client to render its tables as local mode does."""
        return await backend.as_person(token, backend.labels)

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
    from disputes.server.figures import add_figure_routes

    add_figure_routes(app, backend)  # stats, rewards, informants, rating (issue 11)
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
        purpose: Purpose = None,
        until: TimeQuery = None,
    ) -> list[dict[str, Any]]:
        """The due board in your scope, as ``due --json``; ``until`` adds what falls due by
        then (``due --within``)."""
        options: dict[str, Any] = {
            "on": parse_when("on", on),
            "until": parse_when("until", until),
            "station": station,
            "officer": officer,
            "leader": leader,
            "overdue": overdue,
        }
        return await backend.as_person(token, lambda s: backend.gate(s, purpose).due(**options))

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
