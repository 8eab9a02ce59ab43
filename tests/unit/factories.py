"""Small builders for domain objects used across unit tests."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel
from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.ticket import Ticket

SHANGHAI = ZoneInfo("Asia/Shanghai")
AGENT = ActorRef("agent-1", Role.AGENT)
ENGINEER = ActorRef("eng-1", Role.ENGINEER)
CUSTOMER = ActorRef("cust-1", Role.CUSTOMER)


def at(day: int, hour: int = 9, minute: int = 0, month: int = 3) -> datetime:
    """An instant in March 2026, Shanghai time."""
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def new_ticket(ticket_id: str = "T-1", received: datetime | None = None) -> Ticket:
    return Ticket.open(
        id=TicketId(ticket_id),
        customer_id=CustomerId("cust-1"),
        channel=Channel.PHONE,
        category=Category.REPAIR,
        description="冲洗不出水 (no water when flushing)",
        received_at=received or at(2),
        taken_by=AGENT,
    )
