"""The figures with a server (issue 11: every verb works as today): ``stats``, ``rewards``,
``informants`` and ``rating`` through the CLI as the server's client, counted and masked as the
signed-in person's scope says; a reward verb's answer names the reward, in Chinese too."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from click.testing import CliRunner

from tests.server.harness import GRID, LEADER, OFFICER, OTHER_LEADER

if TYPE_CHECKING:
    import click

    from tests.server.harness import Served

OTHER_GRID = "G-WD-V02-G1"  # a grid worker of WD-V02 (no account: named as the informant)


def _json(served: Served, cli: click.Group, person: str, *args: str) -> Any:
    return json.loads(served.disputes(cli, person, *args).stdout)


def _local(served: Served, cli: click.Group, *args: str) -> Any:
    """``disputes --db STORE ARGS`` in local mode (the trusted desk on the server host)."""
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("DISPUTES_")}
    env.update(served.env())
    result = CliRunner(env=env).invoke(
        cli, ["--db", served.location, *args], catch_exceptions=False
    )
    assert result.exit_code == 0, (result.output, result.stderr)
    return json.loads(result.stdout)


def _cases(served: Served, cli: click.Group) -> tuple[str, str]:
    """A case of WD (informant: the other village's grid worker, graded red, a reward
    proposed) and one of DM."""
    for person in (LEADER, OFFICER, OTHER_LEADER, GRID):
        served.login(cli, person)
    wd = _json(
        served, cli, LEADER, "report", "--category", "neighbour", "--source", "informant",
        "--village", "WD-V02", "--summary", "两家因排水沟争执", "--informant", OTHER_GRID,
        "--at", "2024-03-01T09:00", "--json",
    )["case_no"]  # fmt: skip
    served.disputes(
        cli, LEADER, "grade", wd, "--grade", "red", "--reason", "持械", "--at", "2024-03-02T09:00"
    )
    dm = _json(
        served, cli, OTHER_LEADER, "report", "--category", "neighbour", "--source", "visit",
        "--village", "DM-V01", "--summary", "宅基地边界争吵", "--at", "2024-03-03T09:00", "--json",
    )["case_no"]  # fmt: skip
    return wd, dm


def test_figures_in_client_mode(served: Served, cli: click.Group) -> None:
    wd, dm = _cases(served, cli)

    # A reward verb answers with the reward number, in Chinese like local mode.
    line = served.disputes(
        cli, OFFICER, "--lang", "zh", "propose-reward", wd, "--kind", "prevention",
        "--amount", "300", "--reason", "及时报告", "--at", "2024-03-04T09:00",
    ).stdout  # fmt: skip
    assert line == f"HY-2024-R0001 ({wd}): RewardProposed v1 — 待审批\n"

    # stats: a station leader's figures are their station's, as local mode counts them.
    period = ("--from", "2024-03-01", "--to", "2024-03-31")
    remote = _json(served, cli, LEADER, "stats", *period, "--format", "json")
    local = _local(served, cli, "stats", *period, "--station", "WD", "--format", "json")
    assert remote == local
    assert remote["station"] == "WD"
    assert remote["total"]["reported"] == 1
    by_station = _json(served, cli, LEADER, "stats", *period, "--by", "station", "--format", "json")
    assert by_station == _local(
        served, cli, "stats", *period, "--by", "station", "--station", "WD", "--format", "json"
    )
    refused = served.disputes(cli, LEADER, "stats", *period, "--station", "DM", code=1)
    assert "WD" in refused.stderr
    table = served.disputes(cli, LEADER, "stats", *period, "--by", "category").stdout
    assert "total" in table
    assert served.disputes(cli, LEADER, "stats", *period, "--format", "csv").stdout

    # rewards: the station leader lists their station's reward, as the local list has it.
    [row] = _json(served, cli, LEADER, "rewards", "--json")
    assert (row["reward_no"], row["case_no"], row["status"]) == ("HY-2024-R0001", wd, "proposed")
    assert row["proposed_at"] == "2024-03-04T09:00:00+08:00"
    assert row == _local(served, cli, "rewards", "--json")[0]
    assert "HY-2024-R0001" in served.disputes(cli, LEADER, "rewards").stdout

    # informants: a grid worker of another village sees the figures with the name masked.
    [figures] = _json(served, cli, GRID, "informants", "--json")
    assert figures["masked"] is True
    assert figures["informant"] is None
    assert (
        figures["informant_name"]
        != _local(served, cli, "informants", "--json")[0]["informant_name"]
    )
    assert figures["reports"] == 1
    leader_view = _json(served, cli, LEADER, "informants", "--json")
    assert leader_view[0]["informant"] == OTHER_GRID
    informant_stats = _json(
        served, cli, GRID, "stats", *period, "--by", "informant", "--format", "json"
    )
    assert [g["masked"] for g in informant_stats["groups"]] == [True]

    # rating: the json of local mode, for the leader's station.
    rating = _json(served, cli, LEADER, "rating", "2024H1", "--format", "json")
    assert rating == _local(served, cli, "rating", "2024H1", "--station", "WD", "--format", "json")
    assert {room["station"] for room in rating["rooms"]} == {"WD"}
    assert "2024H1" in served.disputes(cli, LEADER, "rating", "2024H1").stdout

    # report-month stays local, and says why.
    month = served.disputes(cli, LEADER, "report-month", "2024-03", code=2)
    assert "stats" in month.stderr
    assert dm
