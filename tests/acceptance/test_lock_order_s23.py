# mypy: disable-error-code="arg-type"
"""A job charging kept parts and a ticket command on the same ticket take their locks in one order.

A ticket command takes its ticket's lock, then its numbers (a fee slip's counter). The overdue
chargebacks (the ``chargebacks`` job) and a loan count (``reconcile``) took the loan ledger's row and the
fee-slip counter, then the ticket's lock (its history records the charge): made to cross a ticket command,
PostgreSQL found a deadlock, ended one transaction after its second's wait and the runner ran it again.
Now they lock the tickets they charge on first, in id order. Each test races the two on two desks of one
store (:func:`two_desk_races.race`), made to cross as the old order would, and counts the lost races.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from test_cancelled_incident_units_s22 import _batch_of_four, _faulty
from test_seed002_money import FEES, IN_WARRANTY, PART, SH, _free_part_received
from two_desk_races import race

import aftersales.service.complaint_incident_facts as incident_facts
import aftersales.service.materials_base as materials_base
import aftersales.service.materials_ledger_jobs as materials_ledger_jobs
import aftersales.service.materials_money as materials_money
import aftersales.service.quality_incidents as quality_incidents
from aftersales.adapters.clock import ManualClock
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.materials import PartyRef
from aftersales.domain.money import Money
from aftersales.errors import ConcurrencyConflict, DuplicateError, StoreBusy
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url

LABOUR = ChargeLine(ChargeKind.LABOUR, "flush_valve_leak", Money("100.00", "CNY"), 1)
LATE = datetime(2026, 4, 3, 0, 1, tzinfo=SH)  # the day after the 30th: the loaned part is kept

Pair = tuple[ServiceDesk, ServiceDesk, ManualClock, World]


@pytest.fixture(params=["sqlite", "postgres"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    """Two desks of the sanitary-ware pack, seed 002's fees, on one fresh store."""
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
        yield first, open_desk(), clock, world


def _lost_races(desks: tuple[ServiceDesk, ...], monkeypatch: pytest.MonkeyPatch) -> list[BaseException]:
    """Every lost race of ``desks``' commands (a deadlock is one): the attempts their runners run again."""
    lost: list[BaseException] = []
    for desk in desks:
        _count(desk, lost, monkeypatch)
    return lost


def _count(desk: ServiceDesk, lost: list[BaseException], monkeypatch: pytest.MonkeyPatch) -> None:
    attempts = desk.runner._attempts

    def counting(once: Callable[..., Any], args: tuple[Any, ...], scoped: Any, recall: Any) -> Any:
        def counted(*given: Any) -> Any:
            try:
                return once(*given)
            except (ConcurrencyConflict, DuplicateError, StoreBusy) as lost_race:
                lost.append(lost_race)
                raise

        return attempts(counted, args, scoped, recall)

    monkeypatch.setattr(desk.runner, "_attempts", counting)


def _crossing(first: ServiceDesk, second: ServiceDesk, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``first``'s charging wait, before its fee-slip number, until ``second`` holds the ticket,
    and ``second`` wait, holding the ticket, until ``first`` took that number (1 s at most each): the
    interleaving in which the old order deadlocked."""
    ticket_held, counter_held = threading.Event(), threading.Event()
    numbered = materials_base.next_number

    def next_number(uow: object, kind: str, now: object) -> str:
        if kind == "fee_slip":
            ticket_held.wait(1.0)
        found = numbered(uow, kind, now)  # type: ignore[arg-type]
        if kind == "fee_slip":
            counter_held.set()
        return found

    for module in (materials_base, materials_ledger_jobs, materials_money):  # where slips are numbered (s32)
        monkeypatch.setattr(module, "next_number", next_number)
    load = second.runner.load

    def locking(uow: object, id: str, *, lock: bool = False, shared: bool = False) -> object:
        found = load(uow, id, lock=lock, shared=shared)  # type: ignore[arg-type]
        if lock and not ticket_held.is_set():
            ticket_held.set()
            counter_held.wait(1.0)
        return found

    monkeypatch.setattr(second.runner, "load", locking)


def test_the_chargebacks_job_and_a_fee_slip_crossing_on_a_ticket_both_commit_at_once(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, clock, world = pair
    ticket_id, _request_id = _free_part_received(first, clock, world)
    clock.set(LATE)
    lost = _lost_races((first, second), monkeypatch)
    _crossing(first, second, monkeypatch)

    outcomes = race(
        first,
        second,
        lambda d: d.materials.run_overdue_chargebacks(world.system),
        lambda d: d.fees.issue_slip(world.agent, ticket_id, lines=[LABOUR]),
    )

    assert [o.error for o in outcomes] == [None, None]
    assert lost == []  # a deadlock on PostgreSQL before, the job run again
    (charged,) = outcomes[0].value
    assert charged.part == PART
    slips = first.fees.slips_of(world.manager, ticket_id)
    assert sorted(s.origin.value for s in slips) == ["job", "unreturned_materials"]


def test_a_loan_count_charging_a_part_and_a_fee_slip_crossing_on_a_ticket_both_commit_at_once(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, clock, world = pair
    ticket_id, _request_id = _free_part_received(first, clock, world)
    clock.set(LATE)
    lost = _lost_races((first, second), monkeypatch)
    _crossing(first, second, monkeypatch)

    outcomes = race(
        first,
        second,
        lambda d: d.materials.reconcile(
            world.manager, PartyRef.dealer("dealer-sh"), {PART: 0}, reference="PD-1"
        ),
        lambda d: d.fees.issue_slip(world.agent, ticket_id, lines=[LABOUR]),
    )

    assert [o.error for o in outcomes] == [None, None]
    assert lost == []  # a deadlock on PostgreSQL before, the count run again
    assert [c.part for c in outcomes[0].value.chargebacks] == [PART]
    assert len(first.fees.slips_of(world.manager, ticket_id)) == 2


def test_a_fault_record_raising_an_incident_and_a_complaint_linking_a_ticket_of_its_batch_never_deadlock(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seed 004 第七条 5(2): the fault record raising a batch incident classifies the complaints about its
    tickets (their locks), after writing the batch's tally; a complaint linking one more ticket of the
    batch holds the complaint and reads the tally locked. Crossing, they deadlocked on PostgreSQL."""
    first, second, _clock, world = pair
    _batch_of_four(first, world)
    about = _faulty(first, world, "asset-1")
    again = _faulty(first, world, "asset-1")  # the same unit: counted once
    complaint = first.complaints.open_complaint(world.agent, "cust-zh", "还是漏水", [about]).ticket.id
    staff = world.dealer_sh_staff
    other = first.open_ticket(world.agent, customer_id="cust-zh", description="一直冲水", asset_id="asset-2")
    other_id = other.ticket.id
    first.triage(world.agent, other_id, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    first.dispatch(world.agent, other_id, dealer_id=world.dealer_sh.id)
    first.start_work(staff, other_id)
    lost = _lost_races((first, second), monkeypatch)
    complaint_held, tally_written = threading.Event(), threading.Event()
    counted, judged, tally_read = (
        quality_incidents._counted,
        quality_incidents._judge,
        incident_facts.document_for_update,
    )

    def counting(*args: Any) -> Any:
        complaint_held.wait(1.0)  # the complaint's command holds it now
        return counted(*args)

    def judging(*args: Any) -> Any:
        try:
            return judged(*args)
        finally:
            tally_written.set()

    def reading(*args: Any) -> Any:
        complaint_held.set()
        tally_written.wait(1.0)  # the fault record wrote the tally now
        return tally_read(*args)

    monkeypatch.setattr(quality_incidents, "_counted", counting)
    monkeypatch.setattr(quality_incidents, "_judge", judging)
    monkeypatch.setattr(incident_facts, "document_for_update", reading)

    outcomes = race(
        first,
        second,
        lambda d: d.add_fault_record(
            staff, other_id, symptom="keeps_flushing", cause="flush_valve_worn", action="adjust"
        ),
        lambda d: d.complaints.link_tickets(world.agent, complaint, [again]),
    )

    assert [o.error for o in outcomes] == [None, None]
    assert "DeadlockDetected" not in {type(e.__cause__).__name__ for e in lost}  # one on PostgreSQL before
    (incident,) = first.quality_incidents.incidents(world.manager)
    found = first.complaints.complaint_file(world.manager, complaint)
    assert found.batch_incident is not None and found.batch_incident.incident_id == incident.id
    assert again in found.about
