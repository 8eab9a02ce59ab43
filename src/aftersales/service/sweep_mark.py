"""Where the SLA sweep starts, and the step back it takes when a ticket's due time lands behind it.

The sweep (:mod:`aftersales.service.sla_watch`) reads unresolved tickets in (due, id) order from a stored
mark: the position up to which every ticket is settled. A ticket whose resolution due time is set or moved
to before the mark was never read again by the jobs' sweep, so its warning and breach went unannounced: a
due derived late by the ``recompute_due`` job (holiday data that was missing; a ticket reopened under a
release before SQLite schema 17 / PostgreSQL 10, whose reopen cleared its due times), a calendar's
recomputation, a reclassification raising the grade. Whatever writes such a due moves the mark back
before it, in the same transaction (:func:`rewind_mark`). A due written in the past but ahead of the mark
writes the mark unchanged (its version moves), so a sweep moving the mark past it concurrently — its page
read before that due was committed — fails its write and runs again (session 29, PostgreSQL).
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import attrs

from aftersales.domain.instants import micros
from aftersales.errors import NotFound
from aftersales.ports.queries import Sort, encode_cursor
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.clock_skew import CLOCK_SKEW

__all__ = ["SweepMark", "rewind_mark"]


@attrs.define
class SweepMark:
    """Where the next SLA sweep starts: the (due, id) up to which every ticket is settled."""

    DOCUMENT_KIND: ClassVar[str] = "sla_sweep_mark"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()
    ID: ClassVar[str] = "resolution"

    id: str
    due_us: int | None = None
    ticket_id: str | None = None
    rewinds: int = 0
    """How often :func:`rewind_mark` moved it back: a sweep that finds it changed since its first page
    leaves it where it is (the ticket behind it was not in the pages it read before)."""
    version: int = 0

    @property
    def cursor(self) -> str | None:
        """The ledger cursor (due order) just past the mark."""
        if self.due_us is None or self.ticket_id is None:
            return None
        return encode_cursor(Sort.DUE, (self.due_us, self.ticket_id))


def rewind_mark(uow: UnitOfWork, due: datetime, now: datetime) -> bool:
    """Move the stored mark back to just before ``due`` when it is at or past it, so the next sweep reads
    the ticket now due then (and the settled ones after it again, once); True when it moved. A store
    without a mark (never swept) has nothing to move.

    A ``due`` later than ``now`` (beyond the clock skew) is not read for: the mark stops at settled
    tickets, whose dues have passed (met ones leave the sweep's query), so it is never that far ahead.
    A ticket opened or triaged now, due hours ahead, costs no read of the mark (no round trip)."""
    if due > now + CLOCK_SKEW:
        return False
    try:
        mark = uow.documents.get(SweepMark, SweepMark.ID)
    except NotFound:
        return False
    due_us = micros(due)
    if mark.due_us is None or mark.due_us < due_us:
        # Nothing to move back, but written all the same (its version moves): a sweep page that read the
        # tickets before this due was committed, and moves the mark past it, fails its own write and runs
        # again on this one; read before the sweep moved it, the mark here would fail this write instead.
        # Before session 29 both committed on PostgreSQL and no later sweep read the ticket.
        uow.documents.save(mark)
        return False
    # (due - 1 µs, "") is before every ticket due at ``due``, whatever its id.
    mark.due_us, mark.ticket_id, mark.rewinds = due_us - 1, "", mark.rewinds + 1
    uow.documents.save(mark)
    return True
