"""The hash chains on PostgreSQL (see :mod:`disputes.storage.chain`), in a module of its own so
that SQLite stores never import the PostgreSQL driver."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from disputes.storage.chain import GENESIS, chain_rows


class ChainedPostgresApplicationRecorder(PostgresApplicationRecorder):
    """The library's PostgreSQL application recorder plus the hash chains, written in the
    transaction that inserts the events, while the events table is locked (EXCLUSIVE), so
    the global chain follows notification order exactly."""

    def __init__(
        self, datastore: PostgresDatastore, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.chain_table_name = f"{events_table_name}_chain"
        schema, table = Identifier(datastore.schema), Identifier(self.chain_table_name)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {0}.{1} ("
                "notification_id bigint PRIMARY KEY, "
                "originator_id text NOT NULL, "
                "originator_version bigint NOT NULL, "
                "event_digest text NOT NULL, "
                "case_hash text NOT NULL, "
                "chain_hash text NOT NULL, "
                "UNIQUE (originator_id, originator_version))"
            ).format(schema, table)
        )
        self._select_head = SQL(
            "SELECT chain_hash FROM {0}.{1} ORDER BY notification_id DESC LIMIT 1"
        ).format(schema, table)
        self._select_case = SQL(
            "SELECT case_hash FROM {0}.{1} WHERE originator_id = %s AND originator_version = %s"
        ).format(schema, table)
        self._insert_chain = SQL("INSERT INTO {0}.{1} VALUES (%s,%s,%s,%s,%s,%s)").format(
            schema, table
        )

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if not stored_events or not positions:
            return positions
        curs.execute(self._select_head)
        head = curs.fetchone()

        def previous_case_hash(oid: str, version: int) -> str:
            curs.execute(self._select_case, (oid, version))
            found = curs.fetchone()
            return str(found["case_hash"]) if found else GENESIS

        rows = chain_rows(
            positions,
            stored_events,
            head["chain_hash"] if head else GENESIS,
            previous_case_hash,
        )
        curs.executemany(self._insert_chain, rows)
        return positions
