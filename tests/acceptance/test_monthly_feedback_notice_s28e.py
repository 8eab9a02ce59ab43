# mypy: disable-error-code="arg-type"
"""Seed 004 第五条 1(6) (用户意见 … 每月反馈给总经理), session 28 e: the general manager's monthly NOTICE,
on memory, SQLite and PostgreSQL, with the service-centre pack.

- The notice counted the callbacks scored low but not those at which the customer voiced a grievance
  (第七条 3-4: a rude repairer or a charge outside the rules is a complaint whatever the score), which
  the page lists since session 27: a month of 5s with a grievance read as a month without one.
- Months the jobs missed are sent in one run at one instant; the outbox delivers by due time and then
  by the message's hashed id, so March could reach the general manager before February. The older
  month's messages are now due first (by a microsecond each): delivered oldest first.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Category, Severity
from aftersales.domain.surveys import CallbackChecklist
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]
Shop = tuple[ServiceDesk, ManualClock, World, MemoryNotifier]
GENERAL_MANAGER = "13800000009"


@pytest.fixture(params=BACKENDS)
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Shop]:
    with noticed_desk(request.param, tmp_path, "service_centre") as found:
        yield found


def _at(month: int, day: int, hour: int) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=SHANGHAI)


def _run(desk: ServiceDesk) -> int:
    return desk.jobs.run_due(only=("monthly_feedback",)).counts["monthly_feedback"]


def _repaired(desk: ServiceDesk, w: World, what: str) -> str:
    tid = desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description=what, category=Category.REPAIR
    ).ticket.id
    desk.triage(w.agent, tid, nature="ignition", severity=Severity.LOW)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
    desk.contact_customer(w.junior, tid, note="今日上门")
    desk.start_work(w.junior, tid)
    desk.resolve(w.junior, tid, summary="更换点火针")
    desk.confirm(w.junior, tid, channel="service_slip")
    return tid


def test_the_notice_counts_the_callbacks_with_a_grievance_as_the_page_lists_them(shop: Shop) -> None:
    # March: two repairs called back with a 5 each; at one the customer says the repairer was rude.
    desk, clock, w, notifier = shop
    clock.set(_at(3, 3, 10))
    rude, fine = _repaired(desk, w, "热水器不点火"), _repaired(desk, w, "热水器噪音大")
    desk.callbacks.record(
        w.agent, rude, checklist=CallbackChecklist(product_works=True, polite=False),
        problem_back=False, satisfaction=5,
    )  # fmt: skip
    desk.callbacks.record(
        w.agent, fine, checklist=CallbackChecklist(product_works=True), problem_back=False, satisfaction=5
    )
    facts = desk.feedback.facts(w.general_manager, "2026-03")
    assert (facts.headline()["grievances"], facts.headline()["low_scores"], facts.grievances) == (1, 0, 1)
    clock.set(_at(4, 1, 9))  # Wednesday 1 April: March's feedback goes out
    assert _run(desk) == 1
    desk.deliver(limit=100)
    (notice,) = [m for m in notifier.sent if m.recipient == GENERAL_MANAGER]
    assert "回访 2 次（低分 0 次，提出不满 1 次）" in notice.body


def test_months_the_jobs_missed_reach_the_general_manager_oldest_first(shop: Shop) -> None:
    desk, clock, _world, notifier = shop
    clock.set(datetime(2026, 2, 2, 9, 0, tzinfo=SHANGHAI))  # January's goes out
    assert _run(desk) == 1
    clock.set(datetime(2026, 5, 6, 9, 0, tzinfo=SHANGHAI))  # February, March and April owed
    assert _run(desk) == 3
    desk.deliver(limit=100)
    months = [m.subject for m in notifier.sent if m.recipient == GENERAL_MANAGER]
    assert months == [f"客户服务中心 2026-0{n} 月度反馈" for n in (1, 2, 3, 4)]
