# mypy: disable-error-code="arg-type"
"""The callback made before the slip is recorded, where the callback runs from the result's entry.

Seed 003 二 4-5: the customer signs the 《服务单》 on site (二 4); 服务完成后,工程师将处理结果录入系统,
客服专员在24小时内对客户进行回访 (二 5). The office_equipment pack counts the 24 hours from the entry
and plans the callback then (session 26), but the callback could be recorded only on an accepted
ticket: an agent calling on time while the slip was still on its way could not record the call, and the
callback turned late in the live SLA, the KPI and the overdue list. Now the call is recorded on the
resolved ticket (so is a failed attempt): the SLA and the KPI say on time, the acceptance recorded later
keeps it, and the ticket closes without a second callback. A pack counting from the acceptance refuses
it before the acceptance, as before.
Memory, SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Category, Severity
from aftersales.domain.surveys import CallbackChecklist
from aftersales.errors import InvalidTransition
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import kpi_report
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
SH = ZoneInfo("Asia/Shanghai")
MARCH = Period(datetime(2026, 3, 1, tzinfo=SH), datetime(2026, 4, 1, tzinfo=SH))


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def _resolved(desk: ServiceDesk, w: World) -> str:
    tid = desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
    ).ticket.id
    desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
    desk.contact_customer(w.junior, tid, note="已联系客户，今日上门")
    desk.start_work(w.junior, tid)
    desk.add_fault_record(w.junior, tid, symptom="paper_jam", cause="worn_roller", action="replace_roller")
    desk.resolve(w.junior, tid, summary="更换搓纸轮")
    return tid


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_callback_within_24_hours_of_the_entry_is_recorded_before_the_slip(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, w):
        clock.set(_at(2, 11))
        tid = _resolved(desk, w)
        clock.set(_at(2, 15))
        desk.record_callback_attempt(w.agent, tid, note="无人接听")
        attempts = [e for e in desk.ticket(w.manager, tid).events if e.action == "callback_attempt"]
        assert [e.reason for e in attempts] == ["无人接听"]
        clock.set(_at(2, 16))
        desk.callbacks.record(w.agent, tid, checklist=CallbackChecklist(), problem_back=False, satisfaction=5)
        callback = desk.sla(w.manager, tid)["callback"]
        assert callback.met_at == _at(2, 16) and not callback.breached
        assert [t for t in desk.callbacks.pending(w.agent) if t.ticket_id == tid] == []
        # The slip is recorded a day later: the callback made stands; the ticket closes without another.
        clock.set(_at(3, 17))
        desk.confirm(w.agent, tid, channel="service_slip", note="服务单今日交回")
        assert desk.sla(w.manager, tid)["callback"].met_at == _at(2, 16)
        assert desk.callbacks.overdue(w.agent, _at(4, 9)) == []
        report = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=_at(4, 9)).total
        assert (report.counts.callbacks_on_time, report.counts.callbacks_due) == (1, 1)
        desk.close(w.agent, tid)
        assert desk.ticket(w.manager, tid).state == "closed"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_problem_back_at_that_callback_sends_the_work_back(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, w):
        clock.set(_at(2, 11))
        tid = _resolved(desk, w)
        clock.set(_at(2, 16))
        desk.callbacks.record(
            w.agent, tid, checklist=CallbackChecklist(), problem_back=True, comment="仍然卡纸"
        )
        assert desk.ticket(w.manager, tid).state == "rework"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_pack_counting_from_the_acceptance_still_waits_for_it(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, clock, w):
        clock.set(_at(2, 11))
        tid = _resolved(desk, w)
        events = len(desk.ticket(w.manager, tid).events)
        with pytest.raises(InvalidTransition):
            desk.callbacks.record(
                w.agent, tid, checklist=CallbackChecklist(), problem_back=False, satisfaction=5
            )
        with pytest.raises(InvalidTransition):
            desk.record_callback_attempt(w.agent, tid, note="无人接听")
        assert len(desk.ticket(w.manager, tid).events) == events
