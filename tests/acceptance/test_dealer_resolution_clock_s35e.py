"""Seed 002 分工 6 (乙方接到用户的叫修(或者是甲方的电话通知)后,必须保证在24小时之内给用户解决问题) in the KPI
(session 35), on memory, SQLite and PostgreSQL with the sanitary-ware pack.

The dealer contract's due and breach count 24 hours of the clock (小时, not 工作小时: nights and weekends
count, the dealer goes at once), but the KPI's time to resolve was working time: a repair passed to the
dealer on Friday at 17:00 and accepted on Saturday at 16:00 met its 24 hours after 23 hours, and the KPI
said it took one working hour. Under the contract the KPI now counts the time to resolve on the clock too
(``reports.kpi.resolution_clock``), and the export says so in its header and note; so does the response,
which the contract puts on the same clock (session 35, j: its due may not fall after the fix). Every other
pack keeps working time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales import ServiceDesk
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Plan, Severity
from aftersales.ports.reporting import Period
from aftersales.reports import to_csv
from aftersales.reports.kpi import KpiReport, kpi_report
from aftersales.service.actors import Actor
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=SHANGHAI)


def _fixed_by_the_dealer(desk: ServiceDesk, clock: ManualClock, world: World, done: datetime) -> str:
    # Friday 6 March 17:00: a repair call passed to the Shanghai dealer's own engineer, who fixes it; the
    # customer accepts at ``done``.
    clock.set(_at(6, 17))
    tid = desk.open_ticket(world.agent, customer_id="cust-zh", description="马桶一直冲水").ticket.id
    desk.triage(world.agent, tid, nature="flush_valve_leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(world.agent, tid, engineer_id=world.eng_dealer.id)
    engineer = Actor.engineer(world.eng_dealer.id, world.eng_dealer.name)
    clock.set(done - timedelta(hours=2))
    desk.start_work(engineer, tid)
    clock.set(done - timedelta(hours=1))
    desk.add_fault_record(engineer, tid, symptom="leak", cause="seal_defect", action="replace_seal")
    desk.resolve(engineer, tid, summary="更换进水阀密封圈")
    clock.set(done)
    desk.confirm(world.agent, tid, channel="phone", note="客户电话确认")
    return tid


def _report(desk: ServiceDesk, as_of: datetime) -> KpiReport:
    assert desk.calendar is not None
    return kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=as_of, sla=desk.policies.sla)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_dealers_times_to_resolve_are_hours_of_the_clock_as_its_24_hours(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, "sanitary_ware") as (desk, clock, world):
        on_time = _fixed_by_the_dealer(desk, clock, world, _at(7, 16))  # Saturday 16:00: 23 hours
        late = _fixed_by_the_dealer(desk, clock, world, _at(8, 18))  # Sunday 18:00: 49 hours
        assert desk.sla(world.manager, on_time)["resolution"].due_at == _at(7, 17)
        assert not desk.sla(world.manager, on_time)["resolution"].breached
        assert desk.sla(world.manager, late)["resolution"].breached
        report = _report(desk, _at(9, 9))
        total = report.total
        assert (total.resolution_met, total.resolution.count) == (1, 2)
        # 23 and 49 hours of the clock (working time: 1 hour each, Friday 17:00-18:00).
        assert total.resolution.mean == timedelta(hours=36)
        assert total.resolution.p90 == timedelta(hours=49)
        assert report.resolution_clock == "wall"
        header = to_csv(report, "zh_Hans").splitlines()[0]
        assert "平均解决时长 （自然小时）" in header and "平均响应时长 （自然小时）" in header


def test_a_pack_without_the_dealer_contract_keeps_working_time(tmp_path: Path) -> None:
    with world_desk("memory", tmp_path, "office_equipment") as (desk, _clock, _world):
        report = _report(desk, _at(9, 9))
        assert report.resolution_clock == "working"
        assert "（自然小时）" not in to_csv(report, "zh_Hans").splitlines()[0]
