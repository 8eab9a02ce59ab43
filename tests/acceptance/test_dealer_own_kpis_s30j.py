"""A dealer's own KPI view judges the jobs it did, as the maker judges it (session 30, j), on memory, SQLite
and PostgreSQL.

Seed 002 分工 12 甲方有权对乙方的服务情况进行抽查和指导: the maker judges a dealer by the service the dealer
gave — the KPIs by the dealer doing the job (``GroupBy.SERVING_DEALER``), beside the month's jobs it did
(分工 9/10, ``ports.reporting.doing_dealer``). Dealer staff, reading their own KPIs
(``scoped_kpi_report``), read their customers' calls instead (``GroupBy.DEALER``): a call the maker's
engineer repaired or the office solved by phone weighed on the dealer's own figures, and differed from the
row the maker judged it by. The permission table lets dealer staff read their own dealer's figures; the
jobs it did are its own (the tickets dispatched to it are in its ledger scope too).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from test_dealer_repairs_own_s29k import _by_maker, _by_phone
from test_seed002_readings_s24 import SH, _call, _repaired_and_accepted, host

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.ports.reporting import GroupBy
from aftersales.reports.kpi import kpi_report, scoped_kpi_report
from aftersales.reports.months import month_period
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["host"]  # the stores' fixture, shared with session 24's readings

APRIL = month_period("2026-04", "Asia/Shanghai")


def test_a_dealers_own_kpis_are_the_row_the_maker_judges_it_by(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # 20 April: three calls of a Shanghai dealer's customer. The dealer repairs one (scored 5); the maker's
    # engineer repairs another and the office solves the third by phone (both scored 3). The dealer's own
    # view shows its one job, scored 5: the maker's row for it, not 3 calls at a mean of 3.67.
    desk, clock, world = host
    clock.set(datetime(2026, 4, 20, 9, 0, tzinfo=SH))
    dealers_job = _call(desk, world)
    _repaired_and_accepted(desk, world, dealers_job)
    makers_job = _by_maker(desk, world)
    phone_job = _by_phone(desk, world)
    clock.advance(timedelta(hours=2))
    desk.record_callback(world.dealer_sh_staff, dealers_job, problem_back=False, satisfaction=5)
    desk.record_callback(world.agent, phone_job, problem_back=False, satisfaction=3)
    desk.record_callback(world.agent, makers_job, problem_back=False, satisfaction=3)
    queries = reporting_for(desk.store)
    assert desk.calendar is not None
    own = scoped_kpi_report(desk, world.dealer_sh_staff, queries, APRIL, as_of=clock.now()).total
    assert (own.group, own.counts.tickets, own.counts.resolved) == ("dealer-sh", 1, 1)
    assert own.mean_satisfaction == Decimal("5.00")
    judged = kpi_report(
        queries, APRIL, desk.calendar, group=GroupBy.SERVING_DEALER, as_of=clock.now(), sla=desk.policies.sla
    )
    (row,) = [r for r in judged.rows if r.group == "dealer-sh"]
    assert own == row
