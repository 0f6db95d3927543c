"""Executable policy: features/closure.feature — 不化解不销案 (product.md §3)."""

from pytest_bdd import scenarios, then

from disputes.domain.errors import ClosureRefused
from tests.features.desk import Desk
from tests.features.words import says

scenarios("closure.feature")


@then(says("销号被拒绝，未满足的条件为第{conditions:Conditions}条"))
def closure_refused(desk: Desk, conditions: list[str]) -> None:
    refusal = desk.refused()
    assert isinstance(refusal, ClosureRefused), f"refused by another rule: {refusal.message}"
    assert [failure.split(".")[0] for failure in refusal.failures] == conditions, refusal.message
