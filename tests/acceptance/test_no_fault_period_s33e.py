"""Seed 002 叫修处理流程 (故障是否属实 → 否) in the KPI report: the no-fault count is of the period's tickets.

Every figure of the KPI report (seed 003: 客户满意度, 问题解决率…) counts the tickets received in its
period: the resolution rate is the period's calls resolved over those not cancelled. The count of calls
that found no fault sits beside that rate and says how many of the resolved were so — but it counted the
completions in the period, whenever the calls came in. A call of 30 March that a visit closed as no fault
on 2 April then counted in April's no-fault figure (with April's resolved calls: none) and not among
March's resolved ones. Now it counts the row's own resolved tickets whose finding was no fault, in the
KPI report and the engineers' appraisal alike, on memory, SQLite and PostgreSQL; the dealer's month
still counts each completion in the month it happened (分工 10, its own period).
"""

from __future__ import annotations

from datetime import datetime

from test_no_fault_found_s32e import MARCH, Story, _accepted, _no_fault, _visit_finding_nothing
from test_seed002_money import story

from aftersales.adapters.reporting import reporting_for
from aftersales.ports.reporting import GroupBy, Period
from aftersales.reports.engineer_kpi import engineer_kpis
from aftersales.reports.kpi import scoped_kpi_report
from conftest import SHANGHAI

__all__ = ["story"]

APRIL = Period(datetime(2026, 4, 1, tzinfo=SHANGHAI), datetime(2026, 5, 1, tzinfo=SHANGHAI))


def test_a_march_call_found_no_fault_in_april_counts_among_marchs_resolved(story: Story) -> None:
    desk, clock, world = story
    clock.set(datetime(2026, 3, 30, 16, 0, tzinfo=SHANGHAI))
    tid = _visit_finding_nothing(desk, clock, world, "unit-in")
    _no_fault(desk, world, tid)
    clock.set(datetime(2026, 4, 2, 10, 0, tzinfo=SHANGHAI))
    _accepted(desk, clock, world, tid)
    queries = reporting_for(desk.store)
    march = scoped_kpi_report(desk, world.manager, queries, MARCH, as_of=clock.now())
    april = scoped_kpi_report(desk, world.manager, queries, APRIL, as_of=clock.now())
    assert (march.total.counts.resolved, march.total.no_fault_found) == (1, 1)
    assert (april.total.counts.tickets, april.total.counts.resolved, april.total.no_fault_found) == (0, 0, 0)
    now = clock.now()
    by_dealer = scoped_kpi_report(desk, world.manager, queries, MARCH, group=GroupBy.DEALER, as_of=now)
    assert [(r.group, r.counts.resolved, r.no_fault_found) for r in by_dealer.rows] == [("dealer-sh", 1, 1)]
    calendar = desk.calendar
    assert calendar is not None
    for period, expected in ((MARCH, 1), (APRIL, 0)):
        appraisal = engineer_kpis(desk.store, period, calendar, as_of=clock.now(), sla=desk.policies.sla)
        assert appraisal.total.no_fault_found == expected


def test_a_no_fault_call_reopened_and_repaired_is_no_longer_counted_as_no_fault(story: Story) -> None:
    # The problem came back and was real: the rework found the worn valve. The call is resolved (again),
    # and its finding is the fault; the earlier no-fault visit no longer qualifies it.
    desk, clock, world = story
    clock.set(datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI))
    tid = _visit_finding_nothing(desk, clock, world, "unit-in")
    _no_fault(desk, world, tid)
    _accepted(desk, clock, world, tid)
    queries = reporting_for(desk.store)
    before = scoped_kpi_report(desk, world.manager, queries, MARCH, as_of=clock.now()).total
    assert (before.counts.resolved, before.no_fault_found) == (1, 1)
    desk.reopen(world.agent, tid, reason="还是一直冲水")
    desk.start_work(world.dealer_sh_staff, tid)
    desk.add_fault_record(
        world.dealer_sh_staff, tid, symptom="keeps_flushing", cause="flush_valve_worn",
        action="replace_flush_valve",
    )  # fmt: skip
    _accepted(desk, clock, world, tid)
    after = scoped_kpi_report(desk, world.manager, queries, MARCH, as_of=clock.now()).total
    assert (after.counts.resolved, after.no_fault_found) == (1, 0)
