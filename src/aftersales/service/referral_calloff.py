"""A referral to the general manager called off with its complaint (seed 004 第八条 2(4)).

客户服务中心向总经理报告及请示处理方法: the referral asks the general manager how to handle the complaint, and
he is told at once. When the complaint ends before his instruction — the customer withdraws it (撤诉), the
centre cancels it — nothing is left to decide, and his decision would be refused; before session 37 he was
not told and was left with a question nobody was waiting on. Those the referral reached are now told the
complaint is called off, with its reason (``complaint_cancelled``, the words the outlet holding it reads).
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.complaints import ComplaintFile
from aftersales.domain.ticket import Ticket
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.notify import NOT_SET, Notifications
from aftersales.service.stored_reasons import worded_reason

__all__ = ["referral_called_off"]

_REFERRED = "hard_case_referred"
"""The reason of the escalation a referral makes (:meth:`ComplaintDesk.refer_to_general_manager`)."""


def referral_called_off(
    notifications: Notifications, uow: UnitOfWork, ticket: Ticket, file: ComplaintFile, now: datetime
) -> list[OutboxMessage]:
    """The notices telling those an undecided referral of ``file`` reached that complaint ``ticket``,
    just ended by its last step, is called off; none when no referral waits for a decision."""
    referral = file.referral
    if referral is None or referral.decision is not None:
        return []
    asked = [e for e in file.escalations if e.reason.code == _REFERRED and e.at >= referral.referred_at]
    if not asked:
        return []
    ended = ticket.events[-1]
    values = {"ticket_id": ticket.id, "reason": worded_reason(ended.reason) or NOT_SET}
    key = f"{ticket.id}:{ended.seq}:complaint_cancelled:referral"
    return notifications.staff_messages("complaint_cancelled", asked[-1].to, values, key, now, uow)
