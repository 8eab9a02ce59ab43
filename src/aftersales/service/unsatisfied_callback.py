"""An unsatisfied callback that opened no complaint still reaches the manager (seed 001 三(七)3).

"售后专员负责整理客户满意度调查结果,分析客户不满意的原因,提出改进措施,并反馈给售后经理": the KPI counts a
callback scored 3 of 5 as not satisfied, but only a score below the complaint policy's
``complaint_below_score`` (3) opened a complaint the manager hears of — a 3 reached nobody who analyses it,
unless the customer also voiced a grievance. The complaint policy's ``unsatisfied_below`` (default 4, the
KPI's ``satisfied_at``) marks the scores reported: the manager gets a ``callback_unsatisfied`` notice with
the score, the attitude and the customer's words, in the callback's own command.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.actors import Role
from aftersales.domain.ticket import Ticket
from aftersales.policies.complaints import ComplaintParams
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.context import DeskContext
from aftersales.service.customer_name import customer_name
from aftersales.service.notify import NOT_SET

__all__ = ["unsatisfied_below", "unsatisfied_notice"]


def unsatisfied_below(context: DeskContext) -> int:
    """The pack's ``[complaint] unsatisfied_below``; 0 (never) for a host's complaint policy without it."""
    params = getattr(context.policies.complaint, "params", None)
    return params.unsatisfied_below if isinstance(params, ComplaintParams) else 0


def unsatisfied_notice(
    context: DeskContext,
    uow: UnitOfWork,
    ticket: Ticket,
    judged: int | None,
    score: int | None,
    attitude: int | None,
    comment: str,
    now: datetime,
) -> list[OutboxMessage]:
    """The manager's notice of a service ticket's callback judged (the lower of ``score`` and
    ``attitude``) below ``unsatisfied_below``; none for a complaint's callback (its hook sends the
    complaint back) nor when nothing was scored. The caller sends it only when no complaint was opened
    (a complaint is the manager's already)."""
    below = unsatisfied_below(context)
    if judged is None or not below or judged >= below or not ticket.needs_acceptance:
        return []
    name = customer_name(uow, ticket.customer_id)  # a ticket outliving its customer's record still tells
    values = {
        "ticket_id": ticket.id,
        "customer_name": name,
        "score": score if score is not None else NOT_SET,
        "attitude": attitude if attitude is not None else NOT_SET,
        "below": below,
        "comment": comment or NOT_SET,
    }
    key = f"{ticket.id}:{len(ticket.events)}:callback_unsatisfied"
    return context.notifications.staff_messages("callback_unsatisfied", (Role.MANAGER,), values, key, now)
