"""The desk's pages for working cases: sign in and out, 上报 (with photos), 我的上报, 我的待办,
the case page (its timeline, 补录 marked) and the forms of the verbs a person may use.

A form's values become the verb's command model (:func:`disputes.domain.commands.build_command`,
the same validation as the CLI and journals), executed through the gate as the signed-in
person; a refusal is shown beside the form in the CLI's Chinese words. Each form carries a
command id made when it was rendered, so sending it twice (a double tap, a reload) records it
once.
"""

from __future__ import annotations

import contextlib
import uuid
from typing import TYPE_CHECKING, Any, Literal, get_args, get_origin

from fastapi import FastAPI, Request
from starlette.datastructures import UploadFile
from starlette.responses import Response

from disputes.domain.commands import (
    ATTACHMENT_TYPES,
    COMMANDS,
    FREE_TEXT,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    build_command,
    verb_fields,
)
from disputes.domain.errors import DisputesError, InvalidInput, InvalidInputs
from disputes.domain.roster import Role, UnitKind
from disputes.server.web.desk import Desk, Me, NotSignedIn, redirect, to_sign_in
from disputes.server.web.security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    drop_cookie,
    set_cookie,
)

if TYPE_CHECKING:
    from starlette.datastructures import FormData

    from disputes.server.backend import Session

LIST_FIELDS = frozenset({"signals", "attendees", "with_units"})
PARTY_ROWS = 3


def verb_form(verb: str) -> list[dict[str, Any]]:
    """The inputs of a verb's form, from its command model: a select for a value set, a
    number for a count, a text area for free text, a line for the rest."""
    fields = []
    for name, info in verb_fields(COMMANDS[verb]).items():
        if name in ("attachments", "parties"):
            continue
        annotation = info.annotation
        choices: tuple[str, ...] = ()
        if get_origin(annotation) is Literal:
            choices = tuple(str(a) for a in get_args(annotation))
        kind = "text"
        if choices:
            kind = "select"
        elif name in FREE_TEXT:
            kind = "textarea"
        elif name in ("referral", "observe_days", "people_involved"):
            kind = "number"
        elif name in LIST_FIELDS:
            kind = "list"
        default = info.default if isinstance(info.default, str) else ""
        fields.append(
            {
                "name": name,
                "kind": kind,
                "choices": choices,
                "required": info.is_required(),
                "default": default,
            }
        )
    return fields


def verbs_for(role: str) -> list[str]:
    """The case verbs a role may use (the domain refuses the rest anyway)."""
    return [v for v, cls in COMMANDS.items() if v != "report" and role in cls.roles]


def form_data(verb: str, form: FormData) -> dict[str, Any]:
    """A posted form as the verb's command data (empty optional fields left out)."""
    data: dict[str, Any] = {}
    for field in verb_form(verb):
        name = field["name"]
        if field["kind"] == "list":
            values = [str(v) for v in form.getlist(name)]
            items = [p for v in values for p in v.replace("，", ",").replace(",", " ").split()]
            if items:
                data[name] = items
            continue
        value = form.get(name)
        if not isinstance(value, str) or (value.strip() == "" and not field["required"]):
            continue
        if field["kind"] == "number":
            try:
                data[name] = int(value)
            except ValueError:
                raise InvalidInput(name, "请填写整数") from None
            continue
        data[name] = value
    return data


def common(form: FormData, me: Me) -> dict[str, Any]:
    """The fields every command has: the actor (the signed-in person), the command id of the
    form, and the occurred time when one was given (no offset: Asia/Shanghai)."""
    data: dict[str, Any] = {"actor": me.person}
    command_id = form.get("command_id")
    if isinstance(command_id, str) and command_id:
        data["command_id"] = command_id
    at = form.get("at")
    if isinstance(at, str) and at.strip():
        data["at"] = at.strip()
    return data


def problems(error: DisputesError) -> dict[str, str]:
    """The fields an invalid input names (for marking them on the form)."""
    if isinstance(error, InvalidInputs):
        return {field.split(".")[0]: reason for field, reason in error.errors}
    if isinstance(error, InvalidInput):
        return {error.field.split(".")[0]: error.reason}
    return {}


def villages_for(desk: Desk, me: Me) -> list[tuple[str, str]]:
    """The villages a person reports in (code, name): a grid worker's or an auxiliary
    officer's own village; the villages of an officer's station; every village for a district
    role."""
    roster = desk.backend.store.app.roster
    if me.village is not None:
        unit = roster.units[me.village]
        return [(unit.code, unit.name)]
    found = []
    for unit in roster.units.values():
        if unit.kind is not UnitKind.VILLAGE:
            continue
        station = roster.ancestor(unit.code, UnitKind.STATION)
        if me.station is None or (station is not None and station.code == me.station):
            found.append((unit.code, f"{station.name if station else ''} {unit.name}".strip()))
    return found


def add_case_pages(app: FastAPI, desk: Desk) -> None:
    """Sign-in, reporting, the worker's and officer's lists, the case page and its forms."""
    backend = desk.backend

    @app.get("/", include_in_schema=False)
    async def root() -> Response:
        return redirect("/desk/")

    @app.get("/desk", include_in_schema=False)
    @app.get("/desk/", include_in_schema=False)
    async def home(request: Request) -> Response:
        try:
            me, _ = await desk.work(request, lambda s, m: None)
        except NotSignedIn:
            return to_sign_in()
        from disputes.server.web.words import HOME

        target = HOME.get(me.role)
        if target is None:
            return desk.page(
                request,
                "error.html",
                me,
                status=403,
                message="您的角色不办理案件；账号与日志的管理请使用命令行"
                "（disputes accounts / access-log）。",
            )
        return redirect(target)

    # -- sign in, sign out -------------------------------------------------------------------

    @app.get("/desk/login", include_in_schema=False)
    async def login_form(request: Request) -> Response:
        return desk.page(request, "login.html", None)

    @app.post("/desk/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = await request.form()
        if not desk.check_csrf(request, form):
            return desk.csrf_refused(request)
        person = str(form.get("person") or "").strip()[:40]
        password = str(form.get("password") or "")[:200]
        code = str(form.get("code") or "").strip()[:12]
        if not person or not password or not code:
            return desk.page(
                request,
                "login.html",
                None,
                status=422,
                message="请填写人员编号、密码和动态验证码。",
            )
        client = request.client.host if request.client else "?"
        limits = request.app.state.sign_in_limits
        wait = limits.allow(f"person:{person}", f"client:{client}")
        if wait:
            return desk.page(
                request,
                "login.html",
                None,
                status=429,
                message=f"登录尝试过于频繁；请等待 {wait} 秒后再试。",
                person=person,
            )
        intake = desk.intake_only

        def sign_in() -> dict[str, Any]:
            if intake:
                who = backend.store.app.roster.people.get(person)
                if who is not None and who.role is not Role.GRID_WORKER:
                    from disputes.domain.errors import SignInRefused

                    raise SignInRefused(backend.store.policy.accounts.max_failed_attempts)
            return backend.sign_in(person, password, code)

        try:
            answer = await backend.run(sign_in)
        except DisputesError as error:
            return desk.page(
                request,
                "login.html",
                None,
                status=401,
                message=error.text("zh"),
                person=person,
            )
        response = redirect("/desk/")
        set_cookie(request, response, SESSION_COOKIE, str(answer["token"]))
        drop_cookie(request, response, CSRF_COOKIE)
        return response

    @app.post("/desk/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        form = await request.form()
        if not desk.check_csrf(request, form):
            return desk.csrf_refused(request)
        with contextlib.suppress(NotSignedIn):
            await desk.work(request, lambda s, m: backend.sign_out(s))
        response = redirect("/desk/login")
        drop_cookie(request, response, SESSION_COOKIE)
        return response

    # -- 上报 ----------------------------------------------------------------------------------

    def report_page(request: Request, me: Me, status: int = 200, **context: Any) -> Response:
        policy = backend.store.policy
        values = context.pop("values", {})
        return desk.page(
            request,
            "report.html",
            me,
            status=status,
            categories=[(c, label.zh) for c, label in policy.categories.items()],
            sources=[(c, label.zh) for c, label in policy.sources.items()],
            villages=villages_for(desk, me),
            party_rows=range(PARTY_ROWS),
            party_roles=list(words_choices("party_role").items()),
            command_id=uuid.uuid4().hex,
            values=values,
            max_photos=MAX_ATTACHMENTS,
            max_mb=MAX_ATTACHMENT_BYTES // 1_000_000,
            **context,
        )

    @app.get("/desk/report", include_in_schema=False)
    async def report_form(request: Request) -> Response:
        try:
            me, _ = await desk.work(request, lambda s, m: None)
        except NotSignedIn:
            return to_sign_in()
        default_source = "informant" if me.role == Role.GRID_WORKER else "visit"
        return report_page(request, me, values={"source": default_source})

    @app.post("/desk/report", include_in_schema=False)
    async def report(request: Request) -> Response:
        async with request.form(max_files=MAX_ATTACHMENTS + 1) as form:
            return await record_report(request, form)

    async def record_report(request: Request, form: FormData) -> Response:
        if not desk.check_csrf(request, form):
            return desk.csrf_refused(request)
        photos: list[tuple[bytes, str]] = []
        photo_error: str | None = None
        uploads = [f for f in form.getlist("photos") if isinstance(f, UploadFile) and f.filename]
        if len(uploads) > MAX_ATTACHMENTS:
            photo_error = f"照片最多 {MAX_ATTACHMENTS} 张"
        for upload in uploads[:MAX_ATTACHMENTS]:
            data = await upload.read(MAX_ATTACHMENT_BYTES + 1)
            from disputes.storage.attachments import sniff

            kind = sniff(data)
            if len(data) > MAX_ATTACHMENT_BYTES:
                photo_error = f"每张照片不超过 {MAX_ATTACHMENT_BYTES // 1_000_000} MB"
            elif kind not in ATTACHMENT_TYPES:
                photo_error = "照片只能是 JPEG、PNG 或 WebP 图片"
            else:
                assert kind is not None
                photos.append((data, kind))

        def record(session: Session, me: Me) -> Any:
            if photo_error:
                raise InvalidInput("attachments", photo_error)
            from disputes.storage.attachments import Attachments

            kept = Attachments(backend.store.views)
            attachments = [
                {"sha256": s.sha256, "media_type": s.media_type, "size": s.size}
                for s in (kept.put(data, kind) for data, kind in photos)
            ]
            parties = []
            for n in range(PARTY_ROWS):
                name = str(form.get(f"party_name_{n}") or "").strip()
                if name:
                    parties.append({"name": name, "role": form.get(f"party_role_{n}")})
            data: dict[str, Any] = {
                **common(form, me),
                "category": form.get("category"),
                "source": form.get("source"),
                "village": form.get("village"),
                "summary": form.get("summary"),
                "parties": parties,
            }
            people = str(form.get("people_involved") or "").strip()
            if people:
                try:
                    data["people_involved"] = int(people)
                except ValueError:
                    raise InvalidInput("people_involved", "请填写整数") from None
            if attachments:
                data["attachments"] = attachments
            command = build_command("report", data, backend.store.policy.limits)
            return backend.gate(session).execute(command)

        try:
            me, outcome = await desk.work(request, record)
        except NotSignedIn:
            return to_sign_in()
        except DisputesError as error:
            me, _ = await desk.work(request, lambda s, m: None)
            from disputes.server.errors import api_error

            values = {k: v for k, v in form.items() if isinstance(v, str)}
            return report_page(
                request,
                me,
                status=api_error(error).status,
                message=error.text("zh"),
                problems=problems(error),
                values=values,
            )
        return desk.page(request, "reported.html", me, case_no=outcome.case_no)

    @app.get("/desk/my-reports", include_in_schema=False)
    async def my_reports(request: Request) -> Response:
        def rows(session: Session, me: Me) -> list[dict[str, Any]]:
            found = backend.gate(session).ledger()
            if me.role == Role.GRID_WORKER:
                return found
            return [r for r in found if r.get("reported_by") == me.person]

        try:
            me, found = await desk.work(request, rows)
        except NotSignedIn:
            return to_sign_in()
        return desk.page(request, "my_reports.html", me, rows=found)

    # -- 我的待办 -------------------------------------------------------------------------------

    @app.get("/desk/todo", include_in_schema=False)
    async def todo(request: Request) -> Response:
        def items(session: Session, me: Me) -> dict[str, Any]:
            gate = backend.gate(session)
            if me.role == Role.LEADER:
                due = gate.due(leader=me.person)
                mine = "leader"
            elif me.role == Role.COMMUNITY_POLICE:
                due = gate.due(officer=me.person)
                mine = "officer"
            else:
                due = gate.due()
                mine = ""
            cases = [
                r
                for r in gate.ledger()
                if r.get("status") != "closed" and (not mine or r.get(mine) == me.person)
            ]
            cases.sort(key=lambda r: str(r.get("next_due_at") or "9999"))
            return {"items": due, "cases": cases}

        try:
            me, found = await desk.work(request, items)
        except NotSignedIn:
            return to_sign_in()
        except DisputesError as error:
            return desk.error(request, None, error)
        return desk.page(request, "todo.html", me, **found)

    # -- the case page -------------------------------------------------------------------------

    async def case_page(
        request: Request,
        case: str,
        *,
        status: int = 200,
        message: str | None = None,
        failed_verb: str | None = None,
        failed: dict[str, str] | None = None,
        values: dict[str, str] | None = None,
    ) -> Response:
        from disputes.domain.clock import parse_time

        as_of_text = request.query_params.get("as_of") or None
        purpose = request.query_params.get("purpose") or None
        if purpose is not None and purpose not in backend.store.policy.access.purposes:
            purpose = None

        def read(session: Session, me: Me) -> dict[str, Any]:
            gate = backend.gate(session, purpose)
            as_of = None
            if as_of_text:
                try:
                    as_of = parse_time(as_of_text)
                except ValueError as exc:
                    raise InvalidInput("as_of", str(exc)) from None
            data = gate.show(case, as_of=as_of)
            history = None if me.role == Role.GRID_WORKER else gate.history(case)
            if history is not None and as_of is not None:
                history = [h for h in history if parse_time(str(h["occurred_at"])) <= as_of]
            return {"case": data, "history": history}

        try:
            me, found = await desk.work(request, read)
        except NotSignedIn:
            return to_sign_in()
        except DisputesError as error:
            me, _ = await desk.work(request, lambda s, m: None)
            if type(error).__name__ == "PurposeRequired":
                return desk.page(
                    request,
                    "purpose.html",
                    me,
                    status=403,
                    message=error.text("zh"),
                    case_no=case,
                    as_of=as_of_text or "",
                    purposes=list(backend.store.policy.access.purposes.items()),
                )
            return desk.error(request, me, error)
        photos = []
        for entry in found["history"] or ():
            for photo in entry.get("attachments") or ():
                photos.append(photo)
        verbs = [] if as_of_text else verbs_for(me.role)
        return desk.page(
            request,
            "case.html",
            me,
            status=status,
            case=found["case"],
            history=found["history"],
            photos=photos,
            as_of=as_of_text,
            purpose=purpose,
            forms=[(v, verb_form(v)) for v in verbs],
            command_id=uuid.uuid4().hex,
            done=request.query_params.get("done"),
            message=message,
            failed_verb=failed_verb,
            failed=failed or {},
            values=values or {},
        )

    @app.get("/desk/cases/{case}", include_in_schema=False)
    async def show(request: Request, case: str) -> Response:
        return await case_page(request, case[:40])

    @app.post("/desk/cases/{case}/{verb}", include_in_schema=False)
    async def act(request: Request, case: str, verb: str) -> Response:
        case = case[:40]
        form = await request.form()
        if not desk.check_csrf(request, form):
            return desk.csrf_refused(request)
        if verb not in COMMANDS or verb == "report":
            return desk.page(request, "error.html", None, status=404, message="没有这项操作。")

        def record(session: Session, me: Me) -> Any:
            data = {**common(form, me), **form_data(verb, form), "case": case}
            command = build_command(verb, data, backend.store.policy.limits)
            return backend.gate(session).execute(command)

        try:
            await desk.work(request, record)
        except NotSignedIn:
            return to_sign_in()
        except DisputesError as error:
            from disputes.server.errors import api_error

            return await case_page(
                request,
                case,
                status=api_error(error).status,
                message=error.text("zh"),
                failed_verb=verb,
                failed=problems(error),
                values={k: v for k, v in form.items() if isinstance(v, str)},
            )
        return redirect(f"/desk/cases/{case}?done={verb}")

    @app.get("/desk/cases/{case}/photos/{sha256}", include_in_schema=False)
    async def photo(request: Request, case: str, sha256: str) -> Response:
        def find(session: Session, me: Me) -> Any:
            history = backend.gate(session).history(case[:40])
            named = any(
                p.get("sha256") == sha256 for h in history for p in (h.get("attachments") or ())
            )
            if not named:
                return None
            from disputes.storage.attachments import Attachments

            return Attachments(backend.store.views).get(sha256)

        try:
            _, stored = await desk.work(request, find)
        except NotSignedIn:
            return to_sign_in()
        except DisputesError as error:
            return desk.error(request, None, error)
        if stored is None:
            return desk.page(request, "error.html", None, status=404, message="没有这张照片。")
        return Response(
            stored.data,
            media_type=stored.media_type,
            headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
        )


def words_choices(field: str) -> dict[str, str]:
    from disputes.server.web.words import CHOICES

    return CHOICES[field]
