"""The calendar the stored due times were computed on: a stamp in the store.

Each ticket stores its due times (the ledger, the SLA sweep and the reports read them) while
``desk.sla`` computes them from the desk's working calendar. A desk opened on another calendar than the
one the stored due times came from (a newer ``holidays`` package with a day off announced since, a
corrected holiday file) would disagree with its own store until each ticket's next command. The store
keeps the :attr:`~aftersales.domain.calendar.BusinessCalendar.fingerprint` of the calendar its due times
were last recomputed on; the ``sla_sweep`` job recomputes them first when the desk's differs, and
``desk.health()`` reports ``dues_stale`` until it has.

Desks sharing a store must share a calendar: two desks on different calendars would each find the other's
stamp and recompute the due times back and forth.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import attrs

from aftersales.domain.calendar import BusinessCalendar
from aftersales.errors import NotFound
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["CalendarStamp", "dues_stale", "stamp_calendar"]

_ID = "calendar"


@attrs.define
class CalendarStamp:
    """The fingerprint and name of the calendar the stored due times were computed on, and when."""

    DOCUMENT_KIND: ClassVar[str] = "calendar_stamp"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()
    id: str
    fingerprint: str
    source: str
    stamped_at: datetime
    version: int = 0


def _stamp(uow: UnitOfWork) -> CalendarStamp | None:
    try:
        stamp: CalendarStamp = uow.documents.get(CalendarStamp, _ID)
    except NotFound:
        return None
    return stamp


def dues_stale(uow: UnitOfWork, calendar: BusinessCalendar | None) -> bool | None:
    """Whether the stored due times may come from another calendar than ``calendar``: ``None`` without a
    calendar (no due times to keep) or before any stamp (the next ``sla_sweep`` job writes it)."""
    if calendar is None:
        return None
    stamp = _stamp(uow)
    return None if stamp is None else stamp.fingerprint != calendar.fingerprint


def stamp_calendar(uow: UnitOfWork, calendar: BusinessCalendar, at: datetime) -> None:
    """Record (in ``uow``'s transaction) that the stored due times are ``calendar``'s from now on."""
    stamp = _stamp(uow)
    if stamp is None:
        uow.documents.add(CalendarStamp(_ID, calendar.fingerprint, calendar.source_name, at))
    elif stamp.fingerprint != calendar.fingerprint:
        uow.documents.save(
            attrs.evolve(stamp, fingerprint=calendar.fingerprint, source=calendar.source_name, stamped_at=at)
        )
