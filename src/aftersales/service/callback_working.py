"""A service callback counted in working hours: the task falls due when the SLA's callback target does.

Why: ``[sla] callback_in_working_hours = true`` counts the callback target (``[sla] callback_hours``) in
working time on the desk's calendar, while the callback task and the ticket's ``callback_due_at`` (the
ledger, the overdue callbacks) were dated by ``[callback] service_within_hours`` in wall-clock hours: one
callback (seed 003: 客服专员在24小时内对客户进行回访) had two deadlines. With working hours the SLA's
target is the one deadline, and the task takes its due time (the registry refuses a pack naming
``[callback] service_within_hours`` beside it: it would be ignored).
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.classification import TicketKind
from aftersales.domain.parties import CustomerTier
from aftersales.domain.ticket import Ticket
from aftersales.errors import CalendarDataMissing
from aftersales.service.sla import SlaService

__all__ = ["working_callback_due"]


def working_callback_due(
    sla: SlaService | None, ticket: Ticket, tier: CustomerTier, now: datetime
) -> datetime | None:
    """The due time of ``ticket``'s SLA callback target when that target counts working hours (a
    service ticket, accepted); ``None`` otherwise (the callback policy's deadline stands)."""
    if sla is None or sla.policy is None or sla.calendar is None or ticket.kind is not TicketKind.SERVICE:
        return None
    try:
        status = sla.status(ticket, tier, now).get("callback")
    except CalendarDataMissing:
        return None
    if status is None or status.target.basis != "working":
        return None
    return status.due_at
