"""The whole sample year (samples/huaiyang/year-2021.jsonl: 510 cases, 10,441 commands) through an
SQLite file store: every line is accepted, the counts are those the sample promises, and every
ledger row agrees with its case replayed from the events.

The journal is driven by a small helper here (product.md §5: one JSON command per line; ``case`` is
an alias bound by that alias's ``report`` line, or a case number), not by the CLI's ``apply``.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import Any

import pytest

from disputes.domain.clock import SHANGHAI
from disputes.domain.commands import build_command
from disputes.domain.errors import DisputesError
from disputes.storage.store import Store
from tests.domain.support import NOW
from tests.projections.support import dump, ledger_disagreements
from tests.support.driver import SAMPLES, sample_roster


def journal(name: str) -> list[dict[str, Any]]:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def apply(store: Store, entries: list[dict[str, Any]]) -> tuple[dict[str, str], list[bool]]:
    """Record each journal entry; returns the alias → case number map and, per line, whether
    the store answered it as a duplicate. A refused line fails the test with its line number."""
    aliases: dict[str, str] = {}
    duplicates: list[bool] = []
    for number, entry in enumerate(entries, start=1):
        data = {
            "actor": entry["actor"],
            "at": entry["at"],
            "command_id": entry["id"],
            **entry["args"],
        }
        if entry["command"] != "report":
            data["case"] = aliases.get(entry["case"], entry["case"])
        try:
            outcome = store.execute(build_command(entry["command"], data, store.policy.limits))
        except DisputesError as exc:
            pytest.fail(f"line {number} ({entry['id']}, {entry['command']}): {exc}")
        if entry["command"] == "report":
            aliases[entry["case"]] = outcome.case_no
        duplicates.append(outcome.duplicate)
    return aliases, duplicates


def test_the_three_scenarios(store_location: str) -> None:
    """samples/README: C01 → HY-2021-0001, C04 → HY-2021-0002, C02 → HY-2022-0001; C01 and C02
    closed, C04 (relapsed, settled again) still observing."""
    with Store(store_location, clock=lambda: NOW) as store:
        store.app.load_roster(sample_roster())
        aliases, _ = apply(store, journal("scenarios.jsonl"))
        assert aliases == {"C01": "HY-2021-0001", "C04": "HY-2021-0002", "C02": "HY-2022-0001"}
        status = {alias: store.case(case).status for alias, case in aliases.items()}
        assert status == {"C01": "closed", "C02": "closed", "C04": "observing"}
        assert store.case("HY-2021-0002").relapses == 1


@pytest.mark.slow
def test_the_sample_year(store_location: str) -> None:
    entries = journal("year-2021.jsonl")
    assert len(entries) == 10_441
    reports = [e for e in entries if e["command"] == "report"]

    with Store(store_location, clock=lambda: NOW) as store:
        store.app.load_roster(sample_roster())
        aliases, duplicates = apply(store, entries)

        # Every line recorded exactly one event; none was taken for a retry.
        assert not any(duplicates)
        rows = store.ledger()
        assert len(rows) == len(aliases) == 510
        assert Counter(r["status"] for r in rows) == {"closed": 290, "observing": 220}
        assert sum(r["events"] for r in rows) == 10_441
        assert len(store.views.query("SELECT command_id FROM command_log")) == 10_441

        # Case numbers: per year of the report's occurred time, in recording order.
        by_year: Counter[int] = Counter()
        for entry in reports:
            year = datetime.fromisoformat(entry["at"]).astimezone(SHANGHAI).year
            by_year[year] += 1
            assert aliases[entry["case"]] == f"HY-{year}-{by_year[year]:04d}"

        # Every ledger row agrees with its case replayed from the events.
        disagreements = {
            row["case_no"]: found
            for row in rows
            if (found := ledger_disagreements(row, store.case(row["case_no"])))
        }
        assert disagreements == {}

        # Rebuilding from the first event gives the very same rows.
        incremental = dump(store)
        assert store.projections.rebuild() == 10_441
        assert dump(store) == incremental

        # Re-running lines records nothing new and answers each as a duplicate.
        before = store.app.recorder.max_notification_id()
        _, again = apply(store, entries[:400])
        assert all(again)
        assert store.app.recorder.max_notification_id() == before
