"""Imported tickets lacking their late-after instants are read again by the back-fill.

``desk.import_tickets`` stores each ticket as the other system gave it: due times, perhaps, and no
late-after instants (a Friday 18:00 working-time due met until Monday 09:00), nor those of the cycles its
reopens ended. Deriving them in the import would measure every ticket's SLA timeline, several times the
import's own cost per ticket; instead the import moves the late-after back-fill's progress
(:mod:`aftersales.service.late_after_backfill`) back to just before the earliest ticket of the batch
that lacks one, so its next page (hourly, or ``desk.late_afters.backfill``) gives them what a command
gives a ticket opened through the desk. A store whose back-fill never ran has nothing to move: its first
pass reads every ticket.
"""

from __future__ import annotations

from collections.abc import Sequence

from aftersales.domain.instants import micros
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound
from aftersales.ports.queries import Sort, decode_cursor, encode_cursor
from aftersales.ports.ticket_index import SORT_ARITY
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.late_after_backfill import PROGRESS_ID, LateAfterBackfill
from aftersales.service.late_after_cycles import cycles_lacking

__all__ = ["lacks_late_afters", "rewind_backfill"]


def lacks_late_afters(ticket: Ticket) -> bool:
    """Whether ``ticket`` has a due without its late-after instant, or a reopen whose ended cycle has one
    (the back-fill works out which gain one: most dues, inside working time, have none to have)."""
    return (
        (ticket.response_due_at is not None and ticket.response_late_after is None)
        or (ticket.resolution_due_at is not None and ticket.resolution_late_after is None)
        or cycles_lacking(ticket)
    )


def rewind_backfill(uow: UnitOfWork, tickets: Sequence[Ticket]) -> bool:
    """Move the back-fill's progress back to just before the earliest of ``tickets`` lacking an instant,
    when it is past it (a complete pass is resumed from there); True when it moved. One read of the
    progress document for a batch with such a ticket, none for a batch without."""
    lacking = [ticket.received_at for ticket in tickets if lacks_late_afters(ticket)]
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
