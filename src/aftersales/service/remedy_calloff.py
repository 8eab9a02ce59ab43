"""A complaint cancelled or withdrawn calls off the remedy work not yet carried out, in its own command.

Seed 002 (客户投诉的处理方法, 四、谈判 → 方案的落实): a remedy is a card played in a negotiation, and the
work it opened (:mod:`aftersales.service.remedy_work`) is the agreed solution carried out. A customer who
withdraws the complaint (撤诉) leaves the negotiation: what was agreed and not yet done is no longer owed,
and a complaint cancelled (registered by mistake, a duplicate) owed nothing. Left open, the extra
maintenance visits stayed in the dispatch queue and the free pick slip in the warehouse's, waiting for
steps the cancelled complaint refuses.

So when a complaint's step cancels it (``withdraw``, ``cancel``; through the complaint desk or
``desk.cancel``), in the same transaction:

- each extra maintenance visit not yet begun (new, triaged or assigned) is cancelled, with the reason
  :data:`WITHDRAWN` or :data:`CANCELLED` and the complaint named in the event's payload; the ticket is
  settled as any cancelled ticket (its hooks, SLA due times, notifications). A visit being worked or done
  is carried out: it stays.
- each free-accessory request not yet shipped is cancelled with the same reason
  (:func:`~aftersales.service.cancelled_materials.call_off_request`, as any cancelled ticket's requests).
  Parts already shipped are not un-shipped: the request stays as it is.

Both are recorded as done by the desk itself (``Role.SYSTEM``): the consequence of the complaint's end,
not a decision of whoever ended it. A complaint cancelled by a personal-data erasure is left to the
erasure, which cancels the person's open tickets (the visits among them) itself; its free accessory not
yet shipped is called off with the complaint as any cancelled ticket's request
(:mod:`~aftersales.service.cancelled_materials`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import TicketKind
from aftersales.domain.complaint_workflow import ComplaintState
from aftersales.domain.complaints import ComplaintFile, RemedyKind
from aftersales.domain.events import TicketEvent
from aftersales.domain.materials import MaterialsRequest
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import NotFound
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.cancelled_materials import call_off_request
from aftersales.service.clock_skew import stamp_for
from aftersales.service.hook_scope import reacting_to
from aftersales.service.privacy import CANCELLED_BY_ERASURE
from aftersales.service.runner import CommandRunner, TicketHook

__all__ = ["CANCELLED", "WITHDRAWN", "call_off_remedy_work"]

WITHDRAWN = "complaint_withdrawn"
"""The reason given to remedy work called off because the customer withdrew the complaint."""
CANCELLED = "complaint_cancelled"
"""The reason given to remedy work called off because the complaint was cancelled."""

_DESK = ActorRef("aftersales", Role.SYSTEM)
_NOT_BEGUN = frozenset({TicketState.NEW.value, TicketState.TRIAGED.value, TicketState.ASSIGNED.value})
"""The states of a visit whose work has not begun: nobody is on site, nothing was done."""
_ENDED = ComplaintState.CANCELLED.value


def call_off_remedy_work(runner: CommandRunner) -> TicketHook:
    """The hook: a complaint's cancellation or withdrawal calls off its remedy work not yet carried out
    (see the module's docstring)."""

    def hook(
        uow: UnitOfWork,
        actor: Actor,
        ticket: Ticket,
        before: str,
        events: Sequence[TicketEvent],
        now: datetime,
    ) -> Sequence[OutboxMessage] | None:
        if ticket.kind is not TicketKind.COMPLAINT or ticket.state != _ENDED or before == _ENDED:
            return None
        try:
            file = uow.documents.get(ComplaintFile, ticket.id)
        except NotFound:
            return None  # no file, no remedies
        ending = next((e for e in reversed(events) if e.to_state == _ENDED), None)
        if ending is not None and ending.reason == CANCELLED_BY_ERASURE:
            # The erasure cancels the person's open tickets itself, the visits among them, from the
            # copies it holds (and erases the documents it read): a second cancellation here would race it.
            return None
        reason = WITHDRAWN if ending is not None and ending.action == "withdraw" else CANCELLED
        messages: list[OutboxMessage] = []
        for visit in _visits_locked(runner, uow, file):
            messages += _cancel_visit(runner, uow, ticket.id, visit, reason, now)
        for remedy in file.remedies:
            if remedy.kind is RemedyKind.FREE_ACCESSORY:
                for request_id in remedy.work:
                    _cancel_request(uow, request_id, reason, now)
        return messages

    return reacting_to(hook, states=(_ENDED,))


def _visits_locked(runner: CommandRunner, uow: UnitOfWork, file: ComplaintFile) -> list[Ticket]:
    """The remedies' visits, each locked, in ascending id order, before any is settled: the order every
    write taking several tickets takes them in. Locked in the remedies' order (a host's ids need not
    grow with time) or one settled before the next was locked (its SLA mark, its batch's tally taken
    before a ticket command's ticket), a command holding one of them deadlocked with it on PostgreSQL."""
    ids = {
        visit_id
        for remedy in file.remedies
        if remedy.kind is RemedyKind.EXTRA_MAINTENANCE_VISIT
        for visit_id in remedy.work
    }
    visits: list[Ticket] = []
    for visit_id in sorted(ids):
        try:
            visits.append(runner.load(uow, visit_id, lock=True))
        except NotFound:
            continue  # erased with its customer
    return visits


def _cancel_visit(
    runner: CommandRunner, uow: UnitOfWork, complaint_id: str, visit: Ticket, reason: str, now: datetime
) -> list[OutboxMessage]:
    if visit.state not in _NOT_BEGUN or not visit.can("cancel"):
        return []
    before, count = visit.state, len(visit.events)
    visit.cancel(_DESK, stamp_for(visit, now), reason, payload={"complaint_id": complaint_id})
    messages = runner.settle_moved_ticket(uow, Actor.system(), visit, before, visit.events[count:], now)
    uow.tickets.save(visit)
    return messages


def _cancel_request(uow: UnitOfWork, request_id: str, reason: str, now: datetime) -> None:
    try:
        request = uow.documents.get(MaterialsRequest, request_id)
    except NotFound:
        return
    # A remedy's part is requested on its complaint; shipped parts are not un-shipped.
    call_off_request(uow, request, reason, now, complaint=True)
