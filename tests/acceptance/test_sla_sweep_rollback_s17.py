# mypy: disable-error-code="arg-type"
"""An SLA sweep page whose transaction did not commit leaves nothing behind in the desk either.

The sweep remembers, per ticket, that it has nothing to announce before a known instant (a settled
ticket: never, until it changes), so a repeat sweep loads only what changed. It wrote that memo, and
its report's warnings and breaches, while the page's transaction was still open. When the page did
not commit — the store was busy at the commit (the runner runs the page again) or the connection was
lost (the sweep fails) — the breaches it had announced were rolled back, but the memo said the
tickets were settled: the re-run page and every later sweep of that desk skipped them, so the breach
was never announced (seed 003: 超时 is escalated to the manager), while the report of the re-run
sweep listed breaches that no store held. Now the memo, the report and the sweep's position take a
page's findings only once its transaction has committed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Severity
from aftersales.errors import StorageError, StoreBusy
from aftersales.service.desk import ServiceDesk
from aftersales.service.sla_watch import SlaAlert
from conftest import STAFF, START, World, make_world, register, store_url

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.fixture(params=BACKENDS)
def opened(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[ServiceDesk, ManualClock, World]]:
    clock, world = ManualClock(START), make_world()
    with (
        store_url(request.param, tmp_path) as url,
        ServiceDesk.open(
            url, pack="sanitary_ware", clock=clock, notifier=MemoryNotifier(), staff=STAFF
        ) as desk,
    ):
        register(desk, world)
        yield desk, clock, world


def _breached(desk: ServiceDesk, clock: ManualClock, world: World) -> list[str]:
    """Two triaged tickets, then time past their resolution due: ticket ids."""
    ids: list[str] = []
    for text in ("马桶漏水", "水箱不出水"):
        ticket_id = desk.open_ticket(world.agent, customer_id="cust-zh", description=text).ticket.id
        desk.triage(world.agent, ticket_id, nature="leak", severity=Severity.HIGH, skill="plumbing")
        ids.append(ticket_id)
    clock.advance(timedelta(days=10))
    return ids


@contextlib.contextmanager
def _first_sweep_commit_fails(desk: ServiceDesk, ticket_id: str, error: Exception) -> Iterator[list[int]]:
    """The first commit of a unit of work holding an SLA alert of ``ticket_id`` rolls back and raises
    ``error``: the store was busy, or the connection was lost, as the page committed."""
    with desk.store() as probe:
        cls: Any = type(probe)
    original = cls.commit
    failed: list[int] = []

    def commit(self: Any) -> None:
        if not failed and self.documents.query(SlaAlert, ticket_id=ticket_id):
            failed.append(1)
            self.rollback()
            raise error
        original(self)

    cls.commit = commit
    try:
        yield failed
    finally:
        cls.commit = original


def _stored_alerts(desk: ServiceDesk, ticket_ids: list[str]) -> list[str]:
    with desk.store() as uow:
        return sorted(a.id for t in ticket_ids for a in uow.documents.query(SlaAlert, ticket_id=t))


def test_a_page_run_again_after_a_busy_commit_announces_its_breaches_once(
    opened: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = opened
    ids = _breached(desk, clock, world)
    with _first_sweep_commit_fails(desk, ids[0], StoreBusy("the store was busy at the commit")) as failed:
        report = desk.sla_watch.sweep(world.system)
    assert failed == [1]
    stored = _stored_alerts(desk, ids)
    assert {a.split(":")[0] for a in stored} == set(ids)  # both tickets' breaches, stored
    assert sorted(a.rsplit(":", 1)[0] for a in stored) == sorted(report.breaches)  # reported once each
    assert desk.sla_watch.sweep(world.system).breaches == ()  # announced once


def test_the_next_sweep_announces_what_a_page_lost_with_its_connection(
    opened: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = opened
    ids = _breached(desk, clock, world)
    with (
        _first_sweep_commit_fails(desk, ids[0], StorageError("server closed the connection")),
        pytest.raises(StorageError),
    ):
        desk.sla_watch.sweep(world.system)
    assert _stored_alerts(desk, ids) == []

    report = desk.sla_watch.sweep(world.system)
    stored = _stored_alerts(desk, ids)
    assert {a.split(":")[0] for a in stored} == set(ids)
    assert sorted(a.rsplit(":", 1)[0] for a in stored) == sorted(report.breaches)
