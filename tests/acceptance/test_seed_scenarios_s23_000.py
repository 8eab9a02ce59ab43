# mypy: disable-error-code="arg-type"
"""Seed 000 (客户售后维护管理办法) played as a host runs it, at the edges of its numbers, on memory, SQLite
and PostgreSQL, with the general-maintenance pack (docs/packs/general_maintenance.md), which fills the seed's
open figures: 7.服务回访 服务结束后一定时间内 — 72 hours of the clock after the acceptance, holidays
included; 保养服务 定期 — every 6 months, the visit generated 14 days ahead.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.maintenance import ChecklistResult
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import kpi_report
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]
APRIL = Period(datetime(2026, 4, 1, tzinfo=SHANGHAI), datetime(2026, 5, 1, tzinfo=SHANGHAI))


def _desk(
    backend: str, tmp_path: Path
) -> contextlib.AbstractContextManager[tuple[ServiceDesk, ManualClock, World, MemoryNotifier]]:
    return noticed_desk(backend, tmp_path, "general_maintenance")


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_72_hour_callback_runs_through_the_labour_day_holiday(backend: str, tmp_path: Path) -> None:
    # 7.服务回访: 售后维护管理部门在服务结束后一定时间内对客户进行回访 — 72 hours here, of the clock: two
    # repairs accepted on Thursday 30 April at 17:00 are called back by Sunday 3 May 17:00, in the middle
    # of the Labour Day holiday (1-5 May). At 17:00 nothing is overdue and a callback made then is on
    # time; a minute later the other is overdue, and made then it is counted late (the KPI's callback
    # rate).
    with _desk(backend, tmp_path) as (desk, clock, world, _):
        clock.set(_at(4, 30, 9, 0))
        tickets = []
        for text in ("空调不制冷", "空调异响"):
            tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description=text).ticket.id
            desk.triage(world.agent, tid, nature="cooling", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
            desk.dispatch(world.agent, tid, engineer_id=world.eng_junior.id)
            desk.start_work(world.junior, tid)
            desk.resolve(world.junior, tid, summary="补充冷媒, 试机正常")
            tickets.append(tid)
        clock.set(_at(4, 30, 17, 0))
        for tid in tickets:
            desk.confirm(world.customer_zh, tid, note="满意")
        on_time, late = tickets
        assert desk.sla(world.manager, late)["callback"].due_at == _at(5, 3, 17, 0)
        clock.set(_at(5, 3, 17, 0))
        assert desk.callbacks.overdue(world.manager) == []
        desk.record_callback(world.agent, on_time, problem_back=False, satisfaction=5)
        clock.advance(timedelta(minutes=1))
        assert [t.ticket_id for t in desk.callbacks.overdue(world.manager)] == [late]
        desk.record_callback(world.agent, late, problem_back=False, satisfaction=4)
        assert desk.calendar is not None
        total = kpi_report(reporting_for(desk.store), APRIL, desk.calendar, as_of=clock.now()).total
        assert (total.counts.callbacks_due, total.counts.callbacks_on_time) == (2, 1)
        assert total.callback_on_time_rate == Decimal("0.5")


@pytest.mark.parametrize("backend", BACKENDS)
def test_maintenance_due_on_the_last_day_of_august_next_falls_due_on_the_last_day_of_february(
    backend: str, tmp_path: Path
) -> None:
    # 保养服务: 定期为产品提供保养服务 — every 6 months, generated 14 days ahead. A unit due on 31 August
    # 2026 is generated on 17 August (not on the 16th); serviced on its due day, it next falls due six
    # months later, on the last day of February 2027 (February has no 31st), generated on 14 February (not
    # the 13th).
    with _desk(backend, tmp_path) as (desk, clock, world, _):
        clock.set(_at(8, 3, 9, 0))
        desk.maintenance.create_plan(world.manager, asset_id=world.asset.id, first_due=date(2026, 8, 31))
        assert desk.maintenance.generate_due(world.system, date(2026, 8, 16)).generated == ()
        (visit,) = desk.maintenance.generate_due(world.system, date(2026, 8, 17)).generated
        assert visit.due_on == date(2026, 8, 31)
        ticket = desk.ticket(world.manager, visit.ticket_id)
        assert ticket.assignee is not None
        engineer = Actor.engineer(ticket.assignee.id)
        clock.set(_at(8, 31, 10, 0))
        desk.start_work(engineer, visit.ticket_id)
        desk.maintenance.complete_visit(
            engineer, visit.id, results=[ChecklistResult(task, True) for task in visit.checklist]
        )
        (plan,) = desk.maintenance.plans(world.manager, asset_id=world.asset.id)
        assert plan.next_due == date(2027, 2, 28)
        assert desk.maintenance.generate_due(world.system, date(2027, 2, 13)).generated == ()
        (following,) = desk.maintenance.generate_due(world.system, date(2027, 2, 14)).generated
        assert following.due_on == date(2027, 2, 28)
