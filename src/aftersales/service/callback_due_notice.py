"""Who is told a callback is due: the office, and the dealer who did the job where the pack says so.

Seed 002 分工 1 (乙方负责所售产品的全过程服务, 包括安装调试、维修、回访等) and 8
(乙方有义务配合甲方对本区域的用户进行回访和满意度调查工作): the dealer makes the callbacks of its
region's jobs, beside the maker's office. The ``callbacks_due`` job told the agents only, so the dealer
heard of a callback it owed only from the SLA warning an hour before the deadline.
``[notification] callback_due_to`` names the roles; ``dealer_staff`` reaches the dealer doing the job
(:func:`~aftersales.ports.reporting.doing_dealer`), through its contact, as the assignment notice does.
A complaint's callback is the centre's (seed 004 第八条 2(6)): never the dealer's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from aftersales.domain.actors import Role
from aftersales.domain.classification import TicketKind
from aftersales.domain.surveys import CallbackTask
from aftersales.errors import NotFound
from aftersales.policies.notification import NotificationParams
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.reporting import doing_dealer
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.notify import Notifications

__all__ = ["callback_due_messages"]


def callback_due_messages(
    notifications: Notifications,
    params: NotificationParams,
    uow: UnitOfWork,
    task: CallbackTask,
    about: TicketKind | None,
    kind: str,
    values: Mapping[str, object],
    key: str,
    at: datetime,
) -> list[OutboxMessage]:
    """The notices that ``task``'s callback is due: to the office roles of ``params.callback_due_to``
    (the agents on duty standing for the agents), and — for a service ticket, when the list names
    ``dealer_staff`` — to the dealer who did the job, if one did and the desk can reach it."""
    roles = params.callback_due_to
    office = [r for r in roles if r is not Role.DEALER_STAFF]
    out = notifications.staff_messages(kind, office, values, key, at, uow)
    if Role.DEALER_STAFF not in roles or about is not TicketKind.SERVICE:
        return out
    try:
        dealer_id = doing_dealer(uow.tickets.get(task.ticket_id))
        contact = uow.dealers.get(dealer_id).contact if dealer_id is not None else None
    except NotFound:
        return out
    if contact is not None:
        out += notifications.contact_messages(kind, Role.DEALER_STAFF.value, contact, values, key, at)
    return out
