"""A response breach announced, then undone by a contact entered after the fact.

``contact_customer(at=)`` records a call made earlier (seed 003 二 3: the response is the contact itself;
seed 001 五(三)3: 沟通记录…包括沟通时间). When the SLA sweep had already announced the response breach
(an :class:`~aftersales.service.sla_watch.SlaAlert`, notices sent), the live SLA, the ledger and the
reports now say the response was met — the notice alone still says it was missed. A service manager
told of a breach needs to hear it was withdrawn, and why, or they act on (and judge the month by) a
breach that did not happen. So in the contact's own command the alert is marked withdrawn
(``withdrawn_at``) and the roles told of the breach, and the ticket's handler, get a
``sla_breach_withdrawn`` notice naming the contact's time and its entry.

This differs from a calendar change (:mod:`aftersales.domain.sla_held`), which holds an announced
breach: a new calendar changes the rule after the fact; a late entry only tells when the response was
really made.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.classification import TicketKind
from aftersales.domain.instants import micros
from aftersales.domain.parties import CustomerTier
from aftersales.domain.ticket import Ticket
from aftersales.errors import CalendarDataMissing, NotFound
from aftersales.i18n.values import Term
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.complaint_clock_audience import follow_up_messages
from aftersales.service.context import DeskContext
from aftersales.service.sla_watch import SlaAlert, SlaWatch, announced_to, restarted_at

__all__ = ["withdraw_response_breach"]

WITHDRAWN = "sla_breach_withdrawn"
"""The notice's kind (``complaint_sla_breach_withdrawn`` for a complaint)."""


def withdraw_response_breach(
    context: DeskContext, uow: UnitOfWork, ticket: Ticket, tier: CustomerTier, now: datetime
) -> list[OutboxMessage]:
    """Withdraw the announced response breach of ``ticket`` if its response is now met in time; the
    notices to send (none when nothing was announced, it was withdrawn already, or it still stands)."""
    try:
        alert = uow.documents.get(SlaAlert, f"{ticket.id}:response:sla_breach")
    except NotFound:
        return []
    if alert.withdrawn_at is not None:
        return []
    try:
        target = context.sla.status(ticket, tier, now).get("response")
    except CalendarDataMissing:
        return []  # no clock to read: the announcement stands
    if target is None or target.met_at is None or target.breached:
        return []
    since = restarted_at(ticket, target)
    if since is not None and alert.at <= since:
        # Announced for an earlier clock (a reopened cycle's own response target): that response was
        # missed, whatever this one's contact says; before session 29 it was withdrawn too.
        return []
    alert.withdrawn_at = now
    uow.documents.save(alert)
    values: dict[str, object] = {
        "ticket_id": ticket.id,
        "target": Term("sla_target.response"),
        "due_at": alert.due_at or target.due_at or now,
        "met_at": target.met_at,
    }
    words = f"complaint_{WITHDRAWN}" if ticket.kind is TicketKind.COMPLAINT else WITHDRAWN
    key = f"{ticket.id}:sla:response:{WITHDRAWN}@{micros(alert.at)}"  # one per announcement
    notifications = context.notifications
    roles = announced_to(context.policies, ticket, "sla_breach")
    messages = list(notifications.staff_messages(words, roles, values, key, now, uow))
    handler = SlaWatch._handler(uow, ticket)  # told of the breach, told of its withdrawal
    if handler is not None:
        messages += notifications.contact_messages(words, "handler", handler, values, key, now)
    # a complaint's handler, and the agents who covered for them off shift, heard of the breach too
    messages += follow_up_messages(notifications, uow, ticket, words, values, key, now, announced_at=alert.at)
    return messages
