"""A repair reworked after its callback, a duplicate call cancelled: every figure of the month agrees
(session 34, i), on memory, SQLite and PostgreSQL (skipped without ``AFTERSALES_PG_DSN``).

Seed 002 (sanitary_ware): the dealer repairs a call on 20 April and the customer accepts it (分工 7 每次
维修完毕后…经客户确认); a second call for the same fault is a duplicate, cancelled. On 21 April the
dealer's callback (分工 8 配合甲方…回访和满意度调查) finds the problem back and the customer scores 2/5:
the job goes back to rework (seed 000 验收确认: 重新进行处理, 直至客户满意为止) and the low score opens a
complaint. The dealer fits a new valve and the customer accepts again at 10:00.

Checked by hand: the KPI row by the dealer doing the job counts 2 tickets (the repair, the duplicate),
1 cancelled, 1 resolved of the 1 not cancelled, no first-time fix, one rework (the complaint is the
centre's, in the maker's row); the score 2 and the attitude 3; resolution 9 working hours (20 April
09:00-18:00 less lunch, 8 h, and 21 April 09:00-10:00, 1 h). The CSV a program reads (``codes=True``)
shows the object's own figures; the dealer's month counts two repairs (each acceptance is one:
dealer_monthly's docstring); the ledger export shows each ticket's state.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal

from test_seed002_readings_s24 import SH, _call, _repaired_and_accepted, host

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.ports.reporting import GroupBy
from aftersales.reports.dealer_monthly import scoped_dealer_monthly
from aftersales.reports.kpi import kpi_report
from aftersales.reports.months import month_period
from aftersales.reports.render import to_csv
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["host"]  # the stores' fixture, shared with session 24's readings


def _reworked_month(desk: ServiceDesk, clock: ManualClock, world: World) -> str:
    clock.set(datetime(2026, 4, 20, 9, 0, tzinfo=SH))
    repair = _call(desk, world)
    _repaired_and_accepted(desk, world, repair)
    duplicate = _call(desk, world)
    desk.cancel(world.agent, duplicate, reason="重复登记")
    clock.set(datetime(2026, 4, 21, 9, 0, tzinfo=SH))
    staff = world.dealer_sh_staff
    desk.record_callback(staff, repair, problem_back=True, satisfaction=2, attitude=3)
    assert desk.ticket(world.manager, repair).state == "rework"
    desk.start_work(staff, repair)
    desk.add_fault_record(
        staff, repair, symptom="keeps_flushing", cause="flush_valve_worn", action="replace_flush_valve"
    )
    clock.advance(timedelta(hours=1))
    desk.resolve(staff, repair, summary="更换冲水阀")
    desk.confirm(world.customer_zh, repair)
    return repair


def test_a_reworked_repair_and_a_cancelled_duplicate_read_the_same_in_every_figure(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = host
    repair = _reworked_month(desk, clock, world)
    clock.set(datetime(2026, 5, 2, 9, 0, tzinfo=SH))
    queries = reporting_for(desk.store)
    assert desk.calendar is not None
    april = month_period("2026-04", "Asia/Shanghai")
    report = kpi_report(queries, april, desk.calendar, group=GroupBy.SERVING_DEALER, as_of=clock.now())
    rows = {r.group: r for r in report.rows}
    assert set(rows) == {"dealer-sh", ""}
    row = rows["dealer-sh"]
    counts = row.counts
    assert (counts.tickets, counts.cancelled, counts.resolved, counts.complaints) == (2, 1, 1, 0)
    assert (counts.first_time_fixed, counts.rework_tickets, counts.rework_events) == (0, 1, 1)
    assert (row.resolution_rate, row.first_time_fix_rate, row.rework_count) == (
        Decimal("1.0000"),
        Decimal("0.0000"),
        1,
    )
    assert (row.mean_satisfaction, row.mean_attitude) == (Decimal("2.00"), Decimal("3.00"))
    assert row.resolution.count == 1 and row.resolution.mean == timedelta(hours=9)
    # The complaint the low score opened is the centre's, not yet handled.
    assert (rows[""].counts.tickets, rows[""].counts.complaints, rows[""].counts.resolved) == (1, 1, 0)
    # The CSV for programs carries the object's figures, column by column.
    shown = {line["group"]: line for line in csv.DictReader(io.StringIO(to_csv(report, codes=True)))}
    dealer = shown["dealer-sh"]
    for column in (
        "resolution_rate",
        "satisfaction_rate",
        "first_time_fix_rate",
        "callback_on_time_rate",
        "resolution_on_time_rate",
        "mean_satisfaction",
        "mean_attitude",
    ):
        assert Decimal(dealer[column]) == getattr(row, column), column
    assert (int(dealer["tickets"]), int(dealer["rework_count"])) == (counts.tickets, row.rework_count)
    assert Decimal(dealer["resolution_mean"]) == Decimal("9.00")
    assert (
        sum(int(line["tickets"]) for g, line in shown.items() if g != "Total")
        == report.total.counts.tickets
        == 3
    )
    # The dealer's month: each acceptance is a repair of the month it was given in.
    month = scoped_dealer_monthly(desk, world.manager, queries, "2026-04")
    assert [(r.dealer_id, r.repairs) for r in month.rows if r.repairs] == [("dealer-sh", 2)]
    states = {
        line["id"]: (line["kind"], line["state"])
        for line in csv.DictReader(io.StringIO(desk.export_ledger(world.manager)))
    }
    assert states[repair] == ("service", "accepted")
    assert sorted(states.values()) == [
        ("complaint", "received"),
        ("service", "accepted"),
        ("service", "cancelled"),
    ]
