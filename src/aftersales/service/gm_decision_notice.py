"""Who hears the general manager's instruction on a referred complaint (seed 004 第八条 2(4)).

客户服务中心向总经理报告及请示处理方法，得到明确的处理意见后应立即安排处理: the centre asks, and arranges the
handling at once when the instruction comes. The instruction was recorded (``record_gm_decision``: it becomes
the proposed solution) and nobody was told, so the centre learnt of it only by looking at the complaint.
Now whoever referred it and its designated handler are told (through the staff directory's entry for each
person); with neither listed, the centre's managers are. The decider is not told of his own decision.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.complaints import ComplaintFile
from aftersales.domain.ticket import Ticket
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.customer_name import customer_name
from aftersales.service.notify import Notifications

__all__ = ["KIND", "gm_decision_messages"]

KIND = "complaint_gm_decided"
"""The notification's kind (i18n ``notification.complaint_gm_decided``)."""


def gm_decision_messages(
    notices: Notifications,
    uow: UnitOfWork,
    ticket: Ticket,
    file: ComplaintFile,
    actor: Actor,
    now: datetime,
) -> list[OutboxMessage]:
    """The notices of the instruction just recorded on complaint ``ticket`` by ``actor``: to whoever
    referred it and its handler (not the decider), else to the managers unless the decider is one."""
    # The instruction is the general manager's whoever records it (instruction_ref): not named.
    values = {"complaint_id": ticket.id, "customer_name": customer_name(uow, ticket.customer_id)}
    key = f"{ticket.id}:{len(ticket.events)}:{KIND}"
    people: list[ActorRef] = []
    for person in (file.referral.referred_by if file.referral else None, file.handler):
        if person is not None and person != actor.ref and person not in people:
            people.append(person)
    told = [m for person in people for m in notices.person_messages(KIND, person, values, key, now)]
    if told or Role.MANAGER in actor.roles:
        return told
    return notices.staff_messages(KIND, (Role.MANAGER,), values, key, now)
