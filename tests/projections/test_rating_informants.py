"""五星警务室 and informants (issue 13 §3): the rating counts a village's informant reports
(projections/informants.py) and weighs them only when the policy's ``[rating]`` says so —
``informant_report_points`` is 0 by default, and a non-zero weight changes the score by exactly
the points it gives (worked out by hand below)."""

from __future__ import annotations

from datetime import date

from disputes.projections.statistics import score
from disputes.storage.statistics import Period, RatingRow, counting_views, rating
from disputes.storage.store import Store
from tests.domain.support import POLICE, Driver, day

H2 = Period(date(2021, 7, 1), date(2021, 12, 31))


def rooms(store: Store) -> dict[str, RatingRow]:
    with counting_views(store) as db:
        return {row.village: row for row in rating(store, db, H2)}


def history(d: Driver) -> None:
    """WD-V01 in 2021H2: two reports by its grid worker (an informant by default), one graded;
    one walk-in an officer records (no informant), graded."""
    first = d.reported(at=day(0))
    d.act("grade", first, grade="yellow", at=day(0, 2))
    d.reported(at=day(1))  # never graded
    walk_in = d.reported(actor=POLICE, source="walk-in", at=day(2))
    d.act("grade", walk_in, grade="yellow", at=day(2, 2))


def test_informant_reports_are_inputs_and_weigh_nothing_by_default(file_store: Store) -> None:
    history(Driver(file_store.app, file_store.execute))
    assert file_store.policy.rating.informant_report_points == 0
    room = rooms(file_store)["WD-V01"]
    assert (room.inputs.reported, room.inputs.informant_reports) == (3, 2)
    assert room.inputs.informant_reports_graded == 1
    assert room.score.parts["informant_reports"] == 0.0
    assert room.inputs.as_json()["informant_reports"] == 2


def test_a_weight_in_the_policy_changes_the_score(file_store: Store) -> None:
    history(Driver(file_store.app, file_store.execute))
    room = rooms(file_store)["WD-V01"]
    rule = file_store.policy.rating
    weighed = rule.model_copy(update={"informant_report_points": 7, "informant_reports_max": 10})
    capped = rule.model_copy(update={"informant_report_points": 40, "informant_reports_max": 10})
    base = score(room.inputs, rule)
    assert base.points < 90  # room to grow: the clamp at 100 does not hide the weight
    got = score(room.inputs, weighed)
    assert got.parts["informant_reports"] == 7.0  # one graded informant report × 7
    assert got.points == round(base.points + 7, 1)
    assert score(room.inputs, capped).parts["informant_reports"] == 10.0  # the cap
