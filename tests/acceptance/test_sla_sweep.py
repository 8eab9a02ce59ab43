"""The SLA sweep warns before a breach and reports the breach, once each, to handler and manager."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales import (
    Actor,
    Contact,
    Customer,
    CustomerId,
    Engineer,
    EngineerId,
    PermissionDenied,
    Role,
    ServiceDesk,
)
from aftersales.adapters import ManualClock, MemoryNotifier
from aftersales.domain.classification import Plan, Severity

TZ = ZoneInfo("Asia/Shanghai")
MANAGER, AGENT, SYSTEM = Actor.manager("mgr"), Actor.agent("agent"), Actor.system()


def _desk(clock: ManualClock, notifier: MemoryNotifier, pack: str = "office_equipment") -> ServiceDesk:
    desk = ServiceDesk.open(
        "memory://",
        pack=pack,
        clock=clock,
        notifier=notifier,
        staff={Role.MANAGER: [Contact("周经理", email="zhou@example.cn")]},
    )
    desk.register_customer(
        MANAGER, Customer(CustomerId("c1"), "李女士", Contact("李女士", phone="13800000000"), region="sh")
    )
    engineer = Engineer(
        EngineerId("e1"), "张工", region="sh", contact=Contact("张工", email="zhang@example.cn", locale="en")
    )
    desk.register_engineer(MANAGER, engineer)
    return desk


def test_warning_then_breach_each_announced_once() -> None:
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=TZ))  # a Monday
    notifier = MemoryNotifier()
    desk = _desk(clock, notifier)
    ticket = desk.open_ticket(AGENT, customer_id="c1", description="打印机卡纸").ticket
    desk.triage(AGENT, ticket.id, nature="paper_jam", severity=Severity.LOW, plan=Plan.ON_SITE)
    desk.dispatch(AGENT, ticket.id, engineer_id="e1")
    due = desk.ticket(AGENT, ticket.id).resolution_due_at
    assert due is not None
    status = desk.sla(AGENT, ticket.id)
    budget = status.get("resolution").budget  # type: ignore[union-attr]

    nothing = desk.sla_watch.sweep(SYSTEM)
    assert nothing.checked == 1 and not any(k.endswith(":resolution") for k in nothing.warnings)

    clock.set(desk.calendar.add(ticket.received_at, budget * 0.85))  # type: ignore[union-attr]
    warned = desk.sla_watch.sweep(SYSTEM)
    assert f"{ticket.id}:resolution" in warned.warnings
    assert f"{ticket.id}:resolution" not in desk.sla_watch.sweep(SYSTEM).warnings  # once only

    clock.set(due + timedelta(days=2))
    breached = desk.sla_watch.sweep(SYSTEM)
    assert f"{ticket.id}:resolution" in breached.breaches
    assert desk.sla_watch.sweep(SYSTEM).breaches == ()

    desk.deliver()
    to_manager = [m for m in notifier.sent if m.recipient == "zhou@example.cn"]
    to_engineer = [m for m in notifier.sent if m.recipient == "zhang@example.cn"]
    assert any(ticket.id in m.subject for m in to_manager)
    assert any(m.locale == "en" and ticket.id in m.body for m in to_engineer)
    assert len({m.idempotency_key for m in notifier.sent}) == len(notifier.sent)


def test_only_the_system_and_managers_sweep() -> None:
    desk = _desk(ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=TZ)), MemoryNotifier())
    with pytest.raises(PermissionDenied):
        desk.sla_watch.sweep(AGENT)


def test_a_repeat_sweep_skips_nothing_that_changed_since_the_last(tmp_path: Path) -> None:
    """The sweep remembers when each running clock can next warn; a new event or a customer's new tier
    brings that earlier, and the next sweep must see it (not the remembered instant)."""
    from aftersales import CustomerTier, Priority

    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=TZ))  # a Monday
    # A pack whose SLA tightens a VIP's targets (the policy's VIP × 0.5, written out: the seeds' packs
    # count importance in the grade alone, or not at all).
    pack = tmp_path / "vip_half.toml"
    pack.write_text(
        '[pack]\nname = "vip_half"\nextends = "general_maintenance"\n\n[sla]\ntier_factor = { vip = 0.5 }\n',
        encoding="utf-8",
    )
    desk = _desk(clock, MemoryNotifier(), pack=str(pack))
    first = desk.open_ticket(AGENT, customer_id="c1", description="打印机卡纸", priority=Priority.NORMAL)
    raised = first.ticket.id
    desk.register_customer(
        MANAGER, Customer(CustomerId("c2"), "王先生", Contact("王先生", phone="13800000000"), region="sh")
    )
    upgraded = desk.open_ticket(AGENT, customer_id="c2", description="复印机不出纸").ticket.id
    for ticket_id in (raised, upgraded):  # the response is met: only the resolution clocks run
        desk.contact_customer(AGENT, ticket_id, note="工程师明天上午上门")
    normal = desk.sla(AGENT, raised)["resolution"]
    assert normal.warning_at is not None
    assert desk.sla_watch.sweep(SYSTEM).warnings == ()  # remembers: nothing before normal.warning_at

    desk.triage(
        AGENT,
        raised,
        nature="jam",
        severity=Severity.HIGH,
        priority=Priority.CRITICAL,
        priority_reason="停产",
    )
    desk.register_customer(
        MANAGER,
        Customer(
            CustomerId("c2"),
            "王先生",
            Contact("王先生", phone="13800000000"),
            region="sh",
            tier=CustomerTier.VIP,
        ),
    )
    critical = desk.sla(AGENT, raised)["resolution"]
    vip = desk.sla(AGENT, upgraded)["resolution"]
    assert critical.warning_at is not None and vip.warning_at is not None
    assert critical.warning_at < normal.warning_at and vip.warning_at < normal.warning_at
    clock.set(max(critical.warning_at, vip.warning_at) + timedelta(minutes=1))
    assert clock.now() < normal.warning_at
    warned = desk.sla_watch.sweep(SYSTEM)
    assert f"{raised}:resolution" in warned.warnings
    assert f"{upgraded}:resolution" in warned.warnings
