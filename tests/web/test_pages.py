"""Every page and form of the desk, in-process (FastAPI's TestClient): sign-in and its limits,
the CSRF tokens, the cookies and headers, reporting with photos, the worker's, officer's,
leader's and auditor's pages, the Chinese refusals, and escaping."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from disputes.domain.clock import SHANGHAI
from tests.server.harness import AUDIT, GRID, LEADER, OFFICER, OTHER_LEADER
from tests.web.support import COMMAND_ID, csrf_of

if TYPE_CHECKING:
    from collections.abc import Callable

    from tests.web.support import AtDesk

# A 1×1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
CASE = re.compile(r'id="case-no">([A-Z]+-\d{4}-\d{4})<')
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def ago(days: float) -> str:
    """A time ``days`` ago, as the desk's time input sends it (Asia/Shanghai, no offset)."""
    return (datetime.now(SHANGHAI) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def report(grid: AtDesk, summary: str = "两家因排水沟争执", **extra: object) -> str:
    """Report through the 上报 form; the new case number."""
    data = {
        "category": "neighbour",
        "source": "informant",
        "village": "WD-V01",
        "summary": summary,
        "party_name_0": "梁某",
        "party_role_0": "applicant",
        "party_name_1": "田某",
        "party_role_1": "respondent",
        "people_involved": "7",
        **extra,
    }
    page = grid.get("/desk/report").text
    data.setdefault("command_id", COMMAND_ID.search(page).group(1))  # type: ignore[union-attr]
    answer = grid.post("/desk/report", data, csrf=csrf_of(page))
    assert answer.status_code == 200, answer.text
    found = CASE.search(answer.text)
    assert found, answer.text
    return found.group(1)


def act(person: AtDesk, case: str, verb: str, **data: str) -> object:
    return person.post(f"/desk/cases/{case}/{verb}", data, page=f"/desk/cases/{case}")


def graded_and_assigned(desk: Callable[[], AtDesk], days: float = 0) -> tuple[str, AtDesk]:
    """A case reported by the grid worker, graded red and assigned (``days`` ago); the
    officer's browser."""
    grid = desk()
    grid.sign_in(GRID)
    case = report(grid, at=ago(days) if days else "")
    officer = desk()
    officer.sign_in(OFFICER)
    when = ago(days) if days else ""
    answer = act(officer, case, "grade", grade="red", reason="持械对峙", at=when)
    assert answer.status_code == 200, answer.text  # type: ignore[attr-defined]
    leader = desk()
    leader.sign_in(LEADER)
    assigned = act(
        leader, case, "assign", leader=LEADER, officer=OFFICER, at=ago(days) if days else ""
    )
    assert assigned.status_code == 200, assigned.text  # type: ignore[attr-defined]
    return case, officer


# -- sign-in, sessions, cookies, headers ---------------------------------------------------------


def test_the_desk_sends_a_visitor_to_sign_in(desk: Callable[[], AtDesk]) -> None:
    visitor = desk()
    for path in ("/", "/desk/", "/desk/report", "/desk/todo", "/desk/ledger", "/desk/audit"):
        answer = visitor.get(path)
        assert answer.url.path == "/desk/login", path
        assert "动态验证码" in answer.text
    assert visitor.get("/desk/static/desk.css").headers["content-type"].startswith("text/css")


def test_sign_in_sets_a_secure_http_only_strict_cookie_and_safe_headers(
    desk: Callable[[], AtDesk],
) -> None:
    grid = desk()
    page = grid.get("/desk/login")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "script-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"
    who = grid.served.people[GRID]
    answer = grid.client.post(
        "/desk/login",
        data={
            "person": GRID,
            "password": who.password,
            "code": who.code(),
            "csrf": csrf_of(page.text),
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303
    cookies = answer.headers.get_list("set-cookie")
    cookie = next(c for c in cookies if c.startswith("disputes_desk="))
    for flag in ("HttpOnly", "Secure", "SameSite=strict", "Path=/desk"):
        assert flag.lower() in cookie.lower(), cookie
    assert "max-age" not in cookie.lower()  # ends with the browser; the server ends it sooner
    home = grid.get("/desk/")
    assert home.url.path == "/desk/report"
    assert "郭翠花" in home.text


def test_a_wrong_code_is_refused_in_chinese_and_counts_toward_the_accounts_lockout(
    desk: Callable[[], AtDesk],
) -> None:
    import httpx

    grid = desk()
    for _ in range(5):
        answer = grid.sign_in(GRID, code="000000")
        assert answer.status_code == 401
        assert "登录失败" in answer.text
    # The account is locked now (policy max_failed_attempts = 5): the right code fails too,
    # at the desk and over the API the CLI uses.
    assert grid.sign_in(GRID).status_code == 401
    who = grid.served.people[GRID]
    api = grid.client.post(
        "/api/sessions", json={"person": GRID, "password": who.password, "code": who.code()}
    )
    assert api.status_code == 401
    assert isinstance(api, httpx.Response)


def test_sign_in_attempts_are_rate_limited_with_the_apis_limiter(
    desk: Callable[[], AtDesk],
) -> None:
    visitor = desk()
    for _ in range(10):
        visitor.client.post(
            "/api/sessions", json={"person": OTHER_LEADER, "password": "x" * 12, "code": "1"}
        )
    answer = visitor.post(
        "/desk/login", {"person": OTHER_LEADER, "password": "x" * 12, "code": "123456"}
    )
    assert answer.status_code == 429
    assert "登录尝试过于频繁" in answer.text


def test_signing_out_ends_the_session_and_a_forged_cookie_is_nobody(
    desk: Callable[[], AtDesk],
) -> None:
    grid = desk()
    grid.sign_in(GRID)
    token = grid.client.cookies.get("disputes_desk")
    answer = grid.post("/desk/logout", {}, page="/desk/report")
    assert answer.url.path == "/desk/login"
    stranger = desk()
    stranger.client.cookies.set("disputes_desk", token or "", domain="testserver", path="/desk")
    assert stranger.get("/desk/report").url.path == "/desk/login"  # revoked on the server
    stranger.client.cookies.set("disputes_desk", "forged", domain="testserver", path="/desk")
    assert stranger.get("/desk/my-reports").url.path == "/desk/login"


def test_an_expired_session_sends_the_person_to_sign_in_again(
    desk: Callable[[], AtDesk],
) -> None:
    from disputes.storage.store import Store

    grid = desk()
    grid.sign_in(GRID)
    assert grid.get("/desk/my-reports").url.path == "/desk/my-reports"
    with Store(grid.served.location) as store, store.views.transaction() as cursor:
        cursor.execute("UPDATE sessions SET idle_until = 1")  # unused since 1970: idle expiry
    assert grid.get("/desk/my-reports").url.path == "/desk/login"


# -- CSRF ---------------------------------------------------------------------------------------


def test_a_form_without_or_with_a_wrong_csrf_token_is_refused_and_records_nothing(
    desk: Callable[[], AtDesk],
) -> None:
    grid = desk()
    grid.sign_in(GRID)
    form = {
        "category": "neighbour",
        "source": "informant",
        "village": "WD-V01",
        "summary": "无令牌的上报",
    }
    for token in ("", "0" * 64):
        answer = grid.client.post("/desk/report", data={**form, "csrf": token})
        assert answer.status_code == 403
        assert "CSRF" in answer.text
    answer = grid.client.post("/desk/report", data=form)
    assert answer.status_code == 403
    assert "还没有上报过纠纷" in grid.get("/desk/my-reports").text
    # Another person's token does not do either.
    other = desk()
    other.sign_in(OFFICER)
    theirs = csrf_of(other.get("/desk/todo").text)
    assert grid.client.post("/desk/report", data={**form, "csrf": theirs}).status_code == 403
    # Nor does a sign-in form's token without its cookie.
    visitor = desk()
    token = csrf_of(visitor.get("/desk/login").text)
    fresh = desk()
    who = fresh.served.people[GRID]
    refused = fresh.client.post(
        "/desk/login",
        data={"person": GRID, "password": who.password, "code": "1", "csrf": token},
    )
    assert refused.status_code == 403


# -- the grid worker ------------------------------------------------------------------------------


def test_a_grid_worker_reports_with_a_photo_and_sees_only_status_and_next_step(
    desk: Callable[[], AtDesk],
) -> None:
    grid = desk()
    grid.sign_in(GRID)
    page = grid.get("/desk/report").text
    assert '<option value="WD-V01">东岗村</option>' in page  # pre-filled from the roster
    data = {
        "command_id": COMMAND_ID.search(page).group(1),  # type: ignore[union-attr]
        "category": "land-homestead",
        "source": "informant",
        "village": "WD-V01",
        "summary": "宅基地边界争执",
        "party_name_0": "梁某",
        "party_role_0": "applicant",
        "csrf": csrf_of(page),
    }
    files = [("photos", ("scene.png", PNG, "image/png"))]
    answer = grid.client.post("/desk/report", data=data, files=files, follow_redirects=True)
    assert answer.status_code == 200, answer.text
    case = CASE.search(answer.text).group(1)  # type: ignore[union-attr]
    # The same form sent again (a double tap) records nothing new.
    again = grid.client.post("/desk/report", data=data, files=files, follow_redirects=True)
    assert CASE.search(again.text).group(1) == case  # type: ignore[union-attr]
    mine = grid.get("/desk/my-reports").text
    assert mine.count(case) == 1
    assert "已登记" in mine
    assert "等待民警研判定级" in mine
    assert "宅基地边界争执" not in mine
    assert "梁某" not in mine
    # The officer sees the photo, named by its content hash in the report's event.
    officer = desk()
    officer.sign_in(OFFICER)
    shown = officer.get(f"/desk/cases/{case}").text
    digest = hashlib.sha256(PNG).hexdigest()
    assert digest in shown
    photo = officer.get(f"/desk/cases/{case}/photos/{digest}")
    assert photo.content == PNG
    assert photo.headers["content-type"] == "image/png"
    # The grid worker cannot open a case page's details.
    assert "宅基地边界争执" not in grid.get(f"/desk/cases/{case}").text


def test_photos_that_are_not_images_or_too_many_are_refused_in_chinese(
    desk: Callable[[], AtDesk],
) -> None:
    grid = desk()
    grid.sign_in(GRID)
    page = grid.get("/desk/report").text
    data = {
        "category": "neighbour",
        "source": "informant",
        "village": "WD-V01",
        "summary": "带附件",
        "csrf": csrf_of(page),
    }
    fake = [("photos", ("a.png", b"<svg onload=alert(1)>", "image/png"))]
    answer = grid.client.post("/desk/report", data=data, files=fake)
    assert answer.status_code == 422
    assert "照片只能是 JPEG、PNG 或 WebP 图片" in answer.text
    many = [("photos", (f"{n}.png", PNG, "image/png")) for n in range(5)]
    answer = grid.client.post("/desk/report", data=data, files=many)
    assert answer.status_code in (400, 422)
    assert "还没有上报过纠纷" in grid.get("/desk/my-reports").text


def test_a_report_with_a_missing_summary_keeps_the_form_and_names_the_field(
    desk: Callable[[], AtDesk],
) -> None:
    grid = desk()
    grid.sign_in(GRID)
    answer = grid.post(
        "/desk/report",
        {"category": "neighbour", "source": "informant", "village": "WD-V01", "summary": " "},
    )
    assert answer.status_code == 422
    assert "summary" in answer.text
    assert 'value="neighbour" selected' in answer.text


# -- the officer ----------------------------------------------------------------------------------


def test_markup_in_a_summary_is_shown_as_text(desk: Callable[[], AtDesk]) -> None:
    grid = desk()
    grid.sign_in(GRID)
    case = report(grid, summary=XSS)
    officer = desk()
    officer.sign_in(OFFICER)
    page = officer.get(f"/desk/cases/{case}").text
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page


def test_an_officer_grades_sees_the_todo_records_a_visit_and_the_timeline(
    desk: Callable[[], AtDesk],
) -> None:
    case, officer = graded_and_assigned(desk, days=2)
    todo = officer.get("/desk/todo").text
    assert case in todo
    assert "首次接触" in todo
    assert "已逾期" in todo
    answer = act(officer, case, "visit", mode="in-person", note="稳控情绪")
    assert answer.status_code == 200  # type: ignore[attr-defined]
    assert answer.url.query == b"done=visit"  # type: ignore[attr-defined]
    page = officer.get(f"/desk/cases/{case}").text
    for word in ("登记", "研判定级", "分包", "走访", "稳控情绪"):
        assert word in page
    # A visit placed before the case's later events is marked 补录.
    late = act(officer, case, "visit", mode="phone", note="补记电话", at=ago(0.01))
    assert late.status_code == 200  # type: ignore[attr-defined]


def test_a_late_entry_is_marked_in_the_timeline(desk: Callable[[], AtDesk]) -> None:
    case, officer = graded_and_assigned(desk, days=5)
    act(officer, case, "visit", mode="in-person", note="当日")
    answer = act(officer, case, "visit", mode="phone", note="四天前的电话", at=ago(4))
    assert answer.status_code == 200  # type: ignore[attr-defined]
    page = officer.get(f"/desk/cases/{case}").text
    assert "补录" in page


def test_refusals_are_the_clis_chinese_ones(desk: Callable[[], AtDesk]) -> None:
    case, officer = graded_and_assigned(desk)
    answer = act(officer, case, "close")
    assert answer.status_code in (403, 409)  # type: ignore[attr-defined]
    text = answer.text  # type: ignore[attr-defined]
    assert "销号" in text or "不化解不销案" in text or "责任领导" in text
    invalid = act(officer, case, "resolve", agreement="", form="written")
    assert invalid.status_code == 422  # type: ignore[attr-defined]
    assert "agreement" in invalid.text  # type: ignore[attr-defined]
    bad_time = act(officer, case, "visit", mode="phone", at="不是时间")
    assert bad_time.status_code == 422  # type: ignore[attr-defined]
    unknown = act(officer, case, "nonsense")
    assert unknown.status_code == 404  # type: ignore[attr-defined]


def test_a_grid_worker_may_not_act_on_a_case(desk: Callable[[], AtDesk]) -> None:
    case, _ = graded_and_assigned(desk)
    grid = desk()
    grid.sign_in(GRID)
    page = grid.get(f"/desk/cases/{case}").text
    assert "<summary>走访</summary>" not in page  # no forms for a grid worker
    token = csrf_of(grid.get("/desk/my-reports").text)
    answer = grid.client.post(f"/desk/cases/{case}/visit", data={"mode": "phone", "csrf": token})
    assert answer.status_code == 403
    assert "规则" in answer.text or "role rule" in answer.text


# -- the leader -----------------------------------------------------------------------------------


def test_a_leader_sees_a_late_case_as_a_red_card_and_supervises_it(
    desk: Callable[[], AtDesk],
) -> None:
    case, _ = graded_and_assigned(desk, days=10)
    leader = desk()
    leader.sign_in(LEADER)
    board = leader.get("/desk/board").text
    assert f'id="card-{case}"' in board
    assert "红牌" in board
    answer = leader.post(
        f"/desk/cases/{case}/supervise",
        {"level": "red-card", "note": "限三日内回访"},
        page="/desk/board",
    )
    assert answer.status_code == 200, answer.text
    assert "督办" in leader.get(f"/desk/cases/{case}").text


def test_the_ledger_filters_and_downloads_csv_and_xlsx_in_chinese(
    desk: Callable[[], AtDesk],
) -> None:
    from openpyxl import load_workbook

    case, _ = graded_and_assigned(desk)
    leader = desk()
    leader.sign_in(LEADER)
    page = leader.get("/desk/ledger", grade="red").text
    assert case in page
    assert "邻里纠纷" in page
    assert case not in leader.get("/desk/ledger", grade="yellow").text
    csv = leader.get("/desk/ledger.csv", grade="red")
    assert csv.content.startswith(b"\xef\xbb\xbf")
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("案件编号,状态,等级,类别")
    assert case in text
    assert "红" in text
    xlsx = leader.get("/desk/ledger.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert sheet["A1"].value == "案件编号"
    assert sheet["A2"].value == case
    assert sheet.freeze_panes == "A2"


def test_the_figures_page_and_its_charts(desk: Callable[[], AtDesk]) -> None:
    graded_and_assigned(desk)
    leader = desk()
    leader.sign_in(LEADER)
    month = datetime.now(SHANGHAI).strftime("%Y-%m")
    page = leader.get("/desk/figures").text
    assert f"{month} 排查化解情况" in page
    for name in ("category", "month", "colour", "station"):
        assert f"/desk/charts/{name}.svg?month={month}" in page
        chart = leader.get(f"/desk/charts/{name}.svg", month=month)
        assert chart.status_code == 200
        assert chart.headers["content-type"] == "image/svg+xml"
        assert chart.content.lstrip().startswith(b"<?xml")
        assert b"<script" not in chart.content
    assert "邻里纠纷".encode() in leader.get("/desk/charts/category.svg", month=month).content
    assert leader.get("/desk/figures", month="2021-13").status_code == 422


def test_the_rating_page_gives_stars_for_each_village_room(desk: Callable[[], AtDesk]) -> None:
    leader = desk()
    leader.sign_in(LEADER)
    page = leader.get("/desk/rating", half="2022H1").text
    assert "五星警务室评比 2022H1" in page
    assert "东岗村" in page
    assert "★" in page or "☆" in page


def test_leader_pages_are_refused_to_others(desk: Callable[[], AtDesk]) -> None:
    grid = desk()
    grid.sign_in(GRID)
    for path in ("/desk/board", "/desk/ledger", "/desk/figures", "/desk/rating", "/desk/audit"):
        answer = grid.get(path)
        assert answer.status_code == 403, path
        assert "此页面仅供" in answer.text


# -- the auditor ----------------------------------------------------------------------------------


def test_the_audit_page_verifies_replays_and_lists_access(desk: Callable[[], AtDesk]) -> None:
    case, officer = graded_and_assigned(desk, days=3)
    act(officer, case, "visit", mode="phone", note="今天")
    officer.get(f"/desk/cases/{case}")  # a read of personal details: logged
    auditor = desk()
    auditor.sign_in(AUDIT)
    page = auditor.get("/desk/audit", case=case).text
    assert "查阅日志" in page
    assert "冯桂芝（P-WD-01）" in page  # the officer's reads of the case
    assert "允许" in page
    verified = auditor.get("/desk/audit", verify="1").text
    assert 'id="verify-status"' in verified
    assert "校验通过" in verified
    # The audit administrator reads the log, not cases: a replay is refused, and logged.
    replay = auditor.get("/desk/replay", case=case, as_of=ago(2.5))
    assert replay.url.path == f"/desk/cases/{case}"
    assert replay.status_code == 403


def test_a_leader_replays_a_case_as_of_a_time(desk: Callable[[], AtDesk]) -> None:
    case, officer = graded_and_assigned(desk, days=3)
    act(officer, case, "visit", mode="phone", note="今天的电话")
    leader = desk()
    leader.sign_in(LEADER)
    then = leader.get(f"/desk/cases/{case}", as_of=ago(2.5)).text
    assert "回放：截至" in then
    assert "今天的电话" not in then
    assert "<summary>走访</summary>" not in then  # a replay is read-only
    assert "今天的电话" in leader.get(f"/desk/cases/{case}").text


# -- URLs carry no personal data ------------------------------------------------------------------


def test_no_page_puts_a_name_in_a_url(desk: Callable[[], AtDesk]) -> None:
    case, officer = graded_and_assigned(desk)
    leader = desk()
    leader.sign_in(LEADER)
    pages = [
        officer.get(f"/desk/cases/{case}").text,
        officer.get("/desk/todo").text,
        leader.get("/desk/ledger").text,
        leader.get("/desk/board").text,
    ]
    for page in pages:
        for url in re.findall(r'(?:href|action|src)="([^"]*)"', page):
            assert "梁" not in url
            assert "田" not in url
