# mypy: disable-error-code="arg-type"
"""A small desk as the README builds it (memory store, sanitary-ware pack, manual clock in Shanghai),
and a ticket driven through many steps: what the JSON, reasons and jobs tests read."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.actors import Role
from aftersales.domain.classification import Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, DealerId
from aftersales.domain.parties import Customer, Dealer
from aftersales.ports.clock import Clock
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.views import CommandResult

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 12, tzinfo=SHANGHAI)
MANAGER = Actor.manager("mgr-zhou")
AGENT = Actor.agent("agent-li")
AUDITOR = Actor.auditor("audit")


STAFF = {
    Role.AGENT: [Contact("客服小李", email="callcentre@venus.example")],
    # whom the monthly feedback goes to (seed 004 第五条 1(6)): without one the job waits and says so
    Role.GENERAL_MANAGER: [Contact("总经理", email="gm@venus.example")],
}


def small_desk(url: str = "memory://", clock: Clock | None = None, **options: Any) -> ServiceDesk:
    """A desk with one dealer and one customer (王先生, reachable by SMS), agents to tell."""
    options.setdefault("notifier", MemoryNotifier())
    desk = ServiceDesk.open(
        url, pack="sanitary_ware", clock=clock or ManualClock(START), staff=STAFF, **options
    )
    contact = Contact("浦东特约网点", email="pudong@example.cn")
    desk.register_dealer(MANAGER, Dealer(DealerId("pudong"), "浦东特约网点", "sh-pudong", contact=contact))
    desk.register_customer(
        MANAGER,
        Customer(
            CustomerId("wang"),
            "王先生",
            Contact("王先生", phone="13800138000"),
            region="sh-pudong",
            dealer_id=DealerId("pudong"),
        ),
    )
    return desk


def dispatched_ticket(desk: ServiceDesk) -> tuple[str, CommandResult]:
    """A ticket opened, triaged and dispatched; the dispatch's result."""
    ticket = desk.open_ticket(AGENT, customer_id="wang", description="连体坐便器冲洗不出水").ticket
    desk.triage(AGENT, ticket.id, nature="no_flush", severity=Severity.MEDIUM)
    return ticket.id, desk.dispatch(AGENT, ticket.id)


def long_ticket(desk: ServiceDesk, events: int = 25) -> str:
    """A dispatched ticket with notes to the customer until it has ``events`` events."""
    ticket_id, _ = dispatched_ticket(desk)
    clock = desk.clock
    assert isinstance(clock, ManualClock)
    while len(desk.ticket(AUDITOR, ticket_id).events) < events:
        clock.advance(timedelta(minutes=7, microseconds=123))
        desk.note_to_customer(AGENT, ticket_id, text="工程师已出发，预计 30 分钟到达 on the way")
    return ticket_id
