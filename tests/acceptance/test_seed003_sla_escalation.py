"""Seed 003 (and the escalation table): who the SLA sweep tells of a warning and of a breach.

特急问题则启动应急小组,由部门负责人协调资源优先处理: the department head coordinates a critical
ticket, so they hear of its warning and breach along with the manager (before, only the manager and
the handler did). A pack that sends SLA breaches elsewhere (``[escalation] targets.sla_breach``) is
obeyed: the sweep used to tell the manager whatever the pack said. Memory and SQLite alike.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.actors import Role
from aftersales.domain.classification import Plan, Priority, Severity
from aftersales.policies.escalation import DefaultEscalation, EscalationParams, EscalationTrigger
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, make_world, register, store_url

MANAGER, HEAD, GM = "manager@venus.example", "head@venus.example", "13800000009"


def _critical_ticket_past_its_response(
    url: str, clock: ManualClock, notifier: MemoryNotifier, overrides: dict[str, object] | None = None
) -> tuple[ServiceDesk, str]:
    world = make_world()
    desk = ServiceDesk.open(
        url, pack="office_equipment", clock=clock, notifier=notifier, staff=STAFF, overrides=overrides
    )
    register(desk, world)
    ticket_id = desk.open_ticket(
        world.agent, customer_id=world.cust_zh.id, description="整层打印机停机", priority=Priority.CRITICAL
    ).ticket.id
    desk.triage(
        world.agent,
        ticket_id,
        nature="outage",
        severity=Severity.HIGH,
        plan=Plan.ON_SITE,
        production_stopped=True,
    )
    assert desk.ticket(world.manager, ticket_id).priority is Priority.CRITICAL
    desk.dispatch(world.agent, ticket_id, engineer_id=world.eng_senior.id)
    desk.deliver()
    notifier.clear()
    return desk, ticket_id


def _kinds_to(notifier: MemoryNotifier, recipient: str, ticket_id: str) -> list[str]:
    # The key names the ticket, the target and the kind: "<ticket>:sla:<target>:<kind>:<audience>:<digest>".
    keys = [m.idempotency_key.split(":") for m in notifier.to(recipient)]
    return [k[3] for k in keys if k[0] == ticket_id and k[1] == "sla"]


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_critical_tickets_warning_and_breach_reach_the_department_head(
    backend: str, tmp_path: Path
) -> None:
    clock, notifier = ManualClock(START), MemoryNotifier()
    with store_url(backend, tmp_path) as url:
        desk, ticket_id = _critical_ticket_past_its_response(url, clock, notifier)
        with desk:
            clock.advance(timedelta(minutes=25))  # 30 working minutes to respond: at risk
            assert f"{ticket_id}:response" in desk.sla_watch.sweep(desk_system()).warnings
            desk.deliver()
            assert _kinds_to(notifier, HEAD, ticket_id) == ["sla_warning"]
            assert _kinds_to(notifier, MANAGER, ticket_id) == ["sla_warning"]
            clock.advance(timedelta(minutes=10))
            assert f"{ticket_id}:response" in desk.sla_watch.sweep(desk_system()).breaches
            desk.deliver()
            assert _kinds_to(notifier, HEAD, ticket_id) == ["sla_warning", "sla_breach"]
            assert _kinds_to(notifier, MANAGER, ticket_id) == ["sla_warning", "sla_breach"]
            # A second sweep announces nothing again.
            desk.sla_watch.sweep(desk_system())
            desk.deliver()
            assert len(_kinds_to(notifier, HEAD, ticket_id)) == 2


def test_a_normal_tickets_breach_does_not_go_to_the_department_head(tmp_path: Path) -> None:
    clock, notifier, world = ManualClock(START), MemoryNotifier(), make_world()
    with ServiceDesk.open(
        "memory://", pack="office_equipment", clock=clock, notifier=notifier, staff=STAFF
    ) as desk:
        register(desk, world)
        ticket_id = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸").ticket.id
        clock.advance(timedelta(hours=6))  # 4 working hours to respond: due at 14:00 (lunch 12–13)
        assert f"{ticket_id}:response" in desk.sla_watch.sweep(world.system).breaches
        desk.deliver()
        assert _kinds_to(notifier, MANAGER, ticket_id) == ["sla_breach"]
        assert _kinds_to(notifier, HEAD, ticket_id) == []


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_the_packs_escalation_of_an_sla_breach_is_obeyed(backend: str, tmp_path: Path) -> None:
    clock, notifier = ManualClock(START), MemoryNotifier()
    to_gm = EscalationParams(targets={EscalationTrigger.SLA_BREACH: (Role.GENERAL_MANAGER,)})
    overrides: dict[str, object] = {"escalation": DefaultEscalation(to_gm)}
    with store_url(backend, tmp_path) as url:
        desk, ticket_id = _critical_ticket_past_its_response(url, clock, notifier, overrides)
        with desk:
            clock.advance(timedelta(minutes=25))
            desk.sla_watch.sweep(desk_system())
            clock.advance(timedelta(minutes=10))
            desk.sla_watch.sweep(desk_system())
            desk.deliver()
            # The warning still goes to the manager; the breach to the general manager the pack names
            # (and the critical ticket's coordinator), not to the manager.
            assert _kinds_to(notifier, MANAGER, ticket_id) == ["sla_warning"]
            assert _kinds_to(notifier, GM, ticket_id) == ["sla_breach"]
            assert _kinds_to(notifier, HEAD, ticket_id) == ["sla_warning", "sla_breach"]


def desk_system() -> Actor:
    """The system actor that runs the sweep."""
    return make_world().system
