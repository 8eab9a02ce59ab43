# mypy: disable-error-code="arg-type"
"""Seed 003 二 3 响应时效 (Y个工作小时内响应) and 三 以…响应速度…为核心指标的绩效考核: a response due on a
working-time clock at a working window's end is met by an answer before the next window starts, no
working time having passed since. The live SLA (``desk.sla``), the KPI report and the breach report judge
it alike, on memory, SQLite and PostgreSQL; the due shown to people stays the due.

A VIP's urgent call on Friday 6 March 2026 at 17:30 owes its response within 30 working minutes, due at
18:00 (office-equipment pack). Answered on Saturday, or on Monday at 09:00, it is on time; at 09:01 late.
A VIP's call at 11:30 on a weekday is due at 12:00: answered in the lunch hour, on time; at 13:01 late.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Severity
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import KpiRow, kpi_report
from aftersales.reports.sla import SlaCell, sla_breaches
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]
MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def _vip_call(desk: ServiceDesk, world: World, text: str) -> str:
    return desk.open_ticket(
        world.agent, customer_id=world.cust_en.id, description=text, urgent=True
    ).ticket.id


def _reports(desk: ServiceDesk, world: World, as_of: datetime) -> tuple[KpiRow, SlaCell]:
    assert desk.calendar is not None
    kpi = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=as_of).total
    return kpi, sla_breaches(desk, world.manager, MARCH, as_of=as_of).total


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_response_due_at_friday_18_is_on_time_until_monday_09_in_every_report(
    backend: str, tmp_path: Path
) -> None:
    with noticed_desk(backend, tmp_path, "office_equipment") as (desk, clock, world, _):
        clock.set(_at(6, 17, 30))
        saturday, monday, late, silent = (
            _vip_call(desk, world, text)
            for text in ("Printer jammed on floor 3", "Copier down", "Scanner dead", "Fax silent")
        )
        assert desk.ticket(world.manager, saturday).response_due_at == _at(6, 18, 0)
        clock.set(_at(7, 10, 0))
        desk.contact_customer(world.agent, saturday, note="Engineer comes Monday morning")
        assert not desk.sla(world.manager, saturday)["response"].breached
        kpi, breaches = _reports(desk, world, clock.now())
        # the one answered on Saturday is on time; the three unanswered are not late yet (no working time)
        assert (kpi.response_met, kpi.response_missed, kpi.response_on_time_rate) == (1, 0, Decimal(1))
        assert breaches.response_breached == 0
        clock.set(_at(9, 9, 0))
        desk.contact_customer(world.agent, monday, note="Engineer on the way")
        clock.set(_at(9, 9, 1))
        desk.contact_customer(world.agent, late, note="Engineer on the way")
        met = {
            tid: not desk.sla(world.manager, tid)["response"].breached
            for tid in (saturday, monday, late, silent)
        }
        assert met == {saturday: True, monday: True, late: False, silent: False}
        kpi, breaches = _reports(desk, world, clock.now())
        assert (kpi.response_met, kpi.response_missed, kpi.response_on_time_rate) == (2, 1, Decimal("0.5"))
        assert breaches.response_breached == 2
        # the due shown to people stays the due
        assert desk.ticket(world.manager, monday).response_due_at == _at(6, 18, 0)
        assert desk.sla(world.manager, monday)["response"].due_at == _at(6, 18, 0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_response_due_at_noon_is_on_time_through_the_lunch_hour_in_every_report(
    backend: str, tmp_path: Path
) -> None:
    with noticed_desk(backend, tmp_path, "office_equipment") as (desk, clock, world, _):
        clock.set(_at(11, 11, 30))
        lunch, late = (_vip_call(desk, world, text) for text in ("Printer jammed", "Copier down"))
        assert desk.ticket(world.manager, lunch).response_due_at == _at(11, 12, 0)
        clock.set(_at(11, 12, 45))
        desk.contact_customer(world.agent, lunch, note="Engineer comes at 14:00")
        clock.set(_at(11, 13, 1))
        desk.contact_customer(world.agent, late, note="Engineer comes at 15:00")
        assert not desk.sla(world.manager, lunch)["response"].breached
        assert desk.sla(world.manager, late)["response"].breached
        kpi, breaches = _reports(desk, world, clock.now())
        assert (kpi.response_met, kpi.response_missed, kpi.response_on_time_rate) == (1, 0, Decimal("0.5"))
        assert breaches.response_breached == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_reopened_ticket_keeps_its_first_cycles_answer_on_time(backend: str, tmp_path: Path) -> None:
    # The reopen keeps the cycle it ends (回访 found the problem back): the first response is judged
    # against that cycle's last on-time instant, not its due.
    with noticed_desk(backend, tmp_path, "office_equipment") as (desk, clock, world, _):
        clock.set(_at(6, 17, 30))
        tid = _vip_call(desk, world, "Printer jammed on floor 3")
        clock.set(_at(7, 10, 0))
        desk.contact_customer(world.agent, tid, note="Engineer comes Monday morning")
        clock.set(_at(9, 10, 0))
        desk.triage(world.agent, tid, nature="paper_path", severity=Severity.MEDIUM)
        desk.dispatch(world.agent, tid, engineer_id=world.eng_senior.id)
        desk.start_work(world.senior, tid)
        desk.resolve(world.senior, tid, summary="Feed roller replaced")
        desk.confirm(world.agent, tid, channel="service_slip", note="Signed")
        clock.set(_at(9, 15, 0))
        desk.record_callback(world.agent, tid, problem_back=True)
        reopen = [e for e in desk.ticket(world.manager, tid).events if e.action == "reopen"][-1]
        cycle = reopen.payload["ended_cycle"]  # type: ignore[index]
        assert cycle["response_late_after"] == _at(9, 9, 0).isoformat()  # type: ignore[index,call-overload]
        kpi, breaches = _reports(desk, world, clock.now())
        assert (kpi.response_met, kpi.response_missed) == (1, 0)
        assert breaches.response_breached == 0
