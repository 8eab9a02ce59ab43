"""The runner finds the ticket hooks a kind of step concerns once, not by asking every hook's scope on every
command (issue 21, session 39b): a desk's commands take a handful of kinds of step (the states before and
after, the steps taken), and the ten scoped hooks of a desk answered the same for each again."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.hook_scope import HookScope, reacting_to

AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")


def _calls(seen: list[str], name: str) -> Any:
    def hook(uow: Any, actor: Any, ticket: Any, before: str, events: Sequence[Any], now: datetime) -> None:
        seen.append(f"{name}:{events[-1].action}")

    return hook


def test_each_kind_of_step_asks_the_scopes_once_and_a_later_hook_is_still_called(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    desk = ServiceDesk.open("memory://", pack="sanitary_ware", clock=clock)
    desk.register_customer(MANAGER, Customer(CustomerId("c1"), "客户", Contact("客户", phone="13900000001")))
    tickets = [desk.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id for _ in range(3)]
    asked: list[tuple[str, str]] = []
    concerns = HookScope.concerns

    def counted(self: HookScope, before: str, after: str, actions: frozenset[str]) -> bool:
        asked.append((before, after))
        return concerns(self, before, after, actions)

    monkeypatch.setattr(HookScope, "concerns", counted)
    clock.advance(timedelta(minutes=1))
    desk.note_to_customer(AGENT, tickets[0], text="工程师已出发")
    first = len(asked)
    assert first > 0  # the desk's own scoped hooks were asked about this kind of step
    for ticket in tickets[1:]:
        desk.note_to_customer(AGENT, ticket, text="工程师已出发")
    assert len(asked) == first  # the same kind of step: their answers kept, no scope asked again

    # A hook registered later is called by the kinds of step already seen, after the desk's own.
    seen: list[str] = []
    desk.runner.on_ticket_change(_calls(seen, "every"))
    desk.runner.on_ticket_change(reacting_to(_calls(seen, "cancelled"), states=("cancelled",)))
    desk.note_to_customer(AGENT, tickets[0], text="明天上门")
    desk.cancel(AGENT, tickets[1], reason="客户取消")
    assert seen == ["every:note_to_customer", "every:cancel", "cancelled:cancel"]
