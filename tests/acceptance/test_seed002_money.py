"""Seed 002's money story through the ServiceDesk, on memory, SQLite and PostgreSQL (when a DSN is set).

材料收费: in warranty free; out of warranty quoted at user prices with the dealer's local fees, accepted
(领料单), paid first (款到发货), shipped; a refused quote goes to the superior (上报上级领导处理); the five
chargeable causes in warranty; the out-of-box phase (开箱期); a callback visit (回访: materials follow the
phase, no service fee); a complaint's warranty extension (延长免费售后服务期) making a repair free.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest
from tests.acceptance.store_templates import fresh_sqlite_file

from aftersales.adapters.attachments_fs import FileSystemAttachmentStore
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.invoicing_memory import MemoryInvoiceIssuer
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.charges import ChargeKind, Quote, QuoteState
from aftersales.domain.classification import Category, Plan, Severity
from aftersales.domain.complaints import RemedyKind
from aftersales.domain.fee_slips import InvoiceState, InvoiceWish
from aftersales.domain.ids import AssetId, CustomerId
from aftersales.domain.materials import MaterialsLine, PartyRef
from aftersales.domain.money import Money
from aftersales.domain.products import Asset
from aftersales.domain.service_contracts import ContractCoverage, ServiceContract
from aftersales.domain.ticket_workflow import TicketState
from aftersales.domain.work import VisitKind
from aftersales.errors import (
    IdempotencyKeyReused,
    InvalidMoney,
    NotFound,
    PermissionDenied,
    PolicyError,
    ValidationError,
)
from aftersales.json import from_json, to_dict, to_json
from aftersales.policies.chargeability import BUILTIN_CHARGEABLE_CAUSES
from aftersales.policies.fees import DealerFeeSchedule, DefaultFeesPolicy, FeesParams, PartPriceEntry
from aftersales.reports.budgets import budget_report
from aftersales.reports.kpi import kpi_report
from aftersales.reports.money import month_money
from aftersales.reports.months import month_period
from aftersales.service.desk import ServiceDesk
from aftersales.service.views import TicketView
from conftest import STAFF, START, World, make_world, migrated_pg_url, register

DSN = os.environ.get("AFTERSALES_PG_DSN")
SH = ZoneInfo("Asia/Shanghai")
PART = "WN-CB-01"  # as the maker prints it

FEES = DefaultFeesPolicy(
    FeesParams(
        currency="CNY",
        # WN-FV-01: the fuzz world's and the edges' requests (a part is requested off the price list only).
        parts={
            PART: PartPriceEntry(cost="75.00", retail="120.00"),
            "WN-FV-01": PartPriceEntry("30.00", "45.00"),
        },
        dealer_schedules={
            "dealer-sh": DealerFeeSchedule(
                labour={"flush_valve_leak": "80"}, travel_zones={"pudong": "30"}, service_fee="20"
            )
        },
    )
)

IN_WARRANTY = Asset(
    AssetId("unit-in"), "wc-100", "SN-IN", customer_id="cust-zh", purchase_date=date(2025, 9, 1),
    installation_accepted_on=date(2025, 9, 2), dealer_id="dealer-sh",
)  # fmt: skip
OUT_OF_WARRANTY = Asset(
    AssetId("unit-out"), "wc-100", "SN-OUT", customer_id="cust-zh", purchase_date=date(2021, 1, 10),
    installation_accepted_on=date(2021, 1, 11), dealer_id="dealer-sh",
)  # fmt: skip
OUT_OF_BOX = Asset(
    AssetId("unit-box"), "wc-100", "SN-BOX", customer_id="cust-zh", shipment_date=date(2026, 2, 20),
    purchase_date=date(2026, 2, 25), dealer_id="dealer-sh",
)  # fmt: skip


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def story(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ManualClock, World]]:
    clock = ManualClock(START)
    stack = contextlib.ExitStack()
    if request.param == "memory":
        url = "memory://"
    elif request.param == "sqlite":
        url = f"sqlite:///{fresh_sqlite_file(tmp_path / 'money.db')}"  # a copy of a migrated file
    else:
        url = stack.enter_context(migrated_pg_url())  # a migrated schema, made again after
    desk = ServiceDesk.open(
        url,
        pack="sanitary_ware",
        overrides={"fees": FEES},
        clock=clock,
        notifier=MemoryNotifier(),
        staff=STAFF,
        attachments=FileSystemAttachmentStore(tmp_path / "attachments"),
        invoice_issuer=MemoryInvoiceIssuer(),
    )
    world = make_world()
    register(desk, world)
    for unit in (IN_WARRANTY, OUT_OF_WARRANTY, OUT_OF_BOX):
        desk.register_asset(world.manager, unit)
    try:
        yield desk, clock, world
    finally:
        desk.shutdown()
        stack.close()


def _repair(
    desk: ServiceDesk,
    clock: ManualClock,
    world: World,
    asset_id: str,
    cause: str = "flush_valve_worn",
    report: bool = False,
) -> str:
    """A call about ``asset_id``, worked by the dealer, with one fault record naming the part.

    ``report``: the written report (书面报告) an out-of-box fault needs before dispatch is attached.
    """
    agent, dealer = world.agent, world.dealer_sh_staff
    opened = desk.open_ticket(agent, customer_id="cust-zh", description="马桶一直冲水", asset_id=asset_id)
    ticket_id = opened.ticket.id
    if report:
        desk.attachments.attach(
            agent, ticket_id, kind="written_report", name="report.pdf", content=b"%PDF-1.4\n% report\n%%EOF\n"
        )
    clock.advance(timedelta(minutes=10))
    desk.triage(agent, ticket_id, nature="flush_valve_leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(agent, ticket_id, dealer_id="dealer-sh")
    clock.advance(timedelta(hours=1))
    desk.start_work(dealer, ticket_id)
    desk.add_fault_record(
        dealer, ticket_id, symptom="keeps_flushing", cause=cause, action="replace_flush_valve",
        part=PART, component="flush_valve",
    )  # fmt: skip
    clock.advance(timedelta(minutes=30))
    return ticket_id


def test_in_warranty_repair_is_free_and_needs_no_quote(story: tuple[ServiceDesk, ManualClock, World]) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-in")
    sheet = desk.charges.assess(world.dealer_sh_staff, ticket_id, travel_zone="pudong")
    kinds = [line.line.kind for line in sheet.lines]
    assert kinds == [ChargeKind.MATERIALS, ChargeKind.LABOUR, ChargeKind.TRAVEL, ChargeKind.SERVICE_FEE]
    assert not any(line.line.chargeable for line in sheet.lines)
    assert sheet.customer_total == Money(0, "CNY")
    assert sheet.service_value == Money("250.00", "CNY")  # what the free work is worth
    assert sheet.phase == "in_warranty"
    assert all("in_warranty_free" in [r.code for r in line.reasons] for line in sheet.lines)
    part = sheet.lines[0]
    assert part.line.item == PART and part.component == "flush_valve" and part.dealer_cost == Money(75, "CNY")
    with pytest.raises(PolicyError) as info:
        desk.charges.quote(world.agent, ticket_id)
    assert info.value.code == "nothing_to_charge"
    view = desk.ticket(world.agent, ticket_id)
    assert view.charges is not None and view.charges.revision == 1
    assert view.events[-1].action == "assess_charges"


def test_out_of_warranty_quote_accepted_pick_slip_paid_then_shipped(
    story: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    sheet = desk.charges.assess(world.dealer_sh_staff, ticket_id, travel_zone="pudong")
    assert sheet.phase == "out_of_warranty"
    assert all(line.line.chargeable for line in sheet.lines)
    assert sheet.customer_total == Money("250.00", "CNY")  # 120 part + 80 labour + 30 travel + 20 fee
    assert sheet.dealer_cost_total == Money("75.00", "CNY")
    quote = desk.charges.quote(world.dealer_sh_staff, ticket_id)
    assert quote.state is QuoteState.OFFERED and quote.total == Money("250.00", "CNY")
    assert quote.payment_before_shipping  # 款到发货
    purchase = desk.charges.dealer_purchase(world.agent, ticket_id)
    assert purchase.payer == "dealer" and purchase.total == Money("75.00", "CNY")  # not the retail 120
    clock.advance(timedelta(hours=1))
    accepted = desk.charges.accept(world.customer_zh, ticket_id, quote.id, urgent=True)
    assert accepted.quote.state is QuoteState.ACCEPTED
    assert accepted.pick_slip is not None and [ln.part for ln in accepted.pick_slip.lines] == [PART]
    request_id = accepted.materials_request.id  # type: ignore[union-attr]
    desk.materials.pick(world.agent, request_id)
    with pytest.raises(PolicyError) as info:
        desk.materials.ship(world.agent, request_id)
    assert info.value.code == "payment_before_shipping"
    paid = desk.charges.record_payment(world.customer_zh, ticket_id, quote.id, amount=Money("250.00", "CNY"))
    assert paid.balance == Money(0, "CNY")
    shipped = desk.materials.ship(world.agent, request_id)
    assert shipped.shipping_note is not None
    actions = [e.action for e in desk.ticket(world.agent, ticket_id).events]
    assert actions[-4:] == ["offer_quote", "offer_quote", "accept_quote", "record_payment"]
    # the dealer's purchase from the maker is its own paper (a slip owed by the dealer), no second pick slip
    bought = desk.charges.accept(world.dealer_sh_staff, ticket_id, purchase.id)
    assert bought.materials_request is None and bought.fee_slip is not None
    assert (bought.fee_slip.payer_kind, bought.fee_slip.total) == ("dealer", Money("75.00", "CNY"))
    view = desk.ticket(world.agent, ticket_id)  # the charge sheet travels in the ticket's JSON
    data = to_dict(view)
    assert data["charges"]["quotes"][0]["state"] == "accepted" and data["charges"]["currency"] == "CNY"
    assert from_json(to_json(view), TicketView).charges == view.charges


def test_refused_quote_is_escalated_recorded_notified_and_waits(
    story: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    escalation = desk.charges.refuse(world.customer_zh, ticket_id, quote.id, reason="太贵了")
    assert escalation.quote_id == quote.id and escalation.reasons[0].code == "quote_refused"
    view = desk.ticket(world.agent, ticket_id)
    assert view.state == TicketState.AWAITING_CUSTOMER
    last = view.events[-1]
    assert last.action == "refuse_quote" and last.reason == "太贵了"
    assert last.payload["escalated_to"] == ["manager"]  # the pack's escalation.targets.quote_refused
    assert desk.deliver().sent
    to_manager = desk.notifier.to("manager@venus.example")  # type: ignore[union-attr]
    assert any((ticket_id in m.subject and "quote" in m.body.lower()) or "报价" in m.body for m in to_manager)


@pytest.mark.parametrize("cause", sorted(BUILTIN_CHARGEABLE_CAUSES))
def test_each_chargeable_cause_in_warranty(story: tuple[ServiceDesk, ManualClock, World], cause: str) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-in", cause=cause)
    sheet = desk.charges.assess(world.dealer_sh_staff, ticket_id)
    assert sheet.phase == "in_warranty"
    assert all(line.line.chargeable for line in sheet.lines)
    assert any(r.code == "chargeable_cause" and r.params["cause"] == cause for r in sheet.lines[0].reasons)


def test_out_of_box_phase_is_free_and_asks_for_a_report(
    story: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-box", report=True)
    sheet = desk.charges.assess(world.dealer_sh_staff, ticket_id)
    assert sheet.phase == "out_of_box"
    assert not any(line.line.chargeable for line in sheet.lines)
    assert "out_of_box_report_required" in [r.code for r in sheet.reasons]


def test_callback_visit_charges_materials_only(story: tuple[ServiceDesk, ManualClock, World]) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.add_visit(
        world.dealer_sh_staff, ticket_id, planned_at=clock.now(), engineer_id="eng-dealer-sh",
        kind=VisitKind.CALLBACK,
    )  # fmt: skip
    sheet = desk.charges.assess(world.dealer_sh_staff, ticket_id, travel_zone="pudong")
    charged = {line.line.kind: line.line.chargeable for line in sheet.lines}
    assert charged == {
        ChargeKind.MATERIALS: True,
        ChargeKind.LABOUR: False,
        ChargeKind.TRAVEL: False,
        ChargeKind.SERVICE_FEE: False,
    }
    assert sheet.customer_total == Money("120.00", "CNY")
    assert "callback_no_service_fee" in [r.code for r in sheet.reasons]


def test_complaint_extension_makes_the_repair_free_and_is_named(
    story: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    first = desk.charges.assess(world.dealer_sh_staff, ticket_id)
    assert first.customer_total > Money(0, "CNY")
    complaints = desk.complaints
    cid = complaints.open_complaint(world.agent, "cust-zh", "刚过保就坏", about=[ticket_id]).ticket.id
    complaints.investigate(world.agent, cid)
    complaints.propose_solution(world.agent, cid, solution="延保 12 个月")
    complaints.agree_solution(world.customer_zh, cid)
    complaints.grant_remedy(
        world.agent, cid, kind=RemedyKind.WARRANTY_EXTENSION, cost=Money("0", "CNY"), extend_by=12
    )
    clock.advance(timedelta(hours=1))
    again = desk.charges.assess(world.dealer_sh_staff, ticket_id)
    assert again.revision == 2 and again.phase == "in_warranty"
    assert again.customer_total == Money(0, "CNY")
    extended = [r for r in again.lines[0].reasons if r.code == "warranty_extended"]
    assert extended and extended[0].params["complaint_id"] == cid
    named = [r for r in again.lines[0].reasons if r.code == "extension_granted_by_complaint"]
    assert named and named[0].params["complaint_id"] == cid
    event = desk.ticket(world.agent, ticket_id).events[-1]
    assert event.action == "assess_charges"
    assert f"now_free:materials:{PART}" in event.payload["changes"]
    assert "phase:out_of_warranty->in_warranty" in event.payload["changes"]


def test_hostile_payments_are_refused_and_nothing_is_stored(
    story: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    before = desk.ticket(world.agent, ticket_id).version
    for bad in ("-5", "NaN", "Infinity", "1e30"):
        with pytest.raises((InvalidMoney, ValidationError)):
            desk.charges.record_payment(
                world.customer_zh, ticket_id, quote.id, amount=Money(Decimal(bad), "CNY")
            )
    with pytest.raises(ValidationError):
        desk.charges.record_payment(world.customer_zh, ticket_id, quote.id, amount=Money("10", "USD"))
    with pytest.raises(ValidationError):
        desk.charges.record_payment(world.customer_zh, ticket_id, quote.id, amount=Money("9999", "CNY"))
    view = desk.ticket(world.agent, ticket_id)
    assert view.version == before and view.charges is not None and view.charges.payments == []
    # every report is still readable
    assert desk.fees.monthly_revenue(world.manager, "2026-03").revenue_total == Money("220.00", "CNY")
    with desk.store() as uow:
        assert month_money(uow.documents, "2026-03").income == Money("220.00", "CNY")


def _free_part_received(desk: ServiceDesk, clock: ManualClock, world: World) -> tuple[str, str]:
    """An in-warranty repair whose new part goes free, on loan, to the dealer; returns (ticket, request)."""
    ticket_id = _repair(desk, clock, world, "unit-in")
    materials = desk.materials
    request = materials.request(
        world.dealer_sh_staff, ticket_id, party=PartyRef.dealer("dealer-sh"), lines=[MaterialsLine(PART, 1)],
        urgent=True,
    )  # fmt: skip
    checked = materials.check(world.agent, request.id)
    assert checked.chargeable is False and checked.pick_slip is not None
    materials.approve(world.manager, request.id)
    materials.pick(world.agent, request.id)
    materials.ship(world.agent, request.id)
    clock.set(datetime(2026, 3, 3, 15, 0, tzinfo=SH))
    materials.receive(world.dealer_sh_staff, request.id)  # repaired 3 March: due back within 30 days
    return ticket_id, request.id


def test_old_part_back_on_the_last_day_is_free(story: tuple[ServiceDesk, ManualClock, World]) -> None:
    desk, clock, world = story
    ticket_id, request_id = _free_part_received(desk, clock, world)
    clock.set(datetime(2026, 4, 2, 22, 0, tzinfo=SH))  # the 30th day, late evening
    item = desk.materials.register_return(world.agent, request_id=request_id, part=PART)
    desk.materials.inspect_return(world.agent, item.id, accepted=True)
    desk.materials.book_return(world.agent, item.id)
    clock.set(datetime(2026, 4, 5, 9, 0, tzinfo=SH))
    assert desk.materials.run_overdue_chargebacks(world.system) == ()
    assert desk.fees.slips_of(world.manager, ticket_id) == []
    with desk.store() as uow:
        figures = month_money(uow.documents, "2026-03")
        april = month_money(uow.documents, "2026-04")
    assert figures.cost == Money("75.00", "CNY")  # the free part, at the maker's price to dealers
    assert figures.income == Money(0, "CNY") and april.cost == Money(0, "CNY")


def test_old_part_back_a_day_late_is_charged_to_the_dealer(
    story: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = story
    ticket_id, _request_id = _free_part_received(desk, clock, world)
    clock.set(datetime(2026, 4, 2, 23, 59, tzinfo=SH))
    assert desk.materials.run_overdue_chargebacks(world.system) == ()
    clock.set(datetime(2026, 4, 3, 0, 1, tzinfo=SH))  # the day after the 30th
    (chargeback,) = desk.materials.run_overdue_chargebacks(world.system)
    assert chargeback.part == PART and chargeback.line.amount == Money("75.00", "CNY")
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    assert (slip.payer_kind, slip.payer_id) == ("dealer", "dealer-sh")  # not the end customer
    assert slip.origin.value == "unreturned_materials" and slip.lines[0].item == PART
    assert slip.reasons[0].code == "part_not_returned" and slip.reasons[0].params["part"] == PART
    with desk.store() as uow:
        april = month_money(uow.documents, "2026-04")
    assert april.income == Money("75.00", "CNY") and dict(april.income_by_payer) == {
        "dealer": Money(75, "CNY")
    }


def test_the_dealer_is_told_what_it_is_charged_for_a_part_it_kept(
    story: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # 督促用户在规定时间内退料…未退料,则视用户对该材料为事实占有,需收取相关费用; 与用户沟通,进行相关收费工作
    desk, clock, world = story
    ticket_id, _request_id = _free_part_received(desk, clock, world)
    desk.deliver()
    notifier = desk.notifier
    assert isinstance(notifier, MemoryNotifier)
    before = len(notifier.to("13900000001"))
    clock.set(datetime(2026, 4, 3, 0, 1, tzinfo=SH))
    desk.materials.run_overdue_chargebacks(world.system)
    desk.materials.run_overdue_chargebacks(world.system)  # a second run charges and tells nothing new
    desk.deliver()
    (notice,) = notifier.to("13900000001")[before:]
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    assert notice.locale == "zh_Hans" and PART in notice.subject and ticket_id in notice.subject
    assert (
        "¥75.00" in notice.body and slip.id in notice.body and "2026年4月2日 24:00" in notice.body
    )  # the due, 3 April 00:00, as the 2nd's end
    assert not any(PART in m.subject for m in notifier.to("13912345678"))  # not the end customer


def test_reconciliation_surplus_for_review_and_shortage_after_deadline(
    story: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = story
    ticket_id, _request_id = _free_part_received(desk, clock, world)
    dealer = PartyRef.dealer("dealer-sh")
    counted = {PART: 0, "WN-SEAT-9": 2}  # the loaned part is missing; two seats were never lent
    early = desk.materials.reconcile(world.agent, dealer, counted, reference="PD-2026-03")
    assert dict(early.surplus) == {"WN-SEAT-9": 2} and dict(early.pending) == {PART: 1}
    assert early.chargebacks == () and desk.fees.slips_of(world.manager, ticket_id) == []
    assert desk.materials.ledger(world.agent, dealer).balance == {PART: 1}  # surplus is not a loan
    clock.set(datetime(2026, 4, 10, 9, 0, tzinfo=SH))
    late = desk.materials.reconcile(world.agent, dealer, counted, reference="PD-2026-04")
    assert not late.surplus and [c.quantity for c in late.chargebacks] == [1]
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    assert slip.payer_id == "dealer-sh" and slip.total == Money("75.00", "CNY")


def test_month_revenue_and_cost_per_ticket_from_stored_slips(
    story: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = story
    paid_ticket = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, paid_ticket, travel_zone="pudong")
    quote = desk.charges.quote(world.agent, paid_ticket)
    accepted = desk.charges.accept(world.customer_zh, paid_ticket, quote.id)
    assert accepted.fee_slip is not None and accepted.fee_slip.total == Money("250.00", "CNY")
    desk.charges.record_payment(world.customer_zh, paid_ticket, quote.id, amount=Money("250.00", "CNY"))
    free_ticket, _ = _free_part_received(desk, clock, world)
    with desk.store() as uow:
        march = month_money(uow.documents, "2026-03")
    assert march.income == Money("250.00", "CNY") and march.paid == Money("250.00", "CNY")
    assert march.cost == Money("75.00", "CNY")
    assert march.ticket_count == 2 and march.cost_per_ticket == Money("37.50", "CNY")
    assert march.tickets[free_ticket].cost == Money("75.00", "CNY")
    assert march.tickets[paid_ticket].income == Money("250.00", "CNY")
    revenue = desk.fees.monthly_revenue(world.manager, "2026-03")
    assert revenue.revenue_total == march.income  # the fee desk's list agrees


def _both_quoted(desk: ServiceDesk, clock: ManualClock, world: World) -> tuple[str, Quote, Quote]:
    """An out-of-warranty repair assessed, with its two quotes offered: the customer's at user prices and
    the dealer's purchase from the maker at cost."""
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id, travel_zone="pudong")
    quote = desk.charges.quote(world.agent, ticket_id)
    return ticket_id, quote, desk.charges.dealer_purchase(world.agent, ticket_id)


def test_the_customers_collective_invoice_leaves_out_the_dealers_purchase(
    story: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # 若用户该次不需开发票…等用户需集中开发票时,再转至财务部开具发票: the user's slips, at user prices.
    # The dealer's purchase at the maker's price (按成本价向各特约承销商收取材料费) is the dealer's paper.
    desk, clock, world = story
    ticket_id, quote, purchase = _both_quoted(desk, clock, world)
    mine = desk.charges.accept(world.customer_zh, ticket_id, quote.id, invoice=InvoiceWish.LATER).fee_slip
    dealers = desk.charges.accept(
        world.dealer_sh_staff, ticket_id, purchase.id, invoice=InvoiceWish.LATER
    ).fee_slip
    assert mine is not None and dealers is not None and dealers.payer_kind == "dealer"
    with pytest.raises(ValidationError) as info:  # the office naming it; the customer cannot see it
        desk.fees.request_invoice(world.agent, "cust-zh", slip_ids=[mine.id, dealers.id])
    assert info.value.field == "slip_ids" and dealers.id in str(info.value)
    assert desk.fees.slip(world.manager, mine.id).invoice_id is None  # nothing changed
    record = desk.fees.request_invoice(world.customer_zh, "cust-zh")
    assert record.slip_ids == (mine.id,) and record.total == Money("250.00", "CNY")
    assert desk.fees.slip(world.manager, dealers.id).invoice_id is None


def test_the_customer_sees_its_own_slips_not_the_dealers(
    story: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # The dealer's purchase at the maker's price (成本价) is between maker and dealer: the customer reads
    # the slips it owes, in the fee desk and in its archive; the office and the dealer read both.
    desk, clock, world = story
    ticket_id, quote, purchase = _both_quoted(desk, clock, world)
    mine = desk.charges.accept(world.customer_zh, ticket_id, quote.id).fee_slip
    dealers = desk.charges.accept(world.dealer_sh_staff, ticket_id, purchase.id).fee_slip
    assert mine is not None and dealers is not None
    assert [s.id for s in desk.fees.slips_of(world.customer_zh, ticket_id)] == [mine.id]
    with pytest.raises(NotFound):
        desk.fees.slip(world.customer_zh, dealers.id)
    with pytest.raises(NotFound):
        desk.fees.request_invoice(world.customer_zh, "cust-zh", slip_ids=[dealers.id])
    assert desk.archives.customer_archive(world.customer_zh, "cust-zh").fee_slips == (mine.id,)
    for staff in (world.agent, world.dealer_sh_staff):
        assert {s.id for s in desk.fees.slips_of(staff, ticket_id)} == {mine.id, dealers.id}
    assert desk.fees.slip(world.dealer_sh_staff, dealers.id).payer_kind == "dealer"


def test_the_customer_reads_the_sheet_without_the_dealers_cost_or_purchase(
    story: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # 成本价 is the maker's price to its dealer: the customer's sheet, ticket view and JSON leave it out,
    # with the dealer's purchase order; the dealer and the office read them.
    desk, clock, world = story
    ticket_id, quote, purchase = _both_quoted(desk, clock, world)
    desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    desk.charges.accept(world.dealer_sh_staff, ticket_id, purchase.id)
    for seen in (
        desk.charges.sheet(world.customer_zh, ticket_id),
        desk.ticket(world.customer_zh, ticket_id).charges,
        desk.ledger(world.customer_zh).items[0].charges,
    ):
        assert seen is not None
        assert [q.id for q in seen.quotes] == [quote.id] and seen.customer_total == Money("250.00", "CNY")
        assert all(line.dealer_cost is None for line in seen.lines) and not seen.has_dealer_side
    assert "75.00" not in to_json(desk.ticket(world.customer_zh, ticket_id))
    for staff in (world.agent, world.dealer_sh_staff):
        whole = desk.charges.sheet(staff, ticket_id)
        assert whole is not None and {q.id for q in whole.quotes} == {quote.id, purchase.id}
        assert whole.dealer_cost_total == Money("75.00", "CNY")


def test_an_invoice_wanted_now_goes_to_finance_with_the_accepted_quote(
    story: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # 若用户该次需开发票,将《售后服务材料收费暨报销单》转至财务部开具发票
    desk, clock, world = story
    issuer = desk.invoice_issuer
    assert isinstance(issuer, MemoryInvoiceIssuer)
    ticket_id, quote, purchase = _both_quoted(desk, clock, world)
    slip = desk.charges.accept(world.customer_zh, ticket_id, quote.id, invoice=InvoiceWish.NOW).fee_slip
    assert slip is not None and slip.invoice_id is not None
    record = desk.fees.invoice(world.manager, slip.invoice_id)
    assert record.state is InvoiceState.ISSUED and record.slip_ids == (slip.id,)
    assert record.customer_id == "cust-zh" and record.total == Money("250.00", "CNY")
    ((request, _),) = issuer.issued.values()
    assert request.total == Money("250.00", "CNY")
    assert desk.ticket(world.agent, ticket_id).events[-1].payload["invoice"] == record.id
    # The dealer's purchase at the maker's price is invoiced too, made out to the dealer (上海维娜斯仅按
    # 成本价向各特约承销商收取材料费: the dealer is the maker's buyer), never to the customer.
    bought = desk.charges.accept(world.dealer_sh_staff, ticket_id, purchase.id, invoice=InvoiceWish.NOW)
    assert bought.fee_slip is not None and bought.fee_slip.invoice_id is not None
    to_dealer = desk.fees.invoice(world.manager, bought.fee_slip.invoice_id)
    assert (to_dealer.payer_kind, to_dealer.payer_id, to_dealer.customer_id) == ("dealer", "dealer-sh", None)
    assert to_dealer.total == Money("75.00", "CNY") and to_dealer.state is InvoiceState.ISSUED


def test_the_customer_cannot_answer_or_pay_the_dealers_purchase(
    story: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # 上海维娜斯仅按成本价向各特约承销商收取材料费: the purchase at the maker's price is the dealer's;
    # the user answers and pays only its own quote.
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id, travel_zone="pudong")
    purchase = desk.charges.dealer_purchase(world.agent, ticket_id)
    for answer in (
        lambda: desk.charges.accept(world.customer_zh, ticket_id, purchase.id),
        lambda: desk.charges.refuse(world.customer_zh, ticket_id, purchase.id, reason="太贵"),
    ):
        with pytest.raises(PermissionDenied):
            answer()
    view = desk.ticket(world.agent, ticket_id)
    assert view.charges is not None and view.charges.quote(purchase.id).state is QuoteState.OFFERED
    assert (
        desk.charges.accept(world.dealer_sh_staff, ticket_id, purchase.id).quote.state is QuoteState.ACCEPTED
    )
    with pytest.raises(PermissionDenied):
        desk.charges.record_payment(world.customer_zh, ticket_id, purchase.id, amount=Money("75.00", "CNY"))
    # The same on a materials request the dealer files (quoted to the dealer at the maker's price).
    request = desk.materials.request(
        world.dealer_sh_staff, ticket_id, party=PartyRef.dealer("dealer-sh"), lines=[MaterialsLine(PART)]
    )
    desk.materials.check(world.manager, request.id)
    desk.materials.quote(world.manager, request.id)
    with pytest.raises(PermissionDenied):
        desk.materials.approve(world.customer_zh, request.id)
    assert desk.materials.materials_request(world.manager, request.id).state == "quoted"
    assert desk.materials.approve(world.dealer_sh_staff, request.id).state == "approved"


def test_the_accepted_installation_ends_the_out_of_box_phase(
    story: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # 开箱期: 在产品出厂后至安装调试合格期间; 保修期内: 在产品安装调试完毕至保修期限. The customer accepting
    # the dealer's installation job records the unit's installation acceptance, audited.
    desk, clock, world = story
    dealer = world.dealer_sh_staff
    install = desk.open_ticket(
        world.agent, customer_id="cust-zh", asset_id="unit-box", description="安装调试",
        category=Category.INSTALLATION,
    ).ticket.id  # fmt: skip
    desk.triage(world.agent, install, nature="installation", severity=Severity.LOW, plan=Plan.ON_SITE)
    desk.dispatch(world.agent, install, dealer_id="dealer-sh")
    desk.start_work(dealer, install)
    desk.resolve(dealer, install, summary="安装调试合格")
    clock.advance(timedelta(hours=15))  # Tuesday 00:00 in Shanghai
    desk.confirm(world.customer_zh, install)
    with desk.store() as uow:
        assert uow.assets.get("unit-box").installation_accepted_on == date(2026, 3, 3)
    history = desk.master_data_history(world.manager, "asset", "unit-box")
    assert (history[-1].command, history[-1].reason) == (
        "installation_accepted",
        f"ticket {install} accepted",
    )
    clock.advance(timedelta(days=3))
    repair = _repair(desk, clock, world, "unit-box")  # no written report needed: the unit is installed
    sheet = desk.charges.assess(dealer, repair, travel_zone="pudong")
    assert sheet.phase == "in_warranty" and sheet.customer_total == Money(0, "CNY")


def test_budget_approved_by_a_named_role_and_overrun_needs_a_reason(
    story: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = story
    with pytest.raises(PermissionDenied):  # the pack's budget_approvers: the general manager
        desk.charges.set_budget(world.manager, "2026-03", "materials", Money("50.00", "CNY"))
    budget = desk.charges.set_budget(world.general_manager, "2026-03", "materials", Money("50.00", "CNY"))
    assert budget.approved_by == world.general_manager.ref
    for bad in (Money("-1", "CNY"), Money(0, "CNY")):
        with pytest.raises(ValidationError):
            desk.charges.set_budget(world.general_manager, "2026-03", "labour", bad)
    _free_part_received(desk, clock, world)  # 75.00 of free material, against a budget of 50.00
    with desk.store() as uow:
        report = budget_report(uow.documents, "2026-03")
    (row,) = report.rows
    assert row.category == "materials" and row.actual == Money("75.00", "CNY")
    assert row.over_budget and report.unapproved == ("materials",)
    with pytest.raises(ValidationError):
        desk.charges.approve_overrun(
            world.general_manager, "2026-03", "materials", Money(25, "CNY"), reason=" "
        )
    desk.charges.approve_overrun(
        world.general_manager, "2026-03", "materials", Money(25, "CNY"), reason="批次缺陷集中更换"
    )
    with desk.store() as uow:
        again = budget_report(uow.documents, "2026-03")
    assert again.rows[0].over_budget and again.unapproved == ()
    (stored,) = desk.charges.budgets(world.auditor, "2026-03")
    assert stored.overruns[0].reason == "批次缺陷集中更换"


def test_a_yearly_budget_is_set_and_compared_with_the_year_s_spending(
    story: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # Seed 000: 售后维护管理部门每年…编制售后维护费用预算, 报公司管理层审批 — the budget is a year's.
    desk, clock, world = story
    budget = desk.charges.set_budget(world.general_manager, "2026", "materials", Money("50.00", "CNY"))
    assert budget.period == "2026" and budget.id == "2026:materials"
    for bad in ("26", "2026-13", "2026-3", "2026-"):
        with pytest.raises(ValidationError):
            desk.charges.set_budget(world.general_manager, bad, "labour", Money("1.00", "CNY"))
    _free_part_received(desk, clock, world)  # 75.00 of free material in March, against 50.00 for the year
    with desk.store() as uow:
        year = budget_report(uow.documents, "2026")
        march = budget_report(uow.documents, "2026-03")
        with pytest.raises(ValidationError):
            budget_report(uow.documents, 2026)  # type: ignore[arg-type]
    (row,) = year.rows
    assert row.budget == Money("50.00", "CNY") and row.actual == Money("75.00", "CNY")
    assert year.unapproved == ("materials",)
    assert march.rows[0].budget is None  # the month has no budget of its own
    desk.charges.approve_overrun(
        world.general_manager, "2026", "materials", Money(25, "CNY"), reason="批次更换"
    )
    with desk.store() as uow:
        assert budget_report(uow.documents, "2026").unapproved == ()
    assert [b.id for b in desk.charges.budgets(world.auditor, "2026")] == ["2026:materials"]


def test_charging_commands_replay_by_idempotency_key(story: tuple[ServiceDesk, ManualClock, World]) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    first = desk.charges.assess(world.dealer_sh_staff, ticket_id, idempotency_key="assess-1")
    again = desk.charges.assess(world.dealer_sh_staff, ticket_id, idempotency_key="assess-1")
    assert again.revision == first.revision == 1  # replayed, not assessed twice
    with pytest.raises(IdempotencyKeyReused):
        desk.charges.assess(
            world.dealer_sh_staff, ticket_id, travel_zone="pudong", idempotency_key="assess-1"
        )
    quote = desk.charges.quote(world.agent, ticket_id)
    accepted = desk.charges.accept(world.customer_zh, ticket_id, quote.id, idempotency_key="yes")
    replayed = desk.charges.accept(world.customer_zh, ticket_id, quote.id, idempotency_key="yes")
    assert replayed.quote == accepted.quote and replayed.pick_slip == accepted.pick_slip
    assert replayed.fee_slip is not None and accepted.fee_slip is not None
    assert replayed.fee_slip.id == accepted.fee_slip.id
    assert len(desk.fees.slips_of(world.manager, ticket_id)) == 1


def test_reassessing_after_a_new_fault_record_says_what_changed(
    story: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-in")
    first = desk.charges.assess(world.dealer_sh_staff, ticket_id)
    assert first.customer_total == Money(0, "CNY")
    desk.add_fault_record(
        world.dealer_sh_staff, ticket_id, symptom="keeps_flushing", cause="moved_or_self_installed",
        action="reinstall",
    )  # fmt: skip
    clock.advance(timedelta(minutes=5))
    again = desk.charges.assess(world.dealer_sh_staff, ticket_id)
    assert again.revision == 2 and all(line.line.chargeable for line in again.lines)
    event = desk.ticket(world.agent, ticket_id).events[-1]
    assert event.action == "assess_charges" and event.reason is not None
    assert f"now_chargeable:materials:{PART}" in event.payload["changes"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"distance_km": "12"}, "distance_km"),
        ({"distance_km": 0}, "distance_km"),
        ({"travel_zone": ["pudong"]}, "travel_zone"),
        ({"job_type": "Repair Job"}, "job_type"),
        ({"parts": {"WN CB 01": 1}}, "parts"),
        ({"parts": {PART: 0}}, "parts[]"),  # a quantity: its bounds in the annotation (s25)
        ({"travel_zone": "pudong", "distance_km": 5}, "travel_zone"),
    ],
)
def test_assess_refuses_bad_input_naming_the_field(
    story: tuple[ServiceDesk, ManualClock, World], kwargs: dict[str, object], field: str
) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    with pytest.raises(ValidationError) as info:
        desk.charges.assess(world.dealer_sh_staff, ticket_id, **kwargs)  # type: ignore[arg-type]
    assert info.value.field == field
    assert desk.ticket(world.agent, ticket_id).charges is None  # nothing stored


def test_a_service_contract_makes_what_it_covers_free_and_is_named(
    story: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = story
    desk.contracts.sign(
        world.manager,
        ServiceContract(
            id="HT-2026-009", customer_id="cust-zh", assets=("unit-out",), starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31), price=Money("600.00", "CNY"),
            coverage=ContractCoverage(labour=True, parts=False, travel=True, visits_per_year=2),
        ),
    )  # fmt: skip
    ticket_id = _repair(desk, clock, world, "unit-out")
    sheet = desk.charges.assess(world.dealer_sh_staff, ticket_id, travel_zone="pudong")
    by_kind = {line.line.kind: line for line in sheet.lines}
    assert by_kind[ChargeKind.MATERIALS].line.chargeable  # parts are not in the contract: charged
    for kind in (ChargeKind.LABOUR, ChargeKind.TRAVEL):
        assert not by_kind[kind].line.chargeable
        named = [r for r in by_kind[kind].reasons if r.code == "service_contract"]
        assert named and named[0].params["contract_id"] == "HT-2026-009"
    assert sheet.customer_total == Money("140.00", "CNY")  # the part 120.00 and the service fee 20


def test_materials_quote_declined_is_escalated_recorded_notified_and_waits(
    story: tuple[ServiceDesk, ManualClock, World],
) -> None:
    """The materials desk's decline of a quoted request behaves as ``desk.charges.refuse`` (issue 19)."""
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    request = desk.materials.request(
        world.dealer_sh_staff, ticket_id, party=PartyRef.dealer("dealer-sh"), lines=[MaterialsLine(PART, 1)]
    )
    desk.materials.check(world.agent, request.id)
    desk.materials.quote(world.agent, request.id)
    clock.advance(timedelta(minutes=5))
    due_before = desk.ticket(world.agent, ticket_id).resolution_due_at
    # The request is the dealer's, quoted at the maker's price: the dealer (用户 of the materials flow)
    # answers it; the end customer may not (test_the_customer_cannot_answer_or_pay_the_dealers_purchase).
    declined, escalation = desk.materials.decline(world.dealer_sh_staff, request.id, reason="太贵了")
    assert escalation is not None and escalation.reasons[0].code == "quote_refused"
    assert declined.state == "declined" and declined.charges is not None
    assert declined.charges.quotes[-1].state is QuoteState.REFUSED
    view = desk.ticket(world.agent, ticket_id)
    assert view.state == TicketState.AWAITING_CUSTOMER  # waits on the superior's decision
    last = view.events[-1]
    assert (last.action, last.from_state, last.to_state) == (
        "materials_quote_refused",
        TicketState.IN_PROGRESS,
        TicketState.AWAITING_CUSTOMER,
    )
    assert last.reason == "太贵了" and last.actor == world.dealer_sh_staff.ref
    assert last.payload["escalated_to"] == ["manager"] and last.payload["request_id"] == request.id
    assert last.payload["total"] == str(escalation.total.amount)
    assert desk.deliver().sent
    to_manager = desk.notifier.to("manager@venus.example")  # type: ignore[union-attr]
    assert any(ticket_id in m.subject or ticket_id in m.body for m in to_manager)
    # the superior's decision taken, work goes on; the SLA clock was paused while the ticket waited
    clock.advance(timedelta(hours=3))
    desk.resume(world.dealer_sh_staff, ticket_id)
    resumed = desk.ticket(world.agent, ticket_id)
    assert resumed.state == TicketState.IN_PROGRESS
    assert due_before is not None and resumed.resolution_due_at is not None
    assert resumed.resolution_due_at > due_before


def test_office_declining_a_request_records_it_and_moves_nothing(
    story: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    request = desk.materials.request(
        world.dealer_sh_staff, ticket_id, party=PartyRef.dealer("dealer-sh"), lines=[MaterialsLine(PART, 1)]
    )
    declined, escalation = desk.materials.decline(world.agent, request.id, reason="停产配件")
    assert escalation is None and declined.state == "declined"
    view = desk.ticket(world.agent, ticket_id)
    assert view.state == TicketState.IN_PROGRESS
    assert view.events[-1].action == "materials_declined" and view.events[-1].reason == "停产配件"


def test_quote_refused_before_any_work_is_escalated_and_recorded(
    story: tuple[ServiceDesk, ManualClock, World],
) -> None:
    """A quote offered on a triaged ticket (diagnosed by phone) may be refused too: escalated and in the
    history; the ticket, not yet worked, cannot wait and stays triaged."""
    desk, clock, world = story
    ticket_id = desk.open_ticket(
        world.agent, customer_id="cust-zh", description="马桶一直冲水", asset_id="unit-out"
    ).ticket.id
    desk.triage(
        world.agent, ticket_id, nature="flush_valve_leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE
    )
    desk.charges.assess(world.agent, ticket_id, parts={PART: 1})
    quote = desk.charges.quote(world.agent, ticket_id)
    clock.advance(timedelta(minutes=5))
    escalation = desk.charges.refuse(world.customer_zh, ticket_id, quote.id, reason="不修了")
    assert escalation.reasons[0].code == "quote_refused"
    view = desk.ticket(world.agent, ticket_id)
    assert view.state == TicketState.TRIAGED
    assert view.charges is not None and view.charges.quote(quote.id).state is QuoteState.REFUSED
    last = view.events[-1]
    assert (last.action, last.reason, last.payload["escalated_to"]) == (
        "quote_refused",
        "不修了",
        ["manager"],
    )
    assert desk.deliver().sent
    assert desk.notifier.to("manager@venus.example")  # type: ignore[union-attr]


def test_a_customer_of_the_maker_repaired_by_a_dealer_is_that_dealers_business(
    story: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # A customer who bought from the maker directly (no dealer of their own) calls; the repair is
    # dispatched to the Shanghai dealer. The dealer's local fees price the work (各特约承销商可根据当地
    # 实际情况收费), the dealer buys the part at cost and owes that slip, and the part goes to the dealer
    # (乙方需按时退回换下的配件). Before, the work had no fees, the purchase was refused ("no dealer to
    # owe the purchase") and the pick slip had no one to go to.
    desk, _clock, world = story
    direct = attrs.evolve(world.cust_zh, id=CustomerId("cust-direct"), dealer_id=None)
    desk.register_customer(world.manager, direct)
    desk.register_asset(
        world.manager, attrs.evolve(OUT_OF_WARRANTY, id=AssetId("unit-direct"), serial="SN-DIRECT",
                                    customer_id="cust-direct", dealer_id=None),
    )  # fmt: skip
    agent, dealer = world.agent, world.dealer_sh_staff
    ticket_id = desk.open_ticket(
        agent, customer_id="cust-direct", description="马桶一直冲水", asset_id="unit-direct"
    ).ticket.id
    assert desk.ticket(agent, ticket_id).dealer_id is None
    desk.triage(agent, ticket_id, nature="flush_valve_leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(agent, ticket_id, dealer_id="dealer-sh")
    desk.start_work(dealer, ticket_id)
    desk.add_fault_record(
        dealer, ticket_id, symptom="keeps_flushing", cause="flush_valve_worn", action="replace_flush_valve",
        part=PART, component="flush_valve",
    )  # fmt: skip
    sheet = desk.charges.assess(dealer, ticket_id, travel_zone="pudong")
    assert sheet.customer_total == Money("250.00", "CNY")  # 120 part + the dealer's 80 + 30 + 20
    purchase = desk.charges.dealer_purchase(agent, ticket_id)
    bought = desk.charges.accept(dealer, ticket_id, purchase.id)
    assert bought.fee_slip is not None
    assert (bought.fee_slip.payer_kind, bought.fee_slip.payer_id) == ("dealer", "dealer-sh")
    assert bought.fee_slip.dealer_id == "dealer-sh"
    assert bought.materials_request is not None and bought.materials_request.party == PartyRef.dealer(
        "dealer-sh"
    )
    assert [s.id for s in desk.fees.slips_of(dealer, ticket_id)] == [bought.fee_slip.id]


def test_the_kpis_cost_per_ticket_is_the_money_reports(story: tuple[ServiceDesk, ManualClock, World]) -> None:
    """Session 16: the KPI's cost per ticket read from the stored slips was spread over every ticket
    received in the period (a call with no money at all included), while the month's money report spreads
    the same cost over the tickets it was spent on: two figures for one cost per ticket. Both use the
    tickets it was spent on (slip_cost_totals' count)."""
    desk, clock, world = story
    _free_part_received(desk, clock, world)
    desk.open_ticket(world.agent, customer_id="cust-zh", description="咨询保养")  # no money
    with desk.store() as uow:
        march = month_money(uow.documents, "2026-03")
        period = month_period("2026-03", "Asia/Shanghai")
        kpi = kpi_report(reporting_for(desk.store), period, desk.calendar, documents=uow.documents)  # type: ignore[arg-type]
    assert march.cost_per_ticket == Money("75.00", "CNY")
    assert kpi.total.counts.tickets == 2
    assert kpi.total.cost_per_ticket == march.cost_per_ticket
