"""Imported tickets lacking their late-after instants are read again by the back-fill.

``desk.import_tickets`` stores each ticket as the other system gave it: due times, perhaps, and no
late-after instants (a Friday 18:00 working-time due met until Monday 09:00), nor those of the cycles its
reopens ended. Deriving them in the import would measure every ticket's SLA timeline, several times the
import's own cost per ticket; instead the import moves the late-after back-fill's progress
(:mod:`aftersales.service.late_after_backfill`) back to just before the earliest ticket of the batch
that lacks one, so its next page (hourly, or ``desk.late_afters.backfill``) gives them what a command
gives a ticket opened through the desk. A store whose back-fill never ran has nothing to move: its first
pass reads every ticket.

Most dues fall inside working time and have no late-after instant to have (the due is the last on-time
instant): a ticket lacks one only when a due without it lies outside the desk calendar's working time
(:func:`~aftersales.domain.sla_late.working_late_after` would give it one on a working basis). A batch of
such dues leaves the progress alone, so a complete pass is not read again for nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.instants import micros
from aftersales.domain.sla_late import working_late_after
from aftersales.domain.ticket import ENDED_CYCLE_KEY, Ticket
from aftersales.errors import NotFound
from aftersales.ports.queries import Sort, decode_cursor, encode_cursor
from aftersales.ports.ticket_index import SORT_ARITY
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.late_after_backfill import PROGRESS_ID, LateAfterBackfill

__all__ = ["lacks_late_afters", "rewind_backfill"]

_WORKING = "working"  # the basis that gives a due outside working time an instant
_CYCLE_PAIRS = (("response_due_at", "response_late_after"), ("resolution_due_at", "resolution_late_after"))


def _lacks(due: datetime | None, late: object, calendar: BusinessCalendar) -> bool:
    """Whether ``due`` has no late-after instant (``late``) and may have one: it lies outside working time."""
    return due is not None and late is None and working_late_after(due, _WORKING, calendar) is not None


def _cycle_lacks(raw: object, calendar: BusinessCalendar) -> bool:
    if not isinstance(raw, dict):
        return False
    for due_name, late_name in _CYCLE_PAIRS:
        due = raw.get(due_name)
        try:
            parsed = datetime.fromisoformat(due) if isinstance(due, str) else None
        except ValueError:
            continue  # not an instant: the back-fill gives it nothing either
        if parsed is not None and parsed.tzinfo is not None and _lacks(parsed, raw.get(late_name), calendar):
            return True
    return False


def lacks_late_afters(ticket: Ticket, calendar: BusinessCalendar) -> bool:
    """Whether ``ticket`` has a due without its late-after instant that lies outside ``calendar``'s working
    time, or a reopen whose ended cycle has one (a due inside working time has none to have; the back-fill
    works out from the targets' bases which of the others gain one)."""
    if _lacks(ticket.response_due_at, ticket.response_late_after, calendar) or _lacks(
        ticket.resolution_due_at, ticket.resolution_late_after, calendar
    ):
        return True
    return any(
        e.action == "reopen" and e.payload and _cycle_lacks(e.payload.get(ENDED_CYCLE_KEY), calendar)
        for e in ticket.events
    )


def rewind_backfill(uow: UnitOfWork, tickets: Sequence[Ticket], calendar: BusinessCalendar | None) -> bool:
    """Move the back-fill's progress back to just before the earliest of ``tickets`` lacking an instant,
    when it is past it (a complete pass is resumed from there); True when it moved. One read of the
    progress document for a batch with such a ticket, none for a batch without; none without a calendar
    (no late-after instant to derive)."""
    if calendar is None:
        return False
    lacking = [ticket.received_at for ticket in tickets if lacks_late_afters(ticket, calendar)]
    if not lacking:
        return False
    try:
        progress = uow.documents.get(LateAfterBackfill, PROGRESS_ID)
    except NotFound:
        return False
    if not progress.cycles:
        return False  # a pass written before the cycles were filled starts again from the first ticket
    # (received, "") is before every ticket received then, whatever its id.
    key: tuple[int | str, ...] = (micros(min(lacking)), "")
    if not progress.done:
        if progress.cursor is None:
            return False  # at the first ticket still
        if decode_cursor(Sort.RECEIVED_ASC, progress.cursor, SORT_ARITY[Sort.RECEIVED_ASC]) <= key:
            return False
    progress.cursor, progress.done = encode_cursor(Sort.RECEIVED_ASC, key), False
    uow.documents.save(progress)
    return True
