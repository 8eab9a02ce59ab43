"""Seed 002's money at the seams between dealers, the maker and the months, on memory, SQLite and PostgreSQL.

- A call passed to another dealer than the customer's own (甲方的电话通知, 乙方接到用户的叫修): the dealer who
  does the repair charges the user its local fees (11: 乙方…向用户收取维修费; 各特约承销商可根据当地实际情况
  收费) and buys the parts from the maker at cost (上海维娜斯仅按成本价向各特约承销商收取材料费): its slips,
  its invoices, its revenue.
- A dealer's purchase from the maker is invoiced to the dealer (确认是否需开发票 … 转至财务部开具发票), never
  to the end customer.
- The items still out on loan (用户借料盘点表) carry over from month to month.
- A paid materials-desk quote whose request is cancelled is paid back on a credit slip.
- The slip, the invoice, the revenue list, the month's money and the CSV export agree to the fen.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.invoicing_memory import MemoryInvoiceIssuer
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.fee_slips import InvoiceWish, SlipOrigin, SlipState
from aftersales.domain.ids import AssetId
from aftersales.domain.materials import MaterialsLine, PartyRef
from aftersales.domain.money import Money
from aftersales.domain.products import Asset
from aftersales.errors import InvalidTransition, NotFound, PermissionDenied, PolicyError, ValidationError
from aftersales.policies.fees import DealerFeeSchedule, DefaultFeesPolicy, FeesParams, PartPriceEntry
from aftersales.reports.budgets import budget_report
from aftersales.reports.charge_documents import fee_slip_document
from aftersales.reports.labels import report_labels
from aftersales.reports.money import month_money, scoped_month_money, slip_cost_totals
from aftersales.reports.render import to_csv
from aftersales.service.desk import ServiceDesk
from aftersales.service.materials_params import MaterialsParams
from conftest import STAFF, START, World, make_world, register, store_url

SH = ZoneInfo("Asia/Shanghai")
CNY = "CNY"
PART = "WN-CB-01"
BACKENDS = ["memory", "sqlite", "postgres"]

FEES = DefaultFeesPolicy(
    FeesParams(
        currency="CNY",
        parts={PART: PartPriceEntry(cost="75.00", retail="120.00")},
        dealer_schedules={
            "dealer-sh": DealerFeeSchedule(labour={"flush_valve_leak": "80"}, service_fee="20"),
            "dealer-bj": DealerFeeSchedule(labour={"flush_valve_leak": "95"}, service_fee="15"),
        },
    )
)

OUT = Asset(
    AssetId("unit-out"), "wc-100", "SN-OUT", customer_id="cust-zh", purchase_date=date(2021, 1, 10),
    installation_accepted_on=date(2021, 1, 11), dealer_id="dealer-sh",
)  # fmt: skip
IN = Asset(
    AssetId("unit-in"), "wc-100", "SN-IN", customer_id="cust-zh", purchase_date=date(2025, 9, 1),
    installation_accepted_on=date(2025, 9, 2), dealer_id="dealer-sh",
)  # fmt: skip

Story = tuple[ServiceDesk, ManualClock, World]


@pytest.fixture(params=BACKENDS)
def story(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Story]:
    clock = ManualClock(START)
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(request.param, tmp_path, "money15.db"))
        desk = ServiceDesk.open(
            url, pack="sanitary_ware", overrides={"fees": FEES}, clock=clock, notifier=MemoryNotifier(),
            staff=STAFF, invoice_issuer=MemoryInvoiceIssuer(),
        )  # fmt: skip
        stack.callback(desk.shutdown)
        world = make_world()
        register(desk, world)
        for unit in (OUT, IN):
            desk.register_asset(world.manager, unit)
        yield desk, clock, world


def _passed_to_beijing(desk: ServiceDesk, clock: ManualClock, world: World, asset: str = "unit-out") -> str:
    """A call of the Shanghai dealer's customer passed to the Beijing dealer, who repairs it."""
    agent, bj = world.agent, world.dealer_bj_staff
    ticket_id = desk.open_ticket(
        agent, customer_id="cust-zh", description="马桶一直冲水", asset_id=asset
    ).ticket.id
    desk.triage(agent, ticket_id, nature="flush_valve_leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(agent, ticket_id, dealer_id="dealer-bj")
    clock.advance(timedelta(hours=1))
    desk.start_work(bj, ticket_id)
    desk.add_fault_record(
        bj, ticket_id, symptom="keeps_flushing", cause="flush_valve_worn", action="replace_flush_valve",
        part=PART, component="flush_valve",
    )  # fmt: skip
    clock.advance(timedelta(minutes=30))
    return ticket_id


# -- 1. the dealer who did the work and charged books the money ---------------------------------------


def test_a_call_passed_to_another_dealer_is_charged_and_booked_by_that_dealer(story: Story) -> None:
    desk, clock, world = story
    bj, sh = world.dealer_bj_staff, world.dealer_sh_staff
    ticket_id = _passed_to_beijing(desk, clock, world)
    sheet = desk.charges.assess(bj, ticket_id)
    # The Beijing dealer's local fees price its work (95 labour + 15 fee), not the Shanghai dealer's.
    assert sheet.customer_total == Money("230.00", CNY)
    quote = desk.charges.quote(bj, ticket_id)
    purchase = desk.charges.dealer_purchase(world.agent, ticket_id)
    accepted = desk.charges.accept(world.customer_zh, ticket_id, quote.id, invoice=InvoiceWish.NOW)
    slip = accepted.fee_slip
    assert slip is not None and slip.dealer_id == "dealer-bj"
    assert accepted.materials_request is not None
    assert accepted.materials_request.party == PartyRef.dealer("dealer-bj")  # the parts go to who repairs
    bought = desk.charges.accept(bj, ticket_id, purchase.id).fee_slip
    assert bought is not None and (bought.payer_kind, bought.payer_id, bought.dealer_id) == (
        "dealer", "dealer-bj", "dealer-bj",
    )  # fmt: skip
    # The invoice is the Beijing dealer's: it charged the customer.
    invoice = desk.fees.invoice(world.manager, slip.invoice_id or "")
    assert invoice.dealer_id == "dealer-bj" and invoice.total == Money("230.00", CNY)
    issued = desk.fees.issuer.issued  # type: ignore[union-attr]
    assert [req.dealer_id for req, _ in issued.values()] == ["dealer-bj"]
    # The month's books: the Beijing dealer's revenue, nothing on the Shanghai dealer's.
    assert desk.fees.monthly_revenue(bj, "2026-03").revenue_total == Money("305.00", CNY)
    assert desk.fees.monthly_revenue(sh, "2026-03").revenue_total == Money(0, CNY)
    assert scoped_month_money(desk, bj, "2026-03").income == Money("305.00", CNY)
    assert scoped_month_money(desk, sh, "2026-03").income == Money(0, CNY)
    with desk.store() as uow:
        assert month_money(uow.documents, "2026-03", dealer_id="dealer-bj").slips == 2
    # The purchase is the Beijing dealer's paper: it reads it, the Shanghai dealer (whose customer it is)
    # reads the customer's slip only.
    assert {s.id for s in desk.fees.slips_of(bj, ticket_id)} == {slip.id, bought.id}
    assert [s.id for s in desk.fees.slips_of(sh, ticket_id)] == [slip.id]


def test_one_invoice_is_one_sellers(story: Story) -> None:
    # The customer's slips of two dealers wait for a collective invoice: each dealer invoices its own.
    desk, clock, world = story
    own = _passed_to_beijing(desk, clock, world)
    desk.charges.assess(world.dealer_bj_staff, own)
    bj_quote = desk.charges.quote(world.dealer_bj_staff, own)
    bj_slip = desk.charges.accept(world.customer_zh, own, bj_quote.id, invoice=InvoiceWish.LATER).fee_slip
    agent, sh = world.agent, world.dealer_sh_staff
    other = desk.open_ticket(
        agent, customer_id="cust-zh", description="又漏水", asset_id="unit-out"
    ).ticket.id
    desk.triage(agent, other, nature="flush_valve_leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(agent, other, dealer_id="dealer-sh")
    desk.start_work(sh, other)
    desk.add_fault_record(
        sh, other, symptom="keeps_flushing", cause="flush_valve_worn", action="replace_flush_valve",
        part=PART,
    )  # fmt: skip
    desk.charges.assess(sh, other)
    sh_quote = desk.charges.quote(sh, other)
    sh_slip = desk.charges.accept(world.customer_zh, other, sh_quote.id, invoice=InvoiceWish.LATER).fee_slip
    assert bj_slip is not None and sh_slip is not None
    with pytest.raises(ValidationError) as mixed:
        desk.fees.request_invoice(world.customer_zh, "cust-zh", slip_ids=[bj_slip.id, sh_slip.id])
    assert mixed.value.field == "slip_ids"
    with pytest.raises(ValidationError) as which:
        desk.fees.request_invoice(world.customer_zh, "cust-zh")
    assert which.value.field == "dealer_id"
    assert desk.fees.slip(world.manager, bj_slip.id).invoice_id is None  # nothing changed
    first = desk.fees.request_invoice(world.customer_zh, "cust-zh", dealer_id="dealer-bj")
    assert (first.slip_ids, first.dealer_id, first.total) == ((bj_slip.id,), "dealer-bj", bj_slip.total)
    second = desk.fees.request_invoice(world.customer_zh, "cust-zh")  # only Shanghai's waits now
    assert (second.slip_ids, second.dealer_id) == ((sh_slip.id,), "dealer-sh")


# -- 2. a dealer's purchase from the maker is invoiced to the dealer -----------------------------------


def _own_repair(desk: ServiceDesk, clock: ManualClock, world: World, asset: str = "unit-out") -> str:
    """A call of the Shanghai dealer's customer, repaired by the Shanghai dealer."""
    agent, sh = world.agent, world.dealer_sh_staff
    ticket_id = desk.open_ticket(
        agent, customer_id="cust-zh", description="马桶一直冲水", asset_id=asset
    ).ticket.id
    desk.triage(agent, ticket_id, nature="flush_valve_leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(agent, ticket_id, dealer_id="dealer-sh")
    clock.advance(timedelta(hours=1))
    desk.start_work(sh, ticket_id)
    desk.add_fault_record(
        sh, ticket_id, symptom="keeps_flushing", cause="flush_valve_worn", action="replace_flush_valve",
        part=PART, component="flush_valve",
    )  # fmt: skip
    clock.advance(timedelta(minutes=30))
    return ticket_id


def _bought_on_the_materials_desk(
    desk: ServiceDesk, clock: ManualClock, world: World, invoice: InvoiceWish = InvoiceWish.NEVER
) -> tuple[str, str]:
    """The Shanghai dealer buys one valve from the maker on the materials desk (quoted at cost)."""
    ticket_id = _own_repair(desk, clock, world)
    materials = desk.materials
    request = materials.request(
        world.dealer_sh_staff, ticket_id, party=PartyRef.dealer("dealer-sh"), lines=[MaterialsLine(PART, 1)],
        urgent=True,
    )  # fmt: skip
    materials.check(world.agent, request.id)
    materials.quote(world.agent, request.id)
    if invoice is InvoiceWish.NEVER:
        materials.approve(world.dealer_sh_staff, request.id)  # the default
    else:
        materials.approve(world.dealer_sh_staff, request.id, invoice=invoice)
    return ticket_id, request.id


def test_the_dealers_purchases_from_the_maker_are_invoiced_to_the_dealer(story: Story) -> None:
    desk, clock, world = story
    sh = world.dealer_sh_staff
    # One purchase on the charge sheet, one on the materials desk, both for a collective invoice.
    first = _own_repair(desk, clock, world)
    desk.charges.assess(sh, first)
    purchase = desk.charges.dealer_purchase(world.agent, first)
    on_sheet = desk.charges.accept(sh, first, purchase.id, invoice=InvoiceWish.LATER).fee_slip
    _second, _request = _bought_on_the_materials_desk(desk, clock, world, InvoiceWish.LATER)
    slips = [s for s in desk.fees.slips_of(sh, _second) if s.payer_kind == "dealer"]
    assert on_sheet is not None and len(slips) == 1
    on_desk = slips[0]
    assert on_desk.invoice_wish is InvoiceWish.LATER
    # Neither the customer nor another dealer asks for the Shanghai dealer's invoice: as unknown.
    for stranger in (world.customer_zh, world.dealer_bj_staff):
        with pytest.raises(NotFound):
            desk.fees.request_dealer_invoice(stranger, "dealer-sh")
    with pytest.raises(ValidationError) as customers:
        desk.fees.request_invoice(world.customer_zh, "cust-zh")  # the purchases are not the customer's
    assert "no slips waiting" in str(customers.value)
    record = desk.fees.request_dealer_invoice(sh, "dealer-sh")
    assert record.slip_ids == tuple(sorted((on_sheet.id, on_desk.id)))
    assert (record.payer_kind, record.payer_id, record.customer_id) == ("dealer", "dealer-sh", None)
    assert record.total == Money("150.00", CNY) and record.dealer_id == "dealer-sh"
    assert desk.fees.invoice(sh, record.id).id == record.id  # the dealer reads its invoice
    for stranger in (world.customer_zh, world.dealer_bj_staff, world.junior):
        with pytest.raises(NotFound):
            desk.fees.invoice(stranger, record.id)
    assert desk.fees.invoice(world.auditor, record.id).total == record.total
    ((request, _issued),) = desk.fees.issuer.issued.values()  # type: ignore[union-attr]
    assert (request.payer_kind, request.payer_id, request.customer_id) == ("dealer", "dealer-sh", None)
    assert (
        request.total == Money("150.00", CNY)
        and sum((ln.amount for ln in request.lines), Money(0, CNY)) == request.total
    )
    with pytest.raises(ValidationError):
        desk.fees.request_dealer_invoice(sh, "dealer-sh")  # nothing waits any more


def test_a_materials_desk_purchase_wanted_now_is_invoiced_with_its_approval(story: Story) -> None:
    desk, clock, world = story
    ticket_id, _request = _bought_on_the_materials_desk(desk, clock, world, InvoiceWish.NOW)
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    assert slip.invoice_id is not None
    record = desk.fees.invoice(world.manager, slip.invoice_id)
    assert (record.payer_kind, record.payer_id, record.total) == ("dealer", "dealer-sh", Money("75.00", CNY))
    assert record.invoice_number is not None  # handed to finance after the step committed
    with pytest.raises(ValidationError) as bad:
        desk.materials.approve(world.dealer_sh_staff, _request, invoice="maybe")  # type: ignore[arg-type]
    assert bad.value.field == "invoice"


# -- 3. the loan count carries over from month to month --------------------------------------------------


def test_the_loan_count_carries_what_is_out_into_the_next_month(story: Story) -> None:
    # 用户借料盘点表: two valves lent free in March, one returned in April. April counted −1 outstanding
    # (a return with no issue in the month) and May nothing, though one valve is still out.
    desk, clock, world = story
    ticket_id = _own_repair(desk, clock, world, "unit-in")
    valve = FEES.part_price(PART).cost
    lent = ChargeLine(ChargeKind.MATERIALS, PART, valve, 2, chargeable=False)
    desk.fees.record_free_issue(world.agent, ticket_id, [lent])
    clock.set(datetime(2026, 4, 8, 10, 0, tzinfo=SH))
    back = ChargeLine(ChargeKind.MATERIALS, PART, valve, 1, chargeable=False)
    desk.fees.record_return(world.agent, ticket_id, [back])
    counts = {}
    for month in ("2026-03", "2026-04", "2026-05"):
        (balance,) = desk.fees.monthly_revenue(world.manager, month).balances
        counts[month] = (balance.opening, balance.issued_free, balance.returned, balance.outstanding)
    assert counts == {
        "2026-03": (0, 2, 0, 2),
        "2026-04": (2, 0, 1, 1),
        "2026-05": (1, 0, 0, 1),  # nothing moved in May: the valve still out is still counted
    }
    # The Shanghai dealer's own count carries over as the office's does; the Beijing dealer has none.
    (sh_april,) = desk.fees.monthly_revenue(world.dealer_sh_staff, "2026-04").balances
    assert sh_april.outstanding == 1
    assert desk.fees.monthly_revenue(world.dealer_bj_staff, "2026-04").balances == ()
    assert all(
        b.outstanding >= 0
        for month in ("2026-03", "2026-04", "2026-05")
        for b in desk.fees.monthly_revenue(world.manager, month).balances
    )


# -- 4. a paid materials-desk quote whose request is cancelled is paid back --------------------------------


def _customer_bought_on_the_materials_desk(
    desk: ServiceDesk, clock: ManualClock, world: World
) -> tuple[str, str]:
    """The maker's engineer repairs; the customer accepts and pays the materials desk's quote (120.00)."""
    agent, engineer = world.agent, world.junior
    ticket_id = desk.open_ticket(
        agent, customer_id="cust-zh", description="马桶一直冲水", asset_id="unit-out"
    ).ticket.id
    desk.triage(agent, ticket_id, nature="flush_valve_leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(agent, ticket_id, engineer_id="eng-jr")
    clock.advance(timedelta(hours=1))
    materials = desk.materials
    request = materials.request(
        engineer, ticket_id, party=PartyRef.engineer("eng-jr"), lines=[MaterialsLine(PART, 1)], urgent=True
    )
    materials.check(agent, request.id)
    quoted = materials.quote(agent, request.id)
    assert quoted.charges is not None and quoted.charges.quotes[0].payer == "customer"
    materials.approve(world.customer_zh, request.id, invoice=InvoiceWish.NOW)
    materials.record_payment(world.customer_zh, request.id, amount=Money("120.00", CNY))
    return ticket_id, request.id


def test_a_paid_materials_quote_cancelled_before_shipping_is_paid_back(story: Story) -> None:
    desk, clock, world = story
    ticket_id, request_id = _customer_bought_on_the_materials_desk(desk, clock, world)
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    assert slip.paid == Money("120.00", CNY) and slip.invoice_id is not None
    with pytest.raises(InvalidTransition):  # not cancelled: the parts may still go out
        desk.materials.refund(world.manager, request_id, reason="用户取消")
    clock.advance(timedelta(hours=1))
    desk.materials.cancel(world.agent, request_id, reason="用户取消订单")
    # Cancelled, the money received stays on the books until it is paid back (before: the slip was
    # cancelled and its 120.00 vanished from the month's money received, with nothing paid back).
    assert desk.fees.slip(world.manager, slip.id).state is SlipState.ISSUED
    with desk.store() as uow:
        assert month_money(uow.documents, "2026-03").paid == Money("120.00", CNY)
    for refused in (world.dealer_sh_staff, world.customer_zh, world.junior):
        with pytest.raises((PermissionDenied, NotFound)):
            desk.materials.refund(refused, request_id, reason="退钱")
    with pytest.raises(ValidationError) as blank:
        desk.materials.refund(world.manager, request_id, reason="  ")
    assert blank.value.field == "reason"
    credit = desk.materials.refund(world.manager, request_id, reason="订单取消，退还货款", reference="WX-1")
    assert (credit.origin, credit.credits_slip, credit.total, credit.paid) == (
        SlipOrigin.REFUND, slip.id, Money("120.00", CNY), Money("120.00", CNY),
    )  # fmt: skip
    assert credit.reasons[0].code == "refund_request_cancelled"
    with desk.store() as uow:
        march = month_money(uow.documents, "2026-03")
    assert (march.income, march.paid) == (Money(0, CNY), Money(0, CNY))  # sold and paid back: nil
    revenue = desk.fees.monthly_revenue(world.manager, "2026-03")
    assert revenue.revenue_total == Money(0, CNY) and revenue.reconciled
    request = desk.materials.materials_request(world.manager, request_id)
    assert request.steps[-1].trigger == "refund" and request.steps[-1].reason == "订单取消，退还货款"
    assert request.charges is not None and [r.amount for r in request.charges.refunds] == [
        Money("120.00", CNY)
    ]
    event = desk.ticket(world.agent, ticket_id).events[-1]
    assert event.action == "materials_refunded" and event.payload["invoice_to_reverse"] == slip.invoice_id
    with pytest.raises(PolicyError) as again:
        desk.materials.refund(world.manager, request_id, reason="再退一次")
    assert again.value.code == "already_refunded"


def test_an_unpaid_cancelled_materials_quote_is_cancelled_not_refunded(story: Story) -> None:
    desk, clock, world = story
    ticket_id, request_id = _bought_on_the_materials_desk(desk, clock, world)  # the dealer's, not paid
    desk.materials.cancel(world.agent, request_id, reason="不要了")
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    assert slip.state is SlipState.CANCELLED
    with pytest.raises(PolicyError) as info:
        desk.materials.refund(world.manager, request_id, reason="退")
    assert info.value.code == "no_slip"


# -- 5. the slip, the invoice, the revenue list, the month's money and the CSV agree -----------------------


def _csv_total(document: object) -> Decimal:
    """The total row's amount of a money paper's CSV (the column codes, for a program to read)."""
    rows = list(csv.DictReader(io.StringIO(to_csv(document, codes=True, bom=False))))
    assert rows[-1]["kind"] in ("", None) or rows[-1]["item"] in ("", None)
    return Decimal(rows[-1]["amount"])


def test_every_money_total_agrees_to_the_fen(story: Story) -> None:
    desk, clock, world = story
    # A repair passed to Beijing (customer 230.00 + dealer's purchase 75.00, invoiced now), a
    # materials-desk sale of 120.00 paid then cancelled and paid back (credit −120.00), a free valve lent.
    passed = _passed_to_beijing(desk, clock, world)
    desk.charges.assess(world.dealer_bj_staff, passed)
    quote = desk.charges.quote(world.dealer_bj_staff, passed)
    purchase = desk.charges.dealer_purchase(world.agent, passed)
    job = desk.charges.accept(world.customer_zh, passed, quote.id, invoice=InvoiceWish.NOW).fee_slip
    desk.charges.record_payment(world.customer_zh, passed, quote.id, amount=Money("230.00", CNY))
    bought = desk.charges.accept(world.dealer_bj_staff, passed, purchase.id, invoice=InvoiceWish.NOW).fee_slip
    _ticket, request_id = _customer_bought_on_the_materials_desk(desk, clock, world)
    desk.materials.cancel(world.agent, request_id, reason="用户取消订单")
    credit = desk.materials.refund(world.manager, request_id, reason="订单取消，退还货款")
    lent = ChargeLine(ChargeKind.MATERIALS, PART, FEES.part_price(PART).cost, 1, chargeable=False)
    desk.fees.record_free_issue(world.agent, passed, [lent])
    assert job is not None and bought is not None
    slips = [desk.fees.slip(world.manager, s) for s in (job.id, bought.id, credit.credits_slip or "")]
    slips.append(credit)
    signed = sum((s.signed_total for s in slips if s.is_active), Money(0, CNY))
    received = sum((s.signed_paid for s in slips if s.is_active), Money(0, CNY))
    assert signed == Money("305.00", CNY) and received == Money("230.00", CNY)
    revenue = desk.fees.monthly_revenue(world.manager, "2026-03")
    with desk.store() as uow:
        month = month_money(uow.documents, "2026-03")
    assert revenue.revenue_total == revenue.slips_total == month.income == signed
    assert revenue.received == month.paid == received
    assert sum(month.income_by_payer.values(), Money(0, CNY)) == month.income
    assert sum((t.income for t in month.tickets.values()), Money(0, CNY)) == month.income
    # Each invoice is its slips' total and its lines' sum; each slip's paper (CSV) says the same, a
    # credit slip negative as it counts in the books.
    for slip in slips:
        if slip.invoice_id is not None:
            invoice = desk.fees.invoice(world.manager, slip.invoice_id)
            assert invoice.total == slip.total
        labels = report_labels("zh_Hans")
        paper = fee_slip_document(slip, labels, generated_at=clock.now())
        assert _csv_total(paper) == slip.signed_total.amount
    for request, _answer in desk.fees.issuer.issued.values():  # type: ignore[union-attr]
        assert sum((ln.amount for ln in request.lines), Money(0, CNY)) == request.total
    # The month's cost: the free valve at cost, and the work paid back (given from then on); the KPI's
    # and the budget's cost by kind add up to it.
    assert month.cost == sum((e.amount for e in revenue.free_issued), Money(0, CNY)) + credit.total
    with desk.store() as uow:
        tickets, kinds = slip_cost_totals(uow.documents, ["2026-03"])
        budget = budget_report(uow.documents, "2026-03")
    assert Money(sum(kinds.values(), Decimal(0)), CNY) == month.cost and tickets == month.ticket_count
    assert sum((row.actual for row in budget.rows), Money(0, CNY)) == month.cost


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_materials_desk_slip_counts_in_the_books_month(backend: str, tmp_path: Path) -> None:
    # The books kept in London (settings timezone), the materials desk's shipping dates in Shanghai (its
    # own params): a sale at 22:30 on 31 March in London is March's, wherever it was written. Before, the
    # materials desk's slip counted in April (05:30 on 1 April in Shanghai), the charge sheet's in March.
    clock = ManualClock(datetime(2026, 3, 31, 21, 0, tzinfo=ZoneInfo("Europe/London")))
    settings = {"timezone": "Europe/London", "materials": MaterialsParams(timezone="Asia/Shanghai")}
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(store_url(backend, tmp_path, "london.db"))
        desk = ServiceDesk.open(
            url, pack="sanitary_ware", overrides={"fees": FEES}, clock=clock, staff=STAFF, settings=settings
        )
        stack.callback(desk.shutdown)
        world = make_world()
        register(desk, world)
        desk.register_asset(world.manager, OUT)
        ticket_id, _request = _bought_on_the_materials_desk(desk, clock, world)
        (slip,) = desk.fees.slips_of(world.manager, ticket_id)
        assert desk.fees.month_of(slip.issued_at) == "2026-03"
        assert slip.month == "2026-03"
        assert desk.fees.monthly_revenue(world.manager, "2026-03").revenue_total == Money("75.00", CNY)
        with desk.store() as uow:
            assert month_money(uow.documents, "2026-04").income == Money(0, CNY)


def test_a_quotes_slip_is_paid_on_its_quote_so_quote_slip_and_request_agree(story: Story) -> None:
    # Paid on the fee desk, the slip showed 100.00 received while the sheet and the parts request showed
    # nothing (the parts held back: 款到发货), and the customer's full payment of the quote then exceeded
    # the slip's balance and was refused.
    desk, clock, world = story
    ticket_id = _own_repair(desk, clock, world)
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    slip = desk.charges.accept(world.customer_zh, ticket_id, quote.id, urgent=True).fee_slip
    assert slip is not None and slip.total == Money("220.00", CNY)
    with pytest.raises(PolicyError) as info:
        desk.fees.record_payment(world.agent, slip.id, Money("100.00", CNY))
    assert info.value.code == "paid_on_the_quote"
    assert desk.fees.slip(world.manager, slip.id).paid == Money(0, CNY)  # nothing stored
    sheet = desk.charges.record_payment(world.customer_zh, ticket_id, quote.id, amount=Money("220.00", CNY))
    assert sheet.paid_on(quote.id) == desk.fees.slip(world.manager, slip.id).paid == Money("220.00", CNY)
