# mypy: disable-error-code="arg-type"
"""Seed 001 六(二)3: 对客户反馈问题的响应及时率 — the response-on-time rate measures how fast the company
answers what customers report. A planned maintenance visit the company schedules itself (seed 000 保养服务
定期; channel ``planned``) is no customer's feedback: it is not in that rate (neither met nor missed), and it
still counts as a ticket, with its resolution and callback judged as any other. On memory, SQLite and
PostgreSQL, with the general-maintenance pack.
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
from aftersales.ports.reporting import GroupBy, Period
from aftersales.reports.engineer_kpi import engineer_kpis
from aftersales.reports.kpi import kpi_report
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]
MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))


def _desk(
    backend: str, tmp_path: Path
) -> contextlib.AbstractContextManager[tuple[ServiceDesk, ManualClock, World, MemoryNotifier]]:
    return noticed_desk(backend, tmp_path, "general_maintenance")


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_planned_visit_is_not_in_the_response_on_time_rate_but_still_a_ticket(
    backend: str, tmp_path: Path
) -> None:
    # The plan's visit is generated on Friday 6 March, fourteen days before it falls due, and done on the
    # 20th; nobody calls the customer about it in between (there is nothing to answer). A customer's call on
    # Monday 9 March is answered within the hour. The response-on-time rate and the response times are the
    # call's alone: before session 30 the visit was one more response met, fourteen days after its
    # "receipt", and the mean response time of the month was a week.
    with _desk(backend, tmp_path) as (desk, clock, world, _):
        clock.set(_at(6, 9))
        desk.maintenance.create_plan(world.manager, asset_id=world.asset.id, first_due=date(2026, 3, 20))
        (visit,) = desk.maintenance.generate_due(world.system, date(2026, 3, 6)).generated
        clock.set(_at(9, 10))
        call = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="空调不制冷").ticket.id
        desk.triage(world.agent, call, nature="cooling", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        clock.set(_at(9, 10).replace(minute=30))
        desk.contact_customer(world.agent, call, note="约好明天上门")
        clock.set(_at(20, 10))
        ticket = desk.ticket(world.manager, visit.ticket_id)
        assert ticket.assignee is not None
        engineer = Actor.engineer(ticket.assignee.id)
        desk.start_work(engineer, visit.ticket_id)
        desk.maintenance.complete_visit(
            engineer, visit.id, results=[ChecklistResult(task, True) for task in visit.checklist]
        )
        desk.resolve(engineer, visit.ticket_id, summary="保养完成")
        desk.confirm(world.customer_zh, visit.ticket_id, note="满意")
        clock.set(_at(20, 17))
        assert desk.calendar is not None
        queries = reporting_for(desk.store)
        total = kpi_report(queries, MARCH, desk.calendar, as_of=clock.now()).total
        assert total.counts.tickets == 2  # the visit is still a ticket of the month
        assert (total.response_met, total.response_missed, total.response.count) == (1, 0, 1)
        assert total.response_on_time_rate == Decimal(1)
        assert total.response.mean == timedelta(minutes=30)
        assert (total.counts.resolved, total.resolution_met) == (1, 1)  # the visit's resolution counts
        # by category: the maintenance row has its ticket and no response measured at all
        rows = {
            r.group: r
            for r in kpi_report(queries, MARCH, desk.calendar, group=GroupBy.CATEGORY, as_of=clock.now()).rows
        }
        planned = rows[desk.ticket(world.manager, visit.ticket_id).category.code]
        assert planned.counts.tickets == 1
        assert planned.response_on_time_rate is None and planned.response_missed == 0
        # the engineer holding the visit is not charged a missed response either
        engineers = engineer_kpis(desk.store, MARCH, desk.calendar, as_of=clock.now())
        assert visit.ticket_id not in {t for d in engineers.drill_down.values() for t in d.response_missed}
