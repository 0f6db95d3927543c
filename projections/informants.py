"""治安信息员 — what each informant's reports came to (issue 13): the cases reported by or from
the tip of an informant, whether each was graded and resolved, and (from the rewards list) the
rewards paid. One row per case with an informant; the figures are counted per informant."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from disputes.domain.model import Dispute
from disputes.projections.base import Cursor, P, Projection, Row, Views, iso


class InformantCases(Projection):
    """The ``informant_cases`` table: each case that names its informant (times UTC ISO)."""

    name = "informant_cases"
    table_names = ("informant_cases",)
    tables = (
        """CREATE TABLE IF NOT EXISTS informant_cases (
            case_no TEXT PRIMARY KEY,
            informant TEXT NOT NULL,
            station TEXT NOT NULL,
            village TEXT NOT NULL,
            reported_at TEXT NOT NULL,
            graded_at TEXT,
            resolved_at TEXT
        )""",
        "CREATE INDEX IF NOT EXISTS informant_cases_informant ON informant_cases (informant)",
    )

    def process(self, cursor: Cursor, event: Dispute.Event, case_no: str) -> None:
        at = iso(event.occurred_at)
        match event:
            case Dispute.Reported() if event.informant:
                cursor.execute(
                    "INSERT INTO informant_cases (case_no, informant, station, village,"
                    " reported_at) VALUES ({?},{?},{?},{?},{?})",
                    (case_no, event.informant, event.station, event.village, at),
                )
            case Dispute.Graded():
                cursor.execute(
                    "UPDATE informant_cases SET graded_at = COALESCE(graded_at, {?})"
                    " WHERE case_no = {?}",
                    (at, case_no),
                )
            case Dispute.Resolved():
                cursor.execute(
                    "UPDATE informant_cases SET resolved_at = COALESCE(resolved_at, {?})"
                    " WHERE case_no = {?}",
                    (at, case_no),
                )
            case Dispute.Transferred():
                cursor.execute(
                    "UPDATE informant_cases SET station = {?} WHERE case_no = {?}",
                    (event.station, case_no),
                )
            case _:
                pass

    def process_many(self, cursor: Cursor, items: Sequence[tuple[Dispute.Event, str]]) -> None:
        for event, case_no in items:
            if isinstance(
                event, Dispute.Reported | Dispute.Graded | Dispute.Resolved | Dispute.Transferred
            ):
                self.process(cursor, event, case_no)


FIGURES = ("reports", "graded", "resolved", "rewards", "amount")


def graded_informant_cases(db: Views, reported_before: datetime) -> dict[str, datetime | None]:
    """Each case naming its informant reported before ``reported_before`` → when it was first
    graded (None: not yet), for the rating's informant reports."""
    found: dict[str, datetime | None] = {}
    for row in db.query(
        f"SELECT case_no, graded_at FROM informant_cases WHERE reported_at < {P}",
        [iso(reported_before)],
    ):
        graded = row["graded_at"]
        found[row["case_no"]] = None if graded is None else datetime.fromisoformat(graded)
    return found


def list_informant_figures(
    db: Views,
    *,
    station: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> list[Row]:
    """Per informant (and station): reports made, graded, resolved (counted by when the case
    was reported, ``since`` inclusive, ``until`` exclusive, UTC ISO), and the rewards paid with
    their amount (counted by when they were paid)."""
    where: list[tuple[str, Any]] = []
    if station is not None:
        where.append((f"station = {P}", station))
    cases = list(where)
    paid = [("status = 'paid'", None), *where]
    if since is not None:
        cases.append((f"reported_at >= {P}", since))
        paid.append((f"paid_at >= {P}", since))
    if until is not None:
        cases.append((f"reported_at < {P}", until))
        paid.append((f"paid_at < {P}", until))
    figures: dict[tuple[str, str], dict[str, Any]] = {}
    for row in db.query(
        "SELECT informant, station, COUNT(*) AS reports, COUNT(graded_at) AS graded,"
        f" COUNT(resolved_at) AS resolved FROM informant_cases{_where(cases)}"
        " GROUP BY informant, station",
        [value for _, value in cases if value is not None],
    ):
        figures[(row["informant"], row["station"])] = {**row, "rewards": 0, "amount": 0}
    for row in db.query(
        "SELECT informant, station, COUNT(*) AS rewards, SUM(paid_amount) AS amount"
        f" FROM rewards{_where(paid)} GROUP BY informant, station",
        [value for _, value in paid if value is not None],
    ):
        key = (row["informant"], row["station"])
        empty = {"informant": key[0], "station": key[1], "reports": 0, "graded": 0, "resolved": 0}
        entry = figures.setdefault(key, empty)
        entry["rewards"], entry["amount"] = int(row["rewards"]), int(row["amount"] or 0)
    return [figures[key] for key in sorted(figures)]


def _where(clauses: list[tuple[str, Any]]) -> str:
    return " WHERE " + " AND ".join(clause for clause, _ in clauses) if clauses else ""
