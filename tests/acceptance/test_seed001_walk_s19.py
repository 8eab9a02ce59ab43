# mypy: disable-error-code="arg-type"
"""Seed 001 (会展服务售后管理制度) walked end to end through the service desk of the exhibition-services
pack, on memory, SQLite and PostgreSQL.

An exhibitor calls about its stand; the 售后专员 (agent) records who, what and when (三(二)1), flags an
urgent problem at once (三(二)2), has it assessed — nature, severity, scope (三(三)) — and assigned to
technical support (三(四)1), or to the after-sales manager when it is complex or spans departments
(三(四)2); progress is fed back to the customer and every contact is kept with its time, method and
content (三(五), 五(三)3); the result is confirmed with the customer (三(六)); important customers and
major problems are surveyed (三(七)); complaints are reported to the manager and answered in time
(四(三)); the four assessed indicators are judged against their goals (六(二)).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Category, Channel, Priority, Severity
from aftersales.domain.surveys import CallbackChecklist, SatisfactionSurvey
from aftersales.errors import ValidationError
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import kpi_report
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))


@contextlib.contextmanager
def _desk(backend: str, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ManualClock, World, MemoryNotifier]]:
    notifier = MemoryNotifier()
    with world_desk(backend, tmp_path, pack="exhibition_services", notifier=notifier) as (desk, clock, world):
        yield desk, clock, world, notifier


def _done(desk: ServiceDesk, world: World, customer_id: str, *, urgent: bool = False) -> str:
    """A stand's network problem of ``customer_id`` fixed by the senior engineer and accepted by phone."""
    tid = desk.open_ticket(
        world.agent,
        customer_id=customer_id,
        description="展位网络断开",
        category=Category.TECHNICAL_SUPPORT,
        urgent=urgent,
    ).ticket.id
    desk.triage(world.agent, tid, nature="network", severity=Severity.MEDIUM)
    desk.dispatch(world.agent, tid, engineer_id=world.eng_senior.id)
    desk.start_work(world.senior, tid)
    desk.resolve(world.senior, tid, summary="交换机重启, 已测试")
    desk.confirm(world.agent, tid, channel="phone")
    return tid


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_callback_owed_a_satisfaction_survey_is_not_recorded_without_a_score(
    backend: str, tmp_path: Path
) -> None:
    # 三(七)1: 对于重大售后问题或重要客户, 售后团队应在问题处理完毕后进行客户满意度调查. The callback of the
    # VIP exhibitor's ticket and of a critical problem (a show's system down) asks the survey; recorded with
    # no score at all it was marked done and the survey was never made. Now it is refused, nothing changes,
    # and the survey (or its overall score) is recorded; an ordinary customer's callback needs none.
    with _desk(backend, tmp_path) as (desk, clock, world, _):
        vip = _done(desk, world, world.cust_en.id)
        critical = desk.open_ticket(
            world.agent, customer_id=world.cust_zh.id, description="开幕前大屏系统故障", urgent=True
        ).ticket.id
        desk.triage(world.agent, critical, nature="display", severity=Severity.HIGH, production_stopped=True)
        assert desk.ticket(world.manager, critical).priority is Priority.CRITICAL
        desk.dispatch(world.agent, critical, engineer_id=world.eng_senior.id)
        desk.start_work(world.senior, critical)
        desk.resolve(world.senior, critical, summary="更换信号分配器, 已测试")
        desk.confirm(world.customer_zh, critical)
        ordinary = _done(desk, world, world.cust_zh.id)
        tasks = {t.ticket_id: t.survey for t in desk.callbacks.pending(world.manager)}
        assert tasks == {vip: True, critical: True, ordinary: False}
        clock.advance(timedelta(hours=3))
        for tid in (vip, critical):
            with pytest.raises(ValidationError) as refused:
                desk.record_callback(world.agent, tid, problem_back=False, answers={"polite": True})
            assert refused.value.field == "survey"
            with pytest.raises(ValidationError) as refused:
                desk.callbacks.record(world.agent, tid, checklist=CallbackChecklist(), problem_back=False)
            assert refused.value.field == "survey"
            assert desk.callbacks.records(world.manager, tid) == []
            assert desk.ticket(world.manager, tid).events[-1].action == "schedule_callback"
        assert {t.ticket_id for t in desk.callbacks.pending(world.manager)} == {vip, critical, ordinary}
        # The survey: the result and the team's attitude (处理结果的满意度、服务态度的评价), by phone or
        # online.
        survey = SatisfactionSurvey(5, 4, 5, 5, 4, 5)
        desk.callbacks.record(
            world.agent, vip, checklist=CallbackChecklist(polite=True), problem_back=False, survey=survey,
            channel=Channel.EMAIL,
        )  # fmt: skip
        desk.record_callback(world.agent, critical, problem_back=False, satisfaction=4)
        desk.record_callback(world.agent, ordinary, problem_back=False)
        assert desk.callbacks.pending(world.manager) == []
        (record,) = desk.callbacks.records(world.manager, vip)
        assert record.survey == survey and record.channel is Channel.EMAIL
        for tid in (vip, critical, ordinary):
            desk.close(world.agent, tid)
        # 售后专员负责整理客户满意度调查结果: the two scores count in the satisfaction KPI (4 and 5 of 5).
        assert desk.calendar is not None
        total = kpi_report(reporting_for(desk.store), MARCH, desk.calendar).total
        assert (total.counts.rated, total.counts.satisfied, total.satisfaction_rate) == (2, 2, Decimal(1))


@pytest.mark.parametrize("backend", ["memory", "sqlite"])
def test_a_callback_finding_the_problem_back_owes_no_survey_yet(backend: str, tmp_path: Path) -> None:
    # The customer says the stand's network is down again: the ticket goes back to rework; the survey is
    # owed after the next acceptance, by the callback that acceptance schedules.
    with _desk(backend, tmp_path) as (desk, _clock, world, _):
        vip = _done(desk, world, world.cust_en.id)
        desk.record_callback(world.agent, vip, problem_back=True, comment="网络又断了")
        assert desk.ticket(world.manager, vip).state == "rework"
        desk.start_work(world.senior, vip)
        desk.resolve(world.senior, vip, summary="更换交换机")
        desk.confirm(world.customer_en, vip)
        (task,) = desk.callbacks.pending(world.manager)
        assert task.survey is True
        with pytest.raises(ValidationError):
            desk.record_callback(world.agent, vip, problem_back=False)
        desk.record_callback(world.agent, vip, problem_back=False, satisfaction=5)
        assert desk.callbacks.pending(world.manager) == []
