"""The eventsourcing library's PostgreSQL persistence, safe for many processes starting at once.

Every time an application starts, the library's recorders run their schema statements again
(``CREATE TABLE IF NOT EXISTS`` …, and ``CREATE OR REPLACE FUNCTION`` for the insert functions).
PostgreSQL does not serialise two ``CREATE OR REPLACE FUNCTION`` of the same function: when two
officers' commands open the store in the same instant, one of them fails with "tuple
concurrently updated" (found by tests/scale/test_concurrency.py). This factory runs each
recorder's schema statements while holding a session advisory lock, so they run one process at
a time; once the schema exists, that costs one lock round trip per recorder.

``store_env`` selects this factory with ``PERSISTENCE_MODULE``; the environment keys are the
library's.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from eventsourcing.persistence import AggregateRecorder, ApplicationRecorder
from eventsourcing.postgres import PostgresFactory

SCHEMA_LOCK = 0x44495353
"""The advisory lock key of schema creation ("DISS"; the view writers use "DISP")."""


class SerialSchemaPostgresFactory(PostgresFactory):
    """The library's PostgreSQL factory; recorders create their tables one process at a time."""

    @contextmanager
    def schema_lock(self) -> Iterator[None]:
        """Hold the schema lock (when this factory creates tables at all)."""
        if not self.env_create_table():
            yield
            return
        with self.datastore.get_connection() as connection:
            connection.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
            try:
                yield
            finally:
                connection.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))

    def aggregate_recorder(self, purpose: str = "events") -> AggregateRecorder:
        with self.schema_lock():
            return super().aggregate_recorder(purpose)

    def application_recorder(self) -> ApplicationRecorder:
        with self.schema_lock():
            return super().application_recorder()
