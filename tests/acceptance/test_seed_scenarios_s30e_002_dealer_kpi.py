"""Seed 002's dealer months and the KPIs beside them (session 30, e), on memory, SQLite and PostgreSQL.

分工 1 乙方负责所售产品的全过程服务; 6 乙方接到用户的叫修(或者是甲方的电话通知)后…24小时之内;
9/10 乙方必须每月对所安装调试情况 / 所维修情况进行一次统计并报至甲方; 12 甲方有权对乙方的服务情况
进行抽查和指导. The maker judges each dealer by the service the dealer gave. A dealer's month counts
the jobs it did (session 29, ``ports.reporting.doing_dealer``); the KPIs grouped by dealer
(``GroupBy.SERVING_DEALER``, the figures the dealer report puts beside those counts) fell back to the
customer's own dealer when no dealer held the job, so a call the maker's engineer repaired, or the office
solved by phone, was judged as the dealer's: its satisfaction score and its times were the dealer's, and
the dealer's KPI row counted tickets its month did not. Now both read the dealer doing the job; the
maker's own work is the ``""`` row.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from test_dealer_repairs_own_s29k import _by_maker, _by_phone
from test_seed002_readings_s24 import SH, _call, _repaired_and_accepted, host

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.ports.reporting import GroupBy
from aftersales.reports import document_for, report_labels
from aftersales.reports.dealer_monthly import scoped_dealer_monthly
from aftersales.reports.kpi import kpi_report
from aftersales.reports.months import month_period
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["host"]  # the stores' fixture, shared with session 24's readings

APRIL = month_period("2026-04", "Asia/Shanghai")


def test_the_dealers_kpi_row_judges_the_jobs_it_did_and_the_makers_own_are_the_makers(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # 20 April: three calls of a Shanghai dealer's customer. The office passes one to the dealer, who
    # repairs it (the customer scores 5); the maker's own engineer repairs another; the office solves the
    # third by phone (the customer scores both 3). The dealer did one job: its month counts one repair,
    # and its KPI row judges that one job, not the maker's two.
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
    report = kpi_report(queries, APRIL, desk.calendar, group=GroupBy.SERVING_DEALER, as_of=clock.now())
    rows = {row.group: row for row in report.rows}
    assert set(rows) == {"dealer-sh", ""}
    dealer, maker = rows["dealer-sh"], rows[""]
    assert (dealer.counts.tickets, dealer.counts.resolved) == (1, 1)
    assert dealer.mean_satisfaction == Decimal("5.00")
    assert (maker.counts.tickets, maker.counts.resolved) == (2, 2)
    assert maker.mean_satisfaction == Decimal("3.00")
    month = scoped_dealer_monthly(desk, world.manager, queries, "2026-04")
    (row,) = [r for r in month.rows if r.dealer_id == "dealer-sh"]
    assert row.repairs == dealer.counts.resolved == 1
    # The customer's dealer still groups its customers' calls (GroupBy.DEALER: the dealer's own reading).
    by_customer = kpi_report(queries, APRIL, desk.calendar, group=GroupBy.DEALER, as_of=clock.now())
    assert {r.group: r.counts.tickets for r in by_customer.rows} == {"dealer-sh": 3}


def test_a_call_still_with_the_office_is_no_dealers_until_it_is_passed_on(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # 分工 6 乙方接到…甲方的电话通知: the dealer's part begins when the office passes the call on. A call the
    # office has not passed on yet is the office's in the KPIs by dealer; passed on, it is the dealer's.
    desk, clock, world = host
    clock.set(datetime(2026, 4, 20, 9, 0, tzinfo=SH))
    ticket_id = desk.open_ticket(
        world.agent, customer_id="cust-zh", description="马桶一直冲水", asset_id="unit-in"
    ).ticket.id
    queries = reporting_for(desk.store)
    assert desk.calendar is not None

    def groups() -> dict[str, int]:
        report = kpi_report(queries, APRIL, desk.calendar, group=GroupBy.SERVING_DEALER, as_of=clock.now())  # type: ignore[arg-type]
        return {row.group: row.counts.tickets for row in report.rows}

    assert groups() == {"": 1}
    desk.triage(world.agent, ticket_id, nature="flush_valve_leak", severity="medium", plan="on_site")
    desk.dispatch(world.agent, ticket_id, dealer_id="dealer-sh")
    assert groups() == {"dealer-sh": 1}


def test_the_dealer_report_has_a_row_for_the_makers_own_work_which_a_dealer_does_not_read(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # 分工 9/10 …报至甲方的售后服务部,以便甲方汇总统计相关情况: the maker sums up the month. Beside
    # the dealers' rows, the month's repairs the maker did itself (its engineer, its office on the
    # phone) are a row of their own, so the table's total is the month's whole figure; a dealer's own
    # view shows its row only.
    desk, clock, world = host
    clock.set(datetime(2026, 4, 20, 9, 0, tzinfo=SH))
    _repaired_and_accepted(desk, world, _call(desk, world))
    _by_maker(desk, world)
    _by_phone(desk, world)
    queries = reporting_for(desk.store)
    month = scoped_dealer_monthly(desk, world.manager, queries, "2026-04")
    assert (month.direct_installations, month.direct_repairs) == (0, 2)
    (table, *_) = document_for(month, report_labels("zh_Hans")).tables
    maker = "厂家(自有工程师、客服电话解决)"
    assert [row[:3] for row in table.rows if row[0] == maker] == [(maker, 0, 2)]
    assert table.total is not None and table.total[2] == 3
    own = scoped_dealer_monthly(desk, world.dealer_sh_staff, queries, "2026-04")
    assert [r.dealer_id for r in own.rows] == ["dealer-sh"]
    assert (own.direct_installations, own.direct_repairs) == (0, 0)
    (table, *_) = document_for(own, report_labels("zh_Hans")).tables
    assert [row[0] for row in table.rows] == [report_labels("zh_Hans").group(GroupBy.DEALER, "dealer-sh")]
    assert table.total is not None and table.total[2] == 1
