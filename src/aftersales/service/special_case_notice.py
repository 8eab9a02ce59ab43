"""The holder of a job is told of a special case approved on it (seed 002 分工 6: 乙方…必须保证在24小时之内
给用户解决问题,特殊情况不得超过48小时).

The dealer's dispatch notice gives the 24-hour time; when the maker approves the special case
(``desk.extend_sla``), the dealer — or whichever engineer holds the job — now hears the new limit and the new
due, with the approval's reason, instead of working to a time that no longer holds; so does the customer
(the new due, session 37), and the dealer whose own engineer holds the job. Only the desk's own
approval tells: a planned visit moved to another day extends its clocks through the same step, and that
postponement is not a special case (``service.maintenance``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from aftersales.domain.events import TicketEvent
from aftersales.domain.sla_targets import SLA_EXTENSION_KEY
from aftersales.domain.ticket import Ticket
from aftersales.i18n.values import Term
from aftersales.ports.outbox import OutboxMessage
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.context import DeskContext

__all__ = [
    "SLA_EXTENDED_CUSTOMER_KIND",
    "SLA_EXTENDED_CUSTOMER_UNDATED_KIND",
    "SLA_EXTENDED_KIND",
    "SLA_EXTENDED_UNDATED_KIND",
    "special_case_messages",
]

SLA_EXTENDED_KIND = "sla_extended"
"""The notification kind telling the holder its time was extended."""

SLA_EXTENDED_CUSTOMER_KIND = "sla_extended_customer"
"""The notification kind telling the customer the time of their ticket was extended."""

SLA_EXTENDED_CUSTOMER_UNDATED_KIND = "sla_extended_customer_undated"
"""The customer's notice of a special case whose new due cannot be computed: the new limit in hours, no
time (session 39: the customer was told nothing, though the time they wait to had moved)."""

SLA_EXTENDED_UNDATED_KIND = "sla_extended_undated"
"""The holder's notice of a special case whose new due cannot be computed (the working calendar's holiday
data has run out, ``CalendarDataMissing``): the new limit and the reason, not "now due on none"."""


def special_case_messages(
    context: DeskContext,
    uow: UnitOfWork,
    ticket: Ticket,
    event: TicketEvent,
    due_at: datetime | None,
    now: datetime,
) -> list[OutboxMessage]:
    """The ``sla_extended`` notice of ``event`` (an ``extend_sla`` step) to the ticket's holder: the target,
    its new limit in hours (as the contract counts them: 48小时, not "2 days" a reader could take for
    working days), ``due_at`` (the target's new due; ``None`` when it cannot be computed) and the reason.
    None when nobody holds the ticket or the notification policy tells no holder of assignments.

    Session 37: the customer is told the new due too (``sla_extended_customer``, without the approval's
    reason, when the policy tells the customer of progress), and a dealer whose own engineer holds the
    job hears it beside its engineer (the 24/48 hours are the dealer's contract, 分工 6). Session 39: with no
    new due the customer hears the new limit in hours (``sla_extended_customer_undated``), as the holder
    does, rather than nothing."""
    notifications = context.notifications
    policy = context.policies.notification
    told: list[OutboxMessage] = []
    key = f"{ticket.id}:{event.seq}:{SLA_EXTENDED_KIND}"
    target = event.payload.get(SLA_EXTENSION_KEY)
    seconds = event.payload.get("new_limit_seconds")
    hours = _hours(seconds) if isinstance(seconds, int) else None
    # The customer waits to the new limit too (session 37: they were not told); without a due they hear
    # the limit, as the holder does (session 39: they heard nothing while the holder heard the 48 hours).
    facts: dict[str, object] = {"ticket_id": ticket.id, "target": Term(f"sla_target.{target}")}
    customer_kind: str | None = None
    if due_at is not None:
        customer_kind, facts["due_at"] = SLA_EXTENDED_CUSTOMER_KIND, due_at
    elif hours is not None:
        customer_kind, facts["hours"] = SLA_EXTENDED_CUSTOMER_UNDATED_KIND, hours
    if customer_kind is not None:
        told += notifications.customer_messages(
            uow, ticket, customer_kind, facts, f"{key}:customer", policy, now
        )
    if ticket.assignee is None:
        return told
    values: dict[str, object] = {
        "ticket_id": ticket.id,
        "target": Term(f"sla_target.{target}"),
        "hours": hours if hours is not None else Term("value.none"),
        "reason": event.reason or Term("value.none"),
    }
    kind = SLA_EXTENDED_UNDATED_KIND  # session 38: no due is promised rather than "now due on none"
    if due_at is not None:
        kind, values["due_at"] = SLA_EXTENDED_KIND, due_at
    # A dealer whose own engineer holds the job hears it beside the engineer (notify's
    # _FITTERS_DEALER_HEARS): the 48 hours are its contract's (分工 6).
    return told + notifications.holder_messages(uow, ticket, kind, values, key, policy, now)


def _hours(seconds: int) -> int | Decimal:
    """``seconds`` in hours: whole (48), else to a tenth (36.5)."""
    if seconds % 3600 == 0:
        return seconds // 3600
    return (Decimal(seconds) / 3600).quantize(Decimal("0.1"))
