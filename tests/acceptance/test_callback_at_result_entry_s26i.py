# mypy: disable-error-code="arg-type"
"""Seed 003 二 5: 服务完成后,工程师将处理结果录入系统,客服专员在24小时内对客户进行回访 — with the pack's
``[callback] service_from = "work_done"`` (office_equipment) the callback is planned at the engineer's
result entry (``resolve``), not at the slip recorded later: the agent's list, the sweep, the ledger, the
live SLA and the KPI see it due from the entry. A rejection (the customer does not accept the work)
withdraws it: the service is not complete, and the next entry plans a fresh one. The acceptance keeps the
callback planned at the entry. Packs counting from the acceptance (sanitary_ware) plan it at the
acceptance, as before. On memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Category, Severity
from aftersales.domain.surveys import CallbackChecklist, CallbackTask, CallbackTaskState
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import kpi_report
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
SH = ZoneInfo("Asia/Shanghai")
MARCH = Period(datetime(2026, 3, 1, tzinfo=SH), datetime(2026, 4, 1, tzinfo=SH))


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def _worked(desk: ServiceDesk, w: World) -> str:
    tid = desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
    ).ticket.id
    desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
    desk.contact_customer(w.junior, tid, note="已联系客户，今日上门")
    desk.start_work(w.junior, tid)
    return tid


def _tasks(desk: ServiceDesk, tid: str) -> list[tuple[str, CallbackTaskState, datetime]]:
    with desk.store() as uow:
        found = uow.documents.query(CallbackTask, ticket_id=tid)
    return sorted((t.id, t.state, t.due_at) for t in found)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_callback_is_listed_due_and_announced_from_the_result_entry(backend: str, tmp_path: Path) -> None:
    # Monday 11:00 the engineer enters the result; the slip signed on site is not recorded yet. The agent
    # sees the callback due Tuesday 11:00 at once, the sweep announces it, and by Tuesday 12:00 it is
    # overdue — before the slip arrives (Tuesday 17:00), which then keeps that same callback.
    with world_desk(backend, tmp_path) as (desk, clock, w):
        clock.set(_at(2, 10))
        tid = _worked(desk, w)
        clock.set(_at(2, 11))
        desk.resolve(w.junior, tid, summary="更换搓纸轮")
        assert desk.ticket(w.manager, tid).callback_due_at == _at(3, 11)
        assert [(t.ticket_id, t.due_at) for t in desk.callbacks.pending(w.agent)] == [(tid, _at(3, 11))]
        assert desk.sla(w.manager, tid)["callback"].due_at == _at(3, 11)
        report = desk.jobs.run_due(only=("callbacks_due",))
        assert report.counts["callbacks_due"] == 1
        clock.set(_at(3, 12))
        assert [t.ticket_id for t in desk.callbacks.overdue(w.agent)] == [tid]
        assert desk.sla(w.manager, tid)["callback"].breached
        kpi = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=_at(3, 12))
        assert kpi.total.counts.callbacks_due == 1 and kpi.total.counts.callbacks_on_time == 0
        clock.set(_at(3, 17))
        desk.confirm(w.agent, tid, channel="service_slip", note="服务单今日交回")
        (task,) = _tasks(desk, tid)  # the one planned at the entry, not a second
        assert task[1:] == (CallbackTaskState.PENDING, _at(3, 11))
        assert desk.ticket(w.manager, tid).callback_due_at == _at(3, 11)
        desk.callbacks.record(w.agent, tid, checklist=CallbackChecklist(), problem_back=False, satisfaction=5)
        assert desk.callbacks.pending(w.agent) == []
        desk.close(w.agent, tid)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_rejected_result_withdraws_its_callback_and_the_next_entry_plans_one(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path) as (desk, clock, w):
        clock.set(_at(2, 10))
        tid = _worked(desk, w)
        clock.set(_at(2, 11))
        desk.resolve(w.junior, tid, summary="清理搓纸轮")
        clock.set(_at(2, 12))
        desk.reject(w.customer_zh, tid, reason="仍然卡纸")
        assert desk.callbacks.pending(w.agent) == []
        assert desk.ticket(w.manager, tid).callback_due_at is None
        assert desk.sla(w.manager, tid)["callback"].due_at is None  # waits for the next entry
        clock.set(_at(4, 12))  # past the withdrawn deadline: nothing is overdue
        assert desk.callbacks.overdue(w.agent) == []
        desk.start_work(w.junior, tid)
        desk.resolve(w.junior, tid, summary="更换搓纸轮")
        assert [(t.ticket_id, t.due_at) for t in desk.callbacks.pending(w.agent)] == [(tid, _at(5, 12))]
        assert [s for _, s, _ in _tasks(desk, tid)] == [CallbackTaskState.DROPPED, CallbackTaskState.PENDING]
        kpi = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=_at(5, 13))
        assert kpi.total.counts.callbacks_due == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_pack_counting_from_the_acceptance_plans_the_callback_at_the_acceptance(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, clock, w):
        clock.set(_at(2, 10))
        tid = _worked(desk, w)
        desk.add_fault_record(w.junior, tid, symptom="leak", cause="seal_defect", action="replace_seal")
        clock.set(_at(2, 11))
        desk.resolve(w.junior, tid, summary="更换密封圈")
        assert desk.callbacks.pending(w.agent) == [] and _tasks(desk, tid) == []
        assert desk.ticket(w.manager, tid).callback_due_at is None
        clock.set(_at(3, 17))
        desk.confirm(w.agent, tid, channel="phone", note="客户电话确认")
        (task,) = _tasks(desk, tid)
        assert task[2] > _at(3, 17) and desk.ticket(w.manager, tid).callback_due_at == task[2]


def test_the_engineer_entering_the_result_may_not_schedule_a_callback_by_hand(tmp_path: Path) -> None:
    # The plan made in the entry's command is the desk's; scheduling by hand stays the front office's.
    from aftersales.errors import PermissionDenied

    with world_desk("memory", tmp_path) as (desk, clock, w):
        clock.set(_at(2, 10))
        tid = _worked(desk, w)
        desk.resolve(w.junior, tid, summary="更换搓纸轮")
        with pytest.raises(PermissionDenied):
            desk.schedule_callback(w.junior, tid, due_at=_at(2, 12) + timedelta(hours=1))
