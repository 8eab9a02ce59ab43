# mypy: disable-error-code="arg-type"
"""Seed 004 第五条 1(6) (用户意见 … 每月反馈给总经理及相关部门): the month's feedback and a complaint
registered in that month at its last instant, forced into the interleaving that lost it, on memory, SQLite
and PostgreSQL.

The opening read which months were sent (to register the complaint in the first month still to send) and,
before it committed, the other desk's job sent March: its check for openings under way locked the year's
ticket counter, which a desk's first ticket of the year has not written yet (nor a desk numbering with the
host's ids), so on PostgreSQL nothing made it wait. March went out without a complaint registered in March
(``test_feedback_month_end_s29d``, once in a clean CI). Now the opening holds the month gate from its read
of the sent months to its commit, and the job's send takes it exclusively: the job waits for the opening,
finds the complaint registered after its read and declines, and its next run sends March with it.
"""

from __future__ import annotations

import contextlib
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.ids import SequentialIds
from aftersales.policies.registry import resolve_policies
from aftersales.ports.calendars import open_calendar
from aftersales.ports.storage_registry import open_storage
from aftersales.service import complaint_intake
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, STAFF, make_world, register, store_url

LAST_INSTANT = datetime(2026, 3, 31, 23, 59, 59, 900000, tzinfo=SHANGHAI)
APRIL_FIRST = datetime(2026, 4, 1, 9, 0, tzinfo=SHANGHAI)  # a Wednesday: March's feedback is due
HOLD = 1.5
"""Seconds the opening holds its transaction open waiting for the job to end: a job that waits for it
does not end, and the opening commits after this (the job then goes on)."""


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
@pytest.mark.parametrize("host_ids", [False, True])
def test_the_job_sending_the_month_waits_for_an_opening_that_read_it_unsent(
    backend: str, host_ids: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
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
                    ids=SequentialIds() if host_ids else None,
                )
            )

        job_desk = open_desk(APRIL_FIRST)
        register(job_desk, world)  # no ticket yet: the year's counter is not stored
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
        months_read = threading.Event()
        job_done = threading.Event()
        registration_month = complaint_intake.registration_month

        def registering(*args: Any) -> str:
            month = registration_month(*args)
            months_read.set()  # the opening has read the months sent, and has not committed
            job_done.wait(HOLD)
            return month

        monkeypatch.setattr(complaint_intake, "registration_month", registering)
        opened: list[str] = []

        def complain() -> None:
            opened.append(
                lagging.complaints.open_complaint(world.agent, world.cust_zh.id, "深夜来电投诉").ticket.id
            )

        opening = threading.Thread(target=complain)
        opening.start()
        assert months_read.wait(30)
        first = job_desk.jobs.run_due(only=("monthly_feedback",))
        job_done.set()
        opening.join(30)
        assert opened, "the opening did not return"
        monkeypatch.setattr(complaint_intake, "registration_month", registration_month)
        assert not first.failed
        sent = first.counts.get("monthly_feedback", 0)
        if not sent:  # declined: the complaint came in after it read March; its next run sends March
            assert job_desk.jobs.run_due(only=("monthly_feedback",)).counts["monthly_feedback"] == 1
        sent_list = read[-1]  # what the March sent listed
        monkeypatch.setattr(feedback, "facts", facts)
        gm = world.general_manager
        march = [c.complaint_id for c in job_desk.feedback.facts(gm, "2026-03").complaints]
        april = [c.complaint_id for c in job_desk.feedback.facts(gm, "2026-04").complaints]
        assert (march, april) == (opened, []), "registered in the month it was taken in, still to send"
        assert sent_list == opened, "March's feedback went out without a complaint registered in March"
