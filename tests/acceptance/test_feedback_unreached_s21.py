# mypy: disable-error-code="arg-type"
"""The monthly feedback waits for the general manager's contact, on memory, SQLite and PostgreSQL.

Seed 004 第五条 1(6): 客户服务中心 … 每月反馈给总经理及相关部门. The ``monthly_feedback`` job marked the
month sent (its ``JobMark``) although the staff directory listed no general manager: no notice was
written for anyone who must read it, and the month was never sent again. Now the run fails naming
``staff.general_manager`` (the jobs report and the lease say so), nothing is marked, and once a contact
is listed the next run sends it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.actors import Role
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, STAFF, START, make_world, register, store_url

BACKENDS = ["memory", "sqlite", "postgres"]
NO_GM = {role: contacts for role, contacts in STAFF.items() if role is not Role.GENERAL_MANAGER}


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with store_url(request.param, tmp_path) as found:
        yield found


def _open(url: str, clock: ManualClock, staff: object, notifier: MemoryNotifier) -> ServiceDesk:
    return ServiceDesk.open(url, pack="service_centre", clock=clock, staff=staff, notifier=notifier)


def test_no_general_manager_contact_the_month_waits_and_the_run_says_why(url: str) -> None:
    clock = ManualClock(START)
    notifier = MemoryNotifier()
    with _open(url, clock, NO_GM, notifier) as desk:
        register(desk, make_world())
        clock.set(datetime(2026, 4, 1, 9, 0, tzinfo=SHANGHAI))  # March's feedback is due
        report = desk.jobs.run_due(only=("monthly_feedback",))
        assert "monthly_feedback" not in report.counts
        assert "staff.general_manager" in report.failed["monthly_feedback"]
        assert "ConfigurationError" in report.failed["monthly_feedback"]
        lease = next(lease for lease in desk.jobs.leases() if lease.id == "monthly_feedback")
        assert lease.last_error is not None and "general_manager" in lease.last_error
        desk.deliver(limit=100)
        assert not [m for m in notifier.sent if "2026-03" in m.subject]  # nobody told of it
        # Still waiting at the next run, not marked sent.
        again = desk.jobs.run_due(only=("monthly_feedback",))
        assert "staff.general_manager" in again.failed["monthly_feedback"]
    # The host lists the general manager: the next run sends March's feedback, once.
    if url == "memory://":
        return  # a memory store lives as long as its desk: the reopened desk below has no March
    with _open(url, clock, STAFF, notifier) as desk:
        assert desk.jobs.run_due(only=("monthly_feedback",)).counts["monthly_feedback"] == 1
        assert desk.jobs.run_due(only=("monthly_feedback",)).counts["monthly_feedback"] == 0
        desk.deliver(limit=100)
        told = {m.recipient for m in notifier.sent if "2026-03" in m.subject}
        assert "13800000009" in told  # the general manager's phone (conftest STAFF)


def test_with_the_general_manager_listed_the_month_is_sent_once(url: str) -> None:
    clock = ManualClock(START)
    notifier = MemoryNotifier()
    with _open(url, clock, STAFF, notifier) as desk:
        register(desk, make_world())
        clock.set(datetime(2026, 4, 1, 9, 0, tzinfo=SHANGHAI))
        first = desk.jobs.run_due(only=("monthly_feedback",))
        assert first.failed == {} and first.counts["monthly_feedback"] == 1
