# mypy: disable-error-code="arg-type"
"""Two desks racing a contact entered after the fact against the SLA sweep announcing its breach (s27 g).

Seed 003 二 3 (the response is the contact itself); seed 001 五(三)3 (沟通记录…包括沟通时间). Session 26: a
contact entered later (``contact_customer(at=)``) that meets the response withdraws the breach the sweep
announced (``SlaAlert.withdrawn_at``, one ``sla_breach_withdrawn`` notice). Run one after the other: the
sweep first announces and the contact withdraws (one alert, withdrawn once, one notice each); the contact
first leaves nothing to announce. Raced on one store (:func:`two_desk_races.race`), in both orders, the
outcome is one of these — never a breach announced and standing on a response met in time.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_backdated_contact_breach_s26i import _announced, _at, _kinds
from two_desk_races import race

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.errors import NotFound
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.sla_watch import SlaAlert
from conftest import STAFF, START, World, make_world, register, store_url

Pair = tuple[ServiceDesk, ServiceDesk, ManualClock, World, MemoryNotifier]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    """Two desks of the office-equipment pack on one store, one notifier (memory: one desk, two threads)."""
    clock, world, notifier = ManualClock(START), make_world(), MemoryNotifier()
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(request.param, tmp_path))

        def open_desk() -> ServiceDesk:
            return stack.enter_context(
                ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF, notifier=notifier)
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


@pytest.mark.parametrize("swap", [False, True])
def test_a_backdated_contact_and_the_sweep_at_once_leave_no_breach_standing(pair: Pair, swap: bool) -> None:
    first, second, clock, w, notifier = pair
    clock.set(_at(9))
    tid = _announced(first, w)
    clock.set(_at(18, 5))  # the response was due before 18:00; the call at 09:30 is entered now

    def sweep(d: ServiceDesk) -> object:
        return d.sla_watch.sweep(Actor.system())

    def contact(d: ServiceDesk) -> object:
        return d.contact_customer(w.junior, tid, note="上午已电话联系客户", at=_at(9, 30))

    told = race(first, second, *((contact, sweep) if swap else (sweep, contact)))
    assert [t.error for t in told] == [None, None]
    first.deliver()
    second.deliver()
    assert not second.sla(w.manager, tid)["response"].breached
    alert, kinds = _alert(second, tid), _kinds(notifier, tid)
    if alert is None:  # the contact came first: nothing was announced
        assert "sla_breach" not in kinds and "sla_breach_withdrawn" not in kinds
    else:  # the sweep came first: announced, and withdrawn by the contact
        assert alert.withdrawn_at is not None, "a breach announced stands on a response met in time"
        assert (kinds.count("sla_breach"), kinds.count("sla_breach_withdrawn")) == (1, 1)
    # A later sweep says nothing more.
    clock.set(_at(19))
    first.sla_watch.sweep(Actor.system())
    first.deliver()
    assert _kinds(notifier, tid) == kinds
