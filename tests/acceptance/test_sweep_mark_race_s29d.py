# mypy: disable-error-code="arg-type"
"""A ticket logged with its past due time while the SLA sweep moves its mark past that due (seed 003 二 3
响应/解决时限 and 超时升级: every breach is announced; 三 绩效考核).

The sweep keeps a mark: the (due, id) up to which every ticket is settled, and reads from there. A command
that writes a due behind the mark moves it back (``sweep_mark.rewind_mark``), in its own transaction. A call
logged late (``open_ticket(received_at=)``) whose due lies between the mark and the tickets the sweep is
settling read the mark before the sweep moved it (nothing to move back), while the sweep's page read the
tickets before the call was committed: on PostgreSQL both committed, the mark passed the new ticket's due,
and no later sweep read it — its breaches were never announced. Now a due written behind ``now`` but ahead of
the mark writes the mark all the same, so of the two writes the later one conflicts and runs again on what
the other committed. Memory, SQLite and PostgreSQL, in both orders (:func:`two_desk_races.race`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from two_desk_races import race

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Category
from aftersales.errors import NotFound
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.sla_watch import SlaAlert
from conftest import SHANGHAI, STAFF, START, World, make_world, register, store_url

Pair = tuple[ServiceDesk, ServiceDesk, ManualClock, World]


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    clock, world = ManualClock(START), make_world()
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(request.param, tmp_path))

        def open_desk() -> ServiceDesk:
            return stack.enter_context(
                ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF)
            )

        first = open_desk()
        register(first, world)
        second = first if request.param == "memory" else open_desk()
        yield first, second, clock, world


def _logged(desk: ServiceDesk, w: World, received: datetime) -> str:
    """A call taken on Monday and logged now: its three working days to resolve have passed."""
    return desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR,
        received_at=received,
    ).ticket.id  # fmt: skip


def _breached(desk: ServiceDesk, tid: str) -> bool:
    with desk.store() as uow:
        try:
            uow.documents.get(SlaAlert, f"{tid}:resolution:sla_breach")
        except NotFound:
            return False
    return True


@pytest.mark.parametrize("swap", [False, True])
def test_a_call_logged_late_while_the_sweep_moves_its_mark_is_swept(pair: Pair, swap: bool) -> None:
    first, second, clock, w = pair
    clock.set(_at(6, 17))  # Friday
    early = _logged(first, w, _at(2, 9))  # due Thursday 09:00
    first.sla_watch.sweep(Actor.system())  # settled: the mark stands at its due
    assert _breached(first, early)
    later = _logged(first, w, _at(2, 14))  # due Thursday 14:00, ahead of the mark

    def sweep(d: ServiceDesk) -> object:
        return d.sla_watch.sweep(Actor.system())

    found: list[str] = []

    def log(d: ServiceDesk) -> object:
        found.append(_logged(d, w, _at(2, 11)))  # due Thursday 11:00: between the two
        return None

    told = race(first, second, *((log, sweep) if swap else (sweep, log)))
    assert [t.error for t in told] == [None, None]
    clock.advance(timedelta(minutes=10))
    first.sla_watch.sweep(Actor.system())
    assert _breached(first, later)
    assert _breached(first, found[0]), "a breach behind the sweep's mark was never announced"
