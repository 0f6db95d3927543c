"""product.md §5 ``--command-id``: a retry with the same id records nothing new and answers as
the first time; an id already used for a different command is refused (CommandIdReused)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from disputes.cli.exits import exit_code
from disputes.domain.application import DisputesApp
from disputes.domain.errors import CommandIdReused, WrongStatus
from tests.domain.support import LEADER, Driver, day


def test_retry_of_a_case_command_records_nothing_and_answers_duplicate(
    d: Driver, app: DisputesApp
) -> None:
    case = d.reported()
    first = d.act("grade", case, command_id="grade-1", at=day(1))
    with d.nothing_stored():
        again = d.act("grade", case, command_id="grade-1", at=day(1))
    assert again.duplicate
    assert not first.duplicate
    assert (again.case_no, again.verb, again.version, again.status, again.grade) == (
        first.case_no,
        first.verb,
        first.version,
        first.status,
        first.grade,
    )
    assert app.get_case(case).version == 2


def test_retry_is_answered_even_when_the_rules_would_now_refuse_it(d: Driver) -> None:
    case = d.opened()
    d.act("visit", case, command_id="visit-1")
    d.act("resolve", case)  # visiting is no longer allowed (observing)
    with d.nothing_stored():
        again = d.act("visit", case, command_id="visit-1")
    assert again.duplicate
    with pytest.raises(WrongStatus):
        d.act("visit", case, command_id="visit-2")


def test_a_used_id_with_different_arguments_is_refused_naming_what_differs(d: Driver) -> None:
    case = d.opened()
    d.act("mediate", case, command_id="m-1", result="progress")
    with d.nothing_stored(), pytest.raises(CommandIdReused) as reused:
        d.act("mediate", case, command_id="m-1", result="failed")
    assert reused.value.differences == ["result ('progress' then, 'failed' now)"]
    assert exit_code(reused.value) == 2


def test_retry_of_refer_answers_the_same_referral_number(d: Driver) -> None:
    case = d.opened()
    first = d.act("refer", case, command_id="refer-1")
    with d.nothing_stored():
        again = d.act("refer", case, command_id="refer-1")
    assert again.duplicate
    assert first.referral == 1
    assert again.referral == first.referral


def test_retry_after_later_events_answers_as_the_first_time(d: Driver) -> None:
    """'answers as the first time' (§5): the retry reports the version, status and grade the
    command recorded, not the case's state after later commands."""
    case = d.reported()
    first = d.act("grade", case, command_id="grade-1", grade="red")
    d.act("assign", case)
    d.act("downgrade", case, actor=LEADER)
    with d.nothing_stored():
        again = d.act("grade", case, command_id="grade-1", grade="red")
    assert again.duplicate
    assert (again.version, again.status, again.grade) == (first.version, first.status, first.grade)


def test_id_reused_for_another_verb_on_the_same_case_is_refused(d: Driver) -> None:
    case = d.opened()
    d.act("visit", case, command_id="shared")
    with d.nothing_stored(), pytest.raises(CommandIdReused) as reused:
        d.act("mediate", case, command_id="shared")
    assert exit_code(reused.value) == 2
    assert "shared" in str(reused.value)
    assert "visit" in str(reused.value)


def test_id_of_the_report_reused_for_a_command_on_that_case_is_refused(d: Driver) -> None:
    case = d.reported(command_id="r-1")
    with d.nothing_stored(), pytest.raises(CommandIdReused):
        d.act("grade", case, command_id="r-1")


def test_an_id_refused_the_first_time_is_free_to_use(d: Driver) -> None:
    """Nothing is stored on error, not even the command id."""
    case = d.opened("red")
    with d.nothing_stored(), pytest.raises(WrongStatus):
        d.act("follow-up", case, command_id="x-1")
    outcome = d.act("visit", case, command_id="x-1")
    assert (outcome.event, outcome.duplicate) == ("Visited", False)


# -- through the store: the command log also answers reports and other cases -------------------


def test_retry_of_a_report_records_nothing_and_answers_the_same_case(sd: Driver) -> None:
    first = sd.act("report", command_id="report-1", at=day(1))
    with sd.nothing_stored():
        again = sd.act("report", command_id="report-1", at=day(1))
    assert again.duplicate
    assert (again.case_no, again.verb, again.version) == (first.case_no, "report", 1)
    # The retry took no number.
    assert sd.reported() == "HY-2021-0002"


def test_retry_of_a_case_command_through_the_store(sd: Driver) -> None:
    case = sd.opened()
    sd.act("visit", case, command_id="v-1")
    with sd.nothing_stored():
        assert sd.act("visit", case, command_id="v-1").duplicate


def test_id_of_a_case_command_reused_for_a_report_is_refused(sd: Driver) -> None:
    case = sd.opened()
    sd.act("visit", case, command_id="v-1")
    with sd.nothing_stored(), pytest.raises(CommandIdReused):
        sd.act("report", command_id="v-1")


def test_id_reused_on_another_case_is_refused(sd: Driver) -> None:
    first = sd.opened()
    second = sd.opened()
    sd.act("visit", first, command_id="v-1")
    with sd.nothing_stored(), pytest.raises(CommandIdReused) as reused:
        sd.act("mediate", second, command_id="v-1")
    assert first in str(reused.value)


def test_id_of_a_report_reused_for_a_command_on_another_case_is_refused(sd: Driver) -> None:
    sd.reported(command_id="r-1")
    other = sd.opened()
    with sd.nothing_stored(), pytest.raises(CommandIdReused):
        sd.act("visit", other, command_id="r-1", at=sd.last_at + timedelta(hours=1))
