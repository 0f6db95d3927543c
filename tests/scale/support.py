"""What the scale tests share: a store with a few cases to work on, the commands the writer
processes send, and the checks run on the store afterwards (read from the event store itself,
from the read models, and through ``disputes verify``).

Every command of the writers occurs at the same instant (:data:`WORK_AT`), after the setup: the
time rule (an event may not occur before the previous one of its case) then never refuses a
command because another process's command with a later time got in first.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from click.testing import CliRunner

from disputes.domain.commands import build_command
from disputes.domain.model import Dispute
from disputes.storage.store import Store
from tests.support.driver import Disputes, sample_roster

if TYPE_CHECKING:
    import click

GRID = "G-WD-V01-G1"  # grid worker of WD-V01
OFFICER = "P-WD-01"  # community police, WD
LEADER = "L-WD-01"  # leader, WD
VILLAGE = "WD-V01"
SETUP_AT = "2024-03-01T09:00"
WORK_AT = "2024-03-10T09:00"

OPEN = "open"
OBSERVING = "observing"


def load_roster(store: Store) -> None:
    store.app.load_roster(sample_roster(), actor=LEADER)


def setup_command(verb: str, case: str | None, **args: Any) -> Any:
    data: dict[str, Any] = {"actor": args.pop("actor", OFFICER), "at": SETUP_AT, **args}
    if case is not None:
        data["case"] = case
    return build_command(verb, data)


def prepare(location: str, open_cases: int, observing: int) -> dict[str, str]:
    """Load the sample roster and make ``open_cases`` open (graded, assigned) and ``observing``
    resolved cases; returns case number → ``open`` or ``observing``."""
    cases: dict[str, str] = {}
    with Store(location) as store:
        load_roster(store)
        for n in range(open_cases + observing):
            report = setup_command(
                "report",
                None,
                actor=GRID,
                village=VILLAGE,
                category="neighbour",
                source="informant",
                summary=f"两家因排水争执 {n}",
            )
            case = store.execute(report).case_no
            store.execute(setup_command("grade", case, grade="red", reason="对峙"))
            store.execute(
                setup_command("assign", case, actor=LEADER, leader=LEADER, officer=OFFICER)
            )
            if n >= open_cases:
                store.execute(setup_command("resolve", case, agreement="书面协议", form="written"))
            cases[case] = OBSERVING if n >= open_cases else OPEN
    return cases


def pick_command(
    rng: random.Random, command_id: str, cases: dict[str, str], report_share: float = 0.0
) -> dict[str, Any]:
    """One command a writer sends, as ``{"id", "verb", "data"}`` (JSON, so that it can be
    logged and sent again): a report (with probability ``report_share``), else a visit or a
    mediation on an open case or a follow-up on an observing one."""
    data: dict[str, Any] = {"actor": OFFICER, "at": WORK_AT, "command_id": command_id}
    if rng.random() < report_share:
        verb = "report"
        data.update(
            actor=GRID,
            village=VILLAGE,
            category="neighbour",
            source="informant",
            summary=f"新报告 {command_id}",
        )
    else:
        case = rng.choice(sorted(cases))
        data["case"] = case
        if cases[case] == OBSERVING:
            verb = "follow-up"
            data.update(mode="phone", note=f"回访 {command_id}")
        elif rng.random() < 0.5:
            verb = "visit"
            data.update(mode="in-person", note=f"走访 {command_id}")
        else:
            verb = "mediate"
            data.update(result="progress", note=f"调解 {command_id}")
    return {"id": command_id, "verb": verb, "data": data}


def command_of(item: dict[str, Any]) -> Any:
    return build_command(item["verb"], item["data"])


def read_lines(path: Any) -> list[dict[str, Any]]:
    """The complete JSON lines of a log a killed process may have left mid-line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    lines = text.split("\n")
    return [json.loads(line) for line in lines[:-1] if line]  # the last piece is unterminated


# -- what the store holds -------------------------------------------------------------------------


@dataclass
class Census:
    """Every stored event, read from the event store (not a read model)."""

    total: int = 0
    """Stored events of every aggregate (cases, case numbers, roster, policy)."""
    versions: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    """Aggregate id → its versions in notification order."""
    by_command: dict[str, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    """Command id → (case number, version) of each case event it recorded."""
    per_case: Counter[str] = field(default_factory=Counter)
    """Case number → its events."""

    @property
    def case_events(self) -> int:
        return sum(self.per_case.values())


def census(store: Store) -> Census:
    """Read every notification of the store and decode the case events."""
    found = Census()
    recorder, mapper = store.app.recorder, store.app.mapper
    case_nos: dict[str, str] = {}
    position = 0
    while True:
        page = recorder.select_notifications(start=position, limit=1000, inclusive_of_start=False)
        if not page:
            return found
        for notification in page:
            position = notification.id
            found.total += 1
            oid = notification.originator_id.hex
            found.versions[oid].append(notification.originator_version)
            event = mapper.to_domain_event(notification)
            if not isinstance(event, Dispute.Event):
                continue
            if isinstance(event, Dispute.Reported):
                case_nos[oid] = event.case_no
            case_no = case_nos[oid]
            found.per_case[case_no] += 1
            found.by_command[event.command_id].append((case_no, event.originator_version))


def version_gaps(found: Census) -> list[str]:
    """Aggregates whose versions are not 1, 2, … n in notification order."""
    return [
        f"{oid}: {versions[:20]}…"
        for oid, versions in found.versions.items()
        if versions != list(range(1, len(versions) + 1))
    ]


def view_rows(store: Store) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every read model, as text, sorted (comparable across a rebuild)."""
    rows: dict[str, list[tuple[str, ...]]] = {}
    for projection in store.projections.projections:
        for table in projection.table_names:
            found = store.views.query(f"SELECT * FROM {table}")
            rows[table] = sorted(tuple(str(v) for v in row.values()) for row in found)
    return rows


def check_views(store: Store, found: Census) -> None:
    """The read models (caught up) agree with the events: one ledger row per case with its
    event count, one history row per event, the command log names every command id."""
    store.catch_up()
    ledger = {row["case_no"]: row for row in store.views.query("SELECT * FROM ledger")}
    assert set(ledger) == set(found.per_case)
    wrong = {
        case: (int(row["events"]), found.per_case[case])
        for case, row in ledger.items()
        if int(row["events"]) != found.per_case[case]
    }
    assert not wrong, f"ledger events ≠ stored events (ledger, store): {wrong}"
    history = Counter(r["command_id"] for r in store.views.query("SELECT command_id FROM history"))
    assert history == Counter({k: len(v) for k, v in found.by_command.items()})
    logged = {
        r["command_id"]: r["case_no"]
        for r in store.views.query("SELECT command_id, case_no FROM command_log")
    }
    assert logged == {k: v[0][0] for k, v in found.by_command.items()}


def check_rebuild(store: Store) -> None:
    """A rebuild from the events gives exactly the rows the incremental catch-up gave."""
    store.catch_up()
    before = view_rows(store)
    store.projections.rebuild()
    after = view_rows(store)
    assert after == before, "rebuild gave different rows"


def verify(cli: click.Group, location: str) -> dict[str, Any]:
    """``disputes verify --json`` on the store; asserts exit 0 and returns the report."""
    report: dict[str, Any] = Disputes(cli, CliRunner(), location).json("verify", "--json")
    assert report["intact"] is True
    return report
