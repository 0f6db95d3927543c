"""Which case each command id recorded, so a retried command records nothing new."""

from __future__ import annotations

import sqlite3

from disputes.domain.application import RecordedCommand
from disputes.domain.model import VERB_EVENTS, Dispute
from disputes.projections.base import Projection, ViewDatabase

VERBS = {event: verb for verb, event in VERB_EVENTS.items()}
"""Event class name → CLI verb."""


class CommandLog(Projection):
    name = "command_log"
    table_names = ("command_log",)
    tables = (
        """CREATE TABLE IF NOT EXISTS command_log (
            command_id TEXT PRIMARY KEY,
            case_no TEXT NOT NULL,
            verb TEXT NOT NULL,
            version INTEGER NOT NULL
        )""",
    )

    def process(self, cursor: sqlite3.Cursor, event: Dispute.Event, case_no: str) -> None:
        cursor.execute(
            "INSERT INTO command_log (command_id, case_no, verb, version) VALUES (?,?,?,?)"
            " ON CONFLICT (command_id) DO NOTHING",
            (event.command_id, case_no, VERBS[type(event).__name__], event.originator_version),
        )


def find_command(db: ViewDatabase, command_id: str) -> RecordedCommand | None:
    """The case and verb a command id recorded, or None."""
    rows = db.query("SELECT case_no, verb FROM command_log WHERE command_id = ?", [command_id])
    return RecordedCommand(rows[0]["case_no"], rows[0]["verb"]) if rows else None
