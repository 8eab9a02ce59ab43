# mypy: disable-error-code="arg-type"
"""Session 24: the jobs left by session 23 take their locks in the ticket commands' order.

A ticket command locks its ticket first, then what it writes beside it (the SLA sweep's mark, a batch's
tally). Each test races a job and a ticket command on two desks of one store
(:func:`two_desk_races.race`), made to cross as the job's old order would, and counts the lost races
(a deadlock on PostgreSQL is one: the runner runs the transaction again).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from test_cancelled_incident_units_s22 import _batch_of_four, _faulty
from test_jobs_given_s22 import CALENDAR, HOURS
from test_lock_order_s23 import LATE, _lost_races
from test_seed002_money import FEES, IN_WARRANTY, PART
from test_seed002_money import _repair as _money_repair
from test_seed004_incident_walk_s19 import AGENT, BATCH_SIZE, MANAGER, _complain, _fault, _repair
from test_seed004_incident_walk_s19 import STAFF as S19
from two_desk_races import race

import aftersales.service.cancelled_faults as cancelled_faults
import aftersales.service.complaint_incident_facts as incident_facts
import aftersales.service.sla_cliff as sla_cliff
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, EngineerId, ProductId
from aftersales.domain.materials import MaterialsLine, PartyRef
from aftersales.domain.parties import Customer, Engineer
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.errors import AftersalesError
from aftersales.service import quality_incidents
from aftersales.service.desk import ServiceDesk
from aftersales.service.sla_watch import SweepMark
from conftest import STAFF, START, World, make_world, register, store_url

SATURDAY = date(2026, 2, 28)  # the day after the late call was taken
# The Saturday after the late call made a working day: its due moves back a day on this calendar.
SATURDAY_WORKED = BusinessCalendar(
    "Asia/Shanghai",
    dict.fromkeys(range(5), HOURS),
    (),
    [SATURDAY],
    known_from=date(2026, 1, 1),
    known_until=date(2026, 12, 31),
    source_name="company calendar, a make-up day",
)
Pair = tuple[ServiceDesk, ServiceDesk, ManualClock, World]


@pytest.fixture(params=["sqlite", "postgres"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    """Two desks of the office-equipment pack on one fresh store; the second was opened on the calendar
    with the make-up day the first is about to switch to."""
    clock, world = ManualClock(START), make_world()
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(request.param, tmp_path))

        def open_desk(calendar: BusinessCalendar) -> ServiceDesk:
            return stack.enter_context(
                ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF, calendar=calendar)
            )

        first = open_desk(CALENDAR)
        register(first, world)
        yield first, open_desk(SATURDAY_WORKED), clock, world


def test_a_calendar_recomputation_and_a_triage_rewinding_the_sweep_mark_both_commit_at_once(
    pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The recomputation rewound the sweep's mark for a ticket whose due it set behind it, then saved
    the ticket; a triage holding that ticket, giving it a due behind the mark, rewinds the mark too.
    Crossing, PostgreSQL found a deadlock and ran one again."""
    first, second, clock, world = pair
    settled = first.open_ticket(world.agent, customer_id=world.cust_zh.id, description="整机不开").ticket.id
    first.triage(world.agent, settled, nature="repair", severity=Severity.MEDIUM)
    due = first.ticket(world.manager, settled).resolution_due_at
    assert due is not None
    clock.set(CALENDAR.add(due, timedelta(hours=1)))
    first.run_due_jobs()  # the mark is at the settled ticket's due now
    late = first.open_ticket(
        world.agent,
        customer_id=world.cust_zh.id,
        description="复印机卡纸",
        received_at=START - timedelta(days=3),  # a call of the Friday before, logged only now
    ).ticket.id
    opened_due = first.ticket(world.manager, late).resolution_due_at
    assert opened_due is not None and opened_due < due  # behind the mark already
    with first.context.store() as uow:
        before = uow.documents.get(SweepMark, SweepMark.ID).rewinds
    lost = _lost_races((first, second), monkeypatch)
    mark_held, ticket_held = threading.Event(), threading.Event()
    rewind = sla_cliff.rewind_mark

    def rewinding(*args: Any) -> bool:
        moved = rewind(*args)
        mark_held.set()
        ticket_held.wait(1.0)  # the triage holds the ticket now
        return moved

    monkeypatch.setattr(sla_cliff, "rewind_mark", rewinding)
    load = second.runner.load

    def locking(uow: object, id: str, *, lock: bool = False, shared: bool = False) -> object:
        found = load(uow, id, lock=lock, shared=shared)  # type: ignore[arg-type]
        if lock and not ticket_held.is_set():
            ticket_held.set()
            mark_held.wait(1.0)  # the recomputation rewound the mark
        return found

    monkeypatch.setattr(second.runner, "load", locking)

    outcomes = race(
        first,
        second,
        lambda d: d.recompute_provisional_dues(world.system, SATURDAY_WORKED),
        lambda d: d.triage(world.agent, late, nature="repair", severity=Severity.MEDIUM),
    )

    assert [o.error for o in outcomes] == [None, None]
    assert lost == []  # a deadlock on PostgreSQL before: one of them was run again
    ticket = first.ticket(world.manager, late)
    assert ticket.resolution_due_at is not None and ticket.resolution_due_at < opened_due
    with first.context.store() as uow:
        mark = uow.documents.get(SweepMark, SweepMark.ID)
    assert mark.due_us is not None and mark.rewinds > before  # the late ticket is swept next


@pytest.fixture(params=["sqlite", "postgres"])
def money_pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
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


# -- the batch-tally back-fill ----------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgres"])
def centre(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ServiceDesk]]:
    """Two desks of the service-centre pack on one store holding seed 004's batch B-9 of 40 units."""
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(request.param, tmp_path))
        clock = ManualClock(START)

        def open_desk() -> ServiceDesk:
            return stack.enter_context(
                ServiceDesk.open(
                    url, pack="service_centre", clock=clock, notifier=MemoryNotifier(), staff=S19
                )
            )

        first = open_desk()
        first.register_product(
            MANAGER, Product(ProductId("P-1"), "WC-9", "连体马桶", "toilet", (WarrantyTerm(12),))
        )
        first.register_engineer(MANAGER, Engineer(EngineerId("e1"), "赵工"))
        for n in range(4):
            contact = Contact(f"客户{n}", phone=f"1380000000{n}", address=f"合肥市蜀山区 {n} 号")
            first.register_customer(MANAGER, Customer(CustomerId(f"c{n}"), f"客户{n}", contact))
        for n in range(BATCH_SIZE):
            first.register_asset(
                MANAGER,
                Asset(
                    AssetId(f"A-{n:02d}"), ProductId("P-1"), f"SN-{n:02d}", CustomerId(f"c{n % 4}"),
                    batch="B-9", purchase_date=date(2025, 6, 1),
                ),
            )  # fmt: skip
        yield first, open_desk()


def test_a_tally_back_fill_raising_an_incident_and_a_complaint_linking_a_ticket_both_commit_at_once(
    centre: tuple[ServiceDesk, ServiceDesk], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seed 004 第七条 5(2): the back-fill of one page counted a unit of one problem (writing its
    tally), then raised another problem's incident, locking the complaints about its tickets; a
    complaint linking a ticket of the first problem holds the complaint, then reads that tally locked.
    Crossing, PostgreSQL found a deadlock and ran one again."""
    first, second = centre
    live = _repair(first, 0, cause="glaze_crack")  # counted: the glaze_crack tally is stored
    with monkeypatch.context() as older:
        # An older release: the faults are recorded, nothing is counted.
        older.setattr(quality_incidents, "count_unit", lambda *args, **kwargs: [])
        _repair(first, 1, cause="glaze_crack")
        about = _repair(first, 4)  # the live call's customer's
        _repair(first, 5)  # seal_defect on 2 of 40 units: 5 %, the incident once counted
    complaint = _complain(first, 4, about)
    lost = _lost_races((first, second), monkeypatch)
    tally_held, complaint_held = threading.Event(), threading.Event()
    counted, tally_read = quality_incidents._counted, incident_facts.document_for_update

    def counting(uow: Any, tally: Any, *args: Any) -> Any:
        if "seal_defect" in tally.id:  # crossing: the glaze_crack tally is written already
            tally_held.set()
            complaint_held.wait(1.0)  # the complaint's command holds it now
        return counted(uow, tally, *args)

    def reading(*args: Any) -> Any:
        complaint_held.set()
        tally_held.wait(1.0)  # the back-fill wrote the glaze_crack tally now
        return tally_read(*args)

    monkeypatch.setattr(quality_incidents, "_counted", counting)
    monkeypatch.setattr(incident_facts, "document_for_update", reading)

    outcomes = race(
        first,
        second,
        lambda d: d.batch_tallies.backfill(MANAGER),
        lambda d: d.complaints.link_tickets(AGENT, complaint, [live]),
    )

    assert [o.error for o in outcomes] == [None, None]
    assert lost == []  # a deadlock on PostgreSQL before: one of them was run again
    assert outcomes[0].value == 3
    incidents = {i.value: i for i in first.quality_incidents.incidents(MANAGER)}
    assert sorted(incidents) == ["glaze_crack", "seal_defect"]
    found = first.complaints.complaint_file(MANAGER, complaint)
    assert found.batch_incident is not None and live in found.about


# -- the overdue chargebacks' limit ------------------------------------------------------------------


def _loaned(desk: ServiceDesk, clock: ManualClock, world: World, party: PartyRef) -> str:
    """An in-warranty repair whose new part went free, on loan to ``party``, received an hour later (due
    back within 30 days of that); returns the materials request."""
    ticket_id = _money_repair(desk, clock, world, "unit-in")
    materials = desk.materials
    request = materials.request(
        world.dealer_sh_staff, ticket_id, party=party, lines=[MaterialsLine(PART, 1)], urgent=True
    )
    materials.check(world.agent, request.id)
    materials.approve(world.manager, request.id)
    materials.pick(world.agent, request.id)
    materials.ship(world.agent, request.id)
    clock.advance(timedelta(hours=1))
    materials.receive(world.dealer_sh_staff, request.id)
    return request.id


def test_the_chargebacks_job_charges_its_limit_when_its_planned_line_is_charged_before_its_lock(
    money_pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two parties each kept a loaned part past its deadline (seed 002 退料: 未退料…需收取相关费用); the
    job may charge one line a run. A run by hand on another desk charges the line the job picked first
    between the job's read and its ticket locks: the job charged nothing on PostgreSQL, the other
    party's line waiting for the next run. Now it charges that line: its limit is what it charges while
    lines are overdue, as the callbacks job announces up to its limit past those announced already."""
    first, second, clock, world = money_pair
    requests = {
        _loaned(first, clock, world, PartyRef.dealer("dealer-sh")),
        _loaned(first, clock, world, PartyRef.engineer("eng-dealer-sh")),
    }
    clock.set(LATE)
    planned, charged = threading.Event(), threading.Event()
    lock_charged = first.materials._lock_charged

    def locking(uow: Any, chargebacks: Any, held: Any) -> None:
        if not planned.is_set():
            planned.set()
            charged.wait(1.0)  # the other desk charged the line picked
        lock_charged(uow, chargebacks, held)

    monkeypatch.setattr(first.materials, "_lock_charged", locking)

    def by_hand(desk: ServiceDesk) -> Any:
        planned.wait(1.0)
        try:
            return desk.materials.run_overdue_chargebacks(world.manager, limit=1)
        finally:
            charged.set()

    outcomes = race(
        first, second, lambda d: d.materials.run_overdue_chargebacks(world.system, limit=1), by_hand
    )

    assert [o.error for o in outcomes] == [None, None]
    assert [len(o.value) for o in outcomes] == [1, 1]  # [0, 1] on PostgreSQL before
    assert {o.value[0].request_id for o in outcomes} == requests


# -- an erasure cancelling a customer's calls --------------------------------------------------------


def test_an_erasure_cancelling_faulty_calls_and_a_fault_record_on_one_of_them_both_commit_at_once(
    money_pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An erasure cancelling the customer's calls (``cancel_open_tickets``) withdrew a cancelled call's
    counted unit from its batch's tally, then saved the customer's tickets; a fault record on another
    of the customer's calls holds that ticket, then counts its unit into the tally. Crossing,
    PostgreSQL found a deadlock and ran one again."""
    first, second, _clock, world = money_pair
    _batch_of_four(first, world)
    counted = _faulty(first, world, "asset-1")  # counted: the batch's tally is stored
    staff = world.dealer_sh_staff
    working = first.open_ticket(
        world.agent, customer_id="cust-zh", description="一直冲水", asset_id="asset-2"
    )
    working_id = working.ticket.id
    first.triage(world.agent, working_id, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    first.dispatch(world.agent, working_id, dealer_id=world.dealer_sh.id)
    first.start_work(staff, working_id)
    lost = _lost_races((first, second), monkeypatch)
    tally_held, ticket_held = threading.Event(), threading.Event()
    take_back = cancelled_faults._take_back

    def taking_back(uow: Any, ticket: Any, *args: Any) -> None:
        take_back(uow, ticket, *args)
        if ticket.id == counted:  # the tally is written
            tally_held.set()
            ticket_held.wait(1.0)  # the fault record holds its ticket now

    monkeypatch.setattr(cancelled_faults, "_take_back", taking_back)
    load = second.runner.load

    def locking(uow: object, id: str, *, lock: bool = False, shared: bool = False) -> object:
        found = load(uow, id, lock=lock, shared=shared)  # type: ignore[arg-type]
        if lock and not ticket_held.is_set():
            ticket_held.set()
            tally_held.wait(1.0)  # the erasure wrote the tally
        return found

    monkeypatch.setattr(second.runner, "load", locking)

    outcomes = race(
        first,
        second,
        lambda d: d.privacy.erase_customer(world.manager, "cust-zh", "本人要求", cancel_open_tickets=True),
        lambda d: d.add_fault_record(
            staff, working_id, symptom="keeps_flushing", cause="flush_valve_worn", action="adjust"
        ),
    )

    assert "DeadlockDetected" not in {type(e.__cause__).__name__ for e in lost}  # one on PostgreSQL before
    assert outcomes[0].ok
    # The fault record either went first (then cancelled with the call) or found the call cancelled.
    assert outcomes[1].ok or isinstance(outcomes[1].error, AftersalesError)
    assert first.ticket(world.manager, working_id).state == "cancelled"


# -- two complaints linking tickets of two problems ----------------------------------------------------


def _fault_on(desk: ServiceDesk, world: World, asset_id: str, cause: str) -> str:
    """A repair of ``asset_id`` (of the batch) whose dealer recorded ``cause``: counted in its tally."""
    staff = world.dealer_sh_staff
    ticket_id = desk.open_ticket(
        world.agent, customer_id="cust-zh", description="一直冲水", asset_id=asset_id
    ).ticket.id
    desk.triage(world.agent, ticket_id, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(world.agent, ticket_id, dealer_id=world.dealer_sh.id)
    desk.start_work(staff, ticket_id)
    desk.add_fault_record(staff, ticket_id, symptom="keeps_flushing", cause=cause, action="adjust")
    return ticket_id


def test_two_complaints_linking_tickets_of_two_problems_in_opposite_orders_both_commit_at_once(
    money_pair: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seed 004 第七条 5(2): a complaint linking tickets reads the tally of each problem they recorded
    locked (is it a batch incident's?), in the order the tickets were named. Two complaints naming a
    ticket of each of two problems in opposite orders deadlocked on PostgreSQL; the tallies are now
    locked in key order."""
    first, second, _clock, world = money_pair
    _batch_of_four(first, world)
    worn = _fault_on(first, world, "asset-1", "flush_valve_worn")
    seal = _fault_on(first, world, "asset-2", "seal_defect")  # one unit each: no incident
    plain = [
        first.open_ticket(world.agent, customer_id="cust-zh", description="咨询", asset_id=a).ticket.id
        for a in ("asset-3", "asset-4")
    ]
    one, other = (
        first.complaints.open_complaint(world.agent, "cust-zh", "还是漏水", [t]).ticket.id for t in plain
    )
    lost = _lost_races((first, second), monkeypatch)
    both_hold_one = threading.Barrier(2, timeout=1.0)
    seen = threading.local()
    tally_read = incident_facts.document_for_update

    def reading(*args: Any) -> Any:
        found = tally_read(*args)
        if not getattr(seen, "one", False):
            seen.one = True
            with contextlib.suppress(threading.BrokenBarrierError):
                both_hold_one.wait()  # each complaint holds its first tally now
        return found

    monkeypatch.setattr(incident_facts, "document_for_update", reading)

    outcomes = race(
        first,
        second,
        lambda d: d.complaints.link_tickets(world.agent, one, [worn, seal]),
        lambda d: d.complaints.link_tickets(world.agent, other, [seal, worn]),
    )

    assert [o.error for o in outcomes] == [None, None]
    assert "DeadlockDetected" not in {type(e.__cause__).__name__ for e in lost}  # one on PostgreSQL before
    for complaint in (one, other):
        assert {worn, seal} <= set(first.complaints.complaint_file(world.manager, complaint).about)


def test_a_tally_back_fill_of_two_problems_and_a_complaint_linking_a_ticket_of_both_both_commit_at_once(
    centre: tuple[ServiceDesk, ServiceDesk], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seed 004 第七条 5(2): a back-fill page wrote the tallies of its problems in the order of its
    tickets; a complaint linking a ticket that recorded both problems locks their tallies in key order.
    The page writing ``seal_defect``'s tally before ``crack``'s crossed it: PostgreSQL found a deadlock
    and ran one again. The page now counts its problems in key order (each problem's units in the order
    they were recorded, as before)."""
    first, second = centre
    both = _repair(first, 0, cause="crack")
    _fault(first, both, "seal_defect")  # counted: both tallies are stored
    with monkeypatch.context() as older:
        # An older release: the faults are recorded, nothing is counted.
        older.setattr(quality_incidents, "count_unit", lambda *args, **kwargs: [])
        _repair(first, 1, cause="seal_defect")  # read first by the back-fill (oldest first)
        _repair(first, 2, cause="crack")
    complaint = _complain(first, 4, _repair(first, 4, cause=None))  # the same customer's
    lost = _lost_races((first, second), monkeypatch)
    crack_locked, seal_written = threading.Event(), threading.Event()
    counted, tally_read = quality_incidents._counted, incident_facts.document_for_update

    def counting(uow: Any, tally: Any, *args: Any) -> Any:
        if "crack" in tally.id:  # about to write the crack tally
            if "seal_defect" in written:
                seal_written.set()
            crack_locked.wait(1.0)  # the complaint holds the crack tally now
        elif "seal_defect" in tally.id:
            written.add("seal_defect")
        return counted(uow, tally, *args)

    def reading(uow: Any, cls: Any, key: str) -> Any:
        found = tally_read(uow, cls, key)
        if "crack" in key:
            crack_locked.set()
            seal_written.wait(1.0)  # the back-fill wrote the seal_defect tally
        return found

    written: set[str] = set()
    monkeypatch.setattr(quality_incidents, "_counted", counting)
    monkeypatch.setattr(incident_facts, "document_for_update", reading)

    outcomes = race(
        first,
        second,
        lambda d: d.batch_tallies.backfill(MANAGER),
        lambda d: d.complaints.link_tickets(AGENT, complaint, [both]),
    )

    assert [o.error for o in outcomes] == [None, None]
    assert "DeadlockDetected" not in {type(e.__cause__).__name__ for e in lost}  # one on PostgreSQL before
    assert outcomes[0].value == 2
    assert sorted(i.value for i in first.quality_incidents.incidents(MANAGER)) == ["crack", "seal_defect"]
    assert first.complaints.complaint_file(MANAGER, complaint).batch_incident is not None
