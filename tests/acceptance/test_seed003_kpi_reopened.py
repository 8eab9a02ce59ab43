"""The KPI judges a reopened ticket over all its cycles (seed 003: 回访; 绩效考核: 响应速度、问题解决率).

A repair resolved late, found back at the callback and then resolved in time used to count on time in the
KPI (only the current cycle's due time was read), while the breach report counted it late. The reopen now
keeps the cycle it ends, and the KPI judges the resolution against the earliest due time a cycle missed,
the first response against the first cycle's due time (a reopened cycle has no response target of its
own). Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Plan, Severity
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import kpi_report
from aftersales.reports.sla import sla_breaches
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url

H = timedelta(hours=1)


def _repair(desk: ServiceDesk, clock: ManualClock, world: World, ticket_id: str, took: timedelta) -> None:
    clock.advance(took)
    desk.start_work(world.senior, ticket_id)
    desk.resolve(world.senior, ticket_id, summary="更换搓纸轮")
    desk.confirm(world.customer_zh, ticket_id, note="好了")


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_cycle_resolved_late_stays_late_in_the_kpi_after_a_reopen(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(START), make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF) as desk,
    ):
        register(desk, world)
        ticket_id = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸").ticket.id
        desk.triage(world.agent, ticket_id, nature="jam", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(world.agent, ticket_id, engineer_id=world.eng_senior.id)
        desk.contact_customer(
            world.senior, ticket_id, expected_at=clock.now() + H, note="已联系客户，告知预计上门时间"
        )  # answered at once
        _repair(desk, clock, world, ticket_id, timedelta(days=4))  # 3 working days allowed: late
        clock.advance(2 * H)
        desk.record_callback(world.agent, ticket_id, problem_back=True)
        reopen = [e for e in desk.ticket(world.manager, ticket_id).events if e.action == "reopen"][-1]
        assert reopen.payload["ended_cycle"]["resolved_at"] is not None  # type: ignore[index,call-overload]
        _repair(desk, clock, world, ticket_id, 2 * H)  # the second cycle: in time

        now = clock.now()
        period = Period(START, now + H)
        total = kpi_report(reporting_for(desk.store), period, desk.calendar, as_of=now).total  # type: ignore[arg-type]
        assert total.resolution_met == 0 and total.resolution_on_time_rate == 0
        assert total.response_met == 1 and total.response_on_time_rate == 1  # judged in the first cycle
        report = sla_breaches(desk, world.manager, period, as_of=now)
        assert report.total.resolution_breached == 1  # the two reports agree


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_reopened_ticket_resolved_in_time_both_cycles_is_on_time(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(START), make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF) as desk,
    ):
        register(desk, world)
        ticket_id = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸").ticket.id
        desk.triage(world.agent, ticket_id, nature="jam", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(world.agent, ticket_id, engineer_id=world.eng_senior.id)
        desk.contact_customer(
            world.senior, ticket_id, expected_at=clock.now() + H, note="已联系客户，告知预计上门时间"
        )
        _repair(desk, clock, world, ticket_id, 3 * H)
        desk.record_callback(world.agent, ticket_id, problem_back=True)
        _repair(desk, clock, world, ticket_id, 2 * H)
        now = clock.now()
        total = kpi_report(reporting_for(desk.store), Period(START, now + H), desk.calendar, as_of=now).total  # type: ignore[arg-type]
        assert total.resolution_met == 1 and total.response_met == 1
