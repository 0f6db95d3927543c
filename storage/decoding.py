"""Decoding stored events defensively: a log edited by hand must be named, never a traceback.

The library's mapper decodes an event's JSON and sets it as the event object's attributes
without checking them, so a payload of the wrong shape (``{}``, ``null``, a field missing) or an
unknown topic surfaced later as an ``AttributeError``/``TypeError`` deep in a replay or a
projection. :class:`CheckedMapper` raises the library's own ``MapperDeserialisationError`` at
decoding instead, naming the event — which the CLI reports as a damaged store (exit 2, see
:mod:`disputes.storage.failures`) and ``disputes verify`` explains.
"""

from __future__ import annotations

import dataclasses
from functools import cache
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent


class CheckedMapper(Mapper[UUID]):
    """The library's mapper, with every decoded event checked for the fields its class needs."""

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[UUID]:
        try:
            event = super().to_domain_event(stored_event)
        except MapperDeserialisationError:
            raise
        except Exception as exc:  # unknown topic, a payload that is not an object …
            raise MapperDeserialisationError(_where(stored_event, repr(exc))) from exc
        state: Any = vars(event)
        missing = [name for name in required_fields(type(event)) if name not in state]
        if missing:
            detail = f"the stored state lacks {', '.join(missing)}"
            raise MapperDeserialisationError(_where(stored_event, detail))
        return event


@cache
def required_fields(cls: type) -> tuple[str, ...]:
    """The fields of an event class that have no default (every one a stored event must hold)."""
    if not dataclasses.is_dataclass(cls):
        return ()
    return tuple(
        field.name
        for field in dataclasses.fields(cls)
        if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
    )


def _where(stored_event: StoredEvent, detail: str) -> str:
    return (
        f"stored event {stored_event.originator_id} v{stored_event.originator_version} "
        f"({stored_event.topic}): {detail}"
    )
