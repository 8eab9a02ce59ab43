"""Seed 002 叫修处理流程: 现场检修 → 故障是否属实 → (否) — a visit that finds the reported fault not real,
walked as a peer tester with the sanitary_ware pack on memory, SQLite and PostgreSQL (session 32 e).

The flowchart asks on site whether the fault is real before it asks about the warranty and repairs or
replaces (是否在保修期内 → 修理或更换). The library had no such outcome: a visit that found nothing could
only be recorded as some fault, so it counted as a repair of the dealer's month, as a fault of the
product in the statistics and batch incidents, and could name a part to fit. Now the finding is the
built-in cause ``no_fault_found`` (故障不属实) of the fault record (故障描述 → 故障原因 → 处理措施):
no part, no fault counted, no repair in the dealer's month; the charge sheet is the pack's as for any
visit with no material (in warranty free, 材料收费 1 c; out of warranty the dealer's call-out, 1 a and
收费的标准 d); the KPI report and the dealer's archive count these calls apart.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from test_seed002_money import _repair, story

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.charges import ChargeKind
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.money import Money
from aftersales.errors import ValidationError
from aftersales.ports.reporting import FaultDimension, Period
from aftersales.reports.dealer_monthly import scoped_dealer_monthly
from aftersales.reports.engineer_kpi import engineer_kpis
from aftersales.reports.kpi import scoped_kpi_report
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World

__all__ = ["story"]  # the fixture, shared with the seed-002 money story

NO_FAULT_FOUND = "no_fault_found"  # aftersales.NO_FAULT_FOUND, as a host's pack or form writes it
Story = tuple[ServiceDesk, ManualClock, World]
MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))


def _visit_finding_nothing(desk: ServiceDesk, clock: ManualClock, world: World, asset_id: str) -> str:
    """A call about ``asset_id``; the dealer's fitter goes and finds the unit working (用户操作不当)."""
    agent, dealer = world.agent, world.dealer_sh_staff
    opened = desk.open_ticket(agent, customer_id="cust-zh", description="马桶一直冲水", asset_id=asset_id)
    tid = opened.ticket.id
    clock.advance(timedelta(minutes=10))
    desk.triage(agent, tid, nature="flush_valve_leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(agent, tid, dealer_id="dealer-sh")
    clock.advance(timedelta(hours=1))
    desk.start_work(dealer, tid)
    return tid


def _no_fault(desk: ServiceDesk, world: World, tid: str) -> None:
    desk.add_fault_record(
        world.dealer_sh_staff, tid, symptom="keeps_flushing", cause=NO_FAULT_FOUND, action="guide_user"
    )


def _accepted(desk: ServiceDesk, clock: ManualClock, world: World, tid: str) -> None:
    clock.advance(timedelta(minutes=30))
    desk.resolve(world.dealer_sh_staff, tid, summary="现场检查无故障, 指导用户正确使用")
    desk.confirm(world.customer_zh, tid)


def test_a_visit_finding_no_fault_fits_no_part_and_charges_as_the_pack_says(story: Story) -> None:
    desk, clock, world = story
    tid = _visit_finding_nothing(desk, clock, world, "unit-in")
    before = len(desk.ticket(world.manager, tid).events)
    with pytest.raises(ValidationError) as caught:  # nothing found, nothing to replace
        desk.add_fault_record(
            world.dealer_sh_staff, tid, symptom="keeps_flushing", cause=NO_FAULT_FOUND,
            action="replace_flush_valve", part="WN-CB-01",
        )  # fmt: skip
    assert caught.value.field == "part"
    assert len(desk.ticket(world.manager, tid).events) == before  # nothing changed
    _no_fault(desk, world, tid)
    sheet = desk.charges.assess(world.dealer_sh_staff, tid, travel_zone="pudong")
    # In warranty (材料收费 1 c: 除上述问题外均属于免费维修范围): the visit costs the user nothing.
    assert ChargeKind.MATERIALS not in [line.line.kind for line in sheet.lines]
    assert sheet.customer_total == Money(0, "CNY")
    _accepted(desk, clock, world, tid)
    # Out of warranty (1 a 保修期外的服务实行收费制度; d 服务费由各特约承销商…制定): the call-out is the
    # dealer's labour, travel and fee, no material.
    out = _visit_finding_nothing(desk, clock, world, "unit-out")
    _no_fault(desk, world, out)
    sheet = desk.charges.assess(world.dealer_sh_staff, out, travel_zone="pudong")
    assert ChargeKind.MATERIALS not in [line.line.kind for line in sheet.lines]
    assert sheet.customer_total == Money("130.00", "CNY")  # 80 labour + 30 travel + 20 fee


def test_calls_closed_with_no_fault_found_are_no_repair_nor_fault_and_are_counted_apart(story: Story) -> None:
    desk, clock, world = story
    for asset_id in ("unit-in", "unit-out"):
        tid = _visit_finding_nothing(desk, clock, world, asset_id)
        _no_fault(desk, world, tid)
        _accepted(desk, clock, world, tid)
    repaired = _repair(desk, clock, world, "unit-in")  # a real fault: the flush valve replaced
    _accepted(desk, clock, world, repaired)
    queries = reporting_for(desk.store)
    # The dealer's month (分工 10 每月对所维修情况进行一次统计): one repair, not three.
    month = scoped_dealer_monthly(desk, world.manager, queries, "2026-03", as_of=clock.now())
    (row,) = [r for r in month.rows if r.dealer_id == "dealer-sh"]
    assert row.repairs == 1
    # The fault statistics (分类统计和分析) hold the real fault only: no product fault was found twice.
    assert queries.fault_counts(MARCH, FaultDimension.CAUSE) == {"flush_valve_worn": 1}
    # The KPI report: three calls handled, two of them finding no fault.
    kpi = scoped_kpi_report(desk, world.manager, queries, MARCH, as_of=clock.now()).total
    assert (kpi.counts.resolved, kpi.no_fault_found) == (3, 2)
    # The engineers' appraisal shares out the same total: two no-fault calls, not "unknown" (session 32).
    calendar = desk.calendar
    assert calendar is not None
    appraisal = engineer_kpis(desk.store, MARCH, calendar, as_of=clock.now(), sla=desk.policies.sla)
    assert (appraisal.total.counts.resolved, appraisal.total.no_fault_found) == (3, 2)
    # The dealer's archive (经销商档案: 该地区叫修…配件的更换情况): three calls, two found no fault, one part.
    archive = desk.archives.dealer_archive(
        world.manager, "dealer-sh", start=date(2026, 3, 1), end=date(2026, 4, 1)
    )
    assert (archive.total.calls, archive.total.no_fault_found) == (3, 2)
    assert archive.total.parts_replaced == (("WN-CB-01", 1),)
