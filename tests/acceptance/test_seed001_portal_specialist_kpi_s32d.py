"""Seed 001 五(一)1 / 六(二)3 with 三(一)1, session 32 (d): a portal request is the specialist's who took it.

售后专员应在[X]小时内做出响应; 考核指标: 响应及时率. The feedback channels include 在线客服平台 (三(一)1):
a customer submits its own request there and no agent takes a call. Before session 32 the agents' KPI
table counted only the tickets an agent registered, so a portal request answered late by the specialist
who assessed it counted for nobody: the specialist's month looked better than it was and the rows no
longer added up to the desk's figures. A customer's own request is now the first agent's who acted on
it. Memory, SQLite and PostgreSQL, with the ``exhibition_services`` pack.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Channel, Severity
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import kpi_report
from aftersales.reports.staff_kpi import scoped_agent_kpis
from aftersales.service.actors import Actor
from conftest import SHANGHAI, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]
MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_portal_request_answered_late_counts_against_the_specialist_who_took_it_up(
    backend: str, tmp_path: Path
) -> None:
    # Monday 2 March 09:00: 小李 registers a call and answers it at 13:00 (on time, 4 hours); a customer
    # submits its own request on the portal; 小陈 assesses it and answers at 13:01 (late).
    chen = Actor.agent("agent-2", "客服小陈")
    with noticed_desk(backend, tmp_path, "exhibition_services") as (desk, clock, w, _):
        phoned = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="展位灯箱不亮").ticket.id
        online = desk.open_ticket(
            w.customer_zh, customer_id=w.cust_zh.id, description="展位网络断开", channel=Channel.PORTAL
        ).ticket.id
        desk.triage(chen, online, nature="network", severity=Severity.LOW)
        # 小李 speaks to the customer after 小陈 took it up: the request stays 小陈's.
        clock.set(_at(2, 13))
        desk.contact_customer(w.agent, phoned, note="已联系, 下午到场")
        clock.set(_at(2, 13, 1))
        desk.contact_customer(chen, online, note="已联系, 明早到场")
        desk.contact_customer(w.agent, online, note="再次确认到场时间")
        clock.set(_at(4, 9))
        report = scoped_agent_kpis(desk, w.manager, MARCH, as_of=clock.now())
        rows = {r.group: r for r in report.rows}
        assert set(rows) == {w.agent.id, chen.id}
        assert (rows[w.agent.id].counts.tickets, rows[w.agent.id].response_met) == (1, 1)
        assert (rows[chen.id].counts.tickets, rows[chen.id].response_met) == (1, 0)
        assert rows[chen.id].response_on_time_rate == Decimal(0)
        # The rows add up to the desk's own figures: every request counted once, for one specialist.
        assert desk.calendar is not None
        total = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=clock.now()).total
        assert (report.total.counts.tickets, report.total.response_met) == (2, 1)
        assert (total.counts.tickets, total.response_met) == (report.total.counts.tickets, 1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_portal_request_no_agent_touched_and_a_dealers_call_count_for_no_specialist(
    backend: str, tmp_path: Path
) -> None:
    with noticed_desk(backend, tmp_path, "exhibition_services") as (desk, clock, w, _):
        desk.open_ticket(
            w.customer_zh, customer_id=w.cust_zh.id, description="展位网络断开", channel=Channel.PORTAL
        )
        dealers = desk.open_ticket(w.dealer_sh_staff, customer_id=w.cust_zh.id, description="展台漏电")
        # An agent calling the dealer's customer back later does not make the dealer's call theirs.
        desk.note_to_customer(w.agent, dealers.ticket.id, text="已转经销商处理", visible=False)
        clock.set(_at(4, 9))
        assert scoped_agent_kpis(desk, w.manager, MARCH, as_of=clock.now()).rows == ()
