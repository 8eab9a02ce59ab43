# mypy: disable-error-code="arg-type"
"""Seed 004 第五条 1(6) (用户意见 … 每月反馈给总经理及相关部门): a complaint registered at a month's last
instant and committed after the month's feedback job read the month, on memory, SQLite and PostgreSQL.

Session 27 made a month's complaints those registered in it (``ComplaintFile.registered_month``, the month of
the instant it was entered). A complaint entered at 23:59:59.9 on 31 March on a desk whose clock lags the
job's (or whose transaction is committed a moment after midnight) was registered in March although March's
feedback had gone out already (or was being read): March's was sent without it, April's listed only April's
registrations, and it was in no month's feedback. Now a complaint entered once its month was sent is
registered in the first month still to send (marked late there), and the job sends a month only if no
complaint was registered in it after it read the month (it reads the month again at its next run).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from two_desk_races import race

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.policies.registry import resolve_policies
from aftersales.ports.calendars import open_calendar
from aftersales.ports.storage_registry import open_storage
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, STAFF, World, make_world, noticed_desk, register, store_url

BACKENDS = ["memory", "sqlite", "postgres"]
Shop = tuple[ServiceDesk, ManualClock, World, MemoryNotifier]
LAST_INSTANT = datetime(2026, 3, 31, 23, 59, 59, 900000, tzinfo=SHANGHAI)
APRIL_FIRST = datetime(2026, 4, 1, 9, 0, tzinfo=SHANGHAI)  # a Wednesday: March's feedback is due


@pytest.fixture(params=BACKENDS)
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Shop]:
    with noticed_desk(request.param, tmp_path, "service_centre") as found:
        yield found


def _sent(desk: ServiceDesk) -> int:
    return int(desk.jobs.run_due(only=("monthly_feedback",)).counts["monthly_feedback"])


def _ids(desk: ServiceDesk, w: World, month: str) -> list[tuple[str, bool]]:
    return [(c.complaint_id, c.late) for c in desk.feedback.facts(w.general_manager, month).complaints]


def test_a_complaint_entered_after_its_month_was_sent_is_in_the_next_months_feedback(shop: Shop) -> None:
    desk, clock, w, _ = shop
    clock.set(APRIL_FIRST)
    assert _sent(desk) == 1  # March's feedback goes out
    clock.set(LAST_INSTANT)  # a desk whose clock lags the job's
    late = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "深夜来电投诉: 维修后仍漏水").ticket.id
    assert _ids(desk, w, "2026-03") == []  # as it was sent
    assert _ids(desk, w, "2026-04") == [(late, True)]


def test_a_complaint_committed_while_the_job_read_its_month_waits_for_the_next_run(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk, clock, w, _ = shop
    clock.set(APRIL_FIRST)
    feedback = desk.jobs.feedback
    assert feedback is not None
    facts = feedback.facts
    read: list[list[str]] = []
    late: list[str] = []

    def reading(actor: Any, month: str) -> Any:
        found = facts(actor, month)
        read.append([c.complaint_id for c in found.complaints])
        if not late:  # entered at 23:59:59.9 on another desk, committed once the job read March
            clock.set(LAST_INSTANT)
            late.append(desk.complaints.open_complaint(w.agent, w.cust_zh.id, "深夜来电投诉").ticket.id)
            clock.set(APRIL_FIRST)
        return found

    monkeypatch.setattr(feedback, "facts", reading)
    assert _sent(desk) == 0  # March read without it: not sent so
    assert _sent(desk) == 1
    assert read == [[], late]  # the March sent lists it
    assert _ids(desk, w, "2026-03") == [(late[0], False)]
    assert _ids(desk, w, "2026-04") == []


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("swap", [False, True])
def test_a_complaint_at_the_last_instant_and_the_months_feedback_at_once(
    backend: str, swap: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two processes on one store: one whose clock still reads 23:59:59.9 takes a complaint while the
    # other's job sends March. Whichever commits first, the complaint is in the feedback of its month.
    world = make_world()
    with store_url(backend, tmp_path) as url, contextlib.ExitStack() as stack:
        shared = open_storage(url)

        def open_desk(at: datetime) -> ServiceDesk:
            store = shared if backend == "memory" else open_storage(url)
            return stack.enter_context(
                ServiceDesk(
                    store,
                    policies=resolve_policies("service_centre"),
                    clock=ManualClock(at),
                    calendar=open_calendar("china_mainland"),
                    staff=STAFF,
                )
            )

        job_desk = open_desk(APRIL_FIRST)
        register(job_desk, world)
        lagging = open_desk(LAST_INSTANT)
        feedback = job_desk.jobs.feedback
        assert feedback is not None
        facts = feedback.facts
        read: list[list[str]] = []

        def reading(actor: Any, month: str) -> Any:
            found = facts(actor, month)
            read.append([c.complaint_id for c in found.complaints])
            return found

        monkeypatch.setattr(feedback, "facts", reading)

        def complain(d: ServiceDesk) -> str:
            return d.complaints.open_complaint(world.agent, world.cust_zh.id, "深夜来电投诉").ticket.id

        def run(d: ServiceDesk) -> object:
            return d.jobs.run_due(only=("monthly_feedback",))

        told = race(job_desk, lagging, run, complain) if swap else race(lagging, job_desk, complain, run)
        assert [t.error for t in told] == [None, None]
        cid = told[0 if not swap else 1].value
        for _ in range(3):  # each run judged at the job's own instant: not sent while a registration came in
            if job_desk.jobs.run_due(only=("monthly_feedback",)).counts.get("monthly_feedback"):
                break
        assert read, "March's feedback was never read"
        sent = read[-1]  # what the March sent listed
        gm = world.general_manager
        march = [c.complaint_id for c in job_desk.feedback.facts(gm, "2026-03").complaints]
        april = [c.complaint_id for c in job_desk.feedback.facts(gm, "2026-04").complaints]
        if cid in march:
            assert cid in sent, "March's feedback went out without a complaint registered in March"
        else:
            assert april == [cid]
