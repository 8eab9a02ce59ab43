"""Parts left on a cancelled ticket: its materials requests not yet shipped are called off with it.

Seed 002 材料处理 (发料): parts are issued for a job — 用户提出用料申请, the service department checks it,
the warehouse picks and ships it. A job called off (the customer fixed it, a call logged by mistake, a
complaint withdrawn, the customer's data erased) needs no parts, and the materials desk refuses every
step towards shipping on a cancelled ticket (``ticket_cancelled``). Left as it was, the request stayed in
the warehouse's queue for ever: pending, yet never to ship.

So the ticket's cancellation calls off, in its own transaction, every request of the ticket not yet
shipped (requested, checked, on a pick slip, quoted, approved or picked): cancelled by the desk itself
(``Role.SYSTEM``: the consequence of the ticket's end, not a decision of whoever cancelled it), with the
ticket's reason and the reason code :data:`CALLED_OFF` (``reason.materials_called_off`` in the catalogs).
What else goes with it is decided where it always was: the unpaid slip of its quote by
:mod:`~aftersales.service.cancelled_money`; money received stays for ``desk.materials.refund``, which the
cancelled request now allows. Parts already shipped are not un-shipped: the request stays shipped (or
received), and a free part comes back through the returns path (退料: ``register_return``) or is charged
as kept, as any lent part (seed 002 退料 1: 视用户对该材料为事实占有).

A complaint's free accessory (:mod:`~aftersales.service.remedy_work`) is a request on the complaint:
:mod:`~aftersales.service.remedy_calloff` calls it off with the complaint's reason through
:func:`call_off_request`, and one cancelled by a personal-data erasure is called off here.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import TicketKind
from aftersales.domain.materials import MaterialsRequest
from aftersales.domain.materials_workflow import MATERIALS_WORKFLOW
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.on_cancellation import on_cancellation
from aftersales.service.runner import TicketHook

__all__ = ["CALLED_OFF", "CALLED_OFF_COMPLAINT", "call_off_materials", "call_off_request"]

CALLED_OFF = "materials_called_off"
"""The reason code of a request the desk called off because its ticket was cancelled."""

CALLED_OFF_COMPLAINT = "materials_called_off_complaint"
"""The same, when the record cancelled is a complaint (a free accessory granted as its remedy): its words
name a complaint (投诉), not a ticket (工单)."""

_DESK = ActorRef("aftersales", Role.SYSTEM)


def call_off_request(
    uow: UnitOfWork, request: MaterialsRequest, reason: str, now: datetime, *, complaint: bool = False
) -> bool:
    """Cancel ``request`` as the desk, if it has not shipped (``False``: shipped, or already ended).
    ``complaint``: the record cancelled, ``request.ticket_id``, is a complaint."""
    if "cancel" not in MATERIALS_WORKFLOW.allowed(request.state.value):
        return False  # shipped parts are not un-shipped; a request already ended stays ended
    if complaint:
        why = Reason(CALLED_OFF_COMPLAINT, {"complaint_id": request.ticket_id})
    else:
        why = Reason(CALLED_OFF, {"ticket_id": request.ticket_id})
    request.cancel(_DESK, max(now, request.last_at), reason[:500], (why,))
    uow.documents.save(request)
    return True


def call_off_materials() -> TicketHook:
    """The hook: a ticket's cancellation calls off its requests not yet shipped, in the same transaction
    (see the module's docstring)."""
    return on_cancellation(_call_off_all)


def _call_off_all(uow: UnitOfWork, actor: Actor, ticket: Ticket, reason: str, now: datetime) -> None:
    complaint = ticket.kind is TicketKind.COMPLAINT
    for request in uow.documents.query(MaterialsRequest, ticket_id=ticket.id):
        call_off_request(uow, request, reason, now, complaint=complaint)
