"""A cancelled call's faults leave the follow-up of closed incidents: its recurrence is withdrawn.

Seed 002 反馈信息的处理 (再跟踪相关项及目标, 对后续的反馈信息再进行…分析): once a quality incident is
closed, a fault of its problem on the product is recorded against it as a ``recurred`` event, the check
of the corrective action (:mod:`aftersales.service.quality_incidents`). That is recorded when the fault
is, before anyone knows the call will be cancelled — logged by mistake, a duplicate, withdrawn, the
customer's data erased — and a cancelled call is no evidence of a fault (the reports and the batch
count leave it out: :mod:`aftersales.service.cancelled_faults`). So the cancellation records a
``recurrence_withdrawn`` event naming the ticket on each closed incident its faults recurred on, and
:attr:`~aftersales.domain.quality_incidents.QualityIncident.recurrences` no longer lists them: the
withdrawal is seen, never silent, and the history keeps what happened.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.quality_incidents import (
    RECURRENCE_WITHDRAWN,
    FollowUpWatch,
    QualityIncident,
    follow_up_key,
)
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.complaint_incident_facts import DETECTOR
from aftersales.service.context import DeskContext
from aftersales.service.on_cancellation import on_cancellation
from aftersales.service.quality_incidents import first_recorded
from aftersales.service.runner import TicketHook

__all__ = ["withdraw_cancelled_recurrences"]


def withdraw_cancelled_recurrences(context: DeskContext) -> TicketHook:
    """The hook: a cancelled ticket's recurrences on closed incidents are withdrawn (see the module)."""

    def settle(uow: UnitOfWork, actor: Actor, ticket: Ticket, reason: str, now: datetime) -> None:
        if not ticket.fault_records:
            return  # nothing recurred
        dimension = context.policies.complaint.params.batch_dimension
        for value in first_recorded(context.policies.complaint.params, ticket):
            try:
                watch = uow.documents.get(FollowUpWatch, follow_up_key(ticket.product_id, dimension, value))
            except NotFound:
                continue  # no incident of the problem was closed: nothing was recorded against one
            for incident_id in watch.incident_ids:
                incident = uow.documents.get(QualityIncident, incident_id)
                if any(_names(e.payload, ticket.id, dimension, value) for e in incident.recurrences):
                    payload = {"ticket_id": ticket.id, dimension: value}
                    incident.record(RECURRENCE_WITHDRAWN, DETECTOR.ref, now, payload=payload)
                    uow.documents.save(incident)

    return on_cancellation(settle)


def _names(payload: dict[str, str], ticket_id: str, dimension: str, value: str) -> bool:
    return payload.get("ticket_id") == ticket_id and payload.get(dimension) == value
