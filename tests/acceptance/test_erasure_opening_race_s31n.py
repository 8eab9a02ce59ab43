# mypy: disable-error-code="arg-type"
"""A customer's erasure racing a ticket command that opens another ticket for them (session 31, n).

An erasure locks the customer, then each of their tickets (``privacy.erase_customer``). Intake holds the
customer before it writes (session 31, g). A command on one of the customer's tickets that opens another
for them — a request handed over as a complaint (``reclassify``), a callback's low score opening a
complaint — locked its ticket first and held the customer only at the opening: with an erasure between
the two, each held what the other waited for (a deadlock on PostgreSQL, one of them aborted after a
second and run again). Every writer now takes the customer first (``CommandRunner.execute``'s
``customer_first``, ``row_locks.hold_customer_of``): the erasure waits for the command, or the command
for the erasure, and neither is run twice.

The interleaving is made, not hoped for: the command is stopped once it holds its ticket's lock, the
erasure started, and the command let go only once the erasure waits for a lock (PostgreSQL's own
``pg_stat_activity``). Memory and SQLite stores take writers one at a time: there is nothing to race.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import aftersales.service.maintenance as maintenance
import aftersales.service.privacy as privacy
from aftersales.domain.classification import Severity
from aftersales.domain.complaints import RemedyKind
from aftersales.domain.erasure import ERASED
from aftersales.domain.money import Money
from aftersales.ports.queries import PageRequest, TicketFilter
from conftest import lock_waited, two_desks

PHONE = "13912345678"
"""The erased customer's phone number (``cust-zh`` of the acceptance world)."""


def _race(
    first: Any, second: Any, command: Callable[[Any], Any], erase: Callable[[Any], Any]
) -> tuple[Any, Any, list[int]]:
    """``command(first)`` stopped once it holds its ticket's lock; ``erase(second)`` started then; the
    command let go once the erasure waits. What each returned (or raised), and the attempts made:
    ``[command's ticket locks, erasure's customer locks]``."""
    locked, go = threading.Event(), threading.Event()
    attempts = [0, 0]
    runner = first.runner
    load = runner.load

    def stopping_load(uow: Any, ticket_id: str, *, lock: bool = False, shared: bool = False) -> Any:
        found = load(uow, ticket_id, lock=lock, shared=shared)
        if lock:
            attempts[0] += 1
            if not locked.is_set():
                locked.set()
                go.wait(60)  # (set as soon as the other side waits: a bound for a failure only)
        return found

    lock_customer = privacy.for_update

    def counting(repository: Any, id: str) -> Any:
        attempts[1] += 1
        return lock_customer(repository, id)

    told: list[Any] = [None, None]

    def run(n: int, call: Callable[[Any], Any], desk: Any) -> None:
        try:
            told[n] = call(desk)
        except BaseException as error:  # the test reads what each was told
            told[n] = error

    runner.load = stopping_load
    privacy.for_update = counting  # type: ignore[assignment]
    try:
        one = threading.Thread(target=run, args=(0, command, first))
        one.start()
        assert locked.wait(30), told[0]
        other = threading.Thread(target=run, args=(1, erase, second))
        other.start()
        waits = lock_waited(os.environ["AFTERSALES_PG_DSN"], second.store.schema, going=other.is_alive)
        go.set()
        one.join()
        other.join()
    finally:
        go.set()
        del runner.load
        privacy.for_update = lock_customer  # type: ignore[assignment]
    assert waits, "the erasure never waited for the command's locks"
    return told[0], told[1], attempts


def _erase(world: Any) -> Callable[[Any], Any]:
    def erase(desk: Any) -> Any:
        return desk.privacy.erase_customer(world.manager, "cust-zh", "本人要求", cancel_open_tickets=True)

    return erase


def _settled(desk: Any) -> tuple[list[Any], list[Any]]:
    with desk.store() as uow:
        tickets = uow.tickets.query(TicketFilter(customer_id="cust-zh"), PageRequest(limit=50)).items
        assert uow.customers.get("cust-zh").name == ERASED
        pending = uow.outbox.pending(500)
    return list(tickets), [m for m in pending if PHONE in repr(m.payload)]


def test_a_request_handed_over_as_a_complaint_while_its_customer_is_erased_queues(tmp_path: Path) -> None:
    with two_desks("postgres", tmp_path) as (first, second, world):
        call = first.open_ticket(
            world.agent, customer_id="cust-zh", description=f"马桶漏水, 回电 {PHONE}", asset_id="asset-1"
        ).ticket

        def hand_over(desk: Any) -> Any:
            return desk.reclassify(world.agent, call.id, category="complaint", reason="客户投诉安装态度")

        handed, erased, attempts = _race(first, second, hand_over, _erase(world))
        assert not isinstance(erased, BaseException), erased
        assert not isinstance(handed, BaseException), handed
        # Neither deadlocked: each ran once (on the old code one was aborted and run again).
        assert attempts == [1, 1]
        tickets, phoned = _settled(first)
        # The complaint was opened first, then cancelled and erased with the request.
        assert len(tickets) == 2
        assert {t.state for t in tickets} == {"cancelled"}
        assert all(PHONE not in t.description for t in tickets)
        assert phoned == []


def _accepted(desk: Any, world: Any) -> str:
    said = f"复印机卡纸, 回电 {PHONE}"
    tid = desk.open_ticket(world.agent, customer_id="cust-zh", description=said).ticket.id
    desk.triage(world.agent, tid, nature="paper_jam", severity=Severity.MEDIUM)
    desk.dispatch(world.agent, tid, engineer_id=world.eng_junior.id)
    desk.start_work(world.junior, tid)
    desk.add_fault_record(world.junior, tid, symptom="paper_jam", cause="worn_roller", action="replace")
    desk.resolve(world.junior, tid, summary="换了搓纸轮")
    desk.confirm(world.agent, tid, channel="phone")
    return str(tid)


def test_a_callback_opening_a_complaint_while_its_customer_is_erased_queues(tmp_path: Path) -> None:
    with two_desks("postgres", tmp_path, pack="office_equipment") as (first, second, world):
        done = _accepted(first, world)

        def low_score(desk: Any) -> Any:
            return desk.record_callback(world.agent, done, problem_back=False, satisfaction=1)

        told, erased, attempts = _race(first, second, low_score, _erase(world))
        assert not isinstance(erased, BaseException), erased
        assert not isinstance(told, BaseException), told
        assert attempts == [1, 1]
        tickets, phoned = _settled(first)
        complaints = [t for t in tickets if t.id != done]
        assert len(complaints) == 1  # the complaint the score opened, then cancelled by the erasure
        assert complaints[0].state == "cancelled"
        assert phoned == []


def test_an_extra_visit_granted_while_its_customer_is_erased_queues(tmp_path: Path) -> None:
    with two_desks("postgres", tmp_path) as (first, second, world):
        opened = first.complaints.open_complaint(
            world.agent, "cust-zh", f"漏水没人管, 回电 {PHONE}", asset_id="asset-1"
        )
        complaint_id = opened.ticket.id
        first.complaints.investigate(world.agent, complaint_id)
        first.complaints.propose_solution(world.agent, complaint_id, solution="免费加做一次保养")

        def grant(desk: Any) -> Any:
            return desk.complaints.grant_remedy(
                world.general_manager, complaint_id, kind=RemedyKind.EXTRA_MAINTENANCE_VISIT,
                cost=Money("100", "CNY"),
            )  # fmt: skip

        granted, erased, attempts = _race(first, second, grant, _erase(world))
        assert not isinstance(erased, BaseException), erased
        assert not isinstance(granted, BaseException), granted
        assert attempts == [1, 1]
        tickets, phoned = _settled(first)
        assert len(tickets) == 2  # the complaint and the visit it granted, both cancelled by the erasure
        assert {t.state for t in tickets} == {"cancelled"}
        assert phoned == []


def test_a_maintenance_visit_generated_while_its_customer_is_erased_queues(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with two_desks("postgres", tmp_path) as (first, second, world):
        first.maintenance.create_plan(
            world.manager, asset_id="asset-1", interval_months=6, first_due=date(2026, 3, 10)
        )
        paused, go = threading.Event(), threading.Event()
        prepare = maintenance._Batch.prepare

        def pausing(batch: Any, plans: Any) -> None:
            # The batch has read its plans and their customers; the erasure runs now.
            if not paused.is_set():
                paused.set()
                go.wait(60)  # (set as soon as the other side waits: a bound for a failure only)
            prepare(batch, plans)

        monkeypatch.setattr(maintenance._Batch, "prepare", pausing)
        told: list[Any] = [None, None]

        def run(n: int, call: Callable[[], Any]) -> None:
            try:
                told[n] = call()
            except BaseException as error:  # the test reads what each was told
                told[n] = error

        job = threading.Thread(target=run, args=(0, lambda: first.maintenance.generate_due(world.system)))
        job.start()
        assert paused.wait(30), told[0]
        erasure = threading.Thread(target=run, args=(1, lambda: _erase(world)(second)))
        erasure.start()
        # Until the erasure ended or waits for a lock.
        lock_waited(os.environ["AFTERSALES_PG_DSN"], second.store.schema, going=erasure.is_alive)
        go.set()
        job.join()
        erasure.join()
        report, erased = told
        assert not isinstance(erased, BaseException), erased
        # On the old code the batch read the customer before the erasure committed and then found them
        # erased at the visit's opening: CustomerErased refused the whole daily job.
        assert not isinstance(report, BaseException), report
        (visit,) = report.generated  # opened first, then cancelled by the erasure
        with first.store() as uow:
            assert uow.tickets.get(visit.ticket_id).state == "cancelled"
            assert uow.customers.get("cust-zh").name == ERASED
