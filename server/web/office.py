"""The leader's and the auditor's pages: 台账 (filters, CSV and Excel), the 督办 board, the
month's figures with their charts, the 五星警务室 ratings, and the audit page (replay as of a
date, the access log, verify).

The 台账 and the board come through the gate (scope, masking, the access log); figures and
ratings are counts with no personal details, taken from the statistics of
:mod:`disputes.storage.statistics` for the leader's own station (a district role: the
district).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from starlette.responses import Response

from disputes.domain.clock import local_text, parse_time
from disputes.domain.errors import DisputesError, InvalidInput
from disputes.domain.roster import Role, UnitKind
from disputes.domain.vocabulary import GRADE, STATUS
from disputes.server.web import charts
from disputes.server.web.desk import Desk, Me, NotSignedIn, Refused, to_sign_in

if TYPE_CHECKING:
    from disputes.server.backend import Session

LEDGER_COLUMNS = (
    ("case_no", "案件编号"),
    ("status", "状态"),
    ("grade", "等级"),
    ("category", "类别"),
    ("source", "来源"),
    ("station", "派出所"),
    ("village", "村（警务室）"),
    ("leader", "分包责任领导"),
    ("officer", "责任人"),
    ("reported_at", "登记时间"),
    ("resolved_at", "化解时间"),
    ("observe_until", "观察期至"),
    ("closed_at", "销号时间"),
    ("relapses", "反弹次数"),
    ("open_referrals", "未回执移交"),
    ("next_due_at", "下次到期"),
    ("overdue_days", "逾期天数"),
    ("supervision", "督办"),
)
FILTERS = ("status", "grade", "station", "category")
LEADERS = (Role.LEADER,)
READERS = (Role.LEADER, Role.COMMUNITY_POLICE, Role.AUXILIARY_POLICE, Role.AUDITOR)
AUDITORS = (Role.AUDITOR, Role.AUDIT_ADMIN)


def _only(me: Me, roles: tuple[Role, ...]) -> None:
    if me.role not in roles:
        names = "、".join(r.value for r in roles)
        raise Refused(f"此页面仅供以下角色使用：{names}；您的角色是 {me.role_name}。")


def _label(store: Any, key: str, value: Any) -> Any:
    """A ledger value as a leader reads it (labels, not codes; names, not ids)."""
    if value is None:
        return ""
    if key == "status":
        return STATUS[value][0] if value in STATUS else value
    if key == "grade":
        return GRADE[value][0] if value in GRADE else value
    if key == "category":
        label = store.policy.categories.get(value)
        return label.zh if label else value
    if key == "source":
        label = store.policy.sources.get(value)
        return label.zh if label else value
    if key in ("station", "village"):
        unit = store.app.roster.units.get(value)
        return unit.name if unit else value
    if key in ("leader", "officer"):
        person = store.app.roster.people.get(value)
        return person.name if person else value
    if key.endswith("_at") or key == "observe_until":
        return local_text(datetime.fromisoformat(value)) if isinstance(value, str) else value
    if key == "supervision":
        from disputes.server.web.words import SUPERVISION

        return SUPERVISION.get(value, value)
    return value


def _filters(request: Request) -> dict[str, str | None]:
    return {k: (request.query_params.get(k) or None) for k in FILTERS}


def _purpose(desk: Desk, request: Request) -> str | None:
    purpose = request.query_params.get("purpose") or None
    return purpose if purpose in desk.backend.store.policy.access.purposes else None


def add_office_pages(app: FastAPI, desk: Desk) -> None:
    """The 台账, the board, the figures, the ratings and the audit page."""
    backend = desk.backend
    store = backend.store

    async def guarded(request: Request, job: Any, roles: tuple[Role, ...]) -> Any:
        def run(session: Session, me: Me) -> Any:
            _only(me, roles)
            return job(session, me)

        return await desk.work(request, run)

    async def answer(request: Request, template: str, job: Any, roles: tuple[Role, ...]) -> Any:
        try:
            me, context = await guarded(request, job, roles)
        except NotSignedIn:
            return to_sign_in()
        except Refused as refused:
            return desk.page(request, "error.html", None, status=403, message=refused.text)
        except DisputesError as error:
            return desk.error(request, None, error)
        if isinstance(context, Response):
            return context
        return desk.page(request, template, me, **context)

    # -- 台账 --------------------------------------------------------------------------------

    def ledger_rows(session: Session, request: Request) -> list[dict[str, Any]]:
        f = _filters(request)
        return backend.gate(session, _purpose(desk, request)).ledger(
            status=f["status"], grade=f["grade"], station=f["station"], category=f["category"]
        )

    def choices() -> dict[str, list[tuple[str, str]]]:
        roster = store.app.roster
        return {
            "status": [(k, v[0]) for k, v in STATUS.items()],
            "grade": [(k, v[0]) for k, v in GRADE.items()],
            "station": [
                (u.code, u.name) for u in roster.units.values() if u.kind is UnitKind.STATION
            ],
            "category": [(k, v.zh) for k, v in store.policy.categories.items()],
        }

    @app.get("/desk/ledger", include_in_schema=False)
    async def ledger(request: Request) -> Response:
        def job(session: Session, me: Me) -> dict[str, Any]:
            rows = ledger_rows(session, request)
            shown = [
                {key: _label(store, key, row.get(key)) for key, _ in LEDGER_COLUMNS}
                | {"_grade": row.get("grade"), "_supervision": row.get("supervision")}
                for row in rows
            ]
            query = str(request.url.query)
            return {
                "rows": shown,
                "columns": LEDGER_COLUMNS,
                "choices": choices(),
                "chosen": _filters(request),
                "query": query,
                "purposes": list(store.policy.access.purposes.items()),
                "purpose": _purpose(desk, request),
            }

        result: Response = await answer(request, "ledger.html", job, READERS)
        return result

    @app.get("/desk/ledger.csv", include_in_schema=False)
    async def ledger_csv(request: Request) -> Response:
        def job(session: Session, me: Me) -> Response:
            rows = ledger_rows(session, request)
            out = io.StringIO()
            out.write("\ufeff")  # UTF-8 with BOM: Excel and WPS open it as Chinese text
            writer = csv.writer(out)
            writer.writerow([title for _, title in LEDGER_COLUMNS])
            for row in rows:
                writer.writerow([_label(store, k, row.get(k)) for k, _ in LEDGER_COLUMNS])
            return Response(
                out.getvalue().encode("utf-8"),
                media_type="text/csv; charset=utf-8",
                headers={
                    "Content-Disposition": 'attachment; filename="ledger.csv"',
                    "Cache-Control": "no-store",
                },
            )

        result: Response = await answer(request, "", job, READERS)
        return result

    @app.get("/desk/ledger.xlsx", include_in_schema=False)
    async def ledger_xlsx(request: Request) -> Response:
        def job(session: Session, me: Me) -> Response:
            from openpyxl import Workbook
            from openpyxl.utils import get_column_letter

            rows = ledger_rows(session, request)
            book = Workbook()
            sheet = book.active
            assert sheet is not None
            sheet.title = "台账"
            sheet.append([title for _, title in LEDGER_COLUMNS])
            for row in rows:
                sheet.append([_label(store, k, row.get(k)) for k, _ in LEDGER_COLUMNS])
            sheet.freeze_panes = "A2"
            sheet.auto_filter.ref = sheet.dimensions
            for n, (_, title) in enumerate(LEDGER_COLUMNS):
                sheet.column_dimensions[get_column_letter(n + 1)].width = max(
                    10, 2 * len(title) + 4
                )
            out = io.BytesIO()
            book.save(out)
            return Response(
                out.getvalue(),
                media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                headers={
                    "Content-Disposition": 'attachment; filename="ledger.xlsx"',
                    "Cache-Control": "no-store",
                },
            )

        result: Response = await answer(request, "", job, READERS)
        return result

    # -- 督办 board ----------------------------------------------------------------------------

    @app.get("/desk/board", include_in_schema=False)
    async def board(request: Request) -> Response:
        def job(session: Session, me: Me) -> dict[str, Any]:
            gate = backend.gate(session)
            items = gate.due(station=None if me.district else me.station)
            cases: dict[str, dict[str, Any]] = {}
            for item in items:
                seen = cases.setdefault(item["case_no"], {**item, "items": []})
                seen["items"].append(item)
                rank = {"red-card": 2, "yellow-card": 1}
                if rank.get(item["supervision"], 0) > rank.get(seen["supervision"], 0):
                    seen["supervision"] = item["supervision"]
            red = [c for c in cases.values() if c["supervision"] == "red-card"]
            yellow = [c for c in cases.values() if c["supervision"] == "yellow-card"]
            other = [c for c in cases.values() if c not in red and c not in yellow]
            return {"red": red, "yellow": yellow, "other": other}

        result: Response = await answer(request, "board.html", job, LEADERS)
        return result

    # -- figures and charts --------------------------------------------------------------------

    def month_of(request: Request) -> str:
        text = request.query_params.get("month")
        if text:
            return text[:10]
        rows = store.ledger()  # default: the month of the latest report
        if rows:
            last = max(str(r["reported_at"]) for r in rows)
            return parse_time(last).astimezone(_shanghai()).strftime("%Y-%m")
        return datetime.now(_shanghai()).strftime("%Y-%m")

    def figures_of(me: Me, month: str) -> dict[str, Any]:
        from disputes.storage.statistics import (
            counting_views,
            month_period,
            period_of,
            statistics,
        )

        period = month_period(month)
        station = None if me.district else me.station
        roster = store.app.roster
        with counting_views(store) as db:
            _, total = statistics(store, db, period, station=station)
            by_category, _ = statistics(store, db, period, by="category", station=station)
            by_station, _ = statistics(store, db, period, by="station", station=station)
            first = period.first.replace(day=1)
            year_ago = first.replace(year=first.year - 1, month=first.month)
            months, _ = statistics(
                store,
                db,
                period_of(_next_month(year_ago), period.last),
                by="month",
                station=station,
            )
        categories = store.policy.categories
        return {
            "month": month,
            "period": period,
            "total": total.as_json(),
            "by_category": [
                (categories[g.key].zh if g.key in categories else g.key, g.figures)
                for g in by_category
            ],
            "by_station": [
                (roster.units[g.key].name if g.key in roster.units else g.key, g.figures)
                for g in by_station
            ],
            "by_month": [(g.key, g.figures) for g in months],
        }

    @app.get("/desk/figures", include_in_schema=False)
    async def figures(request: Request) -> Response:
        def job(session: Session, me: Me) -> dict[str, Any]:
            return figures_of(me, month_of(request))

        result: Response = await answer(request, "figures.html", job, LEADERS)
        return result

    @app.get("/desk/charts/{name}.svg", include_in_schema=False)
    async def chart(request: Request, name: str) -> Response:
        def job(session: Session, me: Me) -> Response:
            data = figures_of(me, month_of(request))
            month = data["month"]
            if name == "category":
                svg = charts.bars(
                    f"{month} 各类纠纷登记数",
                    [n for n, _ in data["by_category"]],
                    [f.reported for _, f in data["by_category"]],
                    horizontal=True,
                )
            elif name == "station":
                svg = charts.bars(
                    f"{month} 各派出所登记数",
                    [n for n, _ in data["by_station"]],
                    [f.reported for _, f in data["by_station"]],
                    horizontal=True,
                )
            elif name == "month":
                svg = charts.line(
                    "近十二个月",
                    [k for k, _ in data["by_month"]],
                    {
                        "登记": [f.reported for _, f in data["by_month"]],
                        "化解": [f.resolved for _, f in data["by_month"]],
                        "销号": [f.closed for _, f in data["by_month"]],
                    },
                )
            elif name == "colour":
                total = data["total"]
                svg = charts.pie(
                    f"{month} 末在办案件颜色",
                    {
                        "红": total["in_hand_red"],
                        "黄": total["in_hand_yellow"],
                        "蓝": total["in_hand_blue"],
                    },
                )
            else:
                raise InvalidInput("chart", "没有这张图")
            return Response(
                svg,
                media_type="image/svg+xml",
                headers={
                    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                    "X-Content-Type-Options": "nosniff",
                    "Cache-Control": "private, max-age=60",
                },
            )

        result: Response = await answer(request, "", job, LEADERS)
        return result

    # -- 五星警务室 ------------------------------------------------------------------------------

    @app.get("/desk/rating", include_in_schema=False)
    async def rating(request: Request) -> Response:
        def job(session: Session, me: Me) -> dict[str, Any]:
            from disputes.storage.statistics import counting_views, half_period
            from disputes.storage.statistics import rating as rate

            half = (request.query_params.get("half") or _this_half()).strip()[:8]
            period = half_period(half)
            station = None if me.district else me.station
            with counting_views(store) as db:
                rows = rate(store, db, period, station=station)
            roster = store.app.roster
            shown = []
            for row in rows:
                unit = roster.units.get(row.village)
                aux = roster.people.get(row.auxiliary) if row.auxiliary else None
                got = row.inputs
                shown.append(
                    {
                        "village": unit.name if unit else row.village,
                        "station": roster.units[row.station].name
                        if row.station in roster.units
                        else row.station,
                        "auxiliary": aux.name if aux else "",
                        "reported": got.reported,
                        "found_actively": got.found_actively,
                        "first_contact": got.first_contact_on_time,
                        "cadence": got.cadence_kept,
                        "follow_ups": got.follow_ups_on_time_share,
                        "relapses": got.relapses,
                        "overdue_cards": got.overdue_cards,
                        "supervision_orders": got.supervision_orders,
                        "outcomes": sum(got.outcomes.values()),
                        "points": row.score.points,
                        "stars": row.score.stars,
                    }
                )
            return {
                "half": half.upper(),
                "period": period,
                "rows": shown,
                "policy_version": store.policy.version,
            }

        result: Response = await answer(request, "rating.html", job, LEADERS)
        return result

    # -- audit ---------------------------------------------------------------------------------

    @app.get("/desk/replay", include_in_schema=False)
    async def replay(request: Request) -> Response:
        """The auditor's replay form: the case page as it stood at a time."""
        from urllib.parse import urlencode

        from disputes.server.web.desk import redirect

        query = request.query_params
        case = (query.get("case") or "").strip()[:40]
        params = {k: query[k] for k in ("as_of", "purpose") if query.get(k)}
        return redirect(f"/desk/cases/{case}?{urlencode(params)}")

    @app.get("/desk/audit", include_in_schema=False)
    async def audit(request: Request) -> Response:
        query = request.query_params

        def when(name: str) -> datetime | None:
            text = query.get(name)
            if not text:
                return None
            try:
                return parse_time(text)
            except ValueError as exc:
                raise InvalidInput(name, str(exc)) from None

        def job(session: Session, me: Me) -> dict[str, Any]:
            gate = backend.gate(session)
            entries = gate.access_log(
                case=query.get("case") or None,
                person=query.get("person") or None,
                since=when("from"),
                until=when("to"),
            )
            verified = gate.verify() if query.get("verify") else None
            return {
                "entries": entries[-500:],
                "count": len(entries),
                "verified": verified,
                "query": {k: query.get(k, "") for k in ("case", "person", "from", "to")},
                "purposes": list(store.policy.access.purposes.items()),
            }

        result: Response = await answer(request, "audit.html", job, AUDITORS)
        return result


def _shanghai() -> Any:
    from disputes.domain.clock import SHANGHAI

    return SHANGHAI


def _next_month(day: Any) -> Any:
    if day.month == 12:
        return day.replace(year=day.year + 1, month=1, day=1)
    return day.replace(month=day.month + 1, day=1)


def _this_half() -> str:
    now = datetime.now(_shanghai())
    return f"{now.year}H{1 if now.month <= 6 else 2}"
