"""Service conduct per engineer (seed 003 绩效考核: 客户满意度、响应速度、问题解决率、服务规范性).

The KPI report gave satisfaction, response speed and resolution rate per engineer, but nothing counted
服务规范性: the callback asks whether the engineer came tidy, was polite and on time, charged by the
rules, explained the use and cleaned up (服务过程: 着工装 … 向客户演示结果并讲解注意事项), and those
answers were kept on each callback record and read by no report.
``aftersales.reports.service_conduct`` now counts them per engineer over the period's callbacks.
Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Severity
from aftersales.domain.surveys import CallbackChecklist
from aftersales.errors import ValidationError
from aftersales.ports.reporting import Period
from aftersales.reports import service_conduct
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

SH = ZoneInfo("Asia/Shanghai")
MARCH = Period(datetime(2026, 3, 1, tzinfo=SH), datetime(2026, 4, 1, tzinfo=SH))
H = timedelta(hours=1)
Office = tuple[ServiceDesk, ManualClock, World]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def office(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Office]:
    with world_desk(request.param, tmp_path) as found:
        yield found


def _served(
    desk: ServiceDesk, clock: ManualClock, world: World, engineer: Actor, checklist: CallbackChecklist
) -> str:
    tid = desk.open_ticket(
        world.agent, customer_id="cust-zh", description="复印机卡纸", asset_id="asset-1"
    ).ticket.id
    desk.triage(world.agent, tid, nature="paper_jam", severity=Severity.LOW)
    desk.dispatch(world.agent, tid, engineer_id=engineer.engineer_id)
    desk.start_work(engineer, tid)
    clock.advance(H)
    desk.resolve(engineer, tid, summary="清理搓纸轮")
    desk.confirm(engineer, tid, channel="service_slip")
    clock.advance(H)
    desk.callbacks.record(world.agent, tid, checklist=checklist, problem_back=False, satisfaction=4)
    return tid


def test_the_callbacks_answers_on_conduct_are_counted_per_engineer(office: Office) -> None:
    desk, clock, world = office
    _served(desk, clock, world, world.junior, CallbackChecklist(
        product_works=True, engineer_tidy=False, polite=True, on_time=False, explained_usage=True,
    ))  # fmt: skip
    _served(desk, clock, world, world.junior, CallbackChecklist(product_works=False, polite=True))
    _served(desk, clock, world, world.senior, CallbackChecklist(
        engineer_tidy=True, polite=True, on_time=True, charged_by_rules=True, explained_usage=True,
        cleaned_up=True,
    ))  # fmt: skip
    _served(desk, clock, world, world.senior, CallbackChecklist(product_works=True))  # no conduct asked
    # A complaint's callback is about the complaint's handling, not a visit: not counted.
    cid = desk.complaints.open_complaint(world.agent, "cust-zh", "工程师态度差").ticket.id
    desk.complaints.investigate(world.agent, cid)
    desk.complaints.propose_solution(world.agent, cid, solution="致歉")
    desk.complaints.agree_solution(world.agent, cid)
    desk.complaints.give_feedback(world.agent, cid, outcome="已致歉")
    desk.callbacks.record(
        world.agent, cid, checklist=CallbackChecklist(polite=False), problem_back=False, satisfaction=4
    )

    report = service_conduct(desk.store, MARCH)
    rows = {row.engineer_id: row for row in report.rows}
    assert set(rows) == {"eng-jr", "eng-sr"}
    junior, senior = rows["eng-jr"], rows["eng-sr"]
    assert (junior.callbacks, junior.answered, junior.kept) == (2, 5, 3)  # product_works is not conduct
    assert junior.breaches == {"engineer_tidy": 1, "on_time": 1}
    assert junior.rate == Decimal("0.6")
    assert (senior.callbacks, senior.answered, senior.kept, senior.rate) == (1, 6, 6, Decimal(1))
    assert (report.total.callbacks, report.total.answered, report.total.kept) == (3, 11, 9)
    # Another month has none of them.
    april = Period(MARCH.end, datetime(2026, 5, 1, tzinfo=SH))
    assert service_conduct(desk.store, april).rows == ()
    assert service_conduct(desk.store, april).total.rate is None


def test_a_period_or_store_that_is_not_one_is_refused(office: Office) -> None:
    desk, _clock, _world = office
    with pytest.raises(ValidationError) as refused:
        service_conduct(desk.store, "2026-03")  # type: ignore[arg-type]
    assert refused.value.field == "period"
    with pytest.raises(ValidationError) as no_store:
        service_conduct("memory://", MARCH)  # type: ignore[arg-type]
    assert no_store.value.field == "store"
