# mypy: disable-error-code="arg-type"
"""Two desks' ``monthly_feedback`` jobs catching up the same missed months at once (s28 g; no defect found).

Seed 004 第五条 1(6) (用户意见 … 每月反馈给总经理及相关部门): months the jobs did not run in are sent late,
each once, oldest first (session 27, ``job_marks.months_unsent``). Two processes of a host run their jobs
at the same minute after a standstill: raced on one store (:func:`two_desk_races.race`), every owed month
goes out once between them (the job's lease lets one desk run it; the marks hold without it too) — none
twice, none skipped — and a later run of either sends nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from two_desk_races import race

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, STAFF, START, make_world, register, store_url

GENERAL_MANAGER = "13800000009"
Pair = tuple[ServiceDesk, ServiceDesk, ManualClock, MemoryNotifier]


@pytest.fixture(params=["sqlite", "postgres"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    """Two desks of the service-centre pack on one store, one notifier."""
    clock, notifier = ManualClock(START), MemoryNotifier()
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(request.param, tmp_path))

        def open_desk() -> ServiceDesk:
            return stack.enter_context(
                ServiceDesk.open(url, pack="service_centre", clock=clock, staff=STAFF, notifier=notifier)
            )

        first = open_desk()
        register(first, make_world())
        yield first, open_desk(), clock, notifier


def _run(desk: ServiceDesk) -> int:
    """Months sent by one run (0 when the job was not due or another desk held its lease)."""
    return desk.jobs.run_due(only=("monthly_feedback",)).counts.get("monthly_feedback", 0)


def test_two_desks_catching_up_missed_months_send_each_once(pair: Pair) -> None:
    first, second, clock, notifier = pair
    clock.set(datetime(2026, 2, 2, 9, 0, tzinfo=SHANGHAI))
    assert _run(first) == 1  # January's
    clock.set(datetime(2026, 5, 6, 9, 0, tzinfo=SHANGHAI))  # February, March and April are owed
    told = race(first, second, _run, _run)
    assert [t.error for t in told] == [None, None]
    assert sum(t.value for t in told) == 3
    clock.set(datetime(2026, 5, 6, 11, 0, tzinfo=SHANGHAI))  # due again on both desks
    assert (_run(first), _run(second)) == (0, 0)
    first.deliver(limit=100)
    second.deliver(limit=100)
    months = sorted(m.subject for m in notifier.sent if m.recipient == GENERAL_MANAGER)
    assert months == [f"客户服务中心 2026-0{n} 月度反馈" for n in (1, 2, 3, 4)]


def test_two_desks_sending_past_the_lease_still_send_each_month_once(pair: Pair) -> None:
    """The job's work itself raced (as two hosts without the lease, or a lease that lapsed mid-run): the
    month marks, written with the messages, still let each month out once."""
    first, second, clock, notifier = pair
    clock.set(datetime(2026, 2, 2, 9, 0, tzinfo=SHANGHAI))
    assert _run(first) == 1
    clock.set(datetime(2026, 5, 6, 9, 0, tzinfo=SHANGHAI))

    def catch_up(d: ServiceDesk) -> int:
        return d.jobs._monthly_feedback(clock.now())

    told = race(first, second, catch_up, catch_up)
    assert [t.error for t in told] == [None, None]
    assert sum(t.value for t in told) == 3
    first.deliver(limit=100)
    second.deliver(limit=100)
    months = sorted(m.subject for m in notifier.sent if m.recipient == GENERAL_MANAGER)
    assert months == [f"客户服务中心 2026-0{n} 月度反馈" for n in (1, 2, 3, 4)]
