"""Seed 002's money where capabilities meet, through the ServiceDesk, on memory, SQLite and PostgreSQL
(when a DSN is set): what an after-sales accountant still saw wrong in the month's books.

- 已收费的材料不计入盘点表 / 售后服务销售收入的统计表为收费材料的清单: a part lent free and then charged
  on the customer's accepted quote is income (the quote's slip) and no longer the maker's cost — in the
  month's money, the KPI cost reading and the budget's actual — counted once, also across a month boundary.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from test_seed002_charged_after_free_issue import DEALER, _charged_after_free_issue
from test_seed002_money import IN_WARRANTY, PART, SH, _free_part_received, _repair, story
from test_seed002_quotes_again import _extend_warranty
from tests.acceptance.store_templates import fresh_sqlite_file

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.invoicing_memory import MemoryInvoiceIssuer
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.charges import ChargeKind, ChargeSheet
from aftersales.domain.fee_slips import InvoiceWish, SlipOrigin
from aftersales.domain.ids import AssetId
from aftersales.domain.materials import MaterialsLine, PartyRef
from aftersales.domain.money import Money
from aftersales.domain.products import Asset
from aftersales.errors import IdempotencyKeyReused, NotFound, PermissionDenied, PolicyError, ValidationError
from aftersales.policies.fees import DealerFeeSchedule, DefaultFeesPolicy, FeesParams, PartPriceEntry
from aftersales.reports.budgets import budget_report, scoped_budget_report
from aftersales.reports.money import month_money, scoped_month_money, slip_cost_totals
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, migrated_pg_url, register

__all__ = ["story"]  # the fixture, shared with the seed-002 money story

Story = tuple[ServiceDesk, ManualClock, World]
CNY = "CNY"
DSN = os.environ.get("AFTERSALES_PG_DSN")


def _misuse_found(desk: ServiceDesk, world: World, ticket_id: str) -> None:
    desk.add_fault_record(
        world.dealer_sh_staff, ticket_id, symptom="keeps_flushing", cause="misuse_against_manual",
        action="reinstall",
    )  # fmt: skip


def test_a_free_part_charged_on_the_quote_is_income_not_cost_in_the_same_month(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _charged_after_free_issue(desk, clock, world)  # lent free 3 March, charged the same day
    with desk.store() as uow:
        march = month_money(uow.documents, "2026-03")
        tickets, kinds = slip_cost_totals(uow.documents, ["2026-03"])
        budget = budget_report(uow.documents, "2026-03")
    # the customer's 220.00 (valve 120, labour 80, fee 20) and the dealer's valve at cost (75.00)
    assert march.income == Money("295.00", CNY)
    assert march.cost == Money(0, CNY)  # the valve is sold, not given: no cost left for it
    assert march.ticket(ticket_id).cost == Money(0, CNY)
    assert kinds.get("materials", Decimal(0)) == Decimal(0) and tickets == 1
    assert all(row.actual == Money(0, CNY) for row in budget.rows) and budget.unapproved == ()
    revenue = desk.fees.monthly_revenue(world.manager, "2026-03")
    (balance,) = revenue.balances
    assert (balance.issued_free, balance.charged_on_quote, balance.outstanding) == (1, 1, 0)
    assert [(e.item, e.amount) for e in revenue.charged_after_issue] == [(PART, Money("75.00", CNY))]
    assert revenue.returns == ()  # the reclassified valve is no return


def test_charged_in_the_next_month_the_free_issue_is_taken_back_there(story: Story) -> None:
    desk, clock, world = story
    ticket_id, _request_id = _free_part_received(desk, clock, world)  # lent free 3 March
    clock.set(datetime(2026, 4, 1, 10, 0, tzinfo=SH))
    _misuse_found(desk, world, ticket_id)
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    with desk.store() as uow:
        march = month_money(uow.documents, "2026-03")
        april = month_money(uow.documents, "2026-04")
        quarter = slip_cost_totals(uow.documents, ["2026-03", "2026-04"])[1]
    assert march.cost == Money("75.00", CNY) and march.income == Money(0, CNY)  # March's books stand
    assert april.income == Money("220.00", CNY) and april.cost == Money("-75.00", CNY)
    assert quarter.get("materials", Decimal(0)) == Decimal(0)  # over both months: sold, never given


def test_a_free_part_received_after_the_quote_is_not_a_free_issue(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-in")
    materials = desk.materials
    request = materials.request(
        world.dealer_sh_staff, ticket_id, party=DEALER, lines=[MaterialsLine(PART, 1)], urgent=True
    )
    materials.check(world.agent, request.id)
    materials.approve(world.manager, request.id)
    materials.pick(world.agent, request.id)
    materials.ship(world.agent, request.id)
    _misuse_found(desk, world, ticket_id)
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    desk.charges.accept(world.customer_zh, ticket_id, desk.charges.quote(world.agent, ticket_id).id)
    clock.advance(timedelta(hours=5))
    materials.receive(world.dealer_sh_staff, request.id)
    with desk.store() as uow:
        march = month_money(uow.documents, "2026-03")
    assert march.income == Money("220.00", CNY) and march.cost == Money(0, CNY)
    revenue = desk.fees.monthly_revenue(world.manager, "2026-03")
    assert revenue.free_issued == () and revenue.balances == ()


# -- 款到发货 on every path that ships parts ------------------------------------------------------------


def test_the_dealers_purchase_is_paid_before_the_parts_ship_though_the_customers_quote_filed_them(
    story: Story,
) -> None:
    # 保修期外甲方按成本价向乙方提供维修材料,款到发货: the maker ships once the dealer has paid its purchase.
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    purchase = desk.charges.dealer_purchase(world.agent, ticket_id)
    assert quote.payment_before_shipping and purchase.payment_before_shipping
    accepted = desk.charges.accept(world.customer_zh, ticket_id, quote.id, urgent=True)
    desk.charges.accept(world.dealer_sh_staff, ticket_id, purchase.id)
    request_id = accepted.materials_request.id  # type: ignore[union-attr]
    desk.materials.pick(world.agent, request_id)
    desk.charges.record_payment(world.customer_zh, ticket_id, quote.id, amount=quote.total)
    before = desk.materials.materials_request(world.agent, request_id)
    with pytest.raises(PolicyError) as info:
        desk.materials.ship(world.agent, request_id)
    assert info.value.code == "payment_before_shipping" and purchase.id in str(info.value)
    after = desk.materials.materials_request(world.agent, request_id)
    assert after.version == before.version and after.shipping_note is None
    desk.charges.record_payment(world.agent, ticket_id, purchase.id, amount=purchase.total)
    shipped = desk.materials.ship(world.agent, request_id)
    assert shipped.shipping_note is not None


def test_the_purchase_filed_first_still_waits_for_the_customers_pay_first_quote(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    purchase = desk.charges.dealer_purchase(world.agent, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    accepted = desk.charges.accept(world.dealer_sh_staff, ticket_id, purchase.id, urgent=True)
    desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    request_id = accepted.materials_request.id  # type: ignore[union-attr]
    desk.materials.pick(world.agent, request_id)
    desk.charges.record_payment(world.agent, ticket_id, purchase.id, amount=purchase.total)
    with pytest.raises(PolicyError) as info:
        desk.materials.ship(world.agent, request_id)
    assert info.value.code == "payment_before_shipping" and quote.id in str(info.value)
    desk.charges.record_payment(world.customer_zh, ticket_id, quote.id, amount=Money("120.00", CNY))
    assert desk.materials.ship(world.agent, request_id).shipping_note is not None  # the parts are paid


# -- a quote mixing a part in warranty with one out of it ------------------------------------------------

BODY = "WN-BODY-01"
MIXED_FEES = DefaultFeesPolicy(
    FeesParams(
        currency=CNY,
        parts={
            PART: PartPriceEntry(cost="75.00", retail="120.00"),
            BODY: PartPriceEntry(cost="300.00", retail="480.00"),
        },
        dealer_schedules={
            "dealer-sh": DealerFeeSchedule(labour={"flush_valve_leak": "80"}, service_fee="20")
        },
    )
)
# Bought June 2022: the valve's 36 months are over in March 2026, the ceramic body's 60 are not.
HALF_IN = Asset(
    AssetId("unit-half"), "wc-100", "SN-HALF", customer_id="cust-zh", purchase_date=date(2022, 6, 1),
    installation_accepted_on=date(2022, 6, 2), dealer_id="dealer-sh",
)  # fmt: skip


def _desk_with(request: pytest.FixtureRequest, tmp_path: Path, fees: DefaultFeesPolicy) -> Iterator[Story]:
    """A desk on the fixture's store with ``fees`` for the pack's prices, the world, and the units."""
    clock = ManualClock(START)
    stack = contextlib.ExitStack()
    if request.param == "memory":
        url = "memory://"
    elif request.param == "sqlite":
        url = f"sqlite:///{fresh_sqlite_file(tmp_path / 'gaps.db')}"  # a copy of a migrated file
    else:
        url = stack.enter_context(migrated_pg_url())  # a migrated schema, made again after
    desk = ServiceDesk.open(
        url, pack="sanitary_ware", overrides={"fees": fees}, clock=clock, notifier=MemoryNotifier(),
        staff=STAFF, invoice_issuer=MemoryInvoiceIssuer(),
    )  # fmt: skip
    world = make_world()
    register(desk, world)
    for unit in (HALF_IN, IN_WARRANTY):
        desk.register_asset(world.manager, unit)
    try:
        yield desk, clock, world
    finally:
        desk.shutdown()
        stack.close()


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def mixed(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Story]:
    yield from _desk_with(request, tmp_path, MIXED_FEES)


def _mixed_job(desk: ServiceDesk, clock: ManualClock, world: World) -> tuple[str, ChargeSheet]:
    """A repair of the half-covered unit whose fault record names the ceramic body (in warranty) beside
    the valve (out of it), its charges assessed by the dealer: the ticket and its sheet."""
    ticket_id = _repair(desk, clock, world, "unit-half")
    desk.add_fault_record(
        world.dealer_sh_staff, ticket_id, symptom="keeps_flushing", cause="flush_valve_worn",
        action="replace_flush_valve", part=BODY, component="ceramic_body",
    )  # fmt: skip
    return ticket_id, desk.charges.assess(world.dealer_sh_staff, ticket_id)


def _mixed_quote_shipped(desk: ServiceDesk, clock: ManualClock, world: World) -> tuple[str, str]:
    """The valve (out of warranty, charged) and the ceramic body (in warranty, free) on one accepted
    quote, paid and shipped; returns (ticket, request)."""
    ticket_id, sheet = _mixed_job(desk, clock, world)
    parts = [ln.line for ln in sheet.lines if ln.line.kind is ChargeKind.MATERIALS]
    charging = {line.item: line.chargeable for line in parts}
    assert charging == {PART: True, BODY: False}
    quote = desk.charges.quote(world.agent, ticket_id)
    accepted = desk.charges.accept(world.customer_zh, ticket_id, quote.id, urgent=True)
    request = accepted.materials_request
    assert request is not None
    assert {(ln.part, ln.chargeable) for ln in request.lines} == {(PART, True), (BODY, False)}
    desk.materials.pick(world.agent, request.id)
    if quote.payment_before_shipping:
        desk.charges.record_payment(world.customer_zh, ticket_id, quote.id, amount=quote.total)
    desk.materials.ship(world.agent, request.id)
    return ticket_id, request.id


def test_a_mixed_quote_ships_its_free_part_free_and_its_charged_part_charged(mixed: Story) -> None:
    desk, clock, world = mixed
    _mixed_quote_shipped(desk, clock, world)
    summary = desk.materials.outbound_summary(world.manager, "2026-03")
    assert dict(summary.by_part) == {BODY: 1, PART: 1}
    assert dict(summary.chargeable_by_part) == {PART: 1}  # the body went out free


def test_the_free_part_of_a_mixed_quote_is_lent_and_its_old_part_owed_back(mixed: Story) -> None:
    desk, clock, world = mixed
    _ticket_id, request_id = _mixed_quote_shipped(desk, clock, world)
    clock.set(datetime(2026, 3, 3, 15, 0, tzinfo=SH))
    _request, excluded = desk.materials.receive(world.dealer_sh_staff, request_id)
    assert [r.params["part"] for r in excluded] == [PART]  # the sold valve is not on loan
    ledger = desk.materials.ledger(world.agent, DEALER)
    assert dict(ledger.balance) == {BODY: 1}  # 保修期内…免费…但乙方需按时退回换下的配件
    clock.set(datetime(2026, 4, 3, 0, 1, tzinfo=SH))
    (chargeback,) = desk.materials.run_overdue_chargebacks(world.system)
    assert chargeback.part == BODY and chargeback.line.amount == Money("300.00", CNY)
    with desk.store() as uow:
        march = month_money(uow.documents, "2026-03")
    # income: valve 120 + labour 80 + fee 20; cost: the free body once (on the quote's slip, not again), at
    # the maker's cost price, not the user's 480.00 the slip shows it at (session 18, test_cost_at_cost_s18)
    assert march.income == Money("220.00", CNY) and march.cost == Money("300.00", CNY)


# -- a warranty extension granted after payment: the refund -------------------------------------------


def _paid_in_march(desk: ServiceDesk, clock: ManualClock, world: World) -> tuple[str, str, str]:
    """An out-of-warranty repair quoted 250.00, accepted and paid in March; returns (ticket, quote, slip)."""
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id, travel_zone="pudong")
    quote = desk.charges.quote(world.agent, ticket_id)
    accepted = desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    assert accepted.fee_slip is not None
    desk.charges.record_payment(world.customer_zh, ticket_id, quote.id, amount=Money("250.00", CNY))
    return ticket_id, quote.id, accepted.fee_slip.id


def _made_free_in_april(desk: ServiceDesk, clock: ManualClock, world: World, ticket_id: str) -> str:
    """The customer complains; the remedy extends the warranty 12 months; the sheet is reassessed."""
    clock.set(datetime(2026, 4, 2, 10, 0, tzinfo=SH))
    cid = _extend_warranty(desk, world, ticket_id)
    assert desk.charges.assess(world.dealer_sh_staff, ticket_id, travel_zone="pudong").customer_total == (
        Money(0, CNY)
    )
    return cid


def test_a_repair_made_free_after_payment_is_refunded_on_a_credit_slip_naming_the_complaint(
    story: Story,
) -> None:
    desk, clock, world = story
    ticket_id, quote_id, slip_id = _paid_in_march(desk, clock, world)
    cid = _made_free_in_april(desk, clock, world, ticket_id)
    credit = desk.charges.refund(world.manager, ticket_id, quote_id, reason="投诉处理: 延保后免费")
    assert credit.origin is SlipOrigin.REFUND and credit.credits_slip == slip_id and credit.quote_id is None
    assert credit.total == Money("250.00", CNY) and credit.paid == Money("250.00", CNY)
    assert (credit.payer_kind, credit.payer_id, credit.month) == ("customer", "cust-zh", "2026-04")
    head = credit.reasons[0]
    assert head.code == "refund_warranty_extended" and head.params["complaint_id"] == cid
    assert head.params["slip_id"] == slip_id
    paid = desk.fees.slip(world.manager, slip_id)  # the paid slip is not edited
    assert (paid.total, paid.paid, paid.state.value, paid.month) == (
        Money("250.00", CNY), Money("250.00", CNY), "issued", "2026-03",
    )  # fmt: skip
    view = desk.ticket(world.agent, ticket_id)
    event = view.events[-1]
    assert event.action == "refund_quote" and event.payload["credit_slip"] == credit.id
    assert event.payload["complaint_id"] == cid
    assert view.charges is not None and view.charges.refunded == Money("250.00", CNY)
    assert view.charges.paid == Money("250.00", CNY)  # what was received stays on the sheet
    assert [(r.quote_id, r.reference) for r in view.charges.refunds] == [(quote_id, credit.id)]
    seen = desk.charges.sheet(world.customer_zh, ticket_id)  # the customer reads it was paid back
    assert seen is not None and seen.refunded == Money("250.00", CNY)
    with desk.store() as uow:
        march = month_money(uow.documents, "2026-03")
        april = month_money(uow.documents, "2026-04")
    assert (march.income, march.paid) == (Money("250.00", CNY), Money("250.00", CNY))
    assert (april.income, april.paid) == (Money("-250.00", CNY), Money("-250.00", CNY))
    assert april.ticket(ticket_id).income == Money("-250.00", CNY)
    # What was paid back is given free from April: its cost, as a repair free from the start would be.
    assert (march.cost, april.cost) == (Money(0, CNY), Money("250.00", CNY))
    assert april.ticket(ticket_id).cost == Money("250.00", CNY)
    with desk.store() as uow:
        _tickets, kinds = slip_cost_totals(uow.documents, ["2026-04"])
    assert sum(kinds.values()) == Decimal("250.00")
    revenue = desk.fees.monthly_revenue(world.manager, "2026-04")
    assert revenue.revenue_total == Money("-250.00", CNY) and revenue.reconciled
    assert revenue.received == Money("-250.00", CNY)
    assert {e.source_id for e in revenue.revenue} == {credit.id}


def test_a_second_refund_and_cancelling_the_refunded_slip_are_refused(story: Story) -> None:
    desk, clock, world = story
    ticket_id, quote_id, slip_id = _paid_in_march(desk, clock, world)
    _made_free_in_april(desk, clock, world, ticket_id)
    credit = desk.charges.refund(world.agent, ticket_id, quote_id, reason="延保", idempotency_key="rf-1")
    again = desk.charges.refund(world.agent, ticket_id, quote_id, reason="延保", idempotency_key="rf-1")
    assert again.id == credit.id  # a retry is the same refund
    version = desk.ticket(world.agent, ticket_id).version
    with pytest.raises(PolicyError) as info:
        desk.charges.refund(world.agent, ticket_id, quote_id, reason="again")
    assert info.value.code == "already_refunded" and credit.id in str(info.value)
    with pytest.raises(PolicyError) as cancelled:
        desk.fees.cancel_slip(world.manager, slip_id, "refunded anyway")
    assert cancelled.value.code == "slip_refunded"
    assert desk.ticket(world.agent, ticket_id).version == version
    assert len(desk.fees.slips_of(world.manager, ticket_id)) == 2
    assert desk.fees.slip(world.manager, slip_id).is_active


def test_refunds_of_unpaid_slips_and_bad_input_are_refused(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    _made_free_in_april(desk, clock, world, ticket_id)
    with pytest.raises(PolicyError) as unpaid:
        desk.charges.refund(world.agent, ticket_id, quote.id, reason="延保")
    assert unpaid.value.code == "slip_not_paid"
    # Paid in part, it is paid back what was received (session 36: test_part_refund_s36n.py).
    desk.charges.record_payment(world.customer_zh, ticket_id, quote.id, amount=Money("100.00", CNY))
    for bad in ("", "   ", "x" * 501):
        with pytest.raises(ValidationError) as blank:
            desk.charges.refund(world.agent, ticket_id, quote.id, reason=bad)
        assert blank.value.field == "reason"
    with pytest.raises(NotFound):
        desk.charges.refund(world.agent, ticket_id, "Q-nope", reason="延保")
    with pytest.raises(PermissionDenied):
        desk.charges.refund(world.customer_zh, ticket_id, quote.id, reason="我要退款")
    assert [s.origin for s in desk.fees.slips_of(world.manager, ticket_id)] == [SlipOrigin.JOB]


def test_a_paid_slip_with_nothing_made_free_is_not_refunded(story: Story) -> None:
    desk, clock, world = story
    ticket_id, quote_id, _slip_id = _paid_in_march(desk, clock, world)
    with pytest.raises(PolicyError) as info:
        desk.charges.refund(world.agent, ticket_id, quote_id, reason="客户要求")
    assert info.value.code == "nothing_to_refund"


def test_the_dealers_purchase_is_refunded_by_the_maker_not_by_the_dealer(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    purchase = desk.charges.dealer_purchase(world.agent, ticket_id)
    desk.charges.accept(world.dealer_sh_staff, ticket_id, purchase.id)
    desk.charges.record_payment(world.agent, ticket_id, purchase.id, amount=purchase.total)
    _made_free_in_april(desk, clock, world, ticket_id)
    with pytest.raises(PermissionDenied):
        desk.charges.refund(world.dealer_sh_staff, ticket_id, purchase.id, reason="延保")
    credit = desk.charges.refund(world.manager, ticket_id, purchase.id, reason="延保: 厂家退款")
    assert (credit.payer_kind, credit.payer_id, credit.total) == ("dealer", "dealer-sh", Money("75.00", CNY))
    with desk.store() as uow:
        april = month_money(uow.documents, "2026-04")
    assert dict(april.income_by_payer) == {"dealer": Money("-75.00", CNY)}


def test_a_ticket_cancelled_after_payment_ships_nothing_and_is_paid_back(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    accepted = desk.charges.accept(world.customer_zh, ticket_id, quote.id, urgent=True)
    desk.charges.record_payment(world.customer_zh, ticket_id, quote.id, amount=quote.total)
    request_id = accepted.materials_request.id  # type: ignore[union-attr]
    desk.materials.pick(world.agent, request_id)
    desk.cancel(world.customer_zh, ticket_id, reason="不修了")
    with pytest.raises(PolicyError) as info:
        desk.materials.ship(world.agent, request_id)
    assert info.value.code == "ticket_cancelled"
    assert desk.materials.materials_request(world.agent, request_id).shipping_note is None
    credit = desk.charges.refund(world.agent, ticket_id, quote.id, reason="客户取消, 全额退款")
    assert credit.total == quote.total == Money("220.00", CNY) and credit.paid == credit.total
    assert credit.reasons[0].code == "refund_ticket_cancelled"
    with desk.store() as uow:
        march = month_money(uow.documents, "2026-03")
    assert (march.income, march.paid) == (Money(0, CNY), Money(0, CNY))  # taken and given back


def test_a_cancelled_ticket_whose_parts_shipped_is_not_paid_back_before_they_return(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    accepted = desk.charges.accept(world.customer_zh, ticket_id, quote.id, urgent=True)
    desk.charges.record_payment(world.customer_zh, ticket_id, quote.id, amount=quote.total)
    request_id = accepted.materials_request.id  # type: ignore[union-attr]
    desk.materials.pick(world.agent, request_id)
    desk.materials.ship(world.agent, request_id)
    desk.cancel(world.customer_zh, ticket_id, reason="不修了")
    with pytest.raises(PolicyError) as info:
        desk.charges.refund(world.agent, ticket_id, quote.id, reason="客户取消")
    assert info.value.code == "parts_shipped"
    assert [s.origin for s in desk.fees.slips_of(world.manager, ticket_id)] == [SlipOrigin.JOB]


# -- budgets (seed 000: 費用預算) ---------------------------------------------------------------------------


@pytest.mark.parametrize("category", ["materia1s", "Materials", "office", ""])
def test_a_budget_of_no_charge_kind_is_refused_naming_the_category(story: Story, category: str) -> None:
    desk, _clock, world = story
    with pytest.raises(ValidationError) as info:
        desk.charges.set_budget(world.general_manager, "2026", category, Money("50.00", CNY))
    assert info.value.field == "category"
    with pytest.raises(ValidationError) as overrun:
        desk.charges.approve_overrun(
            world.general_manager, "2026", category, Money("5.00", CNY), reason="超支"
        )
    assert overrun.value.field == "category"
    assert desk.charges.budgets(world.auditor, "2026") == ()


def test_refunding_an_invoiced_slip_names_the_invoice_finance_reverses(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    slip = desk.charges.accept(world.customer_zh, ticket_id, quote.id, invoice=InvoiceWish.NOW).fee_slip
    assert slip is not None and slip.invoice_id is not None
    desk.charges.record_payment(world.customer_zh, ticket_id, quote.id, amount=quote.total)
    _made_free_in_april(desk, clock, world, ticket_id)
    credit = desk.charges.refund(world.manager, ticket_id, quote.id, reason="延保")
    assert credit.invoice_id is None and not credit.can_invoice()
    event = desk.ticket(world.agent, ticket_id).events[-1]
    assert event.payload["invoice_to_reverse"] == slip.invoice_id
    with pytest.raises(ValidationError):
        desk.fees.request_invoice(world.manager, "cust-zh", slip_ids=[credit.id])


# -- fee slips to the right party ------------------------------------------------------------------------


def test_a_part_kept_by_a_dealers_engineer_is_charged_to_the_dealer(story: Story) -> None:
    # 保修期内甲方免费向乙方提供维修材料,但乙方需按时退回换下的配件: the dealer answers for its own fitter.
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-in")
    fitter = PartyRef.engineer("eng-dealer-sh")
    materials = desk.materials
    request = materials.request(
        world.dealer_sh_staff, ticket_id, party=fitter, lines=[MaterialsLine(PART, 1)], urgent=True
    )
    materials.check(world.agent, request.id)
    materials.approve(world.manager, request.id)
    materials.pick(world.agent, request.id)
    materials.ship(world.agent, request.id)
    clock.set(datetime(2026, 3, 3, 15, 0, tzinfo=SH))
    materials.receive(world.dealer_sh_staff, request.id)
    desk.deliver()
    notifier = desk.notifier
    assert isinstance(notifier, MemoryNotifier)
    before = len(notifier.to("13900000001"))
    clock.set(datetime(2026, 4, 3, 0, 1, tzinfo=SH))
    (chargeback,) = materials.run_overdue_chargebacks(world.system)
    assert chargeback.party == fitter
    (slip,) = desk.fees.slips_of(world.dealer_sh_staff, ticket_id)
    assert (slip.payer_kind, slip.payer_id, slip.dealer_id) == ("dealer", "dealer-sh", "dealer-sh")
    kept = [r for r in slip.reasons if r.code == "kept_by_dealer_engineer"]
    assert kept and kept[0].params["engineer_id"] == "eng-dealer-sh"
    with desk.store() as uow:
        april = month_money(uow.documents, "2026-04", dealer_id="dealer-sh")
    assert dict(april.income_by_payer) == {"dealer": Money("75.00", CNY)}  # on the dealer's books
    revenue = desk.fees.monthly_revenue(world.dealer_sh_staff, "2026-04")
    assert revenue.revenue_total == Money("75.00", CNY)
    desk.deliver()
    assert len(notifier.to("13900000001")) == before + 1  # the dealer who pays is told
    assert any(PART in m.subject for m in notifier.to("13600000001"))  # and the fitter who kept it


def test_a_refund_by_another_dealer_or_with_a_reused_key_changes_nothing(story: Story) -> None:
    desk, clock, world = story
    ticket_id, quote_id, _slip_id = _paid_in_march(desk, clock, world)
    _made_free_in_april(desk, clock, world, ticket_id)
    version = desk.ticket(world.agent, ticket_id).version
    with pytest.raises((NotFound, PermissionDenied)):
        desk.charges.refund(world.dealer_bj_staff, ticket_id, quote_id, reason="延保")
    with pytest.raises(ValidationError) as method:
        desk.charges.refund(world.agent, ticket_id, quote_id, reason="延保", method="现金!")
    assert method.value.field == "method"  # the argument, checked against the desk's list (s32)
    assert desk.ticket(world.agent, ticket_id).version == version
    desk.charges.refund(world.dealer_sh_staff, ticket_id, quote_id, reason="延保", idempotency_key="k")
    with pytest.raises(IdempotencyKeyReused):
        desk.charges.refund(world.dealer_sh_staff, ticket_id, quote_id, reason="别的", idempotency_key="k")
    assert len(desk.fees.slips_of(world.manager, ticket_id)) == 2


# -- the month's figures through the desk, scoped ----------------------------------------------------------


def test_the_months_money_and_the_budget_report_are_read_through_the_desk_by_who_may(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _charged_after_free_issue(desk, clock, world)
    whole = scoped_month_money(desk, world.manager, "2026-03")
    assert whole.income == Money("295.00", CNY) and whole.cost == Money(0, CNY)
    own = scoped_month_money(desk, world.dealer_sh_staff, "2026-03")
    assert own.income == Money("295.00", CNY) and own.ticket(ticket_id).income == Money("295.00", CNY)
    other = scoped_month_money(desk, world.dealer_bj_staff, "2026-03")
    assert other.income == Money(0, CNY) and other.slips == 0  # another dealer's books are not theirs
    for outsider in (world.customer_zh, world.agent):
        with pytest.raises(PermissionDenied):
            scoped_month_money(desk, outsider, "2026-03")
    with pytest.raises(ValidationError):
        scoped_month_money(desk, world.manager, "2026-13")
    desk.charges.set_budget(world.general_manager, "2026-03", "materials", Money("50.00", CNY))
    report = scoped_budget_report(desk, world.auditor, "2026-03")
    assert [(r.category, r.actual) for r in report.rows] == [("materials", Money(0, CNY))]
    assert report.unapproved == ()
    with pytest.raises(PermissionDenied):
        scoped_budget_report(desk, world.customer_zh, "2026-03")
    with pytest.raises(ValidationError):
        scoped_budget_report(desk, world.auditor, "2026-3")


# -- a chargeback across a month boundary ----------------------------------------------------------------


def test_a_part_charged_back_next_month_is_income_there_and_its_free_cost_taken_back(story: Story) -> None:
    # 未退料…视用户对该材料为事实占有,需收取相关费用: the kept part is sold to the dealer at cost.
    desk, clock, world = story
    ticket_id, _request_id = _free_part_received(desk, clock, world)  # lent free 3 March
    clock.set(datetime(2026, 4, 3, 0, 1, tzinfo=SH))  # the day after the 30th
    desk.materials.run_overdue_chargebacks(world.system)
    with desk.store() as uow:
        march = month_money(uow.documents, "2026-03")
        april = month_money(uow.documents, "2026-04")
        both = slip_cost_totals(uow.documents, ["2026-03", "2026-04"])[1]
    assert (march.income, march.cost) == (Money(0, CNY), Money("75.00", CNY))  # March's books stand
    assert (april.income, april.cost) == (Money("75.00", CNY), Money("-75.00", CNY))
    assert april.ticket(ticket_id).income == Money("75.00", CNY)
    assert both.get("materials", Decimal(0)) == Decimal(0)  # sold to the dealer, not given
    revenue = desk.fees.monthly_revenue(world.manager, "2026-04")
    (balance,) = revenue.balances
    assert (balance.charged_unreturned, balance.charged_on_quote) == (1, 0)  # counted once
    assert revenue.revenue_total == Money("75.00", CNY) and revenue.reconciled


# A pack that has every chargeable part paid before it ships, in warranty too
# (fees.prepay_all_chargeable_parts).
PREPAY_ALL = DefaultFeesPolicy(
    FeesParams(
        currency=CNY,
        parts={PART: PartPriceEntry(cost="75.00", retail="120.00")},
        dealer_schedules={
            "dealer-sh": DealerFeeSchedule(labour={"flush_valve_leak": "80"}, service_fee="20")
        },
        prepay_all_chargeable_parts=True,
    )
)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def prepay_all(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Story]:
    yield from _desk_with(request, tmp_path, PREPAY_ALL)


def test_a_free_request_carrying_a_part_a_pay_first_quote_now_charges_waits_for_the_payment(
    prepay_all: Story,
) -> None:
    # 款到发货 on every path that ships the part: here the free request filed before the misuse was found.
    desk, _clock, world = prepay_all
    ticket_id = _repair(desk, _clock, world, "unit-in")
    materials = desk.materials
    request = materials.request(
        world.dealer_sh_staff, ticket_id, party=DEALER, lines=[MaterialsLine(PART, 1)], urgent=True
    )
    assert materials.check(world.agent, request.id).chargeable is False
    materials.approve(world.manager, request.id)
    materials.pick(world.agent, request.id)
    _misuse_found(desk, world, ticket_id)
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    assert quote.payment_before_shipping
    assert desk.charges.accept(world.customer_zh, ticket_id, quote.id).materials_request is None
    with pytest.raises(PolicyError) as info:
        materials.ship(world.agent, request.id)
    assert info.value.code == "payment_before_shipping" and quote.id in str(info.value)
    assert materials.materials_request(world.agent, request.id).shipping_note is None
    desk.charges.record_payment(world.customer_zh, ticket_id, quote.id, amount=quote.total)
    assert materials.ship(world.agent, request.id).shipping_note is not None


def test_a_free_part_on_both_the_customers_quote_and_the_dealers_purchase_is_one_cost(mixed: Story) -> None:
    # The customer's quote and the dealer's purchase from the maker list the same ceramic body given
    # free (保修期内甲方免费向乙方提供维修材料): two papers, one part. It was counted as cost on both slips.
    desk, clock, world = mixed
    ticket_id, _sheet = _mixed_job(desk, clock, world)
    quote = desk.charges.quote(world.agent, ticket_id)
    purchase = desk.charges.dealer_purchase(world.agent, ticket_id)
    customer_slip = desk.charges.accept(world.customer_zh, ticket_id, quote.id).fee_slip
    dealer_slip = desk.charges.accept(world.dealer_sh_staff, ticket_id, purchase.id).fee_slip
    assert customer_slip is not None and dealer_slip is not None
    # Both papers still show the body given free; the first one accepted counts it.
    assert [ln.item for ln in customer_slip.free_lines(ChargeKind.MATERIALS)] == [BODY]
    assert [ln.item for ln in dealer_slip.free_lines(ChargeKind.MATERIALS)] == [BODY]
    assert customer_slip.costed_elsewhere == () and dealer_slip.costed_elsewhere == (BODY,)
    with desk.store() as uow:
        march = month_money(uow.documents, "2026-03")
        _tickets, kinds = slip_cost_totals(uow.documents, ["2026-03"])
    # Counted at the maker's cost price (session 18: test_cost_at_cost_s18), which the customer's slip
    # knows (cost_prices) and the customer does not read.
    stored = desk.fees.slip(world.manager, customer_slip.id)
    body = next(ln for ln in stored.costed_free_lines() if ln.kind is ChargeKind.MATERIALS).value
    assert body == Money("300.00", CNY)
    given_once = Money.total((ln.value for ln in stored.costed_free_lines()), CNY) + Money.total(
        (ln.value for ln in dealer_slip.free_lines() if ln.kind is not ChargeKind.MATERIALS), CNY
    )
    assert march.cost == given_once  # the index's figure
    assert kinds["materials"] == body.amount  # the documents' figure, per kind
    revenue = desk.fees.monthly_revenue(world.manager, "2026-03")
    assert [e.item for e in revenue.free_issued if e.kind is ChargeKind.MATERIALS] == [BODY]
    # The customer's slip cancelled: the dealer's paper, which lists the same body, now counts it.
    desk.fees.cancel_slip(world.manager, customer_slip.id, "开错了")
    taken_over = desk.fees.slip(world.manager, dealer_slip.id)
    assert taken_over.costed_elsewhere == ()
    with desk.store() as uow:
        assert month_money(uow.documents, "2026-03").cost == Money.total(
            (ln.value for ln in dealer_slip.free_lines()), CNY
        )
