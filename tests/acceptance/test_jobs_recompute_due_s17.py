# mypy: disable-error-code="arg-type"
"""The recompute-due job finds every triaged ticket left without a due time, not only among the newest.

A ticket triaged while its desk had no working calendar (or the holiday data ran out) keeps its
priority but no resolution due time; the hourly ``recompute_due`` job derives it once a calendar can.
The job read the newest ``limit`` open tickets and recomputed those among them without a due time, so
once ``limit`` newer tickets had due times (a desk with a calendar went on taking calls on the same
store), the older tickets were never read again and kept no due time — no SLA clock, no warning, no
breach (seed 003: 响应/解决时限). The job now reads on, page after page, until it has ``limit`` of them.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Severity
from aftersales.service.desk import ServiceDesk
from aftersales.service.jobs import JobSettings
from conftest import STAFF, START, make_world, register, store_url


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_tickets_older_than_the_newest_limit_get_their_due_times(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(START), make_world()
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(backend, tmp_path))

        def open_desk(**options: object) -> ServiceDesk:
            return stack.enter_context(
                ServiceDesk.open(url, pack="sanitary_ware", clock=clock, staff=STAFF, **options)
            )

        def triaged(desk: ServiceDesk) -> str:
            ticket_id = desk.open_ticket(world.agent, customer_id="cust-zh", description="马桶漏水").ticket.id
            desk.triage(world.agent, ticket_id, nature="leak", severity=Severity.MEDIUM)
            return ticket_id

        without = open_desk(calendar=None)  # a worker started without its working calendar
        register(without, world)
        waiting = [triaged(without) for _ in range(3)]
        desk = open_desk()
        newer = [triaged(desk) for _ in range(3)]
        assert all(desk.ticket(world.manager, t).resolution_due_at is None for t in waiting)
        assert all(desk.ticket(world.manager, t).resolution_due_at is not None for t in newer)

        desk.jobs.configure(JobSettings(limit=2))
        assert desk.jobs.run_due(only=("recompute_due",)).counts["recompute_due"] == 2
        assert desk.jobs.run_due(only=("recompute_due",)).counts["recompute_due"] == 1
        assert all(desk.ticket(world.manager, t).resolution_due_at is not None for t in waiting)
        assert desk.jobs.run_due(only=("recompute_due",)).counts["recompute_due"] == 0
