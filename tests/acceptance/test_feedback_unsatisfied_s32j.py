"""The monthly feedback lists the not-satisfied callbacks the manager was told of (session 32, j).

Seed 001 三(七)3: 售后专员负责整理客户满意度调查结果,分析客户不满意的原因 ... 并反馈给售后经理 — a 3 of 5
opens no complaint (below ``complaint_below_score``) but is not satisfied: it reaches the manager as a
``callback_unsatisfied`` notice (``[complaint] unsatisfied_below``). The month's feedback (seed 004 第五条
1(6)) listed only callbacks low enough to open a complaint, so the same 3 was missing from it. It is now
an opinion of the month, marked ``unsatisfied`` by the same threshold, and counted on the page.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.adapters.reporting import reporting_for
from aftersales.reports import document_for, monthly_feedback, render, report_labels
from aftersales.service.desk import ServiceDesk
from conftest import World, noticed_desk

Shop = tuple[ServiceDesk, ManualClock, World, MemoryNotifier]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Shop]:
    with noticed_desk(request.param, tmp_path, "service_centre") as found:
        yield found


def _called_back(desk: ServiceDesk, clock: ManualClock, world: World, score: int) -> str:
    agent = world.agent
    tid = desk.open_ticket(
        agent, customer_id=world.cust_zh.id, description="马桶一直冲水", asset_id="asset-1"
    )
    ticket_id = tid.ticket.id
    desk.triage(agent, ticket_id, nature="flush_valve_leak", severity="medium")
    desk.dispatch(agent, ticket_id, engineer_id=world.eng_junior.id)
    desk.start_work(world.junior, ticket_id)
    clock.advance(timedelta(minutes=30))
    desk.resolve(world.junior, ticket_id, summary="更换进水阀")
    desk.confirm(world.customer_zh, ticket_id, note="已确认")
    desk.schedule_callback(agent, ticket_id)
    clock.advance(timedelta(hours=2))
    desk.record_callback(agent, ticket_id, problem_back=False, satisfaction=score)
    return ticket_id


def test_a_three_of_five_is_listed_as_not_satisfied_and_a_four_is_not(shop: Shop) -> None:
    desk, clock, world, _notifier = shop
    three = _called_back(desk, clock, world, 3)
    _called_back(desk, clock, world, 4)
    report = monthly_feedback(desk, world.general_manager, reporting_for(desk.store), "2026-03")
    facts = report.facts
    assert facts.callbacks_made == 2
    assert [(o.ticket_id, o.score, o.low, o.unsatisfied) for o in facts.opinions] == [(three, 3, False, True)]
    assert (facts.low_scores, facts.unsatisfied, len(facts.complaints)) == (0, 1, 0)
    for locale, words in (("zh_Hans", "回访不满意"), ("zh_Hant", "回訪不滿意"), ("en", "not satisfied")):
        page = render(document_for(report, report_labels(locale)), "text")
        assert words in page and three in page, locale
