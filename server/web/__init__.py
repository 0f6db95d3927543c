"""The web desk (issue 14): server-rendered pages over the gate, served by ``disputes serve``
in the same process as the API — the same sign-in and sessions, jurisdiction and access log.

:func:`add_desk` adds the pages to the API's application; :func:`create_intake_app` builds the
intake-only instance for the public side (``disputes serve --intake-only``): grid workers sign
in, report and see their reports' status, and nothing else is served.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.responses import Response

if TYPE_CHECKING:
    from fastapi import FastAPI

    from disputes.server.backend import Backend
    from disputes.storage.store import Store

STATIC = Path(__file__).parent / "static"
UPLOAD_BODY = 21_000_000
"""The largest 上报 form accepted: four photos of at most 5 MB each, and the text."""
UPLOAD_PATHS = frozenset({"/desk/report"})
"""Paths whose bodies may be as large as :data:`UPLOAD_BODY` (the API's cap stays smaller)."""


def add_desk(app: FastAPI, backend: Backend, *, intake_only: bool = False) -> None:
    """Add the desk's pages (``/desk/…``) and its style sheet to ``app``."""
    from disputes.server.web.cases import add_case_pages
    from disputes.server.web.desk import Desk

    desk = Desk(backend, intake_only=intake_only)
    app.state.desk = desk
    css = (STATIC / "desk.css").read_bytes()

    @app.get("/desk/static/desk.css", include_in_schema=False)
    async def style() -> Response:
        return Response(
            css,
            media_type="text/css; charset=utf-8",
            headers={"Cache-Control": "public, max-age=3600"},
        )

    add_case_pages(app, desk)
    if not intake_only:
        from disputes.server.web.office import add_office_pages

        add_office_pages(app, desk)


def create_intake_app(store: Store) -> FastAPI:
    """The intake-only instance: the desk's sign-in, 上报 and 我的上报 for grid workers over
    its own store, and nothing else (no API, no case pages of others)."""
    from fastapi import FastAPI

    from disputes.server.backend import Backend
    from disputes.server.refusals import BodyLimit, SignInLimit, install_handlers

    backend = Backend(store)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        backend.close()

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.backend = backend
    app.state.max_body = UPLOAD_BODY
    app.state.sign_in_limits = SignInLimit()
    install_handlers(app)
    app.add_middleware(BodyLimit, limit=UPLOAD_BODY)
    add_desk(app, backend, intake_only=True)
    return app
