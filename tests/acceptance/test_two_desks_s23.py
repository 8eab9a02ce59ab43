# mypy: disable-error-code="arg-type"
"""Two desks on one store race the newer capabilities' commands on one record (session 23).

Each test runs two desks (two processes of a host) on one SQLite file or PostgreSQL database and races
them with :func:`two_desk_races.race`: both transactions read and write before either commits. The
outcome must be one the two commands give run one after the other — exactly one wins and the other gets
a typed refusal, or both apply — with no money, stock, tally or number counted twice.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from test_cancelled_incident_units_s22 import _batch_of_four, _faulty
from test_seed002_money import FEES, OUT_OF_WARRANTY, PART, _repair
from two_desk_races import issue_slip, race, race_processes, record_payment

import aftersales.service.complaint_incident_facts as incident_facts
import aftersales.service.materials_base as materials_base
import aftersales.service.materials_ledger_jobs as materials_ledger_jobs
import aftersales.service.materials_money as materials_money
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.invoicing_memory import MemoryInvoiceIssuer
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.fee_slips import InvoiceState, InvoiceWish
from aftersales.domain.materials import MaterialsLine, PartyRef
from aftersales.domain.materials_workflow import MaterialsState
from aftersales.domain.money import Money
from aftersales.domain.service_contracts import ContractCoverage, ServiceContract
from aftersales.errors import AftersalesError, ConcurrencyConflict, PolicyError, ValidationError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url

VALVE = ChargeLine(ChargeKind.MATERIALS, PART, Money("120.00", "CNY"), 1)
LABOUR = ChargeLine(ChargeKind.LABOUR, "flush_valve_leak", Money("100.00", "CNY"), 1)

Pair = tuple[ServiceDesk, ServiceDesk, ManualClock, World]


@pytest.fixture
def finance() -> MemoryInvoiceIssuer:
    """The finance system both desks of a pair hand their invoices to."""
    return MemoryInvoiceIssuer()


@pytest.fixture(params=["sqlite", "postgres"])
def pair(request: pytest.FixtureRequest, tmp_path: Path, finance: MemoryInvoiceIssuer) -> Iterator[Pair]:
    """Two desks of the sanitary-ware pack, seed 002's fees, on one fresh store, one finance system."""
    clock, world = ManualClock(START), make_world()
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(request.param, tmp_path))

        def open_desk() -> ServiceDesk:
            return stack.enter_context(
                ServiceDesk.open(
                    url, pack="sanitary_ware", overrides={"fees": FEES}, clock=clock, staff=STAFF,
                    invoice_issuer=finance,
                )
            )  # fmt: skip

        first = open_desk()
        register(first, world)
        first.register_asset(world.manager, OUT_OF_WARRANTY)
        yield first, open_desk(), clock, world


def _slipped_quote(desk: ServiceDesk, clock: ManualClock, world: World) -> tuple[str, str]:
    """An out-of-warranty repair quoted and accepted, its slip cancelled: (ticket, quote)."""
    ticket_id = _repair(desk, clock, world, OUT_OF_WARRANTY.id)
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    slip = desk.charges.accept(world.customer_zh, ticket_id, quote.id).fee_slip
    assert slip is not None
    desk.fees.cancel_slip(world.agent, slip.id, "抬头开错")
    return ticket_id, quote.id


def test_two_desks_writing_the_slip_of_one_quote_write_one(pair: Pair) -> None:
    first, second, clock, world = pair
    ticket_id, quote_id = _slipped_quote(first, clock, world)

    def issue(desk: ServiceDesk) -> object:
        return desk.fees.issue_slip(world.agent, ticket_id, lines=[VALVE, LABOUR], quote_id=quote_id)

    outcomes = race(first, second, issue, issue)

    active = [s for s in first.fees.slips_of(world.manager, ticket_id) if s.is_active]
    assert len(active) == 1  # two on PostgreSQL before: the quote charged twice
    assert sorted(o.ok for o in outcomes) == [False, True]
    refused = next(o.error for o in outcomes if not o.ok)
    assert isinstance(refused, ValidationError) and refused.field == "quote_id"


def test_a_job_slip_written_while_its_ticket_is_cancelled_is_cancelled_or_refused(pair: Pair) -> None:
    first, second, clock, world = pair
    ticket_id = _repair(first, clock, world, OUT_OF_WARRANTY.id)

    outcomes = race(
        first,
        second,
        lambda d: d.cancel(world.agent, ticket_id, reason="客户自行修好"),
        lambda d: d.fees.issue_slip(world.agent, ticket_id, lines=[LABOUR]),
    )

    assert outcomes[0].ok
    if not outcomes[1].ok:
        assert isinstance(outcomes[1].error, PolicyError) and outcomes[1].error.code == "ticket_cancelled"
    active = [s for s in first.fees.slips_of(world.manager, ticket_id) if s.is_active]
    assert active == []  # an active job slip on a cancelled ticket on PostgreSQL before


def test_parts_requested_while_their_ticket_is_cancelled_are_called_off_or_refused(pair: Pair) -> None:
    first, second, clock, world = pair
    ticket_id = _repair(first, clock, world, OUT_OF_WARRANTY.id)

    outcomes = race(
        first,
        second,
        lambda d: d.cancel(world.agent, ticket_id, reason="客户自行修好"),
        lambda d: d.materials.request(
            world.dealer_sh_staff,
            ticket_id,
            party=PartyRef.dealer("dealer-sh"),
            lines=[MaterialsLine(PART, 1)],
        ),
    )

    assert outcomes[0].ok
    if outcomes[1].ok:
        request = first.materials.materials_request(world.agent, outcomes[1].value.id)
        assert request.state is MaterialsState.CANCELLED  # pending for ever on PostgreSQL before
    else:
        assert isinstance(outcomes[1].error, PolicyError) and outcomes[1].error.code == "ticket_cancelled"


def _contract(contract_id: str) -> ServiceContract:
    return ServiceContract(
        id=contract_id, starts_on=date(2026, 3, 1), ends_on=date(2027, 2, 28), price=Money("600.00", "CNY"),
        customer_id="cust-zh", assets=(OUT_OF_WARRANTY.id,), coverage=ContractCoverage(visits_per_year=2),
    )  # fmt: skip


def test_two_contracts_signed_at_once_for_one_unit_are_one(pair: Pair) -> None:
    first, second, _clock, world = pair

    outcomes = race(
        first,
        second,
        lambda d: d.contracts.sign(world.manager, _contract("HT-1")),
        lambda d: d.contracts.sign(world.manager, _contract("HT-2")),
    )

    signed = first.contracts.of_customer(world.manager, "cust-zh")
    assert len(signed) == 1  # both on PostgreSQL before: one unit paid for by two contracts
    assert sorted(o.ok for o in outcomes) == [False, True]
    refused = next(o.error for o in outcomes if not o.ok)
    assert isinstance(refused, ValidationError) and refused.field == "assets"


def test_two_plans_made_at_once_for_one_unit_are_one(pair: Pair) -> None:
    first, second, _clock, world = pair

    outcomes = race(
        first,
        second,
        lambda d: d.maintenance.create_plan(world.manager, asset_id=OUT_OF_WARRANTY.id, plan_id="MP-a"),
        lambda d: d.maintenance.create_plan(world.manager, asset_id=OUT_OF_WARRANTY.id, plan_id="MP-b"),
    )

    plans = first.maintenance.plans(world.manager, asset_id=OUT_OF_WARRANTY.id)
    assert len(plans) == 1  # two on PostgreSQL before: every visit made twice
    assert sorted(o.ok for o in outcomes) == [False, True]
    refused = next(o.error for o in outcomes if not o.ok)
    assert isinstance(refused, ValidationError) and refused.field == "asset_id"


def test_a_keyed_slip_retried_on_the_other_desk_is_one_slip(pair: Pair) -> None:
    first, second, clock, world = pair
    ticket_id = _repair(first, clock, world, OUT_OF_WARRANTY.id)

    def issue(desk: ServiceDesk) -> object:
        return desk.fees.issue_slip(world.agent, ticket_id, lines=[LABOUR], idempotency_key="host-1")

    outcomes = race(first, second, issue, issue)

    assert all(o.ok for o in outcomes)
    assert outcomes[0].value.id == outcomes[1].value.id
    assert len(first.fees.slips_of(world.manager, ticket_id)) == 1


def test_a_keyed_payment_retried_on_the_other_desk_counts_once(pair: Pair) -> None:
    first, second, clock, world = pair
    ticket_id = _repair(first, clock, world, OUT_OF_WARRANTY.id)
    slip = first.fees.issue_slip(world.agent, ticket_id, lines=[LABOUR])

    def pay(desk: ServiceDesk) -> object:
        return desk.fees.record_payment(world.agent, slip.id, Money("40.00", "CNY"), idempotency_key="pay-1")

    outcomes = race(first, second, pay, pay)

    assert all(o.ok for o in outcomes)
    assert first.fees.slip(world.manager, slip.id).paid == Money("40.00", "CNY")


def test_two_payments_of_a_whole_slip_at_once_count_once(pair: Pair) -> None:
    first, second, clock, world = pair
    ticket_id = _repair(first, clock, world, OUT_OF_WARRANTY.id)
    slip = first.fees.issue_slip(world.agent, ticket_id, lines=[LABOUR])

    def pay(desk: ServiceDesk) -> object:
        return desk.fees.record_payment(world.agent, slip.id, Money("100.00", "CNY"))

    outcomes = race(first, second, pay, pay)

    assert sorted(o.ok for o in outcomes) == [False, True]
    assert isinstance(next(o.error for o in outcomes if not o.ok), AftersalesError)
    assert first.fees.slip(world.manager, slip.id).paid == Money("100.00", "CNY")


def _options(clock: ManualClock) -> dict[str, object]:
    """How a racing process opens its desk: plain library values (pickled to it). The pack's own fees:
    the fees policy does not pickle, and the slips and payments raced name their amounts."""
    return {"pack": "sanitary_ware", "clock": ManualClock(clock.now()), "staff": STAFF}


@pytest.fixture
def sqlite_desk(tmp_path: Path) -> Iterator[tuple[ServiceDesk, str, ManualClock, World]]:
    """A desk on a SQLite file other processes open too, with seed 002's fees."""
    clock, world = ManualClock(START), make_world()
    url = f"sqlite:///{tmp_path / 'processes.db'}"
    with ServiceDesk.open(
        url, pack="sanitary_ware", overrides={"fees": FEES}, clock=clock, staff=STAFF
    ) as desk:
        register(desk, world)
        desk.register_asset(world.manager, OUT_OF_WARRANTY)
        yield desk, url, clock, world


def test_two_processes_writing_the_slip_of_one_quote_write_one(
    sqlite_desk: tuple[ServiceDesk, str, ManualClock, World],
) -> None:
    desk, url, clock, world = sqlite_desk
    ticket_id, quote_id = _slipped_quote(desk, clock, world)
    call = functools.partial(issue_slip, world.agent, ticket_id, (VALVE, LABOUR), quote_id, None)

    told = race_processes(url, _options(clock), call, call)

    assert sorted(t.ok for t in told) == [False, True]
    refused = next(t for t in told if not t.ok)
    assert (refused.error, refused.field) == ("ValidationError", "quote_id")
    assert len([s for s in desk.fees.slips_of(world.manager, ticket_id) if s.is_active]) == 1


def test_a_keyed_slip_and_payment_retried_in_another_process_count_once(
    sqlite_desk: tuple[ServiceDesk, str, ManualClock, World],
) -> None:
    desk, url, clock, world = sqlite_desk
    ticket_id = _repair(desk, clock, world, OUT_OF_WARRANTY.id)
    call = functools.partial(issue_slip, world.agent, ticket_id, (LABOUR,), None, "host-1")

    told = race_processes(url, _options(clock), call, call)

    assert all(t.ok for t in told) and told[0].id == told[1].id
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    pay = functools.partial(record_payment, world.agent, slip.id, Money("40.00", "CNY"), "pay-1")
    told = race_processes(url, _options(clock), pay, pay)
    assert all(t.ok for t in told)
    assert desk.fees.slip(world.manager, slip.id).paid == Money("40.00", "CNY")


def test_a_materials_quote_accepted_while_a_job_slip_is_written_are_both_written(pair: Pair) -> None:
    first, second, clock, world = pair
    ticket_id = _repair(first, clock, world, OUT_OF_WARRANTY.id)
    materials = first.materials
    request = materials.request(
        world.dealer_sh_staff, ticket_id, party=PartyRef.dealer("dealer-sh"), lines=[MaterialsLine(PART, 1)],
        urgent=True,
    )  # fmt: skip
    materials.check(world.agent, request.id)
    materials.quote(world.agent, request.id)

    outcomes = race(
        first,
        second,
        lambda d: d.materials.approve(world.dealer_sh_staff, request.id),
        lambda d: d.fees.issue_slip(world.agent, ticket_id, lines=[LABOUR]),
    )

    assert [o.error for o in outcomes] == [None, None]  # a deadlock on PostgreSQL: StorageError
    assert len(first.fees.slips_of(world.manager, ticket_id)) == 2


def test_a_materials_quote_and_the_sheets_quote_accepted_in_crossing_order_are_both_accepted(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The materials desk took its numbers, then the ticket; a ticket command takes the ticket, then its
    numbers. Made to cross (the ticket command holds the ticket while the materials step holds the
    slip counter), PostgreSQL found a deadlock and one desk was told ``StorageError``."""
    first, second, clock, world = pair
    ticket_id = _repair(first, clock, world, OUT_OF_WARRANTY.id)
    materials = first.materials
    request = materials.request(
        world.dealer_sh_staff, ticket_id, party=PartyRef.dealer("dealer-sh"), lines=[MaterialsLine(PART, 1)],
        urgent=True,
    )  # fmt: skip
    materials.check(world.agent, request.id)
    materials.quote(world.agent, request.id)
    first.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = first.charges.quote(world.agent, ticket_id)
    ticket_held, counter_held = threading.Event(), threading.Event()

    numbered = materials_base.next_number

    def next_number(uow: object, kind: str, now: object) -> str:
        if kind == "pick_slip":
            ticket_held.wait(1.0)  # the other desk holds the ticket now
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
            counter_held.wait(1.0)  # the materials step holds the slip counter now
        return found

    monkeypatch.setattr(second.runner, "load", locking)
    outcomes = race(
        first,
        second,
        lambda d: d.materials.approve(world.dealer_sh_staff, request.id),
        lambda d: d.charges.accept(world.customer_zh, ticket_id, quote.id),
    )

    assert [o.error for o in outcomes] == [None, None]  # StorageError (deadlock) on PostgreSQL before
    assert len(first.fees.slips_of(world.manager, ticket_id)) == 2


def test_two_writers_locking_two_tickets_in_crossing_order_lose_a_race_not_fail(tmp_path: Path) -> None:
    """A deadlock (PostgreSQL ends one of the two transactions) is a lost race, ``ConcurrencyConflict``:
    the runner runs the loser again. It was ``StorageError``, as a broken store is, and not retried."""
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url("postgres", tmp_path))
        first, second = (stack.enter_context(ServiceDesk.open(url, pack="sanitary_ware")) for _ in range(2))
        world = make_world()
        register(first, world)
        ids = [
            first.open_ticket(world.agent, customer_id="cust-zh", description="漏水").ticket.id for _ in "ab"
        ]
        both_hold = threading.Barrier(2, timeout=5)
        raised: list[BaseException] = []

        def crossing(desk: ServiceDesk, order: list[str]) -> None:
            try:
                with desk.store() as uow:
                    uow.tickets.get_for_update(order[0])
                    both_hold.wait()
                    uow.tickets.get_for_update(order[1])
            except BaseException as error:  # what the loser was told
                raised.append(error)

        threads = [
            threading.Thread(target=crossing, args=(first, ids)),
            threading.Thread(target=crossing, args=(second, ids[::-1])),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    assert len(raised) == 1 and isinstance(raised[0], ConcurrencyConflict)  # StorageError before


def _fault_once(read: threading.Event, staff: Actor, ticket_id: str, desk: ServiceDesk) -> object:
    """The fault record of the second unit, once ``read`` is set (or 5 seconds passed)."""
    read.wait(5.0)
    return desk.add_fault_record(
        staff, ticket_id, symptom="keeps_flushing", cause="flush_valve_worn", action="adjust"
    )


@pytest.mark.parametrize("complaint_first", [False, True])
def test_a_complaint_opened_while_its_tickets_batch_incident_is_raised_is_major(
    pair: Pair, monkeypatch: pytest.MonkeyPatch, complaint_first: bool
) -> None:
    """Seed 004 第七条 5(2): a complaint about a ticket of a batch quality incident is major. Opened on one
    desk while the other desk's fault record raised the incident, it is classified by one or the other:
    the complaint finds the incident, or the incident finds the complaint. ``complaint_first``: the fault
    record starts once the complaint has read the batch's tally."""
    first, second, _clock, world = pair
    read = threading.Event()
    if complaint_first:
        reading = incident_facts.document_for_update

        def tally_read(*args: Any) -> Any:
            try:
                return reading(*args)
            finally:
                read.set()

        monkeypatch.setattr(incident_facts, "document_for_update", tally_read)
    else:
        read.set()
    _batch_of_four(first, world)
    about = _faulty(first, world, "asset-1")
    staff = world.dealer_sh_staff
    other = first.open_ticket(world.agent, customer_id="cust-zh", description="一直冲水", asset_id="asset-2")
    other_id = other.ticket.id
    first.triage(world.agent, other_id, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    first.dispatch(world.agent, other_id, dealer_id=world.dealer_sh.id)
    first.start_work(staff, other_id)

    outcomes = race(
        first,
        second,
        lambda d: d.complaints.open_complaint(world.agent, "cust-zh", "还是漏水", [about]),
        functools.partial(_fault_once, read, staff, other_id),
    )

    assert [o.error for o in outcomes] == [None, None]
    (incident,) = first.quality_incidents.incidents(world.manager)
    complaint_id = outcomes[0].value.ticket.id
    found = first.complaints.complaint_file(world.manager, complaint_id).batch_incident
    assert found is not None and found.incident_id == incident.id  # None on PostgreSQL before


def test_a_keyed_contract_and_plan_retried_on_the_other_desk_are_one_each(pair: Pair) -> None:
    first, second, _clock, world = pair

    def sign(desk: ServiceDesk) -> object:
        return desk.contracts.sign(world.manager, _contract("HT-1"), idempotency_key="sign-1")

    signed = race(first, second, sign, sign)
    assert [o.error for o in signed] == [None, None]

    def plan(desk: ServiceDesk) -> object:
        return desk.maintenance.create_plan(
            world.manager, asset_id=OUT_OF_WARRANTY.id, contract_id="HT-1", idempotency_key="plan-1"
        )

    planned = race(first, second, plan, plan)
    assert [o.error for o in planned] == [None, None]
    assert planned[0].value.id == planned[1].value.id
    assert len(first.contracts.of_customer(world.manager, "cust-zh")) == 1
    assert len(first.maintenance.plans(world.manager, asset_id=OUT_OF_WARRANTY.id)) == 1


def test_two_desks_retrying_one_failed_invoice_both_answer_with_it_issued(
    pair: Pair, finance: MemoryInvoiceIssuer
) -> None:
    first, second, clock, world = pair
    ticket_id = _repair(first, clock, world, OUT_OF_WARRANTY.id)
    finance.fail_next = 1
    slip = first.fees.issue_slip(world.agent, ticket_id, lines=[LABOUR], invoice=InvoiceWish.NOW)
    assert slip.invoice_id is not None
    assert first.fees.invoice(world.manager, slip.invoice_id).state is InvoiceState.FAILED

    outcomes = race(
        first,
        second,
        lambda d: d.fees.retry_invoices(world.manager),
        lambda d: d.fees.retry_invoices(world.manager),
    )

    assert [o.error for o in outcomes] == [None, None]  # InvalidTransition ("issue" from issued) before
    for outcome in outcomes:  # sent by both, or by one before the other listed what was waiting
        assert all(r.state is InvoiceState.ISSUED for r in outcome.value)
    assert first.fees.invoice(world.manager, slip.invoice_id).state is InvoiceState.ISSUED
    assert len(finance.issued) == 1
