# mypy: disable-error-code="arg-type"
"""A response breach of a reopened cycle (``[sla] reopened_response = true``: the reopen is a new call with
its own response target) against a contact entered after the fact (seed 003 二 3 响应 is the contact itself,
三 绩效考核 judges each breach; seed 001 五(三)3 沟通时间).

One alert document stands for a target's breaches, announced again for a clock that restarted. Two defects:

* A contact made in the reopened cycle withdrew the first cycle's breach — a response really missed, the
  month that counted it told it was not (``sla_breach_withdrawn``). Now only the breach of the clock the
  contact meets is withdrawn.
* The sweep read the ticket again locked only for a breach with no alert yet (session 27 g); a breach
  announced again after a reopen was written from the unlocked read. Raced with the contact (which, the
  alert being withdrawn already, writes nothing to it), both committed on PostgreSQL: a breach announced
  and standing on a response met in time. Now a breach to announce again is measured locked as well.

Memory, SQLite and PostgreSQL; the race in both orders (:func:`two_desk_races.race`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from test_backdated_contact_breach_s26i import _announced, _kinds
from two_desk_races import race

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.errors import NotFound
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.sla_watch import SlaAlert
from conftest import SHANGHAI, STAFF, START, World, make_world, register, store_url

BACKENDS = ["memory", "sqlite", "postgres"]
Pair = tuple[ServiceDesk, ServiceDesk, ManualClock, World, MemoryNotifier]


def _at(hour: int, minute: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(params=BACKENDS)
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    """Two desks of a pack giving a reopened ticket a response target, on one store, one notifier."""
    pack = tmp_path / "reopened_response.toml"
    pack.write_text(
        '[pack]\nname = "reopened_response"\nextends = "office_equipment"\n\n'
        "[sla]\nreopened_response = true\n",
        encoding="utf-8",
    )
    clock, world, notifier = ManualClock(START), make_world(), MemoryNotifier()
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(request.param, tmp_path))

        def open_desk() -> ServiceDesk:
            return stack.enter_context(
                ServiceDesk.open(url, pack=str(pack), clock=clock, staff=STAFF, notifier=notifier)
            )

        first = open_desk()
        register(first, world)
        second = first if request.param == "memory" else open_desk()
        yield first, second, clock, world, notifier


def _alert(desk: ServiceDesk, tid: str) -> SlaAlert | None:
    with desk.store() as uow:
        try:
            return uow.documents.get(SlaAlert, f"{tid}:response:sla_breach")
        except NotFound:
            return None


def _reopened(desk: ServiceDesk, clock: ManualClock, w: World, *, withdrawn: bool) -> str:
    """A repair whose first response was announced breached at 17:59 (``withdrawn``: then undone by a
    contact entered at 18:05), worked and accepted the next morning and reopened at 09:30: the new
    cycle's response is due at 11:30."""
    clock.set(_at(9))
    tid = _announced(desk, w)
    clock.set(_at(17, 59))
    desk.sla_watch.sweep(Actor.system())
    if withdrawn:
        clock.set(_at(18, 5))
        desk.contact_customer(w.junior, tid, note="上午已电话联系客户", at=_at(9, 30))
    clock.set(_at(9, day=3))
    desk.start_work(w.junior, tid)
    desk.resolve(w.junior, tid, summary="更换搓纸轮")
    desk.confirm(w.junior, tid, channel="service_slip")
    clock.set(_at(9, 30, day=3))
    desk.reopen(w.agent, tid, reason="客户来电：又卡纸")
    return tid


def test_a_contact_in_the_reopened_cycle_leaves_the_first_cycles_breach_standing(pair: Pair) -> None:
    desk, _, clock, w, notifier = pair
    tid = _reopened(desk, clock, w, withdrawn=False)
    desk.deliver()
    assert _kinds(notifier, tid) == ["sla_breach"]
    first = _alert(desk, tid)
    assert first is not None and first.withdrawn_at is None
    clock.set(_at(10, 30, day=3))
    desk.contact_customer(w.junior, tid, note="已联系客户，今日再上门", at=_at(10, day=3))
    desk.deliver()
    # The reopened cycle's response is met; the first cycle's stays missed, and nobody is told otherwise.
    assert not desk.sla(w.manager, tid)["response"].breached
    assert _kinds(notifier, tid) == ["sla_breach"]
    kept = _alert(desk, tid)
    assert kept is not None and (kept.at, kept.withdrawn_at) == (first.at, None)


@pytest.mark.parametrize("swap", [False, True])
def test_a_breach_announced_again_and_a_backdated_contact_at_once_leave_no_breach_standing(
    pair: Pair, swap: bool
) -> None:
    first, second, clock, w, notifier = pair
    tid = _reopened(first, clock, w, withdrawn=True)
    first.deliver()
    before = _kinds(notifier, tid)
    assert before == ["sla_breach", "sla_breach_withdrawn"]
    clock.set(_at(17, day=3))  # the new cycle's response was due at 11:30; the call at 10:00 is entered now

    def sweep(d: ServiceDesk) -> object:
        return d.sla_watch.sweep(Actor.system())

    def contact(d: ServiceDesk) -> object:
        return d.contact_customer(w.junior, tid, note="上午十点已电话联系客户", at=_at(10, day=3))

    told = race(first, second, *((contact, sweep) if swap else (sweep, contact)))
    assert [t.error for t in told] == [None, None]
    first.deliver()
    second.deliver()
    assert not second.sla(w.manager, tid)["response"].breached
    alert, kinds = _alert(second, tid), _kinds(notifier, tid)[len(before) :]
    assert alert is not None
    if kinds == []:  # the contact came first: nothing was announced again
        assert alert.withdrawn_at == _at(18, 5)
    else:  # the sweep came first: announced again, and withdrawn by the contact
        assert alert.withdrawn_at == _at(17, day=3), "a breach announced stands on a response met in time"
        assert sorted(kinds) == ["sla_breach", "sla_breach_withdrawn"]
    # A later sweep says nothing more.
    clock.set(_at(18, day=3))
    first.sla_watch.sweep(Actor.system())
    first.deliver()
    assert _kinds(notifier, tid)[len(before) :] == kinds
