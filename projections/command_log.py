"""Which case each command id recorded, so a retried command records nothing new."""

from __future__ import annotations

from collections.abc import Sequence

from disputes.domain.commands import RecordedCommand
from disputes.domain.model import Dispute
from disputes.projections.base import EventRows, P, Views


class CommandLog(EventRows):
    """The ``command_log`` table: command id → case, verb and version (the first wins)."""

    name = "command_log"
    table_names = ("command_log",)
    tables = (
        """CREATE TABLE IF NOT EXISTS command_log (
            command_id TEXT PRIMARY KEY,
            case_no TEXT NOT NULL,
            verb TEXT NOT NULL,
            version {integer} NOT NULL
        )""",
    )

    INSERT = (
        "INSERT INTO command_log (command_id, case_no, verb, version) VALUES ({?},{?},{?},{?})"
        " ON CONFLICT (command_id) DO NOTHING"
    )

    def row(self, event: Dispute.Event, case_no: str) -> tuple[str, str, str, int]:
        return (event.command_id, case_no, event.VERB, event.originator_version)


def find_commands(db: Views, command_ids: Sequence[str]) -> dict[str, RecordedCommand]:
    """The case and verb each of ``command_ids`` recorded (ids recorded nothing are absent)."""
    found: dict[str, RecordedCommand] = {}
    unique = list(dict.fromkeys(command_ids))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        marks = ",".join(P for _ in chunk)
        for row in db.rows(
            f"SELECT command_id, case_no, verb FROM command_log WHERE command_id IN ({marks})",
            chunk,
        ):
            found[row[0]] = RecordedCommand(row[1], row[2])
    return found


def find_command(db: Views, command_id: str) -> RecordedCommand | None:
    """The case and verb a command id recorded, or None."""
    rows = db.query("SELECT case_no, verb FROM command_log WHERE command_id = {?}", [command_id])
    return RecordedCommand(rows[0]["case_no"], rows[0]["verb"]) if rows else None
