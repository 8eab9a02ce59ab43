"""The customer of a complaint the office cancels is told it was closed, and why (seed 003 二 5 事事有回音).

A complaint registered by mistake or twice is cancelled by the office (:meth:`ComplaintFlow.cancel`);
before session 37 its customer heard nothing, and waited for an answer to a number that would never
give one. They are told now, with the office's reason; a duplicate names the complaint that carries it
on (``duplicate_of``), so the customer knows which number to ask about. A withdrawal is the customer's
own step: nothing to tell them.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.classification import TicketKind
from aftersales.domain.events import TicketEvent
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import NotFound, ValidationError
from aftersales.i18n.values import Term
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.context import DeskContext
from aftersales.service.stored_reasons import worded_reason

__all__ = ["CLOSED_KIND", "DUPLICATE_KIND", "DUPLICATE_OF_KEY", "check_duplicate_of", "closed_messages"]

CLOSED_KIND = "complaint_closed_customer"
"""The customer's notice of a complaint the office cancelled: its number and the reason."""

DUPLICATE_KIND = "complaint_closed_duplicate"
"""The customer's notice of a complaint cancelled as a duplicate: also the number that carries it on."""

DUPLICATE_OF_KEY = "duplicate_of"
"""The cancel step's payload key naming the complaint a duplicate is carried on by."""


def check_duplicate_of(uow: UnitOfWork, ticket: Ticket, duplicate_of: str | None) -> None:
    """Refuse a ``duplicate_of`` that cannot carry ``ticket`` on: itself, no complaint of the same
    customer, or a complaint already ended: cancelled, withdrawn or closed (``ValidationError`` naming
    ``duplicate_of``)."""
    if duplicate_of is None:
        return
    rule = "is another open complaint of the same customer"
    if duplicate_of == ticket.id:
        raise ValidationError(f"duplicate_of {rule}: not the complaint cancelled", field="duplicate_of")
    try:
        other: Ticket | None = uow.tickets.get(duplicate_of)
    except NotFound:
        other = None
    # Not found and another customer's read alike: the refusal tells nothing of others' complaints.
    if other is None or other.kind is not TicketKind.COMPLAINT or other.customer_id != ticket.customer_id:
        raise ValidationError(f"duplicate_of {rule}: {duplicate_of!r} is none", field="duplicate_of")
    if other.state in _ENDED:
        raise ValidationError(f"duplicate_of {rule}: {duplicate_of!r} was ended", field="duplicate_of")


_ENDED = frozenset({TicketState.CANCELLED.value, TicketState.CLOSED.value})
"""A complaint cancelled, withdrawn or closed carries nothing on."""


def closed_messages(
    context: DeskContext, uow: UnitOfWork, ticket: Ticket, event: TicketEvent, now: datetime
) -> list[OutboxMessage]:
    """The customer's notice of ``event`` (a complaint's ``cancel`` step), when the notification policy
    tells the customer of progress: the reason, and the complaint carrying it on for a duplicate."""
    values: dict[str, object] = {
        "ticket_id": ticket.id,
        "reason": worded_reason(event.reason) or Term("value.none"),
    }
    duplicate_of = event.payload.get(DUPLICATE_OF_KEY)
    kind = CLOSED_KIND
    if isinstance(duplicate_of, str) and duplicate_of:
        kind, values["duplicate_of"] = DUPLICATE_KIND, duplicate_of
    key = f"{ticket.id}:{event.seq}:{CLOSED_KIND}"
    policy = context.policies.notification
    return context.notifications.customer_messages(uow, ticket, kind, values, key, policy, now)
