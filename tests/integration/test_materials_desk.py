"""The materials desk end to end on the memory and SQLite stores."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, DealerId, EngineerId, ProductId
from aftersales.domain.loan_ledger import LoanLedger
from aftersales.domain.materials import ItemKind, MaterialsLine, MaterialsRequest, PartyRef
from aftersales.domain.materials_workflow import MaterialsState, ReturnState
from aftersales.domain.money import Money
from aftersales.domain.parties import Customer, Dealer, Engineer
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.errors import (
    ConcurrencyConflict,
    DuplicateError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    PolicyError,
)
from aftersales.i18n.errors import render_error
from aftersales.policies.fees import DefaultFeesPolicy, FeesParams, PartPriceEntry
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.materials_desk import MaterialsDesk

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, tzinfo=SH)
AGENT = Actor.agent("a1")
MANAGER = Actor.manager("m1")
STAFF = Actor.dealer_staff("s1", "D1", ["east"])
OTHER_STAFF = Actor.dealer_staff("s2", "D2", ["west"])
SYSTEM = Actor.system()
D1 = PartyRef.dealer("D1")
FEES = DefaultFeesPolicy(
    FeesParams(
        parts={
            "fill_valve": PartPriceEntry("35", "60"),
            "seat_hinge": PartPriceEntry("12.50", "20"),
            "flush_button": PartPriceEntry("8", "15"),
        }
    )
)


def make_desk(url: str, clock: ManualClock) -> tuple[ServiceDesk, MaterialsDesk]:
    desk = ServiceDesk.open(url, pack="sanitary_ware", clock=clock)
    return desk, MaterialsDesk(desk.context, desk.runner, fees=FEES)


def seed(desk: ServiceDesk, purchased: date) -> str:
    desk.register_dealer(MANAGER, Dealer(DealerId("D1"), "华东服务站", "east"))
    desk.register_customer(
        AGENT, Customer(CustomerId("c1"), "王女士", Contact("王女士", phone="13800000000"), region="east",
                        dealer_id="D1")  # type: ignore[arg-type]
    )  # fmt: skip
    desk.register_product(
        MANAGER, Product(ProductId("wc1"), "WC-1", "智能马桶", "toilet", (WarrantyTerm(12),))
    )
    desk.register_asset(
        AGENT, Asset(AssetId("u1"), ProductId("wc1"), "SN1", CustomerId("c1"), purchase_date=purchased,
                     installation_accepted_on=purchased)
    )  # fmt: skip
    return desk.open_ticket(AGENT, customer_id="c1", description="水箱漏水", asset_id="u1").ticket.id


def _ticket_of(desk: ServiceDesk, request_id: str) -> str:
    with desk.store() as uow:
        return uow.documents.get(MaterialsRequest, request_id).ticket_id


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def desks(clock: ManualClock) -> Iterator[tuple[ServiceDesk, MaterialsDesk]]:
    desk, materials = make_desk("memory://", clock)
    yield desk, materials
    desk.shutdown()


LINES = [
    MaterialsLine("fill_valve", 2),
    MaterialsLine("tea_cup", 1, ItemKind.GIFT),
    MaterialsLine("pen", 2, ItemKind.OFFICE_SUPPLY),
    MaterialsLine("catalogue", 4, ItemKind.BROCHURE),
    MaterialsLine("seat_hinge", 1, special_approval="SA-7"),
]


def shipped_and_received(
    desk: ServiceDesk, materials: MaterialsDesk, clock: ManualClock, lines: list[MaterialsLine] = LINES
) -> str:
    ticket_id = seed(desk, date(2026, 1, 10))
    request = materials.request(STAFF, ticket_id, party=D1, lines=lines, urgent=True)
    checked = materials.check(AGENT, request.id)
    assert checked.state is MaterialsState.PICK_SLIP and checked.chargeable is False
    assert checked.pick_slip is not None
    materials.approve(MANAGER, request.id)
    materials.pick(AGENT, request.id)
    clock.advance(timedelta(hours=3))
    shipped = materials.ship(AGENT, request.id)
    assert shipped.shipping_note is not None and shipped.shipping_note.number
    clock.advance(timedelta(days=1))
    received, _excluded = materials.receive(STAFF, request.id)
    assert received.state is MaterialsState.RECEIVED
    return request.id


def test_issue_ship_and_return_on_time(desks: tuple[ServiceDesk, MaterialsDesk], clock: ManualClock) -> None:
    desk, materials = desks
    request_id = shipped_and_received(desk, materials, clock)
    assert materials.ledger(STAFF, D1).balance == {"fill_valve": 2}
    clock.advance(timedelta(days=10))
    item = materials.register_return(AGENT, request_id=request_id, part="fill_valve", quantity=2)
    assert item.location == "taizhou"
    materials.inspect_return(AGENT, item.id, accepted=True)
    booked = materials.book_return(AGENT, item.id)
    assert booked.state is ReturnState.BOOKED
    ledger = materials.ledger(MANAGER, D1)
    assert (ledger.issued, ledger.returned, ledger.charged, ledger.balance) == (2, 2, 0, {})
    clock.advance(timedelta(days=60))
    assert materials.run_overdue_chargebacks(SYSTEM) == ()
    summary = materials.outbound_summary(MANAGER, "2026-03")
    assert dict(summary.by_party["dealer:D1"]) == {
        "catalogue": 4, "fill_valve": 2, "pen": 2, "seat_hinge": 1, "tea_cup": 1,
    }  # fmt: skip


def test_excluded_kinds_never_in_the_ledger(
    desks: tuple[ServiceDesk, MaterialsDesk], clock: ManualClock
) -> None:
    desk, materials = desks
    request_id = shipped_and_received(desk, materials, clock)
    ledger = materials.ledger(AGENT, D1)
    assert set(ledger.balance) == {"fill_valve"}
    # A gift sent back was never lent: it is taken in and recorded as surplus for review, charging no one.
    item = materials.register_return(AGENT, request_id=request_id, part="tea_cup")
    materials.inspect_return(AGENT, item.id, accepted=True)
    materials.book_return(AGENT, item.id)
    with desk.store() as uow:
        stored = uow.documents.get(LoanLedger, D1.key)
    assert [(x.part, x.quantity, x.reasons[0].code) for x in stored.surplus] == [
        ("tea_cup", 1, "return_never_lent")
    ]
    assert materials.ledger(AGENT, D1).balance == {"fill_valve": 2}


def test_a_specially_approved_line_needs_a_head_to_sign_the_pick_slip(
    desks: tuple[ServiceDesk, MaterialsDesk], clock: ManualClock
) -> None:
    """特批的项目按特批的内容处理: a line citing a special approval never goes on the loan ledger, so the
    agent who approves ordinary pick slips may not sign it off; the manager may."""
    desk, materials = desks
    ticket_id = seed(desk, date(2026, 1, 10))
    lines = [MaterialsLine("fill_valve", 1), MaterialsLine("seat_hinge", 1, special_approval="SA-9")]
    request = materials.request(STAFF, ticket_id, party=D1, lines=lines)
    materials.check(AGENT, request.id)
    with pytest.raises(PermissionDenied):
        materials.approve(AGENT, request.id)
    assert materials.materials_request(AGENT, request.id).state is MaterialsState.PICK_SLIP
    assert materials.approve(MANAGER, request.id).state is MaterialsState.APPROVED


def test_late_return_is_charged_once(desks: tuple[ServiceDesk, MaterialsDesk], clock: ManualClock) -> None:
    desk, materials = desks
    request_id = shipped_and_received(desk, materials, clock)  # repaired 3 March, 12:00 Shanghai
    # "within 30 days": the whole 30th day (2 April, local) is still on time
    clock.set(datetime(2026, 4, 2, 23, 59, tzinfo=SH))
    assert materials.overdue(STAFF, D1) == [] and materials.run_overdue_chargebacks(SYSTEM) == ()
    clock.set(datetime(2026, 4, 3, 0, 0, tzinfo=SH))
    assert [o.part for o in materials.overdue(STAFF, D1)] == ["fill_valve"]
    first = materials.run_overdue_chargebacks(SYSTEM)
    second = materials.run_overdue_chargebacks(SYSTEM)
    assert len(first) == 1 and second == ()
    assert first[0].line.amount == Money("70", "CNY")  # 2 × cost 35
    ledger = materials.ledger(STAFF, D1)
    assert ledger.charged == 2 and len(ledger.chargebacks) == 1 and ledger.balance == {}
    # the slip goes to the dealer who kept the part, with the reason and the part
    (slip,) = desk.fees.slips_of(MANAGER, _ticket_of(desk, request_id))
    assert (slip.payer_kind, slip.payer_id, slip.dealer_id) == ("dealer", "D1", "D1")
    assert slip.origin.value == "unreturned_materials" and slip.total == Money("70", "CNY")
    assert slip.reasons[0].code == "part_not_returned" and slip.reasons[0].params["part"] == "fill_valve"
    # a part sent back after it was charged is surplus for review, not a second booking
    item = materials.register_return(AGENT, request_id=request_id, part="fill_valve")
    materials.inspect_return(AGENT, item.id, accepted=True)
    materials.book_return(AGENT, item.id)
    assert materials.ledger(STAFF, D1).charged == 2


def test_rejected_return_is_not_booked(desks: tuple[ServiceDesk, MaterialsDesk], clock: ManualClock) -> None:
    desk, materials = desks
    request_id = shipped_and_received(desk, materials, clock)
    item = materials.register_return(AGENT, request_id=request_id, part="fill_valve", quantity=2)
    rejected = materials.inspect_return(AGENT, item.id, accepted=False, reason="not_the_replaced_part")
    assert rejected.state is ReturnState.REJECTED and rejected.rejection is not None
    with pytest.raises(InvalidTransition):
        materials.book_return(AGENT, item.id)
    assert materials.ledger(AGENT, D1).balance == {"fill_valve": 2}
    with pytest.raises(PolicyError):
        materials.register_return(AGENT, request_id=request_id, part="fill_valve", location="shanghai")


def test_reconciliation_with_surplus_and_shortage(
    desks: tuple[ServiceDesk, MaterialsDesk], clock: ManualClock
) -> None:
    desk, materials = desks
    request_id = shipped_and_received(desk, materials, clock)
    result = materials.reconcile(AGENT, D1, {"fill_valve": 1, "flush_button": 3}, reference="C-2026-03")
    assert dict(result.shortage) == {"fill_valve": 1} and dict(result.surplus) == {"flush_button": 3}
    assert result.chargebacks == () and dict(result.pending) == {"fill_valve": 1}  # not due yet
    # the surplus is recorded for review: not lent to the dealer, charged to no one
    assert materials.ledger(AGENT, D1).balance == {"fill_valve": 2}
    clock.set(datetime(2026, 4, 3, 9, tzinfo=SH))  # past the deadline
    again = materials.reconcile(AGENT, D1, {"fill_valve": 1, "flush_button": 3}, reference="C-2026-04")
    assert not again.surplus  # already under review
    assert [c.line.amount for c in again.chargebacks] == [Money("35", "CNY")]
    slips = desk.fees.slips_of(MANAGER, _ticket_of(desk, request_id))
    assert [(s.payer_id, s.total) for s in slips] == [("D1", Money("35", "CNY"))]
    with pytest.raises(DuplicateError):  # one count sheet settles once
        materials.reconcile(AGENT, D1, {"fill_valve": 0, "flush_button": 3}, reference="C-2026-03")
    assert materials.ledger(AGENT, D1).balance == {"fill_valve": 1}


def test_chargeable_request_quoted_paid_then_shipped(
    desks: tuple[ServiceDesk, MaterialsDesk], clock: ManualClock
) -> None:
    desk, materials = desks
    ticket_id = seed(desk, date(2024, 1, 10))  # out of warranty
    request = materials.request(STAFF, ticket_id, party=D1, lines=[MaterialsLine("fill_valve", 1)])
    checked = materials.check(AGENT, request.id)
    assert checked.chargeable and checked.state is MaterialsState.WARRANTY_CHECKED
    quoted = materials.quote(AGENT, request.id)
    assert quoted.state is MaterialsState.QUOTED and quoted.charges is not None
    # the dealer buys from the maker at the maker's price to dealers (35), not at retail (60)
    assert quoted.charges.quotes[0].total == Money("35", "CNY") and quoted.charges.quotes[0].payer == "dealer"
    materials.approve(STAFF, request.id)  # the dealer's purchase: the dealer answers it, not the user
    materials.confirm_date(AGENT, request.id, ship_on=date(2026, 3, 2))
    materials.pick(AGENT, request.id)
    with pytest.raises(PolicyError):
        materials.ship(AGENT, request.id)
    materials.record_payment(AGENT, request.id, amount=Money("35", "CNY"))
    shipped = materials.ship(AGENT, request.id)
    assert shipped.state is MaterialsState.SHIPPED
    clock.advance(timedelta(days=1))
    materials.receive(STAFF, request.id)
    assert materials.ledger(STAFF, D1).balance == {}  # charged parts are not on loan
    assert dict(materials.outbound_summary(AGENT, "2026-03").chargeable_by_part) == {"fill_valve": 1}


def test_a_request_names_an_existing_party_and_a_dealer_files_for_its_own(
    desks: tuple[ServiceDesk, MaterialsDesk],
) -> None:
    # The party owes the old parts back and is charged for what it keeps (退料): a dealer's staff cannot
    # put parts on another dealer's loan ledger, and nobody on a party that does not exist.
    desk, materials = desks
    ticket_id = seed(desk, date(2026, 1, 10))
    desk.register_dealer(MANAGER, Dealer(DealerId("D2"), "华西服务站", "west"))
    desk.register_engineer(MANAGER, Engineer(EngineerId("e-d2"), "西区师傅", region="west", dealer_id="D2"))
    desk.register_engineer(MANAGER, Engineer(EngineerId("e-d1"), "东区师傅", region="east", dealer_id="D1"))
    line = [MaterialsLine("fill_valve", 1)]
    for party in (PartyRef.dealer("D2"), PartyRef.engineer("e-d2")):
        with pytest.raises(PermissionDenied) as refused:
            materials.request(STAFF, ticket_id, party=party, lines=line)
        # Refused in words by its rule in every locale (it was an English sentence in all three).
        assert refused.value.rule == "beyond_own_dealer" and refused.value.action == "materials_request"
        assert render_error(refused.value, "zh_Hans") == "只能在本经销商范围内申请材料"
    for party in (PartyRef.dealer("D9"), PartyRef.engineer("e-9")):
        with pytest.raises(NotFound):
            materials.request(AGENT, ticket_id, party=party, lines=line)
    with desk.store() as uow:
        assert uow.documents.query(MaterialsRequest) == []  # nothing was filed
    assert materials.request(STAFF, ticket_id, party=PartyRef.engineer("e-d1"), lines=line).party.id == "e-d1"
    assert materials.request(AGENT, ticket_id, party=PartyRef.dealer("D2"), lines=line).party.id == "D2"


def test_scopes(desks: tuple[ServiceDesk, MaterialsDesk], clock: ManualClock) -> None:
    desk, materials = desks
    request_id = shipped_and_received(desk, materials, clock)
    with pytest.raises(PermissionDenied) as refused:
        materials.ledger(OTHER_STAFF, D1)
    assert refused.value.rule == "other_party_loans"
    assert render_error(refused.value, "zh_Hant") == "只能查看本人的借料台帳，或本經銷商及其工程師的借料台帳"
    with pytest.raises(NotFound):
        materials.materials_request(OTHER_STAFF, request_id)
    with pytest.raises(PermissionDenied):
        materials.run_overdue_chargebacks(STAFF)
    with pytest.raises(PermissionDenied):
        materials.register_return(STAFF, request_id=request_id, part="fill_valve")


def test_concurrent_double_booking_refused_on_sqlite(tmp_path: Path, clock: ManualClock) -> None:
    url = f"sqlite:///{tmp_path}/materials.db"
    desk_a, materials_a = make_desk(url, clock)
    desk_b, materials_b = make_desk(url, clock)
    try:
        request_id = shipped_and_received(desk_a, materials_a, clock)
        # truly at once, from two threads through two desks: exactly one books
        racing = materials_a.register_return(AGENT, request_id=request_id, part="fill_valve")
        materials_a.inspect_return(AGENT, racing.id, accepted=True)
        outcomes: list[str] = []
        gate = threading.Barrier(2)

        def book(m: MaterialsDesk) -> None:
            gate.wait()
            try:
                m.book_return(AGENT, racing.id)
                outcomes.append("booked")
            except (ConcurrencyConflict, InvalidTransition, DuplicateError) as exc:
                outcomes.append(type(exc).__name__)

        threads = [threading.Thread(target=book, args=(m,)) for m in (materials_a, materials_b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes)[-1] == "booked" and outcomes.count("booked") == 1 and len(outcomes) == 2

        # two clerks saw the same accepted return; the first booking wins, the stale one is refused
        item = materials_a.register_return(AGENT, request_id=request_id, part="fill_valve")
        seen = materials_a.inspect_return(AGENT, item.id, accepted=True)
        materials_a.book_return(AGENT, item.id, expected_version=seen.version)
        with pytest.raises(ConcurrencyConflict):
            materials_b.book_return(AGENT, item.id, expected_version=seen.version)

        ledger = materials_b.ledger(AGENT, D1)
        assert ledger.returned == 2 and ledger.balance == {}  # one per return, never doubled
        with desk_b.store() as uow:
            assert len(uow.documents.get(LoanLedger, D1.key).entries) == 3
    finally:
        desk_a.shutdown()
        desk_b.shutdown()


@pytest.mark.parametrize("url", ["memory://", "sqlite"])
def test_every_money_step_is_in_the_ticket_history(url: str, tmp_path: Path, clock: ManualClock) -> None:
    desk, materials = make_desk(f"sqlite:///{tmp_path / 'm.db'}" if url == "sqlite" else url, clock)
    try:
        ticket_id = seed(desk, date(2024, 1, 10))  # out of warranty
        request = materials.request(STAFF, ticket_id, party=D1, lines=[MaterialsLine("fill_valve", 1)])
        materials.check(AGENT, request.id)
        materials.quote(AGENT, request.id)
        clock.advance(timedelta(minutes=5))
        declined, escalation = materials.decline(STAFF, request.id, reason="too dear")
        assert escalation is not None and declined.state is MaterialsState.DECLINED
        events = desk.ticket(AGENT, ticket_id).events
        actions = [e.action for e in events]
        assert actions[-3:] == ["materials_checked", "materials_quoted", "materials_declined"]
        checked, quoted, refused = events[-3:]
        assert checked.payload["chargeable"] is True and checked.payload["phase"] == "out_of_warranty"
        assert (quoted.payload["quote_id"], quoted.payload["total"]) == (f"Q-{request.id}", "35.00")
        assert refused.reason == "too dear" and refused.actor == STAFF.ref
        assert refused.payload["total"] == "35.00" and refused.payload["escalated_to"]
        assert refused.payload["reasons"][0]["code"] == escalation.reasons[0].code
        # a second request, paid: the payment is in the history as well
        other = materials.request(STAFF, ticket_id, party=D1, lines=[MaterialsLine("seat_hinge", 1)])
        materials.check(AGENT, other.id)
        materials.quote(AGENT, other.id)
        materials.approve(STAFF, other.id)
        materials.record_payment(AGENT, other.id, amount=Money("12.50", "CNY"))
        paid = desk.ticket(AGENT, ticket_id).events[-1]
        assert paid.action == "materials_paid" and paid.payload["amount"] == "12.50"
        assert desk.ticket(AGENT, ticket_id).state == "new"  # money steps never move the ticket
    finally:
        desk.shutdown()


def test_a_part_charged_back_is_in_the_ticket_history(
    desks: tuple[ServiceDesk, MaterialsDesk], clock: ManualClock
) -> None:
    desk, materials = desks
    request_id = shipped_and_received(desk, materials, clock)
    clock.set(datetime(2026, 4, 3, 0, 0, tzinfo=SH))
    (charged,) = materials.run_overdue_chargebacks(SYSTEM)
    event = desk.ticket(AGENT, _ticket_of(desk, request_id)).events[-1]
    assert event.action == "part_charged_back" and event.actor.role.value == "system"
    assert (event.payload["part"], event.payload["amount"], event.payload["payer"]) == (
        "fill_valve", "70.00", "dealer:D1",
    )  # fmt: skip
    (slip,) = desk.fees.slips_of(MANAGER, _ticket_of(desk, request_id))
    assert event.payload["fee_slip"] == slip.id and charged.line.amount == Money("70", "CNY")
