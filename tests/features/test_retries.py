"""Executable policy: features/retries.feature — a retried command id records nothing new."""

from pytest_bdd import scenarios, then

from disputes.domain.application import Outcome
from tests.features.desk import Desk

scenarios("retries.feature")


def gist(outcome: Outcome) -> tuple[object, ...]:
    """What an officer reads off an answer: case, verb, status, grade and version."""
    return (outcome.case_no, outcome.verb, outcome.status, outcome.grade, outcome.version)


@then("系统按第一次的结果答复")
def answered_as_first_time(desk: Desk) -> None:
    assert desk.original is not None, "no command was sent again"
    assert desk.answer().duplicate, "the retry was recorded as a new command"
    assert gist(desk.answer()) == gist(desk.original)
