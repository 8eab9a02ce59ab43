# mypy: disable-error-code="arg-type"
"""Seed 000 (客户售后维护管理办法) re-walked at a seam (session 30, e), on memory, SQLite and PostgreSQL,
with the general-maintenance pack: the periodic maintenance service (售后维护服务内容 2. 保养服务:
定期为产品提供保养服务) meets the service flow's last steps — 5. 维修保养 … 在处理过程中及时向客户反馈
处理进度; 6. 验收确认 … 如客户对处理结果不满意,售后维护人员应重新进行处理,直至客户满意为止; 7. 服务回访:
售后维护管理部门在服务结束后一定时间内对客户进行回访,了解客户对服务的满意度和意见建议. A maintenance visit
is a service like a repair: the customer accepts it, may refuse it, and is called back after it.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Category
from aftersales.domain.maintenance import ChecklistResult
from aftersales.errors import ValidationError
from aftersales.ports.reporting import GroupBy, Period
from aftersales.reports.kpi import kpi_report
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]
MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))


def _desk(
    backend: str, tmp_path: Path
) -> contextlib.AbstractContextManager[tuple[ServiceDesk, ManualClock, World, MemoryNotifier]]:
    return noticed_desk(backend, tmp_path, "general_maintenance")


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_maintenance_visit_refused_is_redone_accepted_and_called_back_72_hours_after(
    backend: str, tmp_path: Path
) -> None:
    # The plan's visit falls on Friday 20 March. The engineer does it and tells the customer how it goes
    # (5.); at 15:00 the customer refuses the result (a noise is left) and the work is redone (6.); the
    # customer accepts on Saturday 21 March at 10:00. The callback (7.) is owed 72 hours after that
    # acceptance — the pack's "一定时间" — and asks the satisfaction; the next visit is still due six
    # months after the day the visit was made.
    with _desk(backend, tmp_path) as (desk, clock, world, notifier):
        desk.maintenance.create_plan(world.manager, asset_id=world.asset.id, first_due=date(2026, 3, 20))
        (visit,) = desk.maintenance.generate_due(world.system, date(2026, 3, 6)).generated
        ticket = desk.ticket(world.manager, visit.ticket_id)
        assert ticket.category == Category.MAINTENANCE and ticket.assignee is not None
        engineer = Actor.engineer(ticket.assignee.id)
        clock.set(_at(20, 10))
        desk.start_work(engineer, visit.ticket_id)
        desk.note_to_customer(engineer, visit.ticket_id, text="正在清洁和检测")
        desk.deliver()
        assert f"工单 {visit.ticket_id} 处理进度" in [m.subject for m in notifier.to("13912345678")]
        desk.maintenance.complete_visit(
            engineer, visit.id, results=[ChecklistResult(task, True) for task in visit.checklist]
        )
        desk.resolve(engineer, visit.ticket_id, summary="保养完成")
        assert desk.ticket(world.manager, visit.ticket_id).callback_due_at is None
        clock.set(_at(20, 15))
        desk.reject(world.customer_zh, visit.ticket_id, reason="还有异响")
        assert desk.ticket(world.manager, visit.ticket_id).state == "rework"
        desk.start_work(engineer, visit.ticket_id)
        desk.resolve(engineer, visit.ticket_id, summary="紧固外壳, 异响消除")
        clock.set(_at(21, 10))
        desk.confirm(world.customer_zh, visit.ticket_id, note="满意")
        accepted = desk.ticket(world.manager, visit.ticket_id)
        assert accepted.state == "accepted"
        assert accepted.callback_due_at == _at(24, 10)
        (plan,) = desk.maintenance.plans(world.manager, asset_id=world.asset.id)
        assert plan.next_due == date(2026, 9, 20)
        clock.set(_at(23, 10))
        with pytest.raises(ValidationError) as refused:
            desk.record_callback(world.agent, visit.ticket_id, problem_back=False)
        assert refused.value.field == "satisfaction"
        assert desk.ticket(world.manager, visit.ticket_id).state == "accepted"
        desk.record_callback(world.agent, visit.ticket_id, problem_back=False, satisfaction=4)
        assert desk.calendar is not None
        report = kpi_report(
            reporting_for(desk.store), MARCH, desk.calendar, group=GroupBy.CATEGORY, as_of=clock.now()
        )
        (row,) = [r for r in report.rows if r.group == "maintenance"]
        assert (row.counts.rework_tickets, row.counts.callbacks_on_time, row.counts.rated) == (1, 1, 1)
