"""Seed 003 二 1 客服专员实行轮班制 with 三 2 绩效考核 (响应速度), session 36 (h): an agent's own figures.

The agents work in shifts: a call 小李 takes in at the end of Monday's shift is answered on Tuesday morning,
and called back after the fix, by 小陈 on the next shift. The agents' KPI table credited the whole ticket
to the agent who registered it, so 小李's month carried 小陈's response and callback and 小陈's had
neither. The response and the callback now count for the agent who made them; the ticket, its resolution
and a response nobody made stay with the agent who took the call, and the rows still add up to the desk's
figures. Memory, SQLite and PostgreSQL, with the ``office_equipment`` pack.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Severity
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import kpi_report
from aftersales.reports.staff_kpi import scoped_agent_kpis
from aftersales.service.actors import Actor
from conftest import SHANGHAI, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]
MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of March 2026 in Shanghai (2 March is a Monday)."""
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_next_shifts_agent_is_credited_with_the_response_and_callback_it_made(
    backend: str, tmp_path: Path
) -> None:
    chen = Actor.agent("agent-2", "客服小陈")  # Tuesday's morning shift
    with noticed_desk(backend, tmp_path, "office_equipment") as (desk, clock, w, _):
        clock.set(_at(2, 17, 30))  # 小李, Monday's late shift, takes two calls in
        handed = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="复印机卡纸").ticket.id
        missed = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="打印机缺粉").ticket.id
        clock.set(_at(3, 9, 30))  # 小陈 answers the first (4 working hours: on time)
        desk.contact_customer(chen, handed, note="已联系客户, 今日上门", expected_at=_at(3, 14))
        desk.triage(chen, handed, nature="paper_feed", severity=Severity.LOW)
        desk.dispatch(chen, handed, engineer_id=w.eng_junior.id, reason="轮班交接")
        desk.start_work(w.junior, handed)
        clock.set(_at(3, 15))
        desk.resolve(w.junior, handed, summary="更换搓纸轮")
        desk.confirm(w.junior, handed, channel="service_slip")
        clock.set(_at(4, 10))  # within 24 hours of the result's entry
        desk.record_callback(chen, handed, problem_back=False, satisfaction=5)
        clock.set(_at(6, 18))
        report = scoped_agent_kpis(desk, w.manager, MARCH, as_of=clock.now())
        rows = {r.group: r for r in report.rows}
        assert set(rows) == {w.agent.id, chen.id}
        li, cn = rows[w.agent.id], rows[chen.id]
        # 小李 holds both calls, their resolution and the satisfaction, and the response nobody made.
        assert (li.counts.tickets, li.counts.resolved, li.counts.rated) == (2, 1, 1)
        assert (li.response_met, li.response_missed, li.response.count) == (0, 1, 0)
        assert li.counts.callbacks_due == li.counts.callbacks_done == 0
        # 小陈 answered in time and called back in time.
        assert (cn.counts.tickets, cn.response_met, cn.response_missed, cn.response.count) == (0, 1, 0, 1)
        assert (cn.counts.callbacks_due, cn.counts.callbacks_on_time) == (1, 1)
        assert cn.callback_on_time_rate == Decimal(1) and cn.response_on_time_rate == Decimal(1)
        # Each ticket counted once: the rows add up to the desk's own figures.
        assert desk.calendar is not None and missed != handed
        total = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=clock.now()).total
        mine = report.total
        assert (mine.counts.tickets, mine.response_met, mine.response_missed) == (2, 1, 1)
        assert (mine.counts.tickets, mine.response_met, mine.response_missed) == (
            total.counts.tickets,
            total.response_met,
            total.response_missed,
        )
        assert (mine.resolution_met, mine.counts.callbacks_on_time) == (total.resolution_met, 1)
        assert mine.response.mean == total.response.mean
