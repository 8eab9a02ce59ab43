"""A ticket hook that says which steps and states it reacts to is called only by the commands that take
one of those steps or move the ticket into or out of one of those states (issue 21, session 37c): the
desk's own hooks each found nothing to do on a triage, a dispatch or a note, at a call each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.hook_scope import reacting_to, scope_of

AGENT = Actor.agent("agent-1")
MANAGER = Actor.manager("mgr-1")


def _calls(seen: list[str], name: str) -> Any:
    def hook(uow: Any, actor: Any, ticket: Any, before: str, events: Sequence[Any], now: datetime) -> None:
        seen.append(f"{name}:{events[-1].action}")

    return hook


def test_a_scoped_hook_runs_only_for_its_steps_and_states() -> None:
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    desk = ServiceDesk.open("memory://", pack="sanitary_ware", clock=clock)
    desk.register_customer(MANAGER, Customer(CustomerId("c1"), "客户", Contact("客户", phone="13900000001")))
    seen: list[str] = []
    desk.runner.on_ticket_change(_calls(seen, "every"))
    desk.runner.on_ticket_change(reacting_to(_calls(seen, "triage"), actions=("triage",)))
    desk.runner.on_ticket_change(reacting_to(_calls(seen, "cancelled"), states=("cancelled",)))
    one = desk.open_ticket(AGENT, customer_id="c1", description="马桶漏水").ticket.id
    clock.advance(timedelta(minutes=1))
    desk.note_to_customer(AGENT, one, text="工程师已出发")
    desk.triage(AGENT, one, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.cancel(AGENT, one, reason="客户取消")
    assert seen == [
        "every:note_to_customer",
        "every:triage",
        "triage:triage",
        "every:cancel",
        "cancelled:cancel",
    ]


def test_the_desks_own_hooks_say_when_they_act() -> None:
    # Of the desk's ticket hooks only the report rule and the search index upkeep act on any command.
    desk = ServiceDesk.open("memory://", pack="sanitary_ware")
    unscoped = [hook for hook, _ in desk.runner._ticket_hooks if scope_of(hook) is None]
    assert sorted(getattr(hook, "__name__", "") for hook in unscoped) == ["reindex", "report_rule"]
