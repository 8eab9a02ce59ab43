"""Complaints stored stamped as a dealer's call, rewritten so the KPIs by dealer no longer count them.

Seed 004 第八条 2(1) 客户服务中心必须安排人员处理: a complaint is the centre's, whoever registered it. Before
session 34 a complaint a dealer's staff registered (at a callback they made for the maker, seed 002 分工 8,
or over the counter) was stamped ``taken_by_dealer`` in its ``opened`` event, the mark of a 叫修 the dealer
took itself, and the KPIs by the dealer doing the job (``GroupBy.SERVING_DEALER``) and the dealer's month
counted it in the dealer's row. Session 34 stopped stamping; session 35 stopped reading the stamp on a
complaint (:func:`~aftersales.ports.reporting.doing_dealer`). The event keeps it (who registered the
complaint is history), but the rows SQLite and PostgreSQL stored for such a complaint keep the dealer
until the complaint is saved again — and a closed complaint never is. So the data need a back-fill: this
one saves each stamped complaint again (its rows re-derived as for any save), a page at a time.

The pass reads the complaints oldest first, a page without the write lock, then rewrites the page's
stamped ones in one short transaction. Where it stands is a :class:`ComplaintStampBackfill` document
written with each page: a run stopped (``max_batches``, a crash) goes on from its last page, and once
the pass is complete a run returns after one read. Complaints opened since session 34 carry no stamp, so
the pass is needed once. A store with no stamped complaint (one opened by session 34 or later, or whose
complaints the dealers never registered) rewrites nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, ClassVar

import attrs

from aftersales.domain.bounds import POSITIVE, Bounds
from aftersales.domain.classification import TicketKind
from aftersales.domain.sla_reading import TAKEN_BY_DEALER_KEY
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound
from aftersales.ports.queries import MAX_PAGE, PageRequest, Sort, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.complaint_base import ComplaintBase
from aftersales.service.permissions import Workflow, permit

__all__ = ["PROGRESS_ID", "ComplaintDealerStamps", "ComplaintStampBackfill", "stamped"]

_BATCH = Bounds(1, MAX_PAGE)
"""``backfill_dealer_stamps``' ``batch``: complaints read per page."""

PROGRESS_ID = "complaint_dealer_stamps"
"""The id of the one :class:`ComplaintStampBackfill` document of a store."""

COMMAND = "backfill_complaint_dealers"


@attrs.define
class ComplaintStampBackfill:
    """How far the pass has read the complaints: the page cursor after the last page done (``None``: from
    the first), whether it is complete, and how many complaints it saved again."""

    DOCUMENT_KIND: ClassVar[str] = "complaint_stamp_backfill"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()

    id: str
    cursor: str | None = None
    done: bool = False
    rewritten: int = 0
    version: int = 0


def stamped(ticket: Ticket) -> bool:
    """Whether ``ticket`` is a complaint whose ``opened`` event names a dealer as having taken it."""
    if ticket.kind is not TicketKind.COMPLAINT or not ticket.events:
        return False
    opened = ticket.events[0]
    return opened.action == "opened" and bool(opened.payload and opened.payload.get(TAKEN_BY_DEALER_KEY))


def _progress(uow: UnitOfWork) -> tuple[ComplaintStampBackfill, bool]:
    try:
        return uow.documents.get(ComplaintStampBackfill, PROGRESS_ID), True
    except NotFound:
        return ComplaintStampBackfill(PROGRESS_ID), False


def _rewrite_page(
    uow: UnitOfWork, now: datetime, *, cursor: str | None, after: str | None, ids: Sequence[str]
) -> tuple[int, bool]:
    """In the write: save the complaints ``ids`` again (their rows re-derived) and move the progress from
    ``cursor`` to ``after``; nothing when another run moved it meanwhile (the next page is read again)."""
    progress, stored = _progress(uow)
    if progress.done or progress.cursor != cursor:
        return 0, progress.done
    for ticket_id in sorted(ids):  # id order: the lock order of every multi-ticket write
        uow.tickets.save(uow.tickets.get_for_update(ticket_id))
    progress.cursor, progress.done = after, after is None
    progress.rewritten += len(ids)
    if stored:
        uow.documents.save(progress)
    else:
        uow.documents.add(progress)
    return len(ids), progress.done


@validated_commands
class ComplaintDealerStamps(ComplaintBase):
    """Mixed into :class:`~aftersales.service.complaint_desk.ComplaintDesk`: the back-fill of the
    complaints stamped as a dealer's call (see the module's docstring)."""

    def backfill_dealer_stamps(
        self,
        actor: Actor,
        *,
        batch: Annotated[int, _BATCH] = 500,
        max_batches: Annotated[int, POSITIVE] | None = None,
    ) -> int:
        """Go on with the pass: ``batch`` complaints read per page (1 to 1000), at most ``max_batches``
        pages (``None``: to the end). Returns the complaints saved again now: 0 on a store with none
        stamped, and once the pass is complete. The heads and the system run it; another role is
        refused (``PermissionDenied``), nothing written."""
        permit(actor, Workflow.DOCUMENTS, COMMAND)
        _BATCH.check(batch, "batch")
        if max_batches is not None:
            POSITIVE.check(max_batches, "max_batches")
        total = pages = 0
        while max_batches is None or pages < max_batches:
            with self.context.reader() as uow:
                progress, _ = _progress(uow)
                if progress.done:
                    break
                cursor = progress.cursor
                page = uow.tickets.query(
                    TicketFilter(kind=TicketKind.COMPLAINT), PageRequest(batch, cursor, Sort.RECEIVED_ASC)
                )
                ids = [t.id for t in page.items if stamped(t)]
            rewritten, done = self.runner.write(
                actor,
                COMMAND,
                None,
                [batch, cursor],
                functools.partial(_rewrite_page, cursor=cursor, after=page.next_cursor, ids=ids),
            )
            total, pages = total + rewritten, pages + 1
            if done:
                break
        return total
