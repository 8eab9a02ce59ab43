# mypy: disable-error-code="arg-type"
"""Seed 004 第五条 1(6) (用户意见 … 每月反馈给总经理及相关部门), session 27 second wave: months the jobs did
not run in are fed back late, each once, oldest first, on memory, SQLite and PostgreSQL.

Before, the ``monthly_feedback`` job looked only at the month before today: a host whose jobs stood
still from February to May sent April's feedback and never February's or March's (a later month's mark
made them count as sent).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]
Shop = tuple[ServiceDesk, ManualClock, World, MemoryNotifier]
GENERAL_MANAGER = "13800000009"


@pytest.fixture(params=BACKENDS)
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Shop]:
    with noticed_desk(request.param, tmp_path, "service_centre") as found:
        yield found


def _run(desk: ServiceDesk) -> int:
    return desk.jobs.run_due(only=("monthly_feedback",)).counts["monthly_feedback"]


def test_months_the_jobs_missed_are_each_sent_once_oldest_first(shop: Shop) -> None:
    desk, clock, _world, notifier = shop
    clock.set(datetime(2026, 2, 2, 9, 0, tzinfo=SHANGHAI))  # Monday: January's goes out
    assert _run(desk) == 1
    # The jobs stand still until Wednesday 6 May (after the Labour Day holiday): February, March and
    # April are owed, oldest first, each once.
    clock.set(datetime(2026, 5, 6, 9, 0, tzinfo=SHANGHAI))
    assert _run(desk) == 3
    assert _run(desk) == 0
    desk.deliver(limit=100)
    # Each month once (delivered oldest first since session 28: test_monthly_feedback_notice_s28e.py).
    months = sorted(m.subject for m in notifier.sent if m.recipient == GENERAL_MANAGER)
    assert months == [f"客户服务中心 2026-0{n} 月度反馈" for n in (1, 2, 3, 4)]


def test_a_desk_that_never_sent_one_begins_with_the_month_before(shop: Shop) -> None:
    desk, clock, _world, notifier = shop
    # No month was ever sent: the feedback begins with the month its job first sees end, not with
    # every month since the calendar's first.
    clock.set(datetime(2026, 5, 6, 9, 0, tzinfo=SHANGHAI))
    assert _run(desk) == 1
    desk.deliver(limit=100)
    months = [m.subject for m in notifier.sent if m.recipient == GENERAL_MANAGER]
    assert months == ["客户服务中心 2026-04 月度反馈"]
