"""Seed 001 五(一)1 (售后专员应在[X]小时内做出响应) in the KPIs (session 35, task n), on memory, SQLite and
PostgreSQL with the exhibition-services pack.

The pack counts the response due on the wall clock (``response_clock = "wall"``: [X]小时, where 五(二)
counts 工作日), and the breach with it, but the KPI's time to first response was working time: a problem
called in on Friday at 17:00 and answered at 20:00 met its 4 hours after 3 of them, and the KPI said it
took one hour (17:00-18:00, the end of the working day); one answered on Saturday at 09:00 (16 hours,
breached) read the same hour. The desk's KPI, the agents' and the engineers' (one measuring) now read
the response on the due's clock and say so in the export; the times to resolve stay working time
(五(二) 工作日).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales import ServiceDesk, Severity
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.errors import ValidationError
from aftersales.ports.reporting import Period
from aftersales.reports import agent_kpis, engineer_kpis, to_csv, to_markdown
from aftersales.reports.kpi import kpi_report
from aftersales.reports.kpi_clock import response_clock
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=SHANGHAI)


def _answered(desk: ServiceDesk, clock: ManualClock, world: World, answered: datetime) -> str:
    # Friday 6 March 17:00: an ordinary problem (4 hours of the clock to answer), answered at ``answered``.
    clock.set(_at(6, 17))
    tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="展位插座无电").ticket.id
    desk.triage(world.agent, tid, nature="power", severity=Severity.MEDIUM)
    clock.set(answered)
    desk.contact_customer(world.agent, tid, note="已联系")
    return tid


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_kpis_time_to_first_response_reads_the_clock_its_due_counts_on(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, "exhibition_services") as (desk, clock, world):
        on_time = _answered(desk, clock, world, _at(6, 20))  # 3 hours of the clock
        late = _answered(desk, clock, world, _at(7, 9))  # 16 hours of the clock
        assert desk.sla(world.manager, on_time)["response"].due_at == _at(6, 21)
        assert desk.sla(world.manager, late)["response"].breached
        assert desk.calendar is not None
        options = {"as_of": _at(9, 9), "sla": desk.policies.sla}
        report = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, **options)  # type: ignore[arg-type]
        total = report.total
        assert (total.response_met, total.response.count) == (1, 2)
        # 3 and 16 hours of the clock (working time: an hour each, Friday 17:00-18:00).
        assert total.response.mean == timedelta(hours=9, minutes=30)
        assert total.response.p90 == timedelta(hours=16)
        assert (report.response_clock, report.resolution_clock) == ("wall", "working")
        header = to_csv(report, "zh_Hans").splitlines()[0]
        assert "平均响应时长 （自然小时）" in header and "平均解决时长 （工作小时）" in header
        # The agents' KPI (who registered the tickets) is the same measuring, per agent.
        agents = agent_kpis(desk.store, MARCH, desk.calendar, **options)  # type: ignore[arg-type]
        (row,) = agents.rows
        assert (row.group, row.response.mean) == (world.agent.id, timedelta(hours=9, minutes=30))
        assert agents.response_clock == "wall"
        # The engineers' appraisal: its total is the desk's, its page names the clock.
        engineers = engineer_kpis(desk.store, MARCH, desk.calendar, **options)  # type: ignore[arg-type]
        assert engineers.total.response.mean == timedelta(hours=9, minutes=30)
        assert engineers.response_clock == "wall"
        page = to_csv(engineers, "en").splitlines()[0]
        assert "(clock hours)" in page


def test_the_export_notes_say_which_durations_are_clock_hours(tmp_path: Path) -> None:
    with world_desk("memory", tmp_path, "exhibition_services") as (desk, clock, world):
        _answered(desk, clock, world, _at(6, 20))
        assert desk.calendar is not None
        sla = desk.policies.sla
        report = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=_at(9, 9), sla=sla)
        engineers = engineer_kpis(desk.store, MARCH, desk.calendar, as_of=_at(9, 9), sla=sla)
        for locale, words in (
            ("zh_Hans", "首次响应时长按自然小时计算"),
            ("zh_Hant", "首次響應時長按自然小時計算"),
            ("en", "First responses are clock hours"),
        ):
            assert words in to_markdown(report, locale)
            assert words in to_markdown(engineers, locale)


def test_packs_counting_responses_in_working_hours_keep_working_time() -> None:
    from aftersales.policies.registry import resolve_policies

    assert response_clock(resolve_policies("exhibition_services").sla) == "wall"
    # sanitary_ware's response is on the dealer contract's wall clock (session 35, j), so its KPI reads it so.
    assert response_clock(resolve_policies("sanitary_ware").sla) == "wall"
    assert response_clock(resolve_policies("office_equipment").sla) == "working"
    assert response_clock(None) == "working"
    with pytest.raises(ValidationError) as refused:
        response_clock(object())
    assert refused.value.field == "sla"
