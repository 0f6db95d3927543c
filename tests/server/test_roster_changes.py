"""A roster changed beside a running server (issue 11 §1, a new user's trial): `roster depart`
in local mode on the server's store while the server runs. The server must see the departure
at once — the departed person's session ends, their account is not unlocked again, they do not
sign in and record nothing — not only after a restart."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from click.testing import CliRunner

from tests.server.harness import ADMIN, OTHER_LEADER, Served, body_error

if TYPE_CHECKING:
    import click


def test_a_departure_recorded_beside_a_running_server_is_seen_at_once(
    served: Served, cli: click.Group
) -> None:
    token = served.sign_in(OTHER_LEADER)
    admin = served.sign_in(ADMIN)
    with served.http(token) as client:
        assert client.get("/api/whoami").json()["person"] == OTHER_LEADER  # roster cached

    local = CliRunner(env={**served.env(), "DISPUTES_SERVER": None})  # type: ignore[dict-item]
    departed = local.invoke(
        cli, ["--db", served.location, "roster", "depart", OTHER_LEADER, "--json"]
    )
    assert departed.exit_code == 0, departed.output
    assert json.loads(departed.stdout)["account_locked"] is True

    with served.http(token) as client:
        assert client.get("/api/whoami").status_code == 401
    with served.http(admin) as client:
        refused = client.post(f"/api/accounts/{OTHER_LEADER}/unlock")
        assert refused.status_code == 409, refused.text  # an account rule
        error = body_error(refused)
        assert "no longer on the roster" in error["message"]
        assert "离职" in error["zh"]
        [row] = client.get("/api/accounts", params={"person": OTHER_LEADER}).json()
        assert row["status"] == "locked"
    who = served.people[OTHER_LEADER]
    with served.http() as client:
        answer = client.post(
            "/api/sessions",
            json={"person": OTHER_LEADER, "password": who.password, "code": who.code()},
        )
    assert answer.status_code == 401
