"""Seed 001 五(二)1 一般售后问题应在[X]个工作日内处理完毕 with 三(六), session 36 (h): the work done.

三(六)1 问题处理完毕后,技术支持人员或责任部门应将处理结果反馈给售后专员; 2. 售后专员负责将处理结果及时反馈给
客户,并确认客户是否满意: the problem is handled first, then the specialist tells the customer and confirms
their satisfaction. Every pack met a service ticket's resolution target at the customer's acceptance, so an
exhibitor's problem fixed on Wednesday, within its three working days, read as a breached resolution when the
specialist reached the customer on Friday. The ``exhibition_services`` pack now sets ``[sla]
service_resolved_by = "work_done"``: the working days end at the work marked done in ``desk.sla()``, the KPI
and the ledger's breached filter; a rejection runs them on to the next fix. The ticket is still resolved at
the acceptance (``resolved_at``, the resolved count). Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Severity
from aftersales.ports.queries import TicketFilter
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import kpi_report
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of March 2026 in Shanghai (2 March is a Monday)."""
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def _fixed(desk: ServiceDesk, w: World, description: str) -> str:
    """Registered, assessed, sent to the senior engineer and fixed now."""
    tid = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description=description).ticket.id
    desk.triage(w.agent, tid, nature="network", severity=Severity.LOW)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_senior.id)
    desk.start_work(w.senior, tid)
    desk.resolve(w.senior, tid, summary="已修复并测试")
    return tid


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_working_days_end_when_the_work_is_done_not_when_the_customer_confirms(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, "exhibition_services") as (desk, clock, w):
        clock.set(_at(2, 9))  # Monday: two ordinary problems, due in 3 working days (Thursday 09:00)
        # Fixed on Monday; the specialist reaches the customer, who confirms, on Friday.
        done = _fixed(desk, w, "展位网络断开")
        clock.set(_at(2, 9, 30))
        # Fixed on Monday too, but the customer finds it still broken on Tuesday: fixed again on Friday.
        redone = _fixed(desk, w, "展台灯箱不亮")
        clock.set(_at(3, 10))
        desk.reject(w.customer_zh, redone, reason="灯箱仍然不亮")
        clock.set(_at(5, 12))  # Thursday noon, past the due: the first is met, the second is late
        assert desk.sla(w.manager, done)["resolution"].met_at == _at(2, 9)
        assert not desk.sla(w.manager, done)["resolution"].breached
        assert desk.sla(w.manager, redone)["resolution"].breached
        late = {t.id for t in desk.ledger(w.manager, TicketFilter(breached_at=clock.now())).items}
        assert late == {redone}
        clock.set(_at(6, 10))
        desk.confirm(w.agent, done, channel="phone")
        desk.start_work(w.senior, redone)
        desk.resolve(w.senior, redone, summary="更换镇流器")
        desk.confirm(w.agent, redone, channel="phone")
        assert desk.ticket(w.manager, done).resolved_at == _at(6, 10)  # resolved at the acceptance
        assert desk.sla(w.manager, done)["resolution"].met_at == _at(2, 9)
        status = desk.sla(w.manager, redone)["resolution"]
        assert (status.met_at, status.breached) == (_at(6, 10), True)
        assert desk.calendar is not None
        total = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=clock.now()).total
        assert (total.counts.resolved, total.resolution_met, total.resolution.count) == (2, 1, 2)
        # Working time to the work done: none for the first; Monday 09:30 to Friday 10:00 (32.5 working
        # hours) for the second — the acceptance would give 33 hours to the first.
        assert total.resolution.mean == timedelta(hours=16, minutes=15)
