"""The calendar the stored due times were computed on: a stamp in the store.

Each ticket stores its due times (the ledger, the SLA sweep and the reports read them) while
``desk.sla`` computes them from the desk's working calendar. A desk opened on another calendar than the
one the stored due times came from (a newer ``holidays`` package with a day off announced since, a
corrected holiday file) would disagree with its own store until each ticket's next command. The store
keeps the :attr:`~aftersales.domain.calendar.BusinessCalendar.fingerprint` of the calendar its due times
were last recomputed on; the ``sla_sweep`` job recomputes them first when the desk's differs, and
``desk.health()`` reports ``dues_stale`` until it has.

The same holds for the SLA policy the due times came from: a store opened again with another pack (or
the same pack with other ``[sla]`` figures, or a host's other SLA policy) kept the old pack's due times
beside the new pack's live status. The stamp also keeps the SLA policy's
:func:`~aftersales.policies.fingerprint.policy_fingerprint`; a stamp written before it did (``sla`` empty)
is taken as the desk's policy's, as its due times were computed on it until now.

Desks sharing a store must share a calendar and a pack: two desks on different ones would each find the
other's stamp and recompute the due times back and forth.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import attrs

from aftersales.domain.calendar import BusinessCalendar
from aftersales.errors import NotFound
from aftersales.policies.fingerprint import policy_fingerprint
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["CalendarStamp", "dues_stale", "sla_of", "stamp_calendar", "stamp_unsigned"]

_ID = "calendar"


@attrs.define
class CalendarStamp:
    """The fingerprint and name of the calendar the stored due times were computed on, and when; ``sla`` is
    the fingerprint of the SLA policy they came from (empty in a stamp of an older release)."""

    DOCUMENT_KIND: ClassVar[str] = "calendar_stamp"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()
    id: str
    fingerprint: str
    source: str
    stamped_at: datetime
    version: int = 0
    sla: str = ""


def _stamp(uow: UnitOfWork) -> CalendarStamp | None:
    try:
        stamp: CalendarStamp = uow.documents.get(CalendarStamp, _ID)
    except NotFound:
        return None
    return stamp


def sla_of(policy: object | None) -> str:
    """The fingerprint a stamp keeps for the desk's SLA ``policy`` (empty without one: no due times)."""
    return policy_fingerprint(policy) if policy is not None else ""


def dues_stale(uow: UnitOfWork, calendar: BusinessCalendar | None, sla: str) -> bool | None:
    """Whether the stored due times may come from another calendar than ``calendar``, or from another SLA
    policy than the one of fingerprint ``sla`` (:func:`sla_of`): ``None`` without a calendar (no due times
    to keep) or before any stamp (the next ``sla_sweep`` job writes it)."""
    if calendar is None:
        return None
    stamp = _stamp(uow)
    if stamp is None:
        return None
    return stamp.fingerprint != calendar.fingerprint or bool(stamp.sla and sla and stamp.sla != sla)


def stamp_unsigned(uow: UnitOfWork) -> bool:
    """Whether the store's stamp (if any) predates the SLA fingerprint: the sweep signs it."""
    stamp = _stamp(uow)
    return stamp is not None and not stamp.sla


def stamp_calendar(uow: UnitOfWork, calendar: BusinessCalendar, at: datetime, sla: str) -> None:
    """Record (in ``uow``'s transaction) that the stored due times are ``calendar``'s, and those of the SLA
    policy of fingerprint ``sla``, from now on."""
    stamp = _stamp(uow)
    if stamp is None:
        uow.documents.add(CalendarStamp(_ID, calendar.fingerprint, calendar.source_name, at, sla=sla))
    elif stamp.fingerprint != calendar.fingerprint or stamp.sla != sla:
        uow.documents.save(
            attrs.evolve(
                stamp, fingerprint=calendar.fingerprint, source=calendar.source_name, stamped_at=at, sla=sla
            )
        )
