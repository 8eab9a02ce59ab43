"""Threads on one desk share its SLA service's memo of event logs: another thread may evict an entry at
any moment, and a command must not fail for it.

The memo stored a ticket's fresh entry, then moved it to the recent end; an entry that was already
kept stays where it was when stored again, so when it was the oldest, another thread evicting for
room (the memo is full at 8,192 tickets) could drop it in between, and ``move_to_end`` raised a bare
``KeyError`` out of the command (no untyped exception may leave the public API).
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

AGENT, MANAGER = Actor.agent("agent-1"), Actor.manager("mgr-1")
SHANGHAI = ZoneInfo("Asia/Shanghai")


class EvictedAtOnce(OrderedDict[str, Any]):
    """A memo whose entries another thread evicts the moment they are stored."""

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        super().pop(key)


def test_a_log_entry_evicted_by_another_thread_fails_no_command() -> None:
    desk = ServiceDesk.open("memory://", clock=ManualClock(datetime(2026, 3, 2, 9, tzinfo=SHANGHAI)))
    desk.register_customer(
        MANAGER, Customer(CustomerId("c1"), "李女士", Contact("李女士", phone="13900000000"))
    )
    ticket = desk.open_ticket(AGENT, customer_id="c1", description="打印机卡纸").ticket
    desk.sla_service._kept = EvictedAtOnce()
    desk.triage(AGENT, ticket.id, nature="paper_jam", severity=Severity.LOW)
    desk.note_to_customer(AGENT, ticket.id, text="已安排", visible=False)
    assert desk.sla(AGENT, ticket.id).get("resolution") is not None
