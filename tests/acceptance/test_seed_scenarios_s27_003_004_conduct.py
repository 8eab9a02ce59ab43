# mypy: disable-error-code="arg-type"
"""Seed 003 walked again, session 27: a callback's answers on conduct count for the engineer the
customer was asked about, on memory, SQLite and PostgreSQL, with the office-equipment pack.

三 2 绩效考核: 以客户满意度、响应速度、问题解决率、服务规范性等为核心指标…将考核结果与薪酬、晋升挂钩.
服务规范性 is what the customer answers at the callback about the visit (二 4 服务过程; the
checklist). The conduct report keyed each callback by the ticket's assignee *when the report was
read*: a callback that found the problem back, and the junior engineer rude, was counted against the
senior engineer the rework went to afterwards. It now counts for the engineer the ticket was with when
the callback was made.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from aftersales.domain.classification import Category, Severity
from aftersales.domain.surveys import CallbackChecklist
from aftersales.ports.reporting import Period
from aftersales.reports.conduct import service_conduct
from conftest import SHANGHAI, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=SHANGHAI)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_callbacks_conduct_answers_count_for_the_engineer_who_came_not_the_one_after(
    backend: str, tmp_path: Path
) -> None:
    # Monday 2 March: 李工 (junior) fixes the copier; at Tuesday's callback the customer says it jams
    # again and 李工 was not polite (a 2). The rework goes to Wang Senior, whose fix holds: Wednesday's
    # callback answers every conduct question yes. March's conduct: 李工 one callback, polite no; the
    # senior one callback, all kept — not both callbacks on the senior.
    with world_desk(backend, tmp_path) as (desk, clock, w):
        clock.set(_at(2, 10))
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
        ).ticket.id
        desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        desk.contact_customer(w.junior, tid, note="今日上门")
        desk.start_work(w.junior, tid)
        desk.resolve(w.junior, tid, summary="清理搓纸轮")
        desk.confirm(w.junior, tid, channel="service_slip")
        clock.set(_at(3, 10))
        desk.callbacks.record(
            w.agent,
            tid,
            checklist=CallbackChecklist(product_works=False, polite=False),
            problem_back=True,
            satisfaction=2,
        )
        clock.set(_at(3, 11))
        desk.dispatch(w.manager, tid, engineer_id=w.eng_senior.id, reason="返修由资深工程师处理")
        desk.start_work(w.senior, tid)
        desk.resolve(w.senior, tid, summary="更换搓纸轮")
        desk.confirm(w.senior, tid, channel="service_slip")
        clock.set(_at(4, 10))
        everything = CallbackChecklist(
            product_works=True, engineer_tidy=True, polite=True, on_time=True, charged_by_rules=True,
            explained_usage=True, cleaned_up=True,
        )  # fmt: skip
        desk.callbacks.record(w.agent, tid, checklist=everything, problem_back=False, satisfaction=5)
        rows = {row.engineer_id: row for row in service_conduct(desk.store, MARCH).rows}
        assert set(rows) == {w.eng_junior.id, w.eng_senior.id}
        junior, senior = rows[w.eng_junior.id], rows[w.eng_senior.id]
        assert (junior.callbacks, junior.answered, junior.kept, junior.breaches) == (1, 1, 0, {"polite": 1})
        assert (senior.callbacks, senior.answered, senior.kept, senior.rate) == (1, 6, 6, Decimal(1))
