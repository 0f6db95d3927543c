"""The desk's frame: who is signed in, rendering a page, refusing what must be refused.

Every page is a Jinja2 template rendered on the server with autoescaping on (whatever a summary
or a note holds is shown as text), inside ``base.html`` (the menu of the signed-in person's
role). Every read and write goes through :meth:`Backend.gate` as the signed-in person: the
same scope, masking, refusals and access log as the API and the CLI. Work on the store runs on
the backend's one store thread.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from disputes.domain.clock import local_text
from disputes.domain.errors import DisputesError
from disputes.domain.roster import Role, UnitKind
from disputes.domain.vocabulary import EVENT, GRADE, STATUS, VERB
from disputes.server.backend import Backend, Session
from disputes.server.errors import api_error
from disputes.server.web import words
from disputes.server.web.security import (
    CSRF_FIELD,
    HEADERS,
    csrf_ok,
    csrf_token,
    ensure_csrf_cookie,
    session_token,
)

T = TypeVar("T")
HERE = Path(__file__).parent


@dataclass(frozen=True)
class Me:
    """The signed-in person, as the pages need them."""

    person: str
    name: str
    role: str
    unit: str
    unit_name: str
    station: str | None
    """Their station (None for a district role or a partner)."""
    village: str | None
    """Their village (a grid worker's grid's village, an auxiliary officer's village)."""
    district: bool

    @property
    def role_name(self) -> str:
        return words.ROLE.get(self.role, self.role)

    @property
    def menu(self) -> tuple[tuple[str, str], ...]:
        return words.PAGES.get(self.role, ())

    def is_(self, *roles: Role) -> bool:
        return self.role in roles


class NotSignedIn(Exception):
    """No live session: the page sends the visitor to sign in."""


class Refused(Exception):
    """A page this person may not open (403), with the Chinese reason."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def _time(value: object) -> str:
    if not value:
        return ""
    from datetime import datetime

    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    return local_text(value) if isinstance(value, datetime) else str(value)


class Desk:
    """The pages' shared means: the backend, the templates and the CSRF key."""

    def __init__(self, backend: Backend, *, intake_only: bool = False) -> None:
        self.backend = backend
        self.intake_only = intake_only
        self.key = secrets.token_bytes(32)
        self.env = Environment(
            loader=FileSystemLoader(HERE / "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        policy = backend.store.policy
        self.env.globals.update(
            status=lambda code: STATUS[code][0] if code in STATUS else (code or ""),
            grade=lambda code: GRADE[code][0] if code in GRADE else (code or "未定级"),
            event=lambda name: EVENT[name][0] if name in EVENT else name,
            verb_name=lambda verb: VERB[verb][0] if verb in VERB else verb,
            category=lambda code: policy.categories[code].zh if code in policy.categories else code,
            source=lambda code: policy.sources[code].zh if code in policy.sources else code,
            due_kind=lambda code: words.DUE_KIND.get(code, code),
            card=lambda code: words.SUPERVISION.get(code or "none", code),
            choice=lambda field, code: words.CHOICES.get(field, {}).get(code, code),
            field=lambda name: words.FIELD.get(name, name),
            next_step=lambda code: words.NEXT_STEP.get(code, ""),
            time=_time,
            person=self._person_name,
            unit=self._unit_name,
            csrf_field=CSRF_FIELD,
            intake_only=intake_only,
        )

    def _person_name(self, person_id: object) -> str:
        """A roster person as people know them: 萧卫东（L-WD-01）; blank for none."""
        if not person_id:
            return ""
        found = self.backend.store.app.roster.people.get(str(person_id))
        return f"{found.name}（{found.id}）" if found else str(person_id)

    def _unit_name(self, code: object) -> str:
        """A unit by its name (王店派出所, not WD)."""
        found = self.backend.store.app.roster.units.get(str(code)) if code else None
        return found.name if found else str(code or "")

    # -- who -------------------------------------------------------------------------------

    def me_of(self, session: Session) -> Me:
        roster = self.backend.store.app.roster
        person = roster.person(session.person, "person")
        unit = roster.units.get(person.unit)
        station = roster.ancestor(person.unit, UnitKind.STATION)
        village = roster.ancestor(person.unit, UnitKind.VILLAGE)
        return Me(
            person=person.id,
            name=person.name,
            role=str(person.role),
            unit=person.unit,
            unit_name=unit.name if unit else person.unit,
            station=station.code if station else None,
            village=village.code if village else None,
            district=unit is not None and unit.kind is UnitKind.DISTRICT,
        )

    async def work(self, request: Request, job: Callable[[Session, Me], T]) -> tuple[Me, T]:
        """Run ``job`` for the signed-in person on the store thread. Raises NotSignedIn."""
        token = session_token(request)
        if not token:
            raise NotSignedIn

        def run(session: Session) -> tuple[Me, T]:
            me = self.me_of(session)
            return me, job(session, me)

        try:
            return await self.backend.as_person(token, run)
        except DisputesError as error:
            if api_error(error).status == 401 or type(error).__name__ == "NotSignedIn":
                raise NotSignedIn from None
            raise

    # -- answers ---------------------------------------------------------------------------

    def page(
        self,
        request: Request,
        template: str,
        me: Me | None,
        status: int = 200,
        **context: Any,
    ) -> HTMLResponse:
        """A rendered page with the desk's headers (and a CSRF token for its forms)."""
        body = self.env.get_template(template).render(
            me=me,
            csrf=csrf_token(request, self.key),
            path=request.url.path,
            **context,
        )
        response = HTMLResponse(body, status_code=status, headers=HEADERS)
        ensure_csrf_cookie(request, response)
        return response

    def error(self, request: Request, me: Me | None, error: DisputesError) -> HTMLResponse:
        """A refusal as a page, in Chinese, with the status the API gives it."""
        status = api_error(error).status
        return self.page(request, "error.html", me, status=status, message=error.text("zh"))

    def check_csrf(self, request: Request, form: Any) -> bool:
        return csrf_ok(request, self.key, form.get(CSRF_FIELD))

    def csrf_refused(self, request: Request) -> HTMLResponse:
        return self.page(
            request,
            "error.html",
            None,
            status=403,
            message="表单已失效或来源不明（CSRF 校验未通过）；请回到页面重新提交。",
        )


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303, headers=HEADERS)


def to_sign_in() -> Response:
    return redirect("/desk/login")
