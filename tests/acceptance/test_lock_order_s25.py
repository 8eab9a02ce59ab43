# mypy: disable-error-code="arg-type"
"""Session 25: writes locking several tickets take them in one order, ascending id, even when a later
read finds one more (:func:`aftersales.service.row_locks.lock_in_order`).

Each test races the write and another on desks of one store (:func:`two_desk_races.race`), made to
cross as the old order would, and counts the lost races: a deadlock on PostgreSQL is one (the runner
runs the transaction again after the server's second of waiting); a write giving up before it waits
out of order (``LockOrderConflict``) is one too, but never a deadlock.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from test_complaint_remedies_s20 import Limited, _in_negotiation, limited
from test_lock_order_s23 import LATE, _lost_races
from test_lock_order_s24 import Pair, _loaned, centre, pair
from test_seed002_money import FEES, IN_WARRANTY
from test_seed004_incident_walk_s19 import AGENT, MANAGER, _complain, _repair
from two_desk_races import race

import aftersales.service.complaint_incident_facts as incident_facts
import aftersales.service.late_after_backfill as late_after_backfill
import aftersales.service.quality_incidents as quality_incidents
from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Severity
from aftersales.domain.complaints import RemedyKind
from aftersales.domain.materials import MaterialsRequest, PartyRef
from aftersales.domain.money import Money
from aftersales.domain.quality_reports import BatchIncident
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url

__all__ = ["centre", "limited", "pair"]

Three = tuple[ServiceDesk, ServiceDesk, ServiceDesk, ManualClock, World]


@pytest.fixture(params=["sqlite", "postgres"])
def three(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Three]:
    """Three desks of the sanitary-ware pack, seed 002's fees, on one fresh store."""
    clock, world = ManualClock(START), make_world()
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(request.param, tmp_path))

        def open_desk() -> ServiceDesk:
            return stack.enter_context(
                ServiceDesk.open(
                    url, pack="sanitary_ware", overrides={"fees": FEES}, clock=clock, staff=STAFF
                )
            )

        first = open_desk()
        register(first, world)
        first.register_asset(world.manager, IN_WARRANTY)
        yield first, open_desk(), open_desk(), clock, world


def _ticket_of(desk: ServiceDesk, request_id: str) -> str:
    with desk.context.store() as uow:
        return uow.documents.get(MaterialsRequest, request_id).ticket_id


def _deadlocks(lost: list[BaseException]) -> list[BaseException]:
    return [e for e in lost if type(e.__cause__).__name__ == "DeadlockDetected"]


def test_the_chargebacks_job_finding_a_lower_ticket_on_its_second_read_does_not_lock_it_out_of_order(
    three: Three, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seed 002 退料 (未退料…需收取相关费用): two parties each kept a loaned part past its deadline. The
    job (one line a run) locked the ticket of the line it planned; a third desk had charged that line
    meanwhile, so its second read moved on to the other line, on a ticket of a lower id, and locked it:
    a run by hand holding that lower ticket and waiting for the job's deadlocked with it on PostgreSQL.
    Now the job gives that attempt up before waiting out of order and runs again; each line is charged
    once."""
    first, second, third, clock, world = three
    low = _loaned(first, clock, world, PartyRef.engineer("eng-dealer-sh"))
    high = _loaned(first, clock, world, PartyRef.dealer("dealer-sh"))  # the line the job plans first
    low_ticket, high_ticket = _ticket_of(first, low), _ticket_of(first, high)
    assert low_ticket < high_ticket
    clock.set(LATE)
    lost = _lost_races((first, second), monkeypatch)
    low_held, high_held, third_done = threading.Event(), threading.Event(), threading.Event()
    by_third: list[Any] = []
    lock_charged = first.materials._lock_charged

    def charge_on_third() -> None:
        try:
            by_third.extend(third.materials.run_overdue_chargebacks(world.manager, limit=1))
        finally:
            third_done.set()

    def job_locking(uow: Any, chargebacks: Any, held: Any) -> None:
        if not high_held.is_set():
            low_held.wait(1.0)  # the run by hand holds the lower ticket
            threading.Thread(target=charge_on_third).start()
            third_done.wait(1.0)  # the third desk charged the line the job planned
            lock_charged(uow, chargebacks, held)
            high_held.set()
            return
        lock_charged(uow, chargebacks, held)

    monkeypatch.setattr(first.materials, "_lock_charged", job_locking)
    load = second.runner.load

    def by_hand_locking(uow: object, id: str, *, lock: bool = False, shared: bool = False) -> object:
        if lock and id == high_ticket and not low_held.is_set():
            low_held.set()
            high_held.wait(1.0)  # the job holds the higher ticket now
        return load(uow, id, lock=lock, shared=shared)  # type: ignore[arg-type]

    monkeypatch.setattr(second.runner, "load", by_hand_locking)

    outcomes = race(
        first,
        second,
        lambda d: d.materials.run_overdue_chargebacks(world.system, limit=1),
        lambda d: d.materials.run_overdue_chargebacks(world.manager),
    )
    third_done.wait(30.0)

    assert [o.error for o in outcomes] == [None, None]
    assert _deadlocks(lost) == []  # one on PostgreSQL before
    charged = [c.request_id for o in outcomes for c in o.value] + [c.request_id for c in by_third]
    assert sorted(charged) == sorted([low, high])  # each line once


def test_a_withdrawn_complaint_locks_all_its_visits_in_id_order_before_calling_any_off(
    limited: Limited, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seed 002 (方案的落实; 撤诉): the complaint's withdrawal calls off its extra visits not begun. It
    locked each visit and settled it (its SLA mark, its notices) before locking the next, in the
    remedies' order: a ticket command holding the next visit and writing beside it crossed it. Now every
    visit is locked first, in ascending id order (the order of every write taking several tickets), then
    each is called off."""
    desk, _clock, world = limited
    complaint_id = _in_negotiation(desk, world)
    desk.complaints.agree_solution(world.agent, complaint_id)
    for quantity in (2, 1):
        desk.complaints.grant_remedy(
            world.agent,
            complaint_id,
            kind=RemedyKind.EXTRA_MAINTENANCE_VISIT,
            cost=Money("100", "CNY"),
            quantity=quantity,
        )
    visits = {v for r in desk.complaints.complaint_file(world.agent, complaint_id).remedies for v in r.work}
    assert len(visits) == 3
    steps: list[tuple[str, str]] = []
    load, settle = desk.runner.load, desk.runner.settle_moved_ticket

    def loading(uow: object, id: str, *, lock: bool = False, shared: bool = False) -> object:
        if lock and id in visits:
            steps.append(("lock", id))
        return load(uow, id, lock=lock, shared=shared)  # type: ignore[arg-type]

    def settling(uow: Any, actor: Any, ticket: Any, *args: Any) -> Any:
        if ticket.id in visits:
            steps.append(("settle", ticket.id))
        return settle(uow, actor, ticket, *args)

    monkeypatch.setattr(desk.runner, "load", loading)
    monkeypatch.setattr(desk.runner, "settle_moved_ticket", settling)

    desk.complaints.withdraw(Actor.customer(world.cust_zh.id), complaint_id, reason="自己修好了")

    locks = [id for step, id in steps if step == "lock"]
    assert locks == sorted(visits)
    assert steps[: len(visits)] == [("lock", id) for id in sorted(visits)]  # each locked before any settled
    assert {desk.ticket(world.manager, v).state for v in visits} == {"cancelled"}


def _strip_late_afters(desk: ServiceDesk, ticket_id: str) -> None:
    """The ticket as a release before the late-after instants stored it."""
    with desk.store() as uow:
        ticket = uow.tickets.get_for_update(ticket_id)
        ticket.response_late_after = ticket.resolution_late_after = None
        uow.tickets.save(ticket)
        uow.commit()


def test_the_late_after_back_fill_and_an_erasure_of_its_tickets_customer_both_commit_at_once(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The back-fill of late-after instants locked a page's tickets in the page's order, by received
    time: a call logged late (received three days before, numbered after) came first. An erasure
    cancelling the customer's calls locks them in id order: crossing, PostgreSQL found a deadlock and
    ran one again. The back-fill now locks them in id order too."""
    first, second, _clock, world = pair
    ids = []
    for received in (START, START - timedelta(days=3)):
        opened = first.open_ticket(
            world.agent, customer_id=world.cust_zh.id, description="复印机卡纸", received_at=received
        )
        first.triage(world.agent, opened.ticket.id, nature="repair", severity=Severity.MEDIUM)
        ids.append(opened.ticket.id)
    numbered_first, logged_late = ids
    assert numbered_first < logged_late  # the page reads the late call first
    for ticket_id in ids:
        _strip_late_afters(first, ticket_id)
    lost = _lost_races((first, second), monkeypatch)
    backfill_held, erasure_held = threading.Event(), threading.Event()
    erasing, writing = threading.local(), threading.local()
    fill, fill_page = late_after_backfill._fill, late_after_backfill._fill_page

    def filling_page(*args: Any, **kwargs: Any) -> Any:
        writing.on = True
        try:
            return fill_page(*args, **kwargs)
        finally:
            writing.on = False

    def filling(context: Any, uow: Any, ticket: Any, now: Any) -> Any:
        if getattr(writing, "on", False) and not backfill_held.is_set():
            backfill_held.set()  # the back-fill holds its first ticket now
            erasure_held.wait(1.0)
        return fill(context, uow, ticket, now)

    monkeypatch.setattr(late_after_backfill, "_fill_page", filling_page)
    monkeypatch.setattr(late_after_backfill, "_fill", filling)
    with second.context.store() as uow:
        tickets = type(uow.tickets)
    locked = tickets.get_for_update

    def locking(self: Any, ticket_id: str) -> Any:
        found = locked(self, ticket_id)
        if getattr(erasing, "on", False) and not erasure_held.is_set():
            erasure_held.set()  # the erasure holds its first ticket now
            backfill_held.wait(1.0)
        return found

    monkeypatch.setattr(tickets, "get_for_update", locking)

    def erase(desk: ServiceDesk) -> Any:
        erasing.on = True
        return desk.privacy.erase_customer(
            world.manager, world.cust_zh.id, "本人要求", cancel_open_tickets=True
        )

    outcomes = race(first, second, lambda d: d.late_afters.backfill(world.manager), erase)

    assert outcomes[1].ok, outcomes[1].error
    assert outcomes[0].ok, outcomes[0].error
    assert _deadlocks(lost) == []  # one on PostgreSQL before
    assert {first.ticket(world.manager, t).state for t in ids} == {"cancelled"}


def _found(value: str) -> BatchIncident:
    """What a fault report found: ``value`` on 2 of batch B-9's 40 units (5 %)."""
    return BatchIncident("P-1", "B-9", value, 2, 40, Decimal("0.05"))


def test_raising_two_problems_incidents_and_a_complaint_linking_a_ticket_of_both_both_commit_at_once(
    centre: tuple[ServiceDesk, ServiceDesk], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seed 004 第七条 5(2): raising the incidents a fault report found wrote one problem's tally and
    raised its incident, then locked the complaints about the other problem's tickets; a complaint about
    one of those, linking a ticket of the first problem, holds the complaint, then reads that tally
    locked. Crossing, PostgreSQL found a deadlock and ran one again. Now every complaint the incidents may
    classify is locked first, in id order, and the problems are judged in key order."""
    first, second = centre
    live = _repair(first, 0, cause="glaze_crack")  # counted: the glaze_crack tally is stored
    with monkeypatch.context() as older:
        # An older release: the faults are recorded, nothing is counted.
        older.setattr(quality_incidents, "count_unit", lambda *args, **kwargs: [])
        _repair(first, 1, cause="glaze_crack")
        about = _repair(first, 4)  # the live call's customer's
        sealed = {about, _repair(first, 5)}
    complaint = _complain(first, 4, about)
    lost = _lost_races((first, second), monkeypatch)
    tally_held, complaint_held = threading.Event(), threading.Event()
    seen: list[set[str]] = []
    lock_first, tally_read = quality_incidents.complaints_first, incident_facts.document_for_update

    def locking_first(uow: Any, ticket_ids: Any) -> None:
        ids = set(ticket_ids)
        if ids and ids <= sealed and any(live in s for s in seen):  # after the glaze_crack incident
            tally_held.set()
            complaint_held.wait(1.0)  # the complaint holds itself now
        seen.append(ids)
        lock_first(uow, ids)

    def reading(*args: Any) -> Any:
        complaint_held.set()
        tally_held.wait(1.0)  # the raise wrote the glaze_crack tally now
        return tally_read(*args)

    monkeypatch.setattr(quality_incidents, "complaints_first", locking_first)
    monkeypatch.setattr(incident_facts, "document_for_update", reading)

    outcomes = race(
        first,
        second,
        lambda d: d.reports.raise_batch_incidents(MANAGER, [_found("glaze_crack"), _found("seal_defect")]),
        lambda d: d.complaints.link_tickets(AGENT, complaint, [live]),
    )

    assert [o.error for o in outcomes] == [None, None]
    assert _deadlocks(lost) == []  # one on PostgreSQL before
    assert [i.value for i in outcomes[0].value] == ["glaze_crack", "seal_defect"]
    assert sorted(i.value for i in first.quality_incidents.incidents(MANAGER)) == [
        "glaze_crack",
        "seal_defect",
    ]
    found = first.complaints.complaint_file(MANAGER, complaint)
    assert found.batch_incident is not None and live in found.about
