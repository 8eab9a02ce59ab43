"""The centre's notice of crisis facts a customer states in a complaint (seed 004 第八条).

A customer's crisis facts do not classify the complaint (the centre decides: 第八条 2(4)-(5)), but the
centre must see the claim at once to classify it promptly: the ordinary new-complaint notice does not
say it. No escalation is sent here: that follows the centre's classification.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import Enum

from aftersales.domain.complaints import CrisisFacts
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket
from aftersales.ports.outbox import OutboxMessage
from aftersales.service.context import DeskContext
from aftersales.service.coordination import SERVICE_CENTRE

__all__ = ["stated_crisis_notice"]


def _codes(values: Iterable[Enum]) -> str | None:
    """Codes as a comma list in code order (labelled in the reader's words), or None for none."""
    codes = sorted(str(v.value) for v in values)
    return ",".join(codes) if codes else None


def stated_crisis_reason(facts: CrisisFacts) -> Reason:
    """The customer's claim as a reason: the problems, the economic loss and the recourse stated."""
    return Reason(
        "crisis_stated",
        {
            "crisis_problem": _codes(facts.problems),
            "economic_loss": facts.economic_loss,
            "recourse": _codes(facts.recourse),
        },
    )


def stated_crisis_notice(
    context: DeskContext, ticket: Ticket, facts: CrisisFacts, now: datetime
) -> list[OutboxMessage]:
    """``complaint_crisis_stated`` to the service centre for the new complaint ``ticket``."""
    values: dict[str, object] = {
        "complaint_id": ticket.id,
        "received_at": ticket.received_at,
        "claim": stated_crisis_reason(facts),
    }
    key = f"{ticket.id}:complaint_crisis_stated"
    return context.notifications.staff_messages("complaint_crisis_stated", SERVICE_CENTRE, values, key, now)
