# mypy: disable-error-code="arg-type"
"""Seed 003 二 3 (解决时限) and 三 (绩效考核): the ledger's breached filter agrees with the SLA about a ticket
waiting for the customer (session 25).

Waiting for the customer (not at the office, must decide) stops the SLA clocks: ``desk.sla()``, the sweep,
the breach report and the KPI judge such a ticket where the wait began — late only if its resolution ran out
before. The ledger's breached filter (``TicketFilter(breached_at=...)``) compared the stored due alone, so
it listed the waiting ticket as breached once the due passed while everything else said on time. Now the
index row gives a ticket waiting since before its due no due to be late against while it waits; one that
ran out before the wait stays listed. Memory, SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.domain.classification import Severity
from aftersales.ports.queries import TicketFilter
from aftersales.reports.months import month_period
from aftersales.reports.sla import sla_breaches
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _waiting(desk: ServiceDesk, world: World, clock: object, waited_after: timedelta) -> str:
    """A call of Monday 9 March 09:30, waiting for the customer ``waited_after`` after the call."""
    clock.set(datetime(2026, 3, 9, 9, 30, tzinfo=SHANGHAI))  # type: ignore[attr-defined]
    tid = desk.open_ticket(world.agent, customer_id=world.cust_en.id, description="Printer jammed").ticket.id
    desk.contact_customer(world.agent, tid, note="Engineer on the way")
    desk.triage(world.agent, tid, nature="paper_path", severity=Severity.MEDIUM)
    desk.dispatch(world.agent, tid, engineer_id=world.eng_junior.id)
    desk.start_work(world.junior, tid)
    clock.advance(waited_after)  # type: ignore[attr-defined]
    desk.await_customer(world.junior, tid, reason="Customer not at the office")
    return tid


def _breached(desk: ServiceDesk, world: World, tid: str, at: datetime) -> tuple[bool, bool, int]:
    """Listed by the ledger's breached filter; breached in the live SLA; the breach report's resolutions."""
    listed = desk.count(world.manager, TicketFilter(breached_at=at)) == 1
    live = bool(desk.sla(world.manager, tid, at=at)["resolution"].breached)
    report = sla_breaches(desk, world.manager, month_period("2026-03"), as_of=at).total.resolution_breached
    return listed, live, report


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_ticket_waiting_for_the_customer_since_before_its_due_is_not_listed_breached(
    backend: str, tmp_path: Path
) -> None:
    with noticed_desk(backend, tmp_path, "office_equipment") as (desk, clock, world, _):
        tid = _waiting(desk, world, clock, timedelta(hours=1))
        due = desk.ticket(world.manager, tid).resolution_due_at
        assert due is not None
        later = due + timedelta(days=3)
        assert _breached(desk, world, tid, later) == (False, False, 0)  # listed before: (True, False, 0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_ticket_that_ran_out_before_its_wait_stays_listed(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "office_equipment") as (desk, clock, world, _):
        tid = _waiting(desk, world, clock, timedelta(days=20))
        due = desk.ticket(world.manager, tid).resolution_due_at
        assert due is not None and due < clock.now()  # type: ignore[attr-defined]
        assert _breached(desk, world, tid, clock.now() + timedelta(hours=1)) == (True, True, 1)  # type: ignore[attr-defined]
