"""The intake-only instance (``disputes serve --intake-only``) and the one-way crossing: its
reports leave as a signed journal (``intake-export``) that the main store applies with
``apply --signed FILE --key PUB``; a forged, altered or foreign-signed file is refused whole."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from disputes.cli.main import cli
from tests.server.harness import ADMIN, GRID, LEADER, OFFICER, Served
from tests.support.stores import create_store, drop_location, new_location
from tests.web.support import AtDesk, TestClient
from tests.web.test_pages import CASE, COMMAND_ID, PNG, csrf_of

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def intake(
    store_location: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Served, TestClient]]:
    """An intake instance: its own store, the roster, accounts for a grid worker and an
    officer (who may not sign in here)."""
    from disputes.server.web import create_intake_app
    from disputes.storage.store import Store

    served = Served(store_location, tmp_path / "intake")
    served.folder.mkdir()
    served.prepare(ADMIN, GRID, OFFICER)
    monkeypatch.setenv("DISPUTES_KEY_FILE", str(served.key_file))
    app = create_intake_app(Store(store_location))
    client = TestClient(app, base_url="https://testserver")
    yield served, client
    client.close()
    app.state.backend.close()


def report_with_photo(desk: AtDesk) -> str:
    page = desk.get("/desk/report").text
    data = {
        "command_id": COMMAND_ID.search(page).group(1),  # type: ignore[union-attr]
        "category": "debt-loan",
        "source": "informant",
        "village": "WD-V01",
        "summary": "借款三万元到期未还，双方争吵",
        "party_name_0": "梁某",
        "party_role_0": "applicant",
        "csrf": csrf_of(page),
    }
    files = [("photos", ("iou.png", PNG, "image/png"))]
    answer = desk.client.post("/desk/report", data=data, files=files, follow_redirects=True)
    assert answer.status_code == 200, answer.text
    return CASE.search(answer.text).group(1)  # type: ignore[union-attr]


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == code, (result.output, result.stderr)
    return result.output + result.stderr


def test_the_intake_instance_serves_grid_workers_only(
    intake: tuple[Served, TestClient],
) -> None:
    served, client = intake
    officer = AtDesk(served, client)
    refused = officer.sign_in(OFFICER)
    assert refused.status_code == 401
    assert "登录失败" in refused.text
    for path in ("/api/openapi.json", "/api/ledger", "/desk/ledger", "/desk/board"):
        assert client.get(path).status_code == 404, path
    grid = AtDesk(served, client)
    assert grid.sign_in(GRID).url.path == "/desk/report"
    assert "（上报端）" in grid.get("/desk/report").text
    case = report_with_photo(grid)
    mine = grid.get("/desk/my-reports").text
    assert case in mine
    assert "借款三万元" not in mine


def test_reports_cross_as_a_signed_journal_applied_once_on_the_main_store(
    intake: tuple[Served, TestClient], tmp_path: Path
) -> None:
    from disputes.audit.checkpoint import generate_key

    served, client = intake
    grid = AtDesk(served, client)
    grid.sign_in(GRID)
    case = report_with_photo(grid)
    key, public = generate_key(tmp_path / "intake.key")
    signed = tmp_path / "reports.signed.json"
    said = run("--db", served.location, "intake-export", "--out", str(signed), "--key", str(key))
    assert "1 件上报，1 张照片" in said
    run("--db", served.location, "intake-export", "--out", str(signed), "--key", str(key), code=2)

    main_folder = tmp_path / "main"
    main_folder.mkdir()
    main = new_location(main_folder, "main.db")
    create_store(main)
    try:
        Served(main, main_folder).prepare(ADMIN, LEADER)
        applied = json.loads(
            run("--db", main, "apply", "--signed", str(signed), "--key", str(public), "--json")
        )
        assert (applied["applied"], applied["failed"]) == (1, [])
        case = applied["cases"][case]  # the intake's number → the main store's
        again = run(
            "--db", main, "--lang", "en", "apply", "--signed", str(signed), "--key", str(public)
        )
        assert "0 applied, 1 already recorded" in again
        history = json.loads(run("--db", main, "history", case, "--json"))
        photo = history[0]["attachments"][0]
        assert photo["sha256"] == hashlib.sha256(PNG).hexdigest()
        assert history[0]["actor"] == GRID
        from disputes.storage.attachments import Attachments
        from disputes.storage.store import Store

        with Store(main) as store:
            kept = Attachments(store.views).get(photo["sha256"])
            assert kept is not None
            assert kept.data == PNG

        # An altered file (one word of the journal), a forged signature, another key: refused
        # whole, nothing applied.
        body = json.loads(signed.read_text(encoding="utf-8"))
        altered = tmp_path / "altered.json"
        altered.write_text(
            json.dumps({**body, "journal": body["journal"].replace("三万", "三十万")}),
            encoding="utf-8",
        )
        said = run("--db", main, "apply", "--signed", str(altered), "--key", str(public), code=1)
        assert "forged or altered" in said or "伪造或被篡改" in said
        forged = tmp_path / "forged.json"
        forged.write_text(json.dumps({**body, "signature": "00" * 64}), encoding="utf-8")
        run("--db", main, "apply", "--signed", str(forged), "--key", str(public), code=1)
        _, other_public = generate_key(tmp_path / "other.key")
        said = run(
            "--db", main, "apply", "--signed", str(signed), "--key", str(other_public), code=1
        )
        assert "another key" in said or "签名密钥" in said
        plain = tmp_path / "plain.jsonl"
        plain.write_text(body["journal"], encoding="utf-8")
        run("--db", main, "apply", "--signed", str(plain), "--key", str(public), code=1)
        run("--db", main, "apply", "--signed", str(signed), code=2)  # --key is required
    finally:
        drop_location(main)
