"""A unit sold on calls off the seller's maintenance visit not yet begun, in the transfer's command.

Who is told about a visit opened before the sale (:mod:`aftersales.domain.sold_visit`): the visit and its
ticket were the seller's, at the seller's address, by the seller's dealer. Left open, the plan — now the
buyer's — waited for it, the seller kept getting its notices (the dispatch, a postponement, the request to
accept, the callback) about a unit they no longer hold, the seller's dealer was reminded daily of it as
overdue, and the buyer was told of nothing. So ``transfer_asset`` now, in the same transaction:

- cancels the ticket of each scheduled visit of the unit's plans opened for someone other than the new
  owner whose work has not begun (new, triaged or assigned), reason :data:`UNIT_SOLD`, by the desk itself,
  settled as any cancelled ticket (its SLA clocks stop; whoever holds the job is told it is cancelled);
- records the visit as called off (missed with that reason: left out of plan compliance);
- makes a plan still active due again for its new owner (its due date unchanged): the next daily run
  opens the buyer's visit, with the buyer's dealer, and the buyer gets its notices;
- tells the seller, whom the visit was promised to, that it is off (``maintenance_visit_called_off``:
  the visit and its due day, nothing of the buyer). Seed 000 服务回访 and seed 001 五(三) keep the
  customer informed of their service; before session 33 (j) only the dealer holding the job was told,
  and the seller waited for an engineer who would not come.

A visit being worked or done (someone on site, or the work finished) stays the seller's and is carried
out: it was theirs, in their period (the plan's handover keeps it with them).
"""

from __future__ import annotations

from datetime import date, datetime

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.maintenance import MaintenancePlan, MaintenanceVisit, PlanState, VisitState
from aftersales.domain.products import Asset
from aftersales.domain.sold_visit import UNIT_SOLD
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import NotFound
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.clock_skew import stamp_for
from aftersales.service.notify import Notifications
from aftersales.service.runner import CommandRunner

__all__ = ["call_off_seller_visits"]

_CALLED_OFF = "maintenance_visit_called_off"

_DESK = ActorRef("aftersales", Role.SYSTEM)
_NOT_BEGUN = frozenset({TicketState.NEW.value, TicketState.TRIAGED.value, TicketState.ASSIGNED.value})
"""The states of a visit whose work has not begun: nobody is on site, nothing was done."""


def call_off_seller_visits(
    runner: CommandRunner, uow: UnitOfWork, asset: Asset, now: datetime, today: date
) -> list[OutboxMessage]:
    """Inside ``transfer_asset``, after the unit's plans followed it: call off the visits of ``asset``'s
    plans opened for a former owner and not begun (see the module's docstring). The messages to send."""
    found: list[tuple[MaintenancePlan, MaintenanceVisit]] = []
    for plan in uow.documents.query(MaintenancePlan, asset_id=asset.id):
        if plan.open_visit_id is None:
            continue
        try:
            visit = uow.documents.get(MaintenanceVisit, plan.open_visit_id)
        except NotFound:
            continue
        if visit.state is VisitState.SCHEDULED and visit.ticket_id and visit.customer_id != asset.customer_id:
            found.append((plan, visit))
    messages: list[OutboxMessage] = []
    # Tickets locked in ascending id order, as every write taking several tickets takes them.
    notes = runner.context.notifications
    for plan, visit in sorted(found, key=lambda pair: str(pair[1].ticket_id)):
        try:
            ticket = runner.load(uow, str(visit.ticket_id), lock=True)
        except NotFound:
            continue  # erased with its customer
        if ticket.state not in _NOT_BEGUN or not ticket.can("cancel"):
            continue  # being worked or done: the seller's visit is carried out
        before, count = ticket.state, len(ticket.events)
        payload = {"asset_id": str(asset.id), "visit_id": visit.id}
        ticket.cancel(_DESK, stamp_for(ticket, now), UNIT_SOLD, payload=payload)
        moved = ticket.events[count:]
        messages += runner.settle_moved_ticket(uow, Actor.system(), ticket, before, moved, now)
        uow.tickets.save(ticket)
        visit.miss(now, _DESK, UNIT_SOLD)
        uow.documents.save(visit)
        messages += _tell_seller(uow, notes, visit, now)
        if plan.state is PlanState.ACTIVE:
            plan.closed_without_visit(today)  # the buyer's visit, on the plan's due date
        else:
            plan.open_visit_id = None
        uow.documents.save(plan)
    return messages


def _tell_seller(
    uow: UnitOfWork, notes: Notifications, visit: MaintenanceVisit, now: datetime
) -> list[OutboxMessage]:
    """The seller's notice that their visit is off (none when they are gone or unreachable)."""
    try:
        seller = uow.customers.get(visit.customer_id)
    except NotFound:
        return []
    values = {"visit_id": visit.id, "due_on": visit.due_on}
    return notes.contact_messages(
        _CALLED_OFF, "customer", seller.contact, values, f"{_CALLED_OFF}:{visit.id}", now
    )
