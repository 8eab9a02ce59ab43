# mypy: disable-error-code="arg-type"
"""Seed 003 二 3 (解决时限) and 三 (绩效考核): the ledger's breached filter agrees with the SLA about a ticket
waiting for parts where the pack pauses on parts (session 25).

A pack whose SLA policy says ``pause_on_parts`` stops the clocks while a ticket waits for parts:
``desk.sla()``, the breach report and the KPI judge it where the wait began. The ledger's breached filter
(``TicketFilter(breached_at=...)``) could not: the index row does not know the pack, so it listed the
waiting ticket as breached once its due passed. Now the row marks a ticket waiting for parts since before
it was late, and the desk tells the filter its pack's ``pause_on_parts``; a pack that does not pause on
parts still lists it, as its SLA says breached. Memory, SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.domain.classification import Severity
from aftersales.errors import ValidationError
from aftersales.policies.sla import DefaultSla, SlaParams
from aftersales.ports.queries import TicketFilter
from aftersales.reports.months import month_period
from aftersales.reports.sla import sla_breaches
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, ManualClock, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@contextmanager
def _desk(backend: str, tmp_path: Path, parts: bool) -> Iterator[tuple[ServiceDesk, ManualClock, World]]:
    """An office-equipment desk whose SLA pauses on parts (``parts``) or not."""
    with world_desk(
        backend,
        tmp_path,
        pack="office_equipment",
        overrides={"sla": DefaultSla(SlaParams(pause_on_parts=parts, callback_from="work_done"))},
    ) as (desk, clock, world):
        yield desk, clock, world


def _waiting(desk: ServiceDesk, world: World, clock: ManualClock, waited_after: timedelta) -> str:
    """A call of Monday 9 March 09:30, waiting for parts ``waited_after`` after the call."""
    clock.set(datetime(2026, 3, 9, 9, 30, tzinfo=SHANGHAI))
    tid = desk.open_ticket(world.agent, customer_id=world.cust_en.id, description="Printer jammed").ticket.id
    desk.contact_customer(world.agent, tid, note="Engineer on the way")
    desk.triage(world.agent, tid, nature="paper_path", severity=Severity.MEDIUM)
    desk.dispatch(world.agent, tid, engineer_id=world.eng_junior.id)
    desk.start_work(world.junior, tid)
    clock.advance(waited_after)
    desk.await_parts(world.junior, tid, reason="no_stock")
    return tid


def _breached(desk: ServiceDesk, world: World, tid: str, at: datetime) -> tuple[bool, bool, int]:
    """Listed by the ledger's breached filter; breached in the live SLA; the breach report's resolutions."""
    listed = desk.count(world.manager, TicketFilter(breached_at=at)) == 1
    live = bool(desk.sla(world.manager, tid, at=at)["resolution"].breached)
    report = sla_breaches(desk, world.manager, month_period("2026-03"), as_of=at).total.resolution_breached
    return listed, live, report


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_ticket_waiting_for_parts_since_before_its_due_is_not_listed_where_the_pack_pauses(
    backend: str, tmp_path: Path
) -> None:
    with _desk(backend, tmp_path, parts=True) as (desk, clock, world):
        tid = _waiting(desk, world, clock, timedelta(hours=1))
        due = desk.ticket(world.manager, tid).resolution_due_at
        assert due is not None
        later = due + timedelta(days=3)
        assert _breached(desk, world, tid, later) == (False, False, 0)  # listed before: (True, False, 0)
        page = desk.ticket_rows(world.manager, TicketFilter(breached_at=later))
        assert list(page.items) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_same_wait_is_listed_where_the_pack_does_not_pause_on_parts(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path, parts=False) as (desk, clock, world):
        tid = _waiting(desk, world, clock, timedelta(hours=1))
        due = desk.ticket(world.manager, tid).resolution_due_at
        assert due is not None
        assert _breached(desk, world, tid, due + timedelta(days=3)) == (True, True, 1)
        assert _breached(desk, world, tid, due - timedelta(minutes=1)) == (False, False, 0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_ticket_that_ran_out_before_its_wait_for_parts_stays_listed(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path, parts=True) as (desk, clock, world):
        tid = _waiting(desk, world, clock, timedelta(days=20))
        due = desk.ticket(world.manager, tid).resolution_due_at
        assert due is not None and due < clock.now()
        assert _breached(desk, world, tid, clock.now() + timedelta(hours=1)) == (True, True, 1)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_parts_pause_the_pack_disagrees_with_is_refused(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path, parts=False) as (desk, clock, world):
        with pytest.raises(ValidationError) as caught:
            desk.count(world.manager, TicketFilter(breached_at=clock.now(), parts_pause=True))
        assert caught.value.field == "parts_pause"
        assert desk.count(world.manager, TicketFilter(breached_at=clock.now(), parts_pause=False)) == 0
