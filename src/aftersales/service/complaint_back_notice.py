"""Who hears that a callback found a complaint's problem back (seed 004 第八条 2(6)).

对于回访发现的问题应及时再处理: the callback sends the complaint back to be handled again, and seed 003 二 5
has a designated person follow a complaint up (由指定人员负责跟进). The agent making the callback is often
not that person (the shifts, 轮班制), so the handler is told the complaint is theirs again; with no handler
designated (or not in the staff directory), the centre's managers are — unless a manager made the
callback: the one who found it back is not told of his own finding (session 39, one rule with
``complaint_reopened``: :mod:`.complaint_handler_told`). Before session 35 nobody was told and the
complaint waited in investigating until its new resolution clock warned.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.classification import TicketKind
from aftersales.domain.ticket import Ticket
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.complaint_handler_told import handler_or_managers
from aftersales.service.context import DeskContext
from aftersales.service.customer_name import customer_name

KIND = "complaint_back"
"""The notification's kind (i18n ``notification.complaint_back``)."""


def complaint_back_messages(
    context: DeskContext, uow: UnitOfWork, ticket: Ticket, actor: Actor, now: datetime
) -> list[OutboxMessage]:
    """The notices for a callback that has just reopened complaint ``ticket`` (none for a service ticket,
    or a complaint the callback did not send back): to its designated handler, else to the managers,
    never to the agent who made the callback."""
    if ticket.kind is not TicketKind.COMPLAINT or not ticket.events or ticket.events[-1].action != "reopen":
        return []
    values = {
        "complaint_id": ticket.id,
        "customer_name": customer_name(uow, ticket.customer_id),
        "called_back_by": actor.name or str(actor.ref),
    }
    key = f"{ticket.id}:{len(ticket.events)}:{KIND}"
    return handler_or_managers(context, uow, ticket, actor, (KIND, values, key), now)
