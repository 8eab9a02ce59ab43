"""The late-after instants of tickets stored without them, back-filled once over the whole ledger.

A working-time due outside working hours (a VIP's urgent call on Friday at 17:30, its 30 working minutes
due at 18:00) is met by an answer before working time resumes (Monday 09:00): ``desk.sla()`` and the
sweep measure no working time past the due. The SLA service stores that last on-time instant beside
each due (``Ticket.response_late_after``, ``resolution_late_after``) whenever it derives the due times,
and the reports and the ledger's breached filter, which read stored tickets without the calendar or the
targets' bases, judge against it. A ticket stored by a release before those instants, or closed before
that release (a closed ticket's due times are never derived again), had none: an upgraded store's
reports counted the Monday-09:00 answer late where a new store's count it on time.

The back-fill reads every ticket once, oldest first, a page at a time without the write lock, and in one
short transaction per page (writers wait for it at most) gives each ticket read again the instants the
SLA service derives for its stored due times (:meth:`~aftersales.service.sla.SlaService.stored_late_afters`:
the dues themselves are not moved, and a stored instant is never replaced), saved without an event (a
derived fact, as the due times are). Where it stands is a :class:`LateAfterBackfill` document written
with each page: a run stopped (``max_batches``, a crash) goes on from its last page, and once the pass is
complete every later run returns after one read. A ticket saved meanwhile by a command has its instants
from that command's derivation.

A desk left on another calendar or ``[sla]`` than the one another desk has moved the store to since it
opened gives no instant: a page with a ticket to fill is refused as a command writing due times is
(:func:`~aftersales.service.calendar_stamp.check_calendar_current`, ``ConfigurationError``; nothing written).
Before session 29 the page was not checked and wrote the old calendar's instants under the new stamp.

A reopen stored before the instants existed ended its cycle without them: the pass gives those too
(:mod:`~aftersales.service.late_after_cycles`), and a progress document written by a pass that did not
(``cycles`` false) starts the pass once more. An import moves a complete pass back to the tickets it
brought in lacking an instant (:mod:`~aftersales.service.late_after_rewind`).

It runs hourly as the ``late_afters`` job of ``desk.run_due_jobs()`` (pages until half the lease) and at
once by ``desk.late_afters.backfill(manager)``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Annotated, ClassVar

import attrs

from aftersales.domain.bounds import POSITIVE
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound
from aftersales.ports.queries import PAGE_BOUNDS, PageRequest, Sort, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.calendar_stamp import check_calendar_current
from aftersales.service.context import DeskContext
from aftersales.service.late_after_cycles import cycles_lacking, filled_cycles
from aftersales.service.permissions import Workflow, permit
from aftersales.service.runner import CommandRunner

__all__ = ["PROGRESS_ID", "LateAfterBackfill", "LateAfters"]

PROGRESS_ID = "late_afters"
"""The id of the one :class:`LateAfterBackfill` document of a store."""


@attrs.define
class LateAfterBackfill:
    """How far the back-fill has read the tickets: the page cursor after the last page done (``None``:
    from the first), whether the pass is complete, and how many tickets it gave instants. ``cycles``:
    the pass also fills the cycles reopens ended (a document written before it did reads ``False``, and
    its pass, complete or not, starts again from the first ticket)."""

    DOCUMENT_KIND: ClassVar[str] = "late_after_backfill"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()

    id: str
    cursor: str | None = None
    done: bool = False
    filled: int = 0
    cycles: bool = False
    version: int = 0


def _progress(uow: UnitOfWork) -> tuple[LateAfterBackfill, bool]:
    """The store's progress document, and whether it is stored (a store never back-filled has none)."""
    try:
        progress = uow.documents.get(LateAfterBackfill, PROGRESS_ID)
    except NotFound:
        return LateAfterBackfill(PROGRESS_ID, cycles=True), False
    if not progress.cycles:  # a pass that left the reopens' ended cycles as they were: once more
        again = LateAfterBackfill(PROGRESS_ID, filled=progress.filled, cycles=True, version=progress.version)
        return again, True
    return progress, True


def _fill(context: DeskContext, uow: UnitOfWork, ticket: Ticket, now: datetime) -> Ticket | None:
    """``ticket`` with the instants it lacks (given in place), or a copy of it whose reopens' ended cycles
    gained theirs (:mod:`~aftersales.service.late_after_cycles`: a store writes a ticket's events again
    only from another object, as after an erasure); ``None`` when it gains none."""
    dues_done = (ticket.response_late_after is not None or ticket.response_due_at is None) and (
        ticket.resolution_late_after is not None or ticket.resolution_due_at is None
    )
    if dues_done and not cycles_lacking(ticket):
        return None  # every due has its instant (or none to have)
    tier = CommandRunner.tier(uow, ticket)
    gained = False
    if not dues_done:
        response, resolution = context.sla.stored_late_afters(ticket, tier, now)
        if ticket.response_late_after is None and response is not None:
            ticket.response_late_after, gained = response, True
        if ticket.resolution_late_after is None and resolution is not None:
            ticket.resolution_late_after, gained = resolution, True
    events = filled_cycles(context.sla, ticket, tier)
    if events is not None:
        rebuilt = ticket.copy()
        rebuilt.events = events
        return rebuilt
    return ticket if gained else None


def _lacking(context: DeskContext, uow: UnitOfWork, tickets: Iterable[Ticket], now: datetime) -> list[str]:
    """The ids of ``tickets`` that gain an instant (worked out on copies: the page is only read)."""
    return [t.id for t in tickets if _fill(context, uow, attrs.evolve(t), now) is not None]


def _fill_page(
    context: DeskContext,
    uow: UnitOfWork,
    now: datetime,
    *,
    cursor: str | None,
    after: str | None,
    lacking: Sequence[str],
) -> tuple[int, bool]:
    """In the write: fill ``lacking`` (read again: as they stand now) and move the progress from
    ``cursor`` to ``after``. (tickets filled, pass complete); nothing when another run moved the
    progress meanwhile (the next page is read again)."""
    progress, stored = _progress(uow)
    if progress.done or progress.cursor != cursor:
        return 0, progress.done
    if lacking:  # instants worked out on this desk's calendar and [sla]: still the store's?
        check_calendar_current(uow, context, at=now)
    filled = 0
    # In id order, the order of every write taking several tickets (an erasure's): in the page's
    # order (by received time, a call logged late comes first) one deadlocked with it on PostgreSQL.
    for ticket_id in sorted(lacking):
        filled_ticket = _fill(context, uow, uow.tickets.get_for_update(ticket_id), now)
        if filled_ticket is not None:
            uow.tickets.save(filled_ticket)
            filled += 1
    progress.cursor, progress.done = after, after is None
    progress.filled += filled
    if stored:
        uow.documents.save(progress)
    else:
        uow.documents.add(progress)
    return filled, progress.done


@validated_commands
class LateAfters:
    """The back-fill of the tickets' late-after instants (``desk.late_afters``; the ``late_afters`` job)."""

    def __init__(self, context: DeskContext, runner: CommandRunner) -> None:
        self.context = context
        self.runner = runner

    def backfill(
        self,
        actor: Actor,
        *,
        batch: Annotated[int, PAGE_BOUNDS] = 500,
        max_batches: Annotated[int, POSITIVE] | None = None,
    ) -> int:
        """Go on with the back-fill (see the module's docstring): ``batch`` tickets per transaction (1 to
        1000), at most ``max_batches`` transactions (``None``: to the end). Returns the tickets given
        instants now: 0 on a store whose tickets all had theirs, and once the pass is complete. The heads
        run it (and the jobs, hourly); another role is refused (``PermissionDenied``), nothing written."""
        permit(actor, Workflow.DOCUMENTS, "backfill_late_afters")
        PAGE_BOUNDS.check(batch, "batch")
        if max_batches is not None:
            POSITIVE.check(max_batches, "max_batches")
        total = batches = 0
        while max_batches is None or batches < max_batches:
            filled, done = self.next_page(actor, batch=batch)
            total, batches = total + filled, batches + 1
            if done:
                break
        return total

    def next_page(self, actor: Actor, *, batch: Annotated[int, PAGE_BOUNDS] = 500) -> tuple[int, bool]:
        """One page of the back-fill, one transaction (the jobs drain it page by page): the tickets given
        instants now, and whether the pass is complete (then nothing is read but the progress)."""
        permit(actor, Workflow.DOCUMENTS, "backfill_late_afters")
        PAGE_BOUNDS.check(batch, "batch")
        context = self.context
        # The page is read without the write lock; the write fills only what it finds lacking.
        with context.reader() as uow:
            progress, _ = _progress(uow)
            if progress.done:
                return 0, True
            cursor = progress.cursor
            page = uow.tickets.query(TicketFilter(), PageRequest(batch, cursor, Sort.RECEIVED_ASC))
            lacking = _lacking(context, uow, page.items, context.now())
        filled: int
        done: bool
        filled, done = self.runner.write(
            actor,
            "backfill_late_afters",
            None,
            [batch, cursor],
            functools.partial(_fill_page, context, cursor=cursor, after=page.next_cursor, lacking=lacking),
        )
        return filled, done
