"""Seed 001 五(一)2 (对于紧急问题,售后专员应立即响应,并在[X]分钟内与客户取得联系) on the exhibition-services
pack: the reason ``sla_urgent_contact`` is given only where the urgent contact changed the response due
(session 35).

The pack's critical grade answers in 0.5 hours of the clock, the urgent contact's 30 minutes: a problem
graded critical at the call owes the same due either way, and its decision said ``sla_urgent_contact``
all the same (session 34 gave the reason whenever the minutes applied, so the re-counting after a later
grade would count the contact from the call). Found critical at its assessment two hours after the call,
the contact is still due 30 minutes after the call — the grade's own response, counted from the change,
would be due 30 minutes after the triage — so there the reason is given. Reasons are not stored: memory only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from aftersales import Priority, ServiceDesk, Severity
from aftersales.policies.registry import resolve_policies
from aftersales.policies.sla import SlaFacts
from conftest import SHANGHAI, World, noticed_desk


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 11, hour, minute, tzinfo=SHANGHAI)


def _codes(desk: ServiceDesk, tid: str) -> tuple[str, ...]:
    sla = desk.sla_watch.context.sla
    with desk.context.reader(snapshot=False) as uow:
        ticket = uow.tickets.get(tid)
        decision = sla.targets(ticket, desk.runner.tier(uow, ticket))
    assert decision is not None
    return decision.codes


def _system_down(desk: ServiceDesk, world: World) -> str:
    opened = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="展会签到系统宕机")
    return opened.ticket.id


def _critical(desk: ServiceDesk, world: World, tid: str) -> None:
    desk.triage(world.agent, tid, nature="system_down", severity=Severity.HIGH, production_stopped=True)
    assert desk.ticket(world.manager, tid).priority is Priority.CRITICAL


def test_the_critical_grades_own_thirty_minutes_carry_no_urgent_contact_reason() -> None:
    policy = resolve_policies("exhibition_services").sla
    critical = policy.decide(SlaFacts(Priority.CRITICAL))
    assert critical.outcome.get("response") is not None
    assert critical.outcome.get("response").duration == timedelta(minutes=30)  # type: ignore[union-attr]
    assert "sla_urgent_contact" not in critical.codes
    # A flagged expedited call (2 hours of the clock otherwise) is changed by the contact: the reason stays.
    flagged = policy.decide(SlaFacts(Priority.EXPEDITED, urgent=True))
    assert flagged.outcome.get("response").duration == timedelta(minutes=30)  # type: ignore[union-attr]
    assert "sla_urgent_contact" in flagged.codes


def test_graded_critical_at_the_call_no_reason_found_critical_later_the_reason(tmp_path: Path) -> None:
    with noticed_desk("memory", tmp_path, "exhibition_services") as (desk, clock, world, _):
        clock.set(_at(9, 0))
        at_once = _system_down(desk, world)
        _critical(desk, world, at_once)
        assert desk.sla(world.manager, at_once)["response"].due_at == _at(9, 30)
        assert "sla_urgent_contact" not in _codes(desk, at_once)
        later = _system_down(desk, world)
        clock.set(_at(11, 0))
        _critical(desk, world, later)
        # Counted from the call, not from the triage (session 29): the contact changed the due.
        assert desk.sla(world.manager, later)["response"].due_at == _at(9, 30)
        assert "sla_urgent_contact" in _codes(desk, later)
