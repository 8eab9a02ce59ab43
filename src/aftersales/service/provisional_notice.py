"""The managers' warning when a ticket's first provisional due time is computed (issue 18's cliff).

Called after the due times are derived, wherever that happens (intake, and the runner for every later
ticket command), so the warning is in the command's own transaction and the dues are derived once.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.ticket import Ticket
from aftersales.errors import DuplicateError, NotFound
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.context import DeskContext

__all__ = ["CalendarNotice", "has_provisional_dues", "notice_stored", "provisional_messages", "store_notice"]


@attrs.define
class CalendarNotice:
    """That managers were told due times became provisional past ``official_until`` (once per cliff)."""

    DOCUMENT_KIND: ClassVar[str] = "calendar_notice"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()

    id: str
    official_until: date
    at: datetime
    ticket_id: str
    version: int = 0


def notice_stored(context: DeskContext, uow: UnitOfWork, notice_id: str) -> bool:
    """Whether the managers were told ``notice_id`` already: the desk's memo of notices its store holds
    (a notice is never removed, so a known one is not read again: issue 21), else the store."""
    if context.notices.known(notice_id):
        return True
    try:
        uow.documents.get(CalendarNotice, notice_id)
    except NotFound:
        return False
    context.notices.found(uow, notice_id)
    return True


def store_notice(context: DeskContext, uow: UnitOfWork, notice: CalendarNotice) -> bool:
    """Write ``notice`` in ``uow`` (the memo learns it once ``uow`` commits); ``False`` when another
    transaction wrote it first (its managers' warning is that one's)."""
    try:
        uow.documents.add(notice)
    except DuplicateError:
        return False
    context.notices.wrote(uow, notice.id)
    return True


def has_provisional_dues(calendar: BusinessCalendar | None, ticket: Ticket) -> bool:
    """Whether a due time of ``ticket`` lies past the last day of ``calendar``'s official data."""
    until = calendar.official_until if calendar is not None else None
    if until is None or calendar is None:
        return False
    cliff = _cliff(calendar, until)
    response, resolution = ticket.response_due_at, ticket.resolution_due_at
    return (response is not None and response >= cliff) or (resolution is not None and resolution >= cliff)


_CLIFFS: dict[tuple[ZoneInfo, date], datetime] = {}


def _cliff(calendar: BusinessCalendar, until: date) -> datetime:
    """The first instant of the day after ``until`` in the calendar's zone: a due at or after it lies on
    a later local day (one comparison per due instead of converting it to a local date, every command).
    A midnight skipped by a clock change reads as the instant of the change, the day's first instant."""
    zone = calendar.zone
    found = _CLIFFS.get((zone, until))
    if found is None:
        found = datetime.combine(until + timedelta(days=1), time(0), tzinfo=zone)
        if len(_CLIFFS) < 256:
            _CLIFFS[(zone, until)] = found
    return found


def provisional_messages(
    context: DeskContext, uow: UnitOfWork, ticket: Ticket, now: datetime
) -> list[OutboxMessage]:
    """The managers' warning when the first provisional due time is computed (once per official cliff)."""
    calendar = context.calendar
    if calendar is None or calendar.official_until is None or not has_provisional_dues(calendar, ticket):
        return []
    until = calendar.official_until
    notice_id = f"provisional:{until.isoformat()}"
    if notice_stored(context, uow, notice_id) or not store_notice(
        context, uow, CalendarNotice(notice_id, until, now, ticket.id)
    ):
        return []
    days_left = (until - now.astimezone(calendar.zone).date()).days
    values: dict[str, object] = {"official_until": until, "days_left": max(days_left, 0)}
    key = f"calendar:provisional:{until.isoformat()}"
    return context.notifications.staff_messages("calendar_provisional", (Role.MANAGER,), values, key, now)
