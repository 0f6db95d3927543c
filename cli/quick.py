"""Quick reads for the CLI (issue 15): ``history CASE`` and ``ledger`` (its table and JSON)
answered from the view tables (:mod:`disputes.storage.quick`), printing exactly what the full
path prints, without opening the store's application.

A quick read is tried only in local mode for the trusted desk: no ``--as`` (nor
``DISPUTES_ACTOR``) and no ``--purpose``. A named person's reads are scoped and masked by the
gate (docs/trust.md §3) with the roster's pydantic models and the jurisdiction rules; building
those is the cost a quick read avoids, and one scope and masking path is kept rather than a
second one beside it. The server's client (``--server``) never comes here: its verbs have
their own callbacks. Local reads are not access-logged, quick or not.

Each function answers False when it did not print: the caller then takes the full path (which
also reports every error: no such case, no roster, an unreadable store …).
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from disputes.cli.main import Settings
    from disputes.storage.quick import QuickPolicy, QuickStore


def quick_history(settings: Settings, case: str, as_json: bool) -> bool:
    """Print ``history CASE`` (``--json`` or the table in ``settings.lang``) from the views;
    False when a quick read cannot be sure to answer as the full path would: the store (see
    :func:`disputes.storage.quick.open_quick`), no such case, an entry recorded under
    another policy version than the one in force (its late-entry threshold is in that
    version's text), or, for the table, a roster with changes since its load."""
    from disputes.cli.render import print_json
    from disputes.gate.shapes import history_json, late_marked
    from disputes.storage.quick import HISTORY

    found = _read(settings, HISTORY, lambda quick: _history(quick, case, as_json))
    if found is None:
        return False
    rows, policy, names = found
    threshold = timedelta(hours=policy.late_entry_hours)
    entries = history_json(late_marked(rows, lambda _version: threshold))
    if as_json:
        print_json(entries)
        return True
    from disputes.cli.reads import render_history

    render_history(labels(policy, names), case, entries, settings.lang)
    return True


def _history(
    quick: QuickStore, case: str, as_json: bool
) -> tuple[list[dict[str, Any]], QuickPolicy, Any] | None:
    rows = quick.history(case)
    policy = quick.policy() if rows else None
    if policy is None or any(r["policy_version"] != policy.version for r in rows):
        return None
    names = None if as_json else quick.names()
    if not as_json and names is None:
        return None
    return rows, policy, names


def quick_ledger(
    settings: Settings,
    filters: dict[str, str | None],
    fmt: str,
    as_json: bool,
    picked: list[str],
) -> bool:
    """Print ``ledger`` with ``filters`` (status, grade, station, category) as ``--json`` or
    the table in ``settings.lang`` from the views; False when a quick read cannot be sure to
    answer as the full path would: the store (see :func:`~disputes.storage.quick.open_quick`),
    another format than the table and JSON, a policy without its whole cadence, a category
    the policy lacks or a station the roster lacks (the full path says so), or, for a station
    filter or the table, a roster with changes since its load."""
    from disputes.domain.clock import system_clock
    from disputes.storage.quick import DUE_BOARD, LEDGER

    as_json = as_json or fmt == "json"
    if not as_json and fmt != "table":
        return False
    found = _read(
        settings,
        (LEDGER, DUE_BOARD),
        lambda quick: _ledger(quick, filters, system_clock(), as_json),
    )
    if found is None:
        return False
    from disputes.cli.reads import render_ledger
    from disputes.gate.shapes import localise_row

    rows, policy, names = found
    shown = [localise_row(r) for r in rows]
    render_ledger(labels(policy, names), shown, settings.lang, fmt, None, picked, as_json)
    return True


def _ledger(
    quick: QuickStore, filters: dict[str, str | None], on: datetime, as_json: bool
) -> tuple[list[dict[str, Any]], QuickPolicy, Any] | None:
    policy = quick.policy()
    if policy is None or policy.cadence is None:
        return None
    category, station = filters.get("category"), filters.get("station")
    if category is not None and category not in policy.categories:
        return None
    names = None
    if station is not None or not as_json:
        names = quick.names()
        stations = quick.stations()
        if names is None or stations is None or (station is not None and station not in stations):
            return None
    return quick.ledger(policy.cadence, on, **filters), policy, names


def _read(settings: Settings, projections: str | tuple[str, ...], read: Any) -> Any:
    """``read(quick)`` on the store of ``settings`` opened for a quick read of
    ``projections``; None when it cannot be (or ``read`` says so, or the store fails under
    it)."""
    from disputes.storage.location import resolve_db
    from disputes.storage.quick import open_quick

    try:
        location = resolve_db(settings.db)
    except Exception:  # an empty --db or DISPUTES_DB (StoreError): the full path says so
        return None
    quick = open_quick(location, *((projections,) if isinstance(projections, str) else projections))
    if quick is None:
        return None
    try:
        return read(quick)
    except (sqlite3.Error, ValueError, KeyError, TypeError):
        return None
    finally:
        quick.close()


def labels(policy: QuickPolicy, names: tuple[dict[str, str], dict[str, str]] | None) -> Any:
    """A store-like label source for the renderers of :mod:`disputes.cli.reads` (as
    :func:`disputes.cli.client.remote_labels`): ``policy.categories|sources|signals`` of
    ``{code: Label}`` and ``app.roster.units|people`` of objects with a ``name``."""
    units, people = names or ({}, {})
    roster = SimpleNamespace(
        units={code: SimpleNamespace(name=name) for code, name in units.items()},
        people={pid: SimpleNamespace(name=name) for pid, name in people.items()},
    )
    return SimpleNamespace(policy=policy, app=SimpleNamespace(roster=roster))
