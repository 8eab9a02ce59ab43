"""The dealer of a fitter the office dispatched directly is told (seed 002 分工 1
乙方负责所售产品的全过程服务, 分工 6 乙方接到用户的叫修(或者是甲方的电话通知)后…24小时之内).

A dealer's own engineer (a fitter) holding a job holds it for the dealer: the dealer answers for it and its
24 hours bind the dealer. When the maker's office gives the job to the fitter itself, that dispatch is the
maker's notice to the dealer, yet only the fitter heard of it. The dealer's desk now gets
``fitter_assigned``: the job, the fitter sent and the due. A dealer giving the job to its own fitter is not
told of what it did itself.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from aftersales.domain.actors import Role
from aftersales.domain.events import TicketEvent
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import AssigneeKind
from aftersales.errors import NotFound
from aftersales.i18n.values import Term
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.overdue_notices import Render
from aftersales.service.reassign_notice import holder_audience

__all__ = ["FITTER_ASSIGNED_KIND", "fitters_dealer_messages"]

FITTER_ASSIGNED_KIND = "fitter_assigned"
"""The notification kind telling a dealer the office sent one of its own engineers."""
FITTER_ASSIGNED_UNDATED_KIND = "fitter_assigned_undated"
"""The same with no due to promise (a host's SLA policy set no resolution target)."""

_DISPATCHES = frozenset({"assign", "reassign"})
_NONE = Term("value.none")


def fitters_dealer_messages(
    uow: UnitOfWork,
    ticket: Ticket,
    event: TicketEvent,
    roles: Collection[Role],
    render: Render,
    now: datetime,
) -> list[OutboxMessage]:
    """``fitter_assigned`` to the dealer whose own engineer ``event`` (an ``assign`` or ``reassign``) gave
    ``ticket`` to, rendered by ``render`` (``Notifications.contact_messages``); none when the dealer's
    staff made the dispatch, the holder is not a dealer's engineer, or the policy's ``roles`` for
    assignments name no holder."""
    if event.action not in _DISPATCHES or event.actor.role is Role.DEALER_STAFF:
        return []
    audience = holder_audience(roles)
    holder = ticket.assignee
    if audience is None or holder is None or holder.kind is not AssigneeKind.ENGINEER:
        return []
    try:
        engineer = uow.engineers.get(holder.id)
        if engineer.dealer_id is None:
            return []
        dealer = uow.dealers.get(engineer.dealer_id)
    except NotFound:
        return []
    if dealer.contact is None:  # a dealer registered without a desk to tell
        return []
    values: dict[str, object] = {
        "ticket_id": ticket.id,
        "engineer_name": engineer.name,
        "category": ticket.category,
        "priority": ticket.priority or _NONE,
    }
    key = f"{ticket.id}:{event.seq}:{FITTER_ASSIGNED_KIND}"
    if ticket.resolution_due_at is None:  # no resolution target: no "请在 无 前处理完毕" (session 38)
        return render(FITTER_ASSIGNED_UNDATED_KIND, audience.value, dealer.contact, values, key, now)
    values["resolution_due_at"] = ticket.resolution_due_at
    return render(FITTER_ASSIGNED_KIND, audience.value, dealer.contact, values, key, now)
