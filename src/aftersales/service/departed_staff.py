"""Refusing to put a person back to work once their departure is recorded.

Why: ``record_departure`` says a person left the company, and ``erase_staff`` then pseudonymises them
(engineer record ``[erased]``, contact gone) on the understanding that no one gives them work again — it
refuses an active engineer for that reason. Reactivating the engineer, or planning them a desk shift after
the day they left, undid that: dispatch sent tickets to ``[erased]``, the alerts reached a roster line of
someone gone. Deactivating is not a departure (it may be undone); a departure is the host's word that the
person left, so these are refused instead (a person hired again is registered again under a new id).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime

from aftersales.domain.agent_shifts import AgentShift
from aftersales.domain.staff_departure import StaffDeparture
from aftersales.errors import NotFound, ValidationError
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["check_not_departed", "check_shifts_before_departure", "departed"]


def departed(uow: UnitOfWork, staff_id: str) -> StaffDeparture | None:
    """``staff_id``'s recorded departure, or ``None`` when none is recorded."""
    try:
        return uow.documents.get(StaffDeparture, staff_id)
    except NotFound:
        return None


def check_not_departed(uow: UnitOfWork, staff_id: str, field: str) -> None:
    """Refuse (``ValidationError`` naming ``field``) putting ``staff_id`` back to work once they have left."""
    departure = departed(uow, staff_id)
    if departure is not None:
        raise ValidationError(
            f"{staff_id} left the company on {departure.left_on} (departure recorded): "
            "a person hired again is registered under a new id",
            field=field,
        )


def check_shifts_before_departure(
    uow: UnitOfWork, shifts: Iterable[AgentShift], day: Callable[[datetime], date]
) -> None:
    """Refuse (``ValidationError`` naming ``shifts``) a shift starting after the day (``day``: an instant's
    date in the desk's zone) its agent left: the alerts it routes would reach someone gone."""
    for shift in shifts:
        departure = departed(uow, shift.agent_id)
        if departure is not None and day(shift.starts_at) > departure.left_on:
            raise ValidationError(
                f"{shift.agent_id} left the company on {departure.left_on}: no shift from "
                f"{shift.starts_at.isoformat()}",
                field="shifts",
            )
