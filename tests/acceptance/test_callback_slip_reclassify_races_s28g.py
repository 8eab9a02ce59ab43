# mypy: disable-error-code="arg-type"
"""Two desks racing the callback recorded before the slip and the class corrected (s28 g; no defect found).

Seed 003 二 4-5 (服务完成后…客服专员在24小时内对客户进行回访; the slip signed on site, perhaps recorded
later): on a pack counting the callback from the result's entry the agent records the callback on the
resolved ticket (session 27 e) while the customer's acceptance is recorded on another desk; seed 003 二 2
(分类): the class corrected (``reclassify`` to an inquiry the pack owes no callback for withdraws a
pending one, session 27 i) while the agent records that callback. Raced on one store
(:func:`two_desk_races.race`), in both orders: the ticket's callback due time and its tasks agree (one
pending task exactly while a callback is owed and not made), the callback is recorded once, and the
acceptance keeps a callback made before it — as run one after the other.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_callback_at_result_entry_s26i import _at, _worked
from test_callback_clock_alert_scope_s27i import _pack
from test_callback_races_s27g import _agree
from two_desk_races import race

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Category
from aftersales.domain.surveys import CallbackChecklist
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url

Pair = tuple[ServiceDesk, ServiceDesk, World]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    """Two desks of office_equipment owing no callback on an inquiry, on one store (memory: one desk)."""
    clock, world, pack = ManualClock(START), make_world(), _pack(tmp_path)
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(request.param, tmp_path))

        def open_desk() -> ServiceDesk:
            return stack.enter_context(ServiceDesk.open(url, pack=pack, clock=clock, staff=STAFF))

        first = open_desk()
        register(first, world)
        yield first, first if request.param == "memory" else open_desk(), world


def _record(w: World, tid: str) -> Callable[[ServiceDesk], Any]:
    return lambda d: d.callbacks.record(
        w.agent, tid, checklist=CallbackChecklist(), problem_back=False, satisfaction=5
    )


def _resolved(desk: ServiceDesk, w: World) -> str:
    clock: Any = desk.context.clock
    clock.set(_at(2, 10))
    tid = _worked(desk, w)
    clock.set(_at(2, 11))
    desk.resolve(w.junior, tid, summary="清理搓纸轮")  # the callback is planned, due Tuesday 11:00
    clock.set(_at(2, 15))
    return tid


def _records(desk: ServiceDesk, w: World, tid: str) -> int:
    return sum(e.action == "record_callback" for e in desk.ticket(w.manager, tid).events)


@pytest.mark.parametrize("swap", [False, True])
def test_the_callback_before_the_slip_and_the_acceptance_at_once_keep_the_callback(
    pair: Pair, swap: bool
) -> None:
    first, second, w = pair
    tid = _resolved(first, w)

    def accept(d: ServiceDesk) -> object:
        return d.confirm(w.customer_zh, tid)

    record = _record(w, tid)
    told = race(first, second, *((accept, record) if swap else (record, accept)))
    assert [t.error for t in told] == [None, None]
    _agree(second, w, tid)
    with second.store() as uow:
        ticket = uow.tickets.get(tid)
    assert ticket.state == "accepted" and ticket.callback_done
    assert _records(second, w, tid) == 1
    assert second.sla(w.manager, tid)["callback"].met_at is not None
    second.close(w.agent, tid)  # the callback made before the slip lets it close


@pytest.mark.parametrize("swap", [False, True])
def test_a_reclassification_and_the_callback_at_once_leave_its_tasks_agreeing(pair: Pair, swap: bool) -> None:
    first, second, w = pair
    tid = _resolved(first, w)

    def reclassify(d: ServiceDesk) -> object:
        return d.reclassify(w.agent, tid, category=Category.INQUIRY, reason="客户只是询问扫描操作")

    record = _record(w, tid)
    told = race(first, second, *((reclassify, record) if swap else (record, reclassify)))
    recorded, reclassified = (told[1], told[0]) if swap else (told[0], told[1])
    assert [recorded.error, reclassified.error] == [None, None]  # either order is allowed
    _agree(second, w, tid)
    assert _records(second, w, tid) == int(recorded.ok)
    assert second.ticket(w.manager, tid).category == (
        Category.INQUIRY if reclassified.ok else Category.REPAIR
    )
