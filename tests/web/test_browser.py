"""The desk in a real browser: Debian's Chromium driven by Selenium through Debian's
chromedriver, both at pinned paths (Selenium Manager never downloads anything), against a real
``disputes serve`` on a loopback port.

One browser session for the whole module, in the order of a day's work: a grid worker reports
from a 360-px phone viewport (with a photo, and markup in the summary), an officer grades and
records a visit, a leader finds the case on the 督办 board as a red card and supervises it, the
figures page draws its charts; markup in the summary stays text, and a form posted without or
with a wrong CSRF token is refused and records nothing. A screenshot of each page is kept in
``test-artifacts/web/`` (git-ignored).

Skipped, saying why, where chromium or chromedriver is missing; ``.ci/run`` installs both.
"""

from __future__ import annotations

import base64
import os
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from disputes.domain.clock import SHANGHAI
from tests.server.harness import GRID, LEADER, OFFICER, Served
from tests.support.stores import create_store, drop_location, new_location

if TYPE_CHECKING:
    from collections.abc import Iterator

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
PHONE = {"width": 360, "height": 740, "deviceScaleFactor": 2, "mobile": True}
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">排水沟争执'

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason=f"no browser: {CHROMIUM} and {CHROMEDRIVER} are needed "
    "(apt-get install chromium chromium-driver fonts-noto-cjk; .ci/run installs them)",
)


def ago(days: float) -> str:
    return (datetime.now(SHANGHAI) - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


class Browser:
    """The module's one Chromium session over the served desk."""

    def __init__(self, served: Served, profile: Path) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service

        options = Options()
        options.binary_location = str(CHROMIUM)
        for argument in (
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            "--window-size=1280,900",
            "--lang=zh-CN",
        ):
            options.add_argument(argument)
        self.served = served
        self.driver = webdriver.Chrome(
            service=Service(executable_path=str(CHROMEDRIVER)), options=options
        )
        self.driver.set_page_load_timeout(30)
        self.shots: list[Path] = []

    # -- the viewport ----------------------------------------------------------------------

    def phone(self) -> None:
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)

    def desktop(self) -> None:
        self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    def page_width(self) -> int:
        width: int = self.driver.execute_script("return document.documentElement.scrollWidth")
        return width

    # -- pages -------------------------------------------------------------------------------

    def open(self, path: str) -> None:
        self.driver.get(self.served.url + path)

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{len(self.shots) + 1:02d}-{name}.png"
        self.driver.save_screenshot(str(path))
        self.shots.append(path)
        return path

    def find(self, css: str) -> Any:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.CSS_SELECTOR, css)

    def text(self) -> str:
        return str(self.find("body").text)

    def fill(self, css: str, value: str) -> None:
        element = self.find(css)
        element.clear()
        element.send_keys(value)

    def set_value(self, css: str, value: str) -> None:
        """Set an input the keyboard cannot type reliably (a datetime-local field)."""
        self.driver.execute_script("arguments[0].value = arguments[1]", self.find(css), value)

    def choose(self, css: str, value: str) -> None:
        from selenium.webdriver.support.ui import Select

        Select(self.find(css)).select_by_value(value)

    def submit(self, element: Any) -> None:
        """Click a submit button and wait for the next page."""
        page = self.find("html")
        element.click()
        self.wait_gone(page)

    def wait_gone(self, page: Any) -> None:
        """Wait until ``page`` (an element of the page before) is gone. Chromium says so either
        as a stale element or, mid-navigation, as a node that "does not belong to the
        document"; both mean the next page is there."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait

        def gone(_: Any) -> bool:
            try:
                page.is_enabled()
            except WebDriverException:
                return True
            return False

        WebDriverWait(self.driver, 20).until(gone)

    def sign_in(self, person: str) -> None:
        who = self.served.people[person]
        self.open("/desk/login")
        self.fill("input[name=person]", person)
        self.fill("input[name=password]", who.password)
        self.fill("input[name=code]", who.code())
        self.submit(self.find("form button[type=submit]"))
        assert "/desk/login" not in self.driver.current_url, self.text()

    def sign_out(self) -> None:
        self.submit(self.find("form.who button"))
        assert self.driver.current_url.endswith("/desk/login")

    def close(self) -> None:
        self.driver.quit()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    folder = tmp_path_factory.mktemp("desk-browser")
    location = new_location(folder)
    create_store(location)
    served = Served(location, folder)
    served.prepare(GRID, OFFICER, LEADER)
    offline = os.environ.get("SE_OFFLINE")
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager: never fetch a browser or a driver
    served.start()
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    session = Browser(served, folder / "chromium-profile")
    try:
        yield session
    finally:
        session.close()
        served.stop()
        drop_location(location)
        if offline is None:
            os.environ.pop("SE_OFFLINE", None)
        else:
            os.environ["SE_OFFLINE"] = offline


@pytest.fixture(scope="module")
def story() -> dict[str, str]:
    """What one step leaves for the next (the case number)."""
    return {}


def test_a_grid_worker_reports_from_a_phone(browser: Browser, story: dict[str, str]) -> None:
    browser.phone()
    browser.open("/desk/login")
    assert "登录" in browser.text()
    browser.shot("login-phone")
    browser.sign_in(GRID)
    assert browser.driver.current_url.endswith("/desk/report")
    assert browser.page_width() <= 360
    browser.choose("select[name=category]", "neighbour")
    browser.fill("textarea[name=summary]", XSS)
    browser.fill("input[name=party_name_0]", "梁某")
    browser.fill("input[name=party_name_1]", "田某")
    browser.fill("input[name=people_involved]", "7")
    photo = ARTIFACTS.parent / "scene.png"
    photo.parent.mkdir(parents=True, exist_ok=True)
    photo.write_bytes(PNG)
    browser.find("input[name=photos]").send_keys(str(photo))
    browser.set_value("input[name=at]", ago(10))
    browser.shot("report-form-phone")
    browser.submit(browser.find("form.card button[type=submit]"))
    case = browser.find("#case-no").text
    assert case.startswith("HY-")
    story["case"] = case
    browser.shot("reported-phone")
    browser.open("/desk/my-reports")
    body = browser.text()
    assert case in body
    assert "等待民警研判定级" in body
    assert "排水沟" not in body  # a grid worker sees status and next step, not the details
    assert browser.page_width() <= 360
    browser.shot("my-reports-phone")
    browser.sign_out()


def test_an_officer_grades_and_records_a_visit(browser: Browser, story: dict[str, str]) -> None:
    case = story["case"]
    browser.desktop()
    browser.sign_in(OFFICER)
    browser.open(f"/desk/cases/{case}")
    browser.find("#do-grade summary").click()
    browser.choose("#do-grade select[name=grade]", "red")
    browser.fill("#do-grade textarea[name=reason]", "持械对峙")
    browser.set_value("#do-grade input[name=at]", ago(10))
    browser.submit(browser.find("#do-grade button[type=submit]"))
    assert "已记录：研判定级" in browser.text()
    browser.find("#do-visit summary").click()
    browser.choose("#do-visit select[name=mode]", "in-person")
    browser.fill("#do-visit textarea[name=note]", "稳控情绪，双方同意调解")
    browser.set_value("#do-visit input[name=at]", ago(9))
    browser.submit(browser.find("#do-visit button[type=submit]"))
    body = browser.text()
    assert "已记录：走访" in body
    assert "稳控情绪" in body
    assert "补录" in body  # recorded nine days after it occurred
    # The summary's markup is text on the page, and none of it ran.
    assert "<script>window.__xss = 1</script>" in body
    assert browser.driver.execute_script("return window.__xss === undefined")
    assert browser.driver.find_elements("css selector", "dd.summary script") == []
    browser.shot("case-after-visit")
    # The photo sent from the phone is on the case page.
    loaded = browser.driver.execute_script(
        "return Array.from(document.querySelectorAll('.photos img'))"
        ".every(i => i.complete && i.naturalWidth > 0)"
    )
    assert loaded
    browser.open("/desk/todo")
    assert "我的待办" in browser.text()  # the case is not assigned yet: not the officer's own
    browser.shot("todo")
    browser.sign_out()


def test_a_leader_finds_the_case_on_the_board_and_supervises_it(
    browser: Browser, story: dict[str, str]
) -> None:
    case = story["case"]
    browser.sign_in(LEADER)
    assert browser.driver.current_url.endswith("/desk/board")
    card = browser.find(f"#card-{case}")
    assert "红牌" in card.text
    browser.shot("board")
    card.find_element("css selector", "details summary").click()
    card.find_element("css selector", "select[name=level]").send_keys("红牌督办")
    card.find_element("css selector", "textarea[name=note]").send_keys("限三日内回访，报所长")
    browser.submit(card.find_element("css selector", "button[type=submit]"))
    body = browser.text()
    assert "已记录：督办" in body
    assert "限三日内回访" in body
    browser.shot("case-supervised")
    browser.open("/desk/ledger")
    assert case in browser.text()
    browser.shot("ledger")


def test_the_leaders_pages_hold_at_360_px(browser: Browser, story: dict[str, str]) -> None:
    browser.phone()
    for name, path in (
        ("board", "/desk/board"),
        ("case", f"/desk/cases/{story['case']}"),
        ("ledger", "/desk/ledger"),
        ("rating", "/desk/rating"),
    ):
        browser.open(path)
        assert browser.page_width() <= 360, name
        browser.shot(f"{name}-phone")
    browser.desktop()


def test_the_figures_page_draws_its_charts(browser: Browser) -> None:
    browser.open("/desk/figures")
    assert "排查化解情况" in browser.text()
    drawn = browser.driver.execute_script(
        "return Array.from(document.querySelectorAll('.charts img'))"
        ".map(i => i.complete && i.naturalWidth > 0)"
    )
    assert drawn == [True, True, True, True]
    browser.shot("figures")
    browser.phone()
    browser.open("/desk/figures")
    assert browser.page_width() <= 360
    browser.shot("figures-phone")
    browser.desktop()
    browser.open("/desk/rating")
    assert "五星警务室评比" in browser.text()
    browser.shot("rating")


def test_a_form_posted_without_or_with_a_wrong_csrf_token_is_refused(
    browser: Browser, story: dict[str, str]
) -> None:
    case = story["case"]
    browser.open(f"/desk/cases/{case}")
    before = browser.text().count("走访")
    for token in (None, "forged-token"):
        page = browser.find("html")
        # A page of another site would post like this: a form with no (or a made-up) token.
        browser.driver.execute_script(
            """
            const form = document.createElement('form');
            form.method = 'post';
            form.action = arguments[0];
            const add = (name, value) => {
              const input = document.createElement('input');
              input.name = name; input.value = value; form.appendChild(input);
            };
            add('mode', 'phone'); add('note', '伪造的走访');
            if (arguments[1] !== null) add('csrf', arguments[1]);
            document.body.appendChild(form);
            form.submit();
            """,
            f"/desk/cases/{case}/visit",
            token,
        )
        browser.wait_gone(page)
        assert "CSRF" in browser.text()
    browser.shot("csrf-refused")
    browser.open(f"/desk/cases/{case}")
    body = browser.text()
    assert "伪造的走访" not in body
    assert body.count("走访") == before
    assert len(browser.shots) >= 14
    assert all(path.stat().st_size > 0 for path in browser.shots)
