"""The breaches a move of a ticket's due times does not undo (seeds 003/004 考核), found and kept.

A breach the sweep announced is a fact of the month it happened in. A step that derives the due times
again — a new working calendar (:func:`~aftersales.service.sla_cliff.recompute_dues`), a request
reclassified into a category with longer targets (``desk.reclassify``) — may move a passed due time past
now, and the breach would quietly leave the ledger, the KPIs and the sweep. :func:`announced_breaches`
finds the targets whose announced breach such a move would undo, and :func:`breaches_a_move_undoes` does
it for a step not yet taken; the step records them under
:data:`~aftersales.domain.sla_held.HELD_KEY`, and every later derivation holds them
(:mod:`aftersales.domain.sla_held`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime

from aftersales.domain.parties import CustomerTier
from aftersales.domain.sla_held import HELD_TARGETS
from aftersales.domain.ticket import Ticket
from aftersales.errors import CalendarDataMissing, NotFound
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.context import DeskContext
from aftersales.service.sla import SlaService
from aftersales.service.sla_watch import SlaAlert, restarted_at

__all__ = ["announced_breaches", "breaches_a_move_undoes"]


def announced_breaches(
    uow: UnitOfWork,
    service: SlaService,
    ticket: Ticket,
    tier: CustomerTier,
    before: tuple[datetime | None, datetime | None],
    now: datetime,
) -> dict[str, datetime]:
    """The stored targets whose breach the sweep announced (an :class:`SlaAlert` for the clock running
    now: not restarted by a reopen, a dealer's new hours or an extension since) and whose due, passed
    before ``now``, the new calendar moves later: each with the due it passed, to be kept (see
    :mod:`aftersales.domain.sla_held`). The due is the one the alert was of: a command on a desk already
    on the new calendar (before this recalculation reached the ticket) may have moved the stored one."""
    held: dict[str, datetime] = {}
    moved = (ticket.response_due_at, ticket.resolution_due_at)
    status = None
    for name, stored, new in zip(HELD_TARGETS, before, moved, strict=True):
        try:
            alert = uow.documents.get(SlaAlert, f"{ticket.id}:{name}:sla_breach")
        except NotFound:
            continue
        old = alert.due_at if alert.due_at is not None else stored
        if old is None or new is None or new <= old or old > now:
            continue
        if status is None:
            try:
                status = service.status(ticket, tier, now)
            except CalendarDataMissing:
                return held  # no clock to read: nothing held (the due times moved as derived)
        target = status.get(name)
        since = restarted_at(ticket, target) if target is not None else None
        if alert.at < old or (since is not None and since > alert.at):
            continue  # announced for an earlier clock
        held[name] = old
    return held


def breaches_a_move_undoes(
    context: DeskContext,
    uow: UnitOfWork,
    ticket: Ticket,
    tier: CustomerTier,
    now: datetime,
    move: Callable[[Ticket], object],
) -> dict[str, datetime]:
    """The announced breaches of ``ticket`` that ``move`` (a step, applied here to a copy) would undo by
    moving their due later, each with the due it passed: what the step is to record as held.

    The copy (the ticket's fields, its own list of the same immutable events) is derived on a service of
    its own (the desk's keeps what it read of the ticket's log), on the desk's policy and calendar; a
    ticket with no due times, or no calendar data, holds nothing.
    """
    before = (ticket.response_due_at, ticket.resolution_due_at)
    if before == (None, None):
        return {}
    moved = copy.copy(ticket)  # the step sets fields and appends an event: its own list of them
    moved.events = list(ticket.events)
    move(moved)
    service = SlaService(
        context.sla.policy, context.sla.calendar, context.sla.days_zone, context.sla.callback
    )
    try:
        service.derive(moved, tier, now)
    except CalendarDataMissing:
        return {}
    return announced_breaches(uow, service, moved, tier, before, now)
