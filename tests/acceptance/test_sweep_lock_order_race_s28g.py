# mypy: disable-error-code="arg-type"
"""The SLA sweep locks the tickets whose breaches it announces in ascending id order (s28 g).

Seed 003 二 3 (响应/解决时限, 超时升级): the sweep reads a page of open tickets in due order and reads again
locked each one whose breach it announces (session 27: a contact entered after the fact either commits
first or reads the announcement). It took those locks in the page's due order, while every command taking
several tickets takes them in ascending id order (:func:`aftersales.service.row_locks.lock_in_order`): a
ticket opened later but due sooner (a higher priority) was locked first, and a command holding the lower id
and waiting for the higher one deadlocked with the sweep on PostgreSQL (the server ended one after its
second of waiting; the runner ran it again). Now the page's breaches are locked once it is read, in id
order; each breach is still announced once, whoever waited.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from test_lock_order_s23 import _lost_races
from two_desk_races import race

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Category, Severity
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.sla_watch import SlaWatch
from conftest import SHANGHAI, STAFF, START, World, make_world, register, store_url

MANAGER = "manager@venus.example"
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


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 2, hour, minute, tzinfo=SHANGHAI)


def _two_breached(desk: ServiceDesk, w: World) -> tuple[str, str]:
    """Two repairs opened at 09:00, neither answered: the first low (response due 14:00, resolution on
    Wednesday), the second high (response due 11:00, resolution on Tuesday): due sooner, higher id."""
    ids = []
    for severity in (Severity.LOW, Severity.HIGH):
        tid = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
        ).ticket.id
        desk.triage(w.agent, tid, nature="paper_feed", severity=severity)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
        ids.append(tid)
    low, high = ids
    assert low < high
    assert desk.ticket(w.manager, high).resolution_due_at < desk.ticket(w.manager, low).resolution_due_at
    return low, high


def _breach_notices(notifier: MemoryNotifier, tid: str) -> int:
    return sum(m.idempotency_key.startswith(f"{tid}:sla:response:sla_breach") for m in notifier.to(MANAGER))


def test_the_sweep_locks_a_pages_breaches_in_id_order(pair: Pair, monkeypatch: pytest.MonkeyPatch) -> None:
    first, _second, clock, w, notifier = pair
    clock.set(_at(9))
    low, high = _two_breached(first, w)
    clock.set(_at(14, 5))  # both responses breached, neither announced
    locked: list[str] = []
    check = SlaWatch._check

    def recording(self: SlaWatch, uow: Any, candidate: Any, *args: Any, locked_read: bool = False) -> Any:
        if locked_read:
            locked.append(candidate.id)
        return check(self, uow, candidate, *args, locked=locked_read)

    monkeypatch.setattr(
        SlaWatch,
        "_check",
        lambda self, uow, c, s, f, locked=False: recording(self, uow, c, s, f, locked_read=locked),
    )
    report = first.sla_watch.sweep(Actor.system())
    assert locked == [low, high]  # was [high, low]: the page's due order
    assert sorted(report.breaches) == sorted([f"{low}:response", f"{high}:response"])
    first.deliver()
    assert (_breach_notices(notifier, low), _breach_notices(notifier, high)) == (1, 1)


@pytest.mark.parametrize("swap", [False, True])
def test_the_sweep_and_a_command_taking_both_tickets_do_not_deadlock(
    pair: Pair, monkeypatch: pytest.MonkeyPatch, swap: bool
) -> None:
    """Made to cross as the old order would: the sweep holds its first locked ticket, the command the
    lower id, each waiting (a second at most) for the other before taking its next."""
    first, second, clock, w, notifier = pair
    clock.set(_at(9))
    low, high = _two_breached(first, w)
    clock.set(_at(14, 5))
    desks = (first, second)
    lost = _lost_races(desks, monkeypatch)
    both_hold_one = threading.Barrier(2, timeout=1.0)
    seen = threading.local()

    def holding_one() -> None:
        if not getattr(seen, "one", False):
            seen.one = True
            with contextlib.suppress(threading.BrokenBarrierError):
                both_hold_one.wait()

    check = SlaWatch._check

    def checking(
        self: SlaWatch, uow: Any, candidate: Any, state: Any, found: Any, locked: bool = False
    ) -> Any:
        done = check(self, uow, candidate, state, found, locked)
        if locked:
            holding_one()
        return done

    monkeypatch.setattr(SlaWatch, "_check", checking)

    def sweep(d: ServiceDesk) -> object:
        return d.sla_watch.sweep(Actor.system())

    def both(d: ServiceDesk) -> object:
        """A command taking both tickets in id order (row_locks.lock_in_order), writing on each."""

        def apply(uow: Any, now: datetime) -> None:
            for n, tid in enumerate(sorted((low, high))):
                ticket = d.runner.load(uow, tid, lock=True)
                if n == 0:
                    holding_one()
                uow.tickets.save(ticket)

        return d.runner.write(Actor.system(), "take_both", None, {}, apply)

    told = race(*(desks[::-1] if swap else desks), sweep, both)
    assert [t.error for t in told] == [None, None]
    assert "DeadlockDetected" not in {type(e.__cause__).__name__ for e in lost}  # one on PostgreSQL before
    first.deliver()
    second.deliver()
    assert (_breach_notices(notifier, low), _breach_notices(notifier, high)) == (1, 1)
    assert first.sla_watch.sweep(Actor.system()).breaches == ()  # announced once


@pytest.mark.parametrize("swap", [False, True])
def test_the_sweep_and_a_resolve_telling_its_complaint_do_not_deadlock(
    pair: Pair, monkeypatch: pytest.MonkeyPatch, swap: bool
) -> None:
    """Seed 003 二 3 with seed 004 (投诉): a repair's result entered tells the complaint about it, locking
    the complaint after the repair (``coordination.tell_centre_on_resolve``) — a complaint opened after the
    repair has the higher id. A letter received the Friday before is due sooner: the sweep took the
    complaint first (due order) and deadlocked with the resolve on PostgreSQL; in id order it queues."""
    first, second, clock, w, notifier = pair
    clock.set(_at(9))
    repair = first.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=Category.REPAIR
    ).ticket.id
    first.triage(w.agent, repair, nature="paper_feed", severity=Severity.LOW)
    first.dispatch(w.agent, repair, engineer_id=w.eng_junior.id)
    first.start_work(w.junior, repair)
    letter = datetime(2026, 2, 27, 9, 0, tzinfo=SHANGHAI)
    complaint = first.complaints.open_complaint(
        w.agent, w.cust_zh.id, "上周五来信: 复印机一直卡纸", [repair], received_at=letter
    ).ticket.id
    assert repair < complaint
    assert (
        first.ticket(w.manager, complaint).resolution_due_at
        < first.ticket(w.manager, repair).resolution_due_at
    )
    clock.set(_at(14, 5))  # both responses breached, neither announced
    desks = (first, second)
    lost = _lost_races(desks, monkeypatch)
    both_hold_one = threading.Barrier(2, timeout=1.0)
    seen = threading.local()

    def holding_one() -> None:
        if not getattr(seen, "one", False):
            seen.one = True
            with contextlib.suppress(threading.BrokenBarrierError):
                both_hold_one.wait()

    check = SlaWatch._check

    def checking(
        self: SlaWatch, uow: Any, candidate: Any, state: Any, found: Any, locked: bool = False
    ) -> Any:
        done = check(self, uow, candidate, state, found, locked)
        if locked:
            holding_one()
        return done

    monkeypatch.setattr(SlaWatch, "_check", checking)
    resolving = desks[0] if swap else desks[1]  # the second racer
    load = resolving.runner.load

    def locking(uow: object, id: str, *, lock: bool = False, shared: bool = False) -> object:
        found = load(uow, id, lock=lock, shared=shared)  # type: ignore[arg-type]
        if lock:
            holding_one()
        return found

    monkeypatch.setattr(resolving.runner, "load", locking)

    def sweep(d: ServiceDesk) -> object:
        return d.sla_watch.sweep(Actor.system())

    def resolve(d: ServiceDesk) -> object:
        return d.resolve(w.junior, repair, summary="清理搓纸轮")

    told = race(*(desks[::-1] if swap else desks), sweep, resolve)
    assert [t.error for t in told] == [None, None]
    assert "DeadlockDetected" not in {type(e.__cause__).__name__ for e in lost}  # one on PostgreSQL before
    first.deliver()
    second.deliver()
    assert (_breach_notices(notifier, repair), _breach_notices(notifier, complaint)) == (1, 1)
    events = [e.action for e in first.ticket(w.manager, complaint).events]
    assert events.count("linked_ticket_resolved") == 1
