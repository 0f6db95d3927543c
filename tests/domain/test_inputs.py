"""Bad input names the field (exit 2) and stores nothing.

Shape errors come from ``build_command`` as ``InvalidInputs`` with ``(field, reason)`` pairs;
references to the roster and the policy, and the clock, are checked by the application and raise
``InvalidInput`` with ``.field``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from disputes.cli.exits import exit_code
from disputes.domain.application import DisputesApp
from disputes.domain.commands import COMMANDS, build_command
from disputes.domain.errors import InvalidInput, InvalidInputs
from disputes.domain.policy import load_policy
from tests.domain.support import (
    AUXILIARY,
    DEFAULT_ACTOR,
    DEFAULT_ARGS,
    GRID,
    LEADER,
    NOW,
    POLICE,
    Driver,
    new_app,
)

CASE = "HY-2021-0001"


def valid(verb: str) -> dict[str, Any]:
    """A valid command of ``verb`` as a user would type it."""
    data: dict[str, Any] = {
        "actor": DEFAULT_ACTOR.get(verb, POLICE),
        "at": "2021-10-06T21:40+08:00",
        **DEFAULT_ARGS[verb],
    }
    if verb != "report":
        data["case"] = CASE
    return data


def fields_of(verb: str, changes: dict[str, Any], *, drop: tuple[str, ...] = ()) -> list[str]:
    data = {**valid(verb), **changes}
    for key in drop:
        data.pop(key)
    with pytest.raises(InvalidInputs) as bad:
        build_command(verb, data, load_policy().limits)
    assert exit_code(bad.value) == 2
    for field, reason in bad.value.errors:
        assert reason, field
        assert f"{field}: {reason}" in str(bad.value)
    return [field for field, _ in bad.value.errors]


LIFECYCLE_VERBS = (
    "report",
    "grade",
    "assign",
    "deliberate",
    "visit",
    "mediate",
    "refer",
    "receipt",
    "escalate",
    "downgrade",
    "resolve",
    "follow-up",
    "relapse",
    "close",
)
"""The CLI verbs of the product.md §2 table."""


def test_every_verb_of_the_lifecycle_table_has_a_command() -> None:
    assert set(LIFECYCLE_VERBS) <= set(COMMANDS)


@pytest.mark.parametrize("verb", LIFECYCLE_VERBS)
def test_the_valid_sample_of_each_verb_builds(verb: str) -> None:
    command = build_command(verb, valid(verb), load_policy().limits)
    assert command.verb == verb
    assert command.occurred_at == datetime.fromisoformat("2021-10-06T21:40+08:00")


SHAPE = [
    # verb, changes, dropped keys, the field(s) named
    ("report", {}, ("summary",), ["summary"]),
    ("report", {"summary": "   "}, (), ["summary"]),
    ("report", {"category": ""}, (), ["category"]),
    ("report", {"village": ""}, (), ["village"]),
    ("report", {"parties": [{"name": "梁某", "role": "boss"}]}, (), ["parties.0.role"]),
    ("report", {"parties": [{"name": " ", "role": "applicant"}]}, (), ["parties.0.name"]),
    (
        "report",
        {"parties": [{"name": "梁某", "role": "applicant", "id": "1"}]},
        (),
        ["parties.0.id"],
    ),
    ("report", {"people_involved": 0}, (), ["people_involved"]),
    ("report", {"people_involved": "many"}, (), ["people_involved"]),
    ("report", {"colour": "red"}, (), ["colour"]),
    ("report", {}, ("actor",), ["actor"]),
    ("report", {"actor": ""}, (), ["actor"]),
    ("report", {"at": "yesterday"}, (), ["at"]),
    ("report", {"at": "2021-13-01T10:00"}, (), ["at"]),
    ("report", {"at": datetime(2021, 10, 6, 21, 40)}, (), ["at"]),  # noqa: DTZ001 (naive on purpose)
    ("report", {"command_id": ""}, (), ["command_id"]),
    ("report", {"command_id": "x" * 101}, (), ["command_id"]),
    ("grade", {"grade": "blue"}, (), ["grade"]),
    ("grade", {"grade": "orange"}, (), ["grade"]),
    ("grade", {"reason": ""}, (), ["reason"]),
    ("grade", {"signals": "weapons"}, (), ["signals"]),
    ("grade", {"case": "C01"}, (), ["case"]),
    ("grade", {}, ("case",), ["case"]),
    ("assign", {}, ("leader",), ["leader"]),
    ("assign", {"officer": ""}, (), ["officer"]),
    ("deliberate", {"plan": ""}, (), ["plan"]),
    ("deliberate", {"attendees": [""]}, (), ["attendees.0"]),
    ("visit", {"mode": "fax"}, (), ["mode"]),
    ("mediate", {"result": "ok"}, (), ["result"]),
    ("mediate", {}, ("result",), ["result"]),
    ("refer", {"to": ""}, (), ["to"]),
    ("refer", {}, ("reason",), ["reason"]),
    ("receipt", {"referral": 0}, (), ["referral"]),
    ("receipt", {"referral": "first"}, (), ["referral"]),
    ("receipt", {"outcome": "lost"}, (), ["outcome"]),
    ("escalate", {"reason": " "}, (), ["reason"]),
    ("downgrade", {}, ("reason",), ["reason"]),
    ("resolve", {"form": "handshake"}, (), ["form"]),
    ("resolve", {"observe_days": 0}, (), ["observe_days"]),
    ("resolve", {"observe_days": "half a year"}, (), ["observe_days"]),
    ("resolve", {"agreement": ""}, (), ["agreement"]),
    ("follow-up", {"mode": "letter"}, (), ["mode"]),
    ("relapse", {"grade": "blue"}, (), ["grade"]),
    ("close", {"leader": LEADER}, (), ["leader"]),
]


@pytest.mark.parametrize(
    ("verb", "changes", "drop", "expected"),
    SHAPE,
    ids=[f"{row[0]}-{row[3][0]}-{n}" for n, row in enumerate(SHAPE)],
)
def test_a_bad_field_is_named(
    verb: str, changes: dict[str, Any], drop: tuple[str, ...], expected: list[str]
) -> None:
    assert fields_of(verb, changes, drop=drop) == expected


def test_every_bad_field_is_named_at_once() -> None:
    named = fields_of("grade", {"grade": "blue", "reason": "", "extra": 1}, drop=("case",))
    assert sorted(named) == ["case", "extra", "grade", "reason"]


def test_an_unknown_verb_is_named_as_the_command() -> None:
    with pytest.raises(InvalidInputs) as bad:
        build_command("settle", {"actor": POLICE, "at": "2021-10-06T21:40+08:00"})
    assert [field for field, _ in bad.value.errors] == ["command"]
    assert "settle" in str(bad.value)


# -- text and list limits of the policy ([limits]) ----------------------------------------------

LIMITS = load_policy().limits


@pytest.mark.parametrize(
    ("verb", "field", "limit"),
    [
        ("report", "summary", LIMITS.summary_chars),
        ("grade", "reason", LIMITS.text_chars),
        ("deliberate", "plan", LIMITS.text_chars),
        ("visit", "note", LIMITS.text_chars),
        ("mediate", "note", LIMITS.text_chars),
        ("refer", "reason", LIMITS.text_chars),
        ("receipt", "note", LIMITS.text_chars),
        ("resolve", "agreement", LIMITS.text_chars),
        ("relapse", "reason", LIMITS.text_chars),
        ("close", "note", LIMITS.text_chars),
    ],
)
def test_text_over_the_policy_limit_is_refused(verb: str, field: str, limit: int) -> None:
    build_command(verb, {**valid(verb), field: "字" * limit}, LIMITS)
    assert fields_of(verb, {field: "字" * (limit + 1)}) == [field]


def test_the_bundled_limits_are_those_of_the_policy_file() -> None:
    assert (LIMITS.summary_chars, LIMITS.text_chars, LIMITS.name_chars) == (2000, 1000, 50)
    assert (LIMITS.max_parties, LIMITS.max_people_involved) == (50, 100_000)


def test_a_party_name_over_the_limit_is_refused() -> None:
    ok = [{"name": "名" * LIMITS.name_chars, "role": "applicant"}]
    build_command("report", {**valid("report"), "parties": ok}, LIMITS)
    too_long = [{"name": "名" * (LIMITS.name_chars + 1), "role": "applicant"}]
    assert fields_of("report", {"parties": too_long}) == ["parties"]


def test_too_many_parties_are_refused() -> None:
    party = {"name": "某某", "role": "related"}
    build_command("report", {**valid("report"), "parties": [party] * LIMITS.max_parties}, LIMITS)
    assert fields_of("report", {"parties": [party] * (LIMITS.max_parties + 1)}) == ["parties"]


def test_people_involved_over_the_policy_limit_is_refused() -> None:
    build_command(
        "report", {**valid("report"), "people_involved": LIMITS.max_people_involved}, LIMITS
    )
    over = LIMITS.max_people_involved + 1
    assert fields_of("report", {"people_involved": over}) == ["people_involved"]


def test_the_limits_come_from_the_policy_in_force() -> None:
    policy = load_policy()
    strict = policy.model_copy(
        update={"limits": policy.limits.model_copy(update={"summary_chars": 10})}
    )
    app = new_app(strict)
    driver = Driver(app, app.execute)
    with driver.nothing_stored(), pytest.raises(InvalidInputs) as bad:
        driver.reported(summary="十一个字十一个字十一个")
    assert [field for field, _ in bad.value.errors] == ["summary"]
    assert driver.reported(summary="十个字十个字十个字十") == "HY-2021-0001"
    app.close()


def test_the_free_text_limit_does_not_apply_to_identifiers() -> None:
    """``text_chars`` bounds free text (reason, note, plan …). With the smallest limit the policy
    allows (10), an 11-character person id and a 12-character case number are still valid."""
    policy = load_policy()
    limits = policy.limits.model_copy(update={"text_chars": 10})
    command = build_command(
        "visit",
        {
            "actor": "G-WD-V01-G1",
            "case": "HY-2021-0001",
            "at": "2021-10-06T21:40+08:00",
            "note": "短",
        },
        limits,
    )
    assert command.actor == "G-WD-V01-G1"


# -- references to the roster and the policy (checked by the application) ------------------------


REFERENCES = [
    # verb, changes, field named
    ("report", {"actor": "NOBODY"}, "actor"),
    ("report", {"village": "XX-V99"}, "village"),
    ("report", {"village": "WD"}, "village"),  # a station, not a village
    ("report", {"village": "WD-V01-G1"}, "village"),  # a grid, not a village
    ("report", {"category": "weather"}, "category"),
    ("report", {"source": "rumour"}, "source"),
    ("grade", {"signals": ["weapons", "bad-luck"]}, "signals"),
    ("assign", {"leader": "NOBODY"}, "leader"),
    ("assign", {"leader": POLICE}, "leader"),  # community police, not a leader
    ("assign", {"officer": "NOBODY"}, "officer"),
    ("assign", {"officer": GRID}, "officer"),  # a grid worker is not police
    ("assign", {"auxiliary": "NOBODY"}, "auxiliary"),
    ("assign", {"auxiliary": GRID}, "auxiliary"),
    ("assign", {"grid_worker": "NOBODY"}, "grid_worker"),
    ("deliberate", {"attendees": [LEADER, "NOBODY"]}, "attendees"),
    ("mediate", {"with_units": ["SFS", "XYZ"]}, "with_units"),
    ("mediate", {"with_units": ["WD-V01"]}, "with_units"),  # a village, not a partner
    ("refer", {"to": "XYZ"}, "to"),
    ("refer", {"to": "WD"}, "to"),  # a station, not a partner
    ("visit", {"actor": "NOBODY"}, "actor"),
]

GIVEN = {
    "report": lambda _: None,
    "grade": lambda d: d.reported(),
    "assign": lambda d: d.opened(assign=False),
    "deliberate": lambda d: d.opened(),
    "mediate": lambda d: d.opened(),
    "refer": lambda d: d.opened(),
    "visit": lambda d: d.opened(),
}


@pytest.mark.parametrize(
    ("verb", "changes", "field"),
    REFERENCES,
    ids=[f"{row[0]}-{row[2]}-{n}" for n, row in enumerate(REFERENCES)],
)
def test_an_unknown_reference_names_the_field_and_stores_nothing(
    d: Driver, verb: str, changes: dict[str, Any], field: str
) -> None:
    case = GIVEN[verb](d)
    with d.nothing_stored(), pytest.raises(InvalidInput) as bad:
        d.act(verb, case, **changes)
    assert bad.value.field == field
    assert exit_code(bad.value) == 2


def test_a_known_reference_of_each_kind_is_accepted(d: Driver, app: DisputesApp) -> None:
    case = d.reported(category="group-sensitive", source="court-notice")
    d.act("grade", case, signals=["weapons", "drinking"])
    d.act("assign", case, leader=LEADER, officer=AUXILIARY, auxiliary=AUXILIARY, grid_worker=GRID)
    d.act("deliberate", case, attendees=[LEADER, GRID])
    d.act("mediate", case, with_units=["SFS", "FL"])
    assert d.act("refer", case, to="FL").referral == 1
    assert app.get_case(case).version == 6


def test_no_roster_loaded_is_named() -> None:
    app = DisputesApp({"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=lambda: NOW)
    driver = Driver(app, app.execute)
    with driver.nothing_stored(), pytest.raises(InvalidInput) as bad:
        driver.reported()
    assert bad.value.field == "roster"
    app.close()


# -- time ---------------------------------------------------------------------------------------


def test_an_occurred_time_in_the_future_is_refused(d: Driver) -> None:
    with d.nothing_stored(), pytest.raises(InvalidInput) as bad:
        d.reported(at=NOW + timedelta(minutes=6))
    assert bad.value.field == "at"
    assert "future" in bad.value.reason


def test_a_few_minutes_of_clock_skew_are_accepted(d: Driver) -> None:
    assert d.reported(at=NOW + timedelta(minutes=4)).startswith("HY-2023-")


def test_a_future_time_is_refused_on_a_case_command_too(d: Driver) -> None:
    case = d.opened()
    with d.nothing_stored(), pytest.raises(InvalidInput) as bad:
        d.act("visit", case, at=NOW + timedelta(days=1))
    assert bad.value.field == "at"


# -- observation days ---------------------------------------------------------------------------


def test_observation_under_the_policy_minimum_is_refused(d: Driver) -> None:
    case = d.opened()
    with d.nothing_stored(), pytest.raises(InvalidInput) as bad:
        d.act("resolve", case, observe_days=29)
    assert bad.value.field == "observe_days"
    assert "30" in bad.value.reason


def test_observation_over_ten_years_is_refused() -> None:
    assert fields_of("resolve", {"observe_days": 3651}) == ["observe_days"]


def test_a_command_without_at_occurs_now_by_the_application_clock(
    d: Driver, app: DisputesApp
) -> None:
    """``at`` may be left out (the CLI's default): the event occurs at the application's now."""
    data = {"actor": GRID, "category": "neighbour", "source": "visit", "village": "WD-V01"}
    command = build_command("report", {**data, "summary": "邻里纠纷"}, app.policy.limits)
    assert command.occurred_at is None
    outcome = d.execute(command)
    assert app.get_case(outcome.case_no).reported_at == NOW
