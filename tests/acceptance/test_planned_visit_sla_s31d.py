# mypy: disable-error-code="arg-type"
"""Seed 001 六(二)3 (对客户反馈问题的响应及时率) and seed 003 (响应: 与客户取得联系, 告知预计上门或解决时间):
the response is the answer to what a customer reported. A planned maintenance visit (seed 000 保养服务 定期,
generated fourteen days before it falls due) and a visit granted as a complaint's remedy are the company's
own work: no response is owed. Since session 30 the KPI left them out of its response figures; the live SLA
still ran a response clock on them, so the ticket view, the sweep's breach alerts (and their escalation) and
the breach report showed a response breached that the KPI did not count, and a remedy visit's response was
"breached" within hours of the grant, weeks before the visit. One rule now (``domain.customer_feedback``):
no response target on them anywhere; arrival and resolution are judged as before. Memory, SQLite, PostgreSQL.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Channel, Plan, Severity
from aftersales.domain.complaints import RemedyKind
from aftersales.domain.money import Money
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import kpi_report
from aftersales.reports.sla import sla_breaches
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
def test_a_planned_visit_has_no_response_clock_in_the_view_the_sweep_or_the_breach_report(
    backend: str, tmp_path: Path
) -> None:
    # The visit is generated on Friday 6 March, due on the 20th; nobody goes, nobody calls (there is nothing
    # to answer). A customer's own call on Monday 9 March is not answered either. On Saturday the 21st both
    # are late: the call on its response and resolution, the visit on its arrival and resolution only.
    with _desk(backend, tmp_path) as (desk, clock, world, _):
        clock.set(_at(6, 9))
        desk.maintenance.create_plan(world.manager, asset_id=world.asset.id, first_due=date(2026, 3, 20))
        (visit,) = desk.maintenance.generate_due(world.system, date(2026, 3, 6)).generated
        clock.set(_at(9, 10))
        call = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="空调不制冷").ticket.id
        desk.triage(world.agent, call, nature="cooling", severity=Severity.MEDIUM, plan=Plan.ON_SITE)

        clock.set(_at(21, 17))
        planned = desk.ticket(world.manager, visit.ticket_id)
        assert planned.channel is Channel.PLANNED
        assert planned.response_due_at is None  # stored for the ledger: nothing to answer
        assert planned.resolution_due_at == _at(21, 0)  # its own due day still binds
        status = desk.sla(world.manager, visit.ticket_id)
        assert "response" not in [t.name for t in status.targets]
        assert {t.name for t in status.targets if t.breached} == {"arrival", "resolution"}
        answered = desk.sla(world.manager, call)
        assert answered["response"].breached  # a customer's call still owes its answer

        swept = desk.sla_watch.sweep(world.system)
        assert f"{visit.ticket_id}:response" not in swept.breaches
        assert {f"{visit.ticket_id}:arrival", f"{visit.ticket_id}:resolution"} <= set(swept.breaches)
        assert f"{call}:response" in swept.breaches

        report = sla_breaches(desk, world.manager, MARCH, as_of=clock.now())
        cells = report.cells.values()
        # the call's response, not the visit's; both resolutions
        assert sum(c.response_breached for c in cells) == 1
        assert sum(c.resolution_breached for c in cells) == 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_remedy_visit_is_not_breached_on_a_response_nobody_owed(backend: str, tmp_path: Path) -> None:
    # A complaint's remedy grants an extra maintenance visit (seed 002 可用的牌 增加维护保养): a ticket the
    # company opens for its own promise. Before session 31 the pack's response clock ran from the grant and
    # the next morning the visit was "breached" on its response, weeks before anyone meant to go.
    with _desk(backend, tmp_path) as (desk, clock, world, _):
        clock.set(_at(9, 10))
        complaint = desk.complaints.open_complaint(
            world.agent, world.cust_zh.id, "保养没人来", asset_id=world.asset.id
        ).ticket.id
        desk.complaints.investigate(world.agent, complaint)
        desk.complaints.propose_solution(world.agent, complaint, solution="免费加做一次保养")
        desk.complaints.grant_remedy(
            world.manager, complaint, kind=RemedyKind.EXTRA_MAINTENANCE_VISIT, cost=Money("0", "CNY")
        )
        (remedy,) = desk.complaints.complaint_file(world.manager, complaint).remedies
        (work,) = remedy.work
        clock.set(_at(10, 17))
        assert desk.ticket(world.manager, work).response_due_at is None
        status = desk.sla(world.manager, work)
        assert "response" not in [t.name for t in status.targets] and not status.breached
        assert f"{work}:response" not in desk.sla_watch.sweep(world.system).breaches
        assert clock.now() - _at(9, 10) > timedelta(hours=24)  # well past any response target of the pack


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_planned_visit_stored_with_a_response_due_is_not_judged_on_it(backend: str, tmp_path: Path) -> None:
    # A store written before session 31 keeps the visit's response due on its row until the ticket's next
    # command: the breach report and the KPI read the one rule too, so the old due judges nothing.
    with _desk(backend, tmp_path) as (desk, clock, world, _):
        clock.set(_at(6, 9))
        desk.maintenance.create_plan(world.manager, asset_id=world.asset.id, first_due=date(2026, 3, 20))
        (visit,) = desk.maintenance.generate_due(world.system, date(2026, 3, 6)).generated
        with desk.store() as uow:  # the row as the earlier release stored it
            ticket = uow.tickets.get_for_update(visit.ticket_id)
            ticket.response_due_at = _at(6, 13)
            uow.tickets.save(ticket)
            uow.commit()
        clock.set(_at(9, 17))
        assert desk.ticket(world.manager, visit.ticket_id).response_due_at == _at(6, 13)
        report = sla_breaches(desk, world.manager, MARCH, as_of=clock.now())
        assert sum(c.response_breached for c in report.cells.values()) == 0
        assert desk.calendar is not None
        total = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=clock.now()).total
        assert (total.response_met, total.response_missed) == (0, 0)
