"""The batch-incident detector's tallies back-filled from the recorded faults of an older store.

Seed 004 第七条 5(2): the same quality problem, caused by design or production, on 5 % or more of one
batch is a batch quality incident (批量质量事故), reported to the centre and the general manager at once.
The live detector (:mod:`aftersales.service.quality_incidents`) counts each unit when its fault is
recorded, in :class:`~aftersales.domain.quality_incidents.BatchFaultTally` and
:class:`~aftersales.domain.quality_incidents.BatchFaultUnit` documents. A store written by a release
before SQLite schema 12 (PostgreSQL 8) kept no tallies: after the upgrade the detector counted only the
faults recorded from then on, and a batch whose recorded history already crossed the threshold raised
nothing until as many new faults came in again.

The back-fill reads every service ticket once, oldest first, a page at a time without the write lock,
then in one short transaction per page (writers wait for it at most) counts through the detector's own
step each problem of a call that is fault evidence
(:func:`~aftersales.ports.reporting.is_fault_evidence`: not a cancelled call) whose unit is not counted
yet, at the time its first fault record of that problem was recorded. A unit counted already (live, or by
an earlier page) is left alone, so a page run twice counts nothing twice. A batch brought to its threshold
raises its incident there, escalated as the live detector escalates it (once: a tally with an incident
raised is joined, never raised again). Where it stands is a :class:`BatchTallyBackfill` document written
with each page: a run stopped (``max_batches``, a crash) goes on from its last page, and once the pass
is complete every later run returns after one read.

It runs hourly as the ``batch_tallies`` job of ``desk.run_due_jobs()`` (four pages a run) and at once by
``desk.batch_tallies.backfill(manager)``, as the money index's catch-up does.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Annotated, ClassVar

import attrs

from aftersales.domain.bounds import POSITIVE, Bounds
from aftersales.domain.classification import TicketKind
from aftersales.domain.quality_incidents import BatchFaultTally, BatchFaultUnit, split_key
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound
from aftersales.policies.complaints import batch_threshold_reached
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.queries import MAX_PAGE, PageRequest, Sort, TicketFilter
from aftersales.ports.reporting import is_fault_evidence
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.arguments import validated_commands
from aftersales.service.batch_keys import tally_key
from aftersales.service.complaint_incident_facts import IncidentComplaints
from aftersales.service.context import DeskContext
from aftersales.service.permissions import Workflow, permit
from aftersales.service.quality_incidents import (
    complaints_first,
    count_unit,
    first_recorded,
    tickets_of_batch,
)
from aftersales.service.runner import CommandRunner

__all__ = ["PROGRESS_ID", "BatchTallies", "BatchTallyBackfill"]

_BATCH = Bounds(1, MAX_PAGE)
"""``backfill``'s ``batch``: tickets per transaction."""

PROGRESS_ID = "batch_tallies"
"""The id of the one :class:`BatchTallyBackfill` document of a store."""


@attrs.define
class BatchTallyBackfill:
    """How far the back-fill has read the service tickets: the page cursor after the last page done
    (``None``: from the first), and whether the pass is complete."""

    DOCUMENT_KIND: ClassVar[str] = "batch_tally_backfill"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()

    id: str
    cursor: str | None = None
    done: bool = False
    counted: int = 0
    """Units counted by the back-fill so far (those the live detector had not)."""
    version: int = 0


def _uncounted(uow: UnitOfWork, key: str, asset_id: str) -> bool:
    """Whether the unit ``asset_id`` is not counted for the tally ``key`` (no unit, or one withdrawn with
    a cancelled call: this call shows the problem, so it counts again, as the live detector counts it)."""
    try:
        return uow.documents.get(BatchFaultUnit, f"{key}|{asset_id}").withdrawn
    except NotFound:
        return True


def _progress(uow: UnitOfWork) -> tuple[BatchTallyBackfill, bool]:
    """The store's progress document, and whether it is stored (a store never back-filled has none)."""
    try:
        return uow.documents.get(BatchTallyBackfill, PROGRESS_ID), True
    except NotFound:
        return BatchTallyBackfill(PROGRESS_ID), False


Candidate = tuple[str, str, datetime]
"""A ticket id, a problem of its faults and when it was first recorded: a unit the page may count."""


def _candidates(context: DeskContext, uow: UnitOfWork, tickets: Iterable[Ticket]) -> list[Candidate]:
    """The problems of ``tickets`` whose units are not counted yet (calls that are fault evidence)."""
    params = context.policies.complaint.params
    dimension = params.batch_dimension
    found: list[Candidate] = []
    for ticket in tickets:
        batch, asset_id = ticket.batch, ticket.asset_id
        if asset_id is None or batch is None or not is_fault_evidence(ticket):
            continue  # no unit to count, or a cancelled call (no fault evidence)
        found += [
            (ticket.id, value, at)
            for value, at in first_recorded(params, ticket).items()
            if _uncounted(uow, tally_key(uow, batch, dimension, value, ticket.product_id), asset_id)
        ]
    return found


def _count_page(
    context: DeskContext,
    uow: UnitOfWork,
    now: datetime,
    *,
    cursor: str | None,
    after: str | None,
    candidates: Sequence[Candidate],
    on_incident: IncidentComplaints | None,
) -> tuple[int, bool]:
    """In the write: count ``candidates`` (read again: the tickets and units as they stand now) and move
    the progress from ``cursor`` to ``after``. (units counted, pass complete); nothing when another run
    moved the progress meanwhile (the next page is read again)."""
    progress, stored = _progress(uow)
    if progress.done or progress.cursor != cursor:
        return 0, progress.done
    dimension = context.policies.complaint.params.batch_dimension
    tickets = {ticket_id: uow.tickets.get(ticket_id) for ticket_id, _, _ in candidates}
    if on_incident is not None:
        _complaints_of_page(context, uow, tickets, candidates)
    messages: list[OutboxMessage] = []
    counted = 0
    # The problems in key order (each one's units in the page's order, as recorded): a complaint locks
    # the tallies of its tickets' problems in that order, and a page writing them in its tickets' order
    # deadlocked with it on PostgreSQL.
    for ticket_id, value, at in sorted(candidates, key=lambda c: _key(uow, tickets[c[0]], dimension, c[1])):
        ticket = tickets[ticket_id]
        if ticket.asset_id is None or ticket.batch is None or not is_fault_evidence(ticket):
            continue  # cancelled (or its unit changed) since the page was read
        if _uncounted(uow, _key(uow, ticket, dimension, value), ticket.asset_id):
            messages += count_unit(context, uow, ticket, dimension, value, now, on_incident, at=at)
            counted += 1
    uow.outbox.put(messages)
    progress.cursor, progress.done = after, after is None
    progress.counted += counted
    if stored:
        uow.documents.save(progress)
    else:
        uow.documents.add(progress)
    return counted, progress.done


def _key(uow: UnitOfWork, ticket: Ticket, dimension: str, value: str) -> str:
    """The tally ``ticket``'s problem ``value`` is counted in (``""``: the ticket has no batch now)."""
    if ticket.batch is None:
        return ""
    return tally_key(uow, ticket.batch, dimension, value, ticket.product_id)


def _complaints_of_page(
    context: DeskContext, uow: UnitOfWork, tickets: Mapping[str, Ticket], candidates: Sequence[Candidate]
) -> None:
    """Lock every complaint the page's counting may classify, in id order, before its first tally is
    written: the complaints about its tickets (a unit joining an incident), and for each problem the
    page may bring to its threshold the complaints about every ticket of the batch recording it (an
    incident raised). A complaint's command takes the complaint, then the tally (``link_tickets``); a
    page that wrote one problem's tally and then raised another's incident, locking its complaints,
    deadlocked with it on PostgreSQL. A batch is read only for a problem that may cross on this page."""
    params = context.policies.complaint.params
    dimension = params.batch_dimension
    adding: dict[str, int] = {}
    problems: dict[str, tuple[str, str, str | None]] = {}
    for ticket_id, value, _ in candidates:
        batch, product_id = tickets[ticket_id].batch, tickets[ticket_id].product_id
        if batch is not None:
            key = tally_key(uow, batch, dimension, value, product_id)
            adding[key] = adding.get(key, 0) + 1
            problems[key] = (batch, value, split_key(key)[3])
    about = list(tickets)
    for key, more in adding.items():
        try:
            tally: BatchFaultTally | None = uow.documents.get(BatchFaultTally, key)
        except NotFound:
            tally = None
        if tally is not None and tally.incident_id is not None:
            continue  # raised already: a unit joins it, its own ticket's complaints are classified
        units = more + (tally.units if tally is not None else 0)
        size = tally.batch_size if tally is not None else 0
        # count_unit judges the batch when its size is unknown or its threshold reached (the most
        # units this page can bring: both only grow with them)
        if units >= params.batch_min_units and (size < units or batch_threshold_reached(units, size, params)):
            batch, value, product = problems[key]
            batch_tickets = tickets_of_batch(uow, batch, product)
            about += [t.id for t in batch_tickets if value in first_recorded(params, t)]
    complaints_first(uow, about)


@validated_commands
class BatchTallies:
    """The back-fill of the detector's tallies (``desk.batch_tallies``; the ``batch_tallies`` job)."""

    def __init__(
        self, context: DeskContext, runner: CommandRunner, on_incident: IncidentComplaints | None = None
    ) -> None:
        self.context = context
        self.runner = runner
        self.on_incident = on_incident
        """Hears of each incident raised here (the complaints about its tickets are major, seed 004)."""

    def backfill(
        self,
        actor: Actor,
        *,
        batch: Annotated[int, _BATCH] = 500,
        max_batches: Annotated[int, POSITIVE] | None = None,
    ) -> int:
        """Go on with the back-fill (see the module's docstring): ``batch`` tickets per transaction (1 to
        1000), at most ``max_batches`` transactions (``None``: to the end). Returns the units counted
        now: 0 on a store whose tallies were all kept, and once the pass is complete. The heads run it
        (and the jobs, hourly); another role is refused (``PermissionDenied``), nothing written."""
        permit(actor, Workflow.DOCUMENTS, "backfill_batch_tallies")
        _BATCH.check(batch, "batch")
        if max_batches is not None:
            POSITIVE.check(max_batches, "max_batches")
        context, on_incident = self.context, self.on_incident
        total = batches = 0
        while max_batches is None or batches < max_batches:
            # The page is read without the write lock; the write counts only what it found uncounted.
            with context.reader() as uow:
                progress, _ = _progress(uow)
                if progress.done:
                    break
                cursor = progress.cursor
                page = uow.tickets.query(
                    TicketFilter(kind=TicketKind.SERVICE), PageRequest(batch, cursor, Sort.RECEIVED_ASC)
                )
                candidates = _candidates(context, uow, page.items)
            after = page.next_cursor
            counted, done = self.runner.write(
                actor,
                "backfill_batch_tallies",
                None,
                [batch, cursor],
                functools.partial(
                    _count_page,
                    context,
                    cursor=cursor,
                    after=after,
                    candidates=candidates,
                    on_incident=on_incident,
                ),
            )
            total, batches = total + counted, batches + 1
            if done:
                break
        return total
