"""Fees and quotes: price list, dealer schedules, quotes and their states, escalation, charge sheet."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.charges import (
    ChargeKind,
    ChargeLine,
    ChargeSheet,
    Payment,
    PaymentId,
    Quote,
    QuoteEscalation,
    QuoteId,
    QuoteState,
)
from aftersales.domain.ids import AssetId, DealerId, ProductId, TicketId
from aftersales.domain.money import Money
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.domain.reasons import Reason
from aftersales.errors import (
    CurrencyMismatch,
    DuplicateError,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    PolicyError,
    ValidationError,
)
from aftersales.policies.chargeability import (
    ChargeableWork,
    ChargeDecision,
    ChargeOutcome,
    DefaultChargeabilityPolicy,
)
from aftersales.policies.fees import (
    DealerFeeSchedule,
    DefaultFeesPolicy,
    DistanceBand,
    FeesParams,
    PartPriceEntry,
    PriceList,
    QuoteRequest,
)
from aftersales.policies.warranty import WarrantyPhase
from aftersales.serialization import dumps, loads, structure

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 3, 1, 9, tzinfo=SH)
AGENT = ActorRef("agent1", Role.AGENT)
CUSTOMER = ActorRef("c1", Role.CUSTOMER)
TICKET = TicketId("t1")
DEALER = DealerId("d1")

PARAMS = FeesParams(
    currency="CNY",
    parts={
        "flush_valve": PartPriceEntry(cost=Decimal("40"), retail=Decimal("68.50")),
        "seat_cover": PartPriceEntry(cost="90", retail="150"),  # type: ignore[arg-type]
    },
    default_schedule=DealerFeeSchedule(
        labour={"repair": Decimal("50")}, travel_zones={"city": Decimal("20")}
    ),
    dealer_schedules={
        "d1": DealerFeeSchedule(
            labour={"repair": Decimal("80"), "install": Decimal("120")},
            travel_zones={"city": Decimal("30"), "suburb": Decimal("60")},
            travel_bands=(DistanceBand(50, Decimal("80")), DistanceBand(20, Decimal("40"))),
            service_fee=Decimal("25"),
        ),
        "hk": DealerFeeSchedule(labour={"repair": Decimal("100")}, currency="HKD"),
    },
)
FEES = DefaultFeesPolicy(PARAMS)
TOILET = Product(ProductId("p1"), "VN-100", "Toilet", "toilet", (WarrantyTerm(12),))
UNIT = Asset(
    AssetId("a1"),
    ProductId("p1"),
    "SN1",
    purchase_date=date(2024, 1, 15),
    shipment_date=date(2024, 1, 10),
    installation_accepted_on=date(2024, 1, 16),
)
CHARGE = DefaultChargeabilityPolicy()
OUT = CHARGE.decide(ChargeableWork(TOILET), UNIT, T0)  # out of warranty since 16 Jan 2025
FREE = CHARGE.decide(ChargeableWork(TOILET), UNIT, datetime(2024, 6, 1, tzinfo=SH))
CAUSED = CHARGE.decide(ChargeableWork(TOILET), UNIT, datetime(2024, 6, 1, tzinfo=SH), ["force_majeure"])
REQUEST = QuoteRequest(parts={"flush_valve": 2}, job_type="repair", travel_zone="city")


def draft(
    decision: ChargeDecision = OUT, request: QuoteRequest = REQUEST, dealer: str | None = "d1"
) -> Quote:
    return FEES.draft_quote(
        quote_id=QuoteId("q1"),
        ticket_id=TICKET,
        dealer_id=DealerId(dealer) if dealer else None,
        handler=AGENT,
        decision=decision,
        request=request,
        at=T0,
    )


def cny(amount: str) -> Money:
    return Money(amount, "CNY")


# -- price list and schedules ----------------------------------------------------------------------


def test_price_list_gives_cost_to_dealers_and_retail_to_customers() -> None:
    price = FEES.part_price("flush_valve")
    assert price.cost == cny("40")
    assert price.retail == cny("68.50")
    with pytest.raises(NotFound):
        FEES.part_price("unicorn_horn")
    with pytest.raises(ValidationError):
        PriceList("CNY", {"x": FEES.part_price("flush_valve").__class__(Money(1, "USD"), Money(2, "USD"))})


def test_price_entries_refuse_floats_and_negatives() -> None:
    with pytest.raises(ValidationError):
        PartPriceEntry(cost=1.5, retail=Decimal(2))  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        PartPriceEntry(cost=Decimal(-1), retail=Decimal(2))
    with pytest.raises(ValidationError):
        DealerFeeSchedule(labour={"repair": 12.5})  # type: ignore[dict-item]


def test_each_dealer_sets_its_own_labour_travel_and_service_fee() -> None:
    assert FEES.labour_fee(DEALER, "repair") == cny("80")
    assert FEES.labour_fee(DealerId("unknown"), "repair") == cny("50")  # default schedule
    assert FEES.labour_fee(None, "repair") == cny("50")
    assert FEES.travel_fee(DEALER, zone="suburb") == cny("60")
    assert FEES.travel_fee(DEALER, distance_km=20) == cny("40")
    assert FEES.travel_fee(DEALER, distance_km=21) == cny("80")
    assert FEES.service_fee(DEALER) == cny("25")
    assert FEES.service_fee(None) == cny("0")
    with pytest.raises(NotFound):
        FEES.labour_fee(DEALER, "polish")
    with pytest.raises(NotFound):
        FEES.travel_fee(DEALER, zone="moon")
    with pytest.raises(PolicyError) as info:
        FEES.travel_fee(DEALER, distance_km=51)
    assert info.value.code == "distance_beyond_schedule"


def test_params_load_from_toml_shaped_data() -> None:
    data = {
        "currency": "CNY",
        "parts": {"flush_valve": {"cost": "40", "retail": "68.50"}},
        "default_schedule": {
            "labour": {"repair": "50"},
            "travel_zones": {},
            "travel_bands": [{"up_to_km": 10, "fee": "15"}],
            "service_fee": "0",
            "currency": None,
        },
        "dealer_schedules": {},
        "prepay_out_of_warranty_parts": True,
        "prepay_all_chargeable_parts": False,
    }
    params = structure(data, FeesParams)
    policy = DefaultFeesPolicy(params)
    assert policy.part_price("flush_valve").retail == cny("68.50")
    assert policy.travel_fee(None, distance_km=10) == cny("15")
    with pytest.raises(ValidationError):
        structure({**data, "parts": {"flush_valve": {"cost": 40.0, "retail": "68.50"}}}, FeesParams)


# -- quotes ----------------------------------------------------------------------------------------


def test_out_of_warranty_quote_prices_every_line_and_requires_payment_before_shipping() -> None:
    quote = draft()
    assert [(line.kind, line.item, line.amount) for line in quote.lines] == [
        (ChargeKind.MATERIALS, "flush_valve", cny("137")),
        (ChargeKind.LABOUR, "repair", cny("80")),
        (ChargeKind.TRAVEL, "city", cny("30")),
        (ChargeKind.SERVICE_FEE, "service_fee", cny("25")),
    ]
    assert quote.total == cny("272")
    assert quote.materials_total == cny("137")
    assert quote.payment_before_shipping
    assert quote.state is QuoteState.DRAFT
    assert quote.reasons == OUT.reasons
    assert quote.policy == "builtin.chargeability"


def test_in_warranty_chargeable_cause_quote_needs_no_prepayment_by_default() -> None:
    quote = draft(CAUSED)
    assert quote.total == cny("272")
    assert not quote.payment_before_shipping
    strict = DefaultFeesPolicy(attrs.evolve(PARAMS, prepay_all_chargeable_parts=True))
    strict_quote = strict.draft_quote(
        quote_id=QuoteId("q2"),
        ticket_id=TICKET,
        dealer_id=DEALER,
        handler=AGENT,
        decision=CAUSED,
        request=REQUEST,
        at=T0,
    )
    assert strict_quote.payment_before_shipping


def test_free_lines_keep_their_value_but_charge_nothing() -> None:
    quote = draft(FREE)
    assert quote.total == cny("0")
    assert quote.values()[ChargeKind.MATERIALS] == cny("137")
    assert not quote.payment_before_shipping
    with pytest.raises(ValidationError):
        quote.offer(T0, AGENT)  # a free repair needs no quote


def test_travel_by_distance_band_and_no_service_fee_when_not_asked() -> None:
    quote = draft(request=QuoteRequest(job_type="install", distance_km=35, service_fee=False))
    assert [(line.item, line.amount) for line in quote.lines] == [
        ("install", cny("120")),
        ("up_to_35_km", cny("80")),
    ]
    with pytest.raises(ValidationError):
        QuoteRequest(travel_zone="city", distance_km=3)
    with pytest.raises(ValidationError):
        QuoteRequest(parts={"flush_valve": 0})


def test_multiple_currencies_are_refused_in_one_quote() -> None:
    with pytest.raises(CurrencyMismatch):
        draft(request=QuoteRequest(parts={"flush_valve": 1}, job_type="repair"), dealer="hk")
    quote = draft()
    with pytest.raises(CurrencyMismatch):
        quote.with_lines([ChargeLine(ChargeKind.LABOUR, "repair", Money("10", "USD"))], AGENT)
    with pytest.raises(CurrencyMismatch):
        Quote(
            id=QuoteId("q9"),
            ticket_id=TICKET,
            currency="CNY",
            created_at=T0,
            handler=AGENT,
            lines=(
                ChargeLine(ChargeKind.MATERIALS, "x", cny("1")),
                ChargeLine(ChargeKind.TRAVEL, "y", Money(1, "JPY")),
            ),
        )


def test_quote_accepted_cannot_change() -> None:
    offered = draft().offer(T0 + timedelta(minutes=5), AGENT)
    accepted = offered.accept(T0 + timedelta(hours=1), CUSTOMER)
    assert accepted.state is QuoteState.ACCEPTED
    assert accepted.decided_by == CUSTOMER
    with pytest.raises(InvalidTransition):
        accepted.with_lines([], AGENT)
    with pytest.raises(InvalidTransition):
        accepted.refuse(T0 + timedelta(hours=2), CUSTOMER)
    with pytest.raises(InvalidTransition):
        accepted.revise(T0 + timedelta(hours=2), AGENT)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        accepted.lines = ()  # type: ignore[misc]


def test_quote_steps_check_order_roles_and_time() -> None:
    quote = draft()
    with pytest.raises(InvalidTransition):
        quote.accept(T0, CUSTOMER)  # not offered yet
    with pytest.raises(PermissionDenied):
        quote.offer(T0, CUSTOMER)
    with pytest.raises(ValidationError):
        quote.offer(T0 - timedelta(days=1), AGENT)
    offered = quote.offer(T0, AGENT)
    revised = offered.revise(T0 + timedelta(minutes=1), AGENT)
    assert revised.state is QuoteState.DRAFT
    edited = revised.with_lines(revised.lines[:1], AGENT)
    assert edited.total == cny("137")


def test_quote_refused_escalates_to_the_handlers_superior() -> None:
    offered = draft().offer(T0, AGENT)
    refused, escalation = offered.refuse(
        T0 + timedelta(hours=2), CUSTOMER, [Reason("price_too_high", {"expected": "100"})]
    )
    assert refused.state is QuoteState.REFUSED
    assert escalation.handler == AGENT
    assert escalation.refused_by == CUSTOMER
    assert escalation.total == cny("272")
    assert [r.code for r in escalation.reasons] == ["quote_refused", "price_too_high"]
    assert escalation.reasons[0].params == {"quote_id": "q1", "total": "272.00"}
    with pytest.raises(InvalidTransition):
        refused.accept(T0 + timedelta(hours=3), CUSTOMER)
    assert loads(dumps(escalation), QuoteEscalation) == escalation


def test_quote_round_trips() -> None:
    quote = draft().offer(T0, AGENT).accept(T0 + timedelta(hours=1), CUSTOMER)
    assert loads(dumps(quote), Quote) == quote


# -- charge sheet ----------------------------------------------------------------------------------


def payment(amount: str, pid: str = "pay1", quote: str = "q1") -> Payment:
    return Payment(
        PaymentId(pid), QuoteId(quote), cny(amount), T0 + timedelta(hours=2), AGENT, method="wechat_pay"
    )


def test_nothing_is_charged_without_an_accepted_quote() -> None:
    sheet = ChargeSheet(TICKET, "CNY")
    sheet.add_quote(draft())
    sheet.offer("q1", T0, AGENT)
    assert sheet.charged == cny("0")
    assert sheet.charged_totals()[ChargeKind.MATERIALS] == cny("0")
    with pytest.raises(InvalidTransition):
        sheet.record_payment(payment("10"))
    assert not sheet.parts_cleared_for_shipping("q1")
    sheet.accept("q1", T0 + timedelta(hours=1), CUSTOMER)
    assert sheet.charged == cny("272")
    assert sheet.charged_totals() == {
        ChargeKind.MATERIALS: cny("137"),
        ChargeKind.LABOUR: cny("80"),
        ChargeKind.TRAVEL: cny("30"),
        ChargeKind.SERVICE_FEE: cny("25"),
    }


def test_parts_ship_only_once_paid_when_the_quote_says_so() -> None:
    sheet = ChargeSheet(TICKET, "CNY")
    sheet.add_quote(draft())
    sheet.offer("q1", T0, AGENT)
    sheet.accept("q1", T0 + timedelta(hours=1), CUSTOMER)
    assert not sheet.parts_cleared_for_shipping("q1")
    sheet.record_payment(payment("100"))
    assert not sheet.parts_cleared_for_shipping("q1")
    sheet.record_payment(payment("37", "pay2"))
    assert sheet.parts_cleared_for_shipping("q1")
    assert sheet.paid == cny("137")
    assert sheet.balance == cny("135")


def test_payments_are_checked() -> None:
    sheet = ChargeSheet(TICKET, "CNY")
    sheet.add_quote(draft())
    sheet.offer("q1", T0, AGENT)
    sheet.accept("q1", T0 + timedelta(hours=1), CUSTOMER)
    with pytest.raises(ValidationError):
        sheet.record_payment(payment("272.01"))
    sheet.record_payment(payment("272"))
    with pytest.raises(DuplicateError):
        sheet.record_payment(payment("1"))
    with pytest.raises(ValidationError):
        sheet.record_payment(payment("1", "pay3"))  # nothing left owed
    with pytest.raises(NotFound):
        sheet.record_payment(payment("1", "pay4", quote="nope"))
    with pytest.raises(ValidationError):
        payment("0")
    assert len(sheet.payments) == 1


def test_refusal_on_the_sheet_keeps_the_escalation_and_charges_nothing() -> None:
    sheet = ChargeSheet(TICKET, "CNY")
    sheet.add_quote(draft())
    sheet.offer("q1", T0, AGENT)
    escalation = sheet.refuse("q1", T0 + timedelta(hours=1), CUSTOMER)
    assert sheet.escalations == [escalation]
    assert sheet.quote("q1").state is QuoteState.REFUSED
    assert sheet.charged == cny("0")
    assert sheet.cost_totals()[ChargeKind.MATERIALS] == cny("0")


def test_sheet_refuses_foreign_or_duplicate_quotes_and_changes_nothing() -> None:
    sheet = ChargeSheet(TICKET, "CNY")
    sheet.add_quote(draft())
    with pytest.raises(DuplicateError):
        sheet.add_quote(draft())
    with pytest.raises(ValidationError):
        sheet.add_quote(attrs.evolve(draft(), id=QuoteId("q2"), ticket_id=TicketId("t2")))
    with pytest.raises(CurrencyMismatch):
        sheet.add_quote(
            Quote(id=QuoteId("q3"), ticket_id=TICKET, currency="USD", created_at=T0, handler=AGENT)
        )
    assert [q.id for q in sheet.quotes] == ["q1"]


def test_free_work_counts_in_costs_not_in_charges() -> None:
    sheet = ChargeSheet(TICKET, "CNY")
    free = draft(FREE)
    sheet.record_free_work(free.lines)
    assert sheet.charged == cny("0")
    assert sheet.cost_totals()[ChargeKind.MATERIALS] == cny("137")
    assert sheet.cost_totals()[ChargeKind.LABOUR] == cny("80")
    with pytest.raises(ValidationError):
        sheet.record_free_work(draft().lines)  # chargeable lines need an accepted quote
    assert len(sheet.free_work) == 4


def test_sheet_round_trips() -> None:
    sheet = ChargeSheet(TICKET, "CNY")
    sheet.add_quote(draft())
    sheet.offer("q1", T0, AGENT)
    sheet.accept("q1", T0 + timedelta(hours=1), CUSTOMER)
    sheet.record_payment(payment("50"))
    sheet.record_free_work(draft(FREE).lines[:1])
    assert loads(dumps(sheet), ChargeSheet) == sheet


@settings(max_examples=60)
@given(
    st.sampled_from([OUT, FREE, CAUSED]),
    st.dictionaries(st.sampled_from(["flush_valve", "seat_cover"]), st.integers(1, 50), max_size=2),
    st.sampled_from([None, "repair", "install"]),
    st.sampled_from([None, "city", "suburb"]),
    st.booleans(),
)
def test_free_lines_total_zero_and_totals_add_up(
    decision: ChargeDecision, parts: dict[str, int], job: str | None, zone: str | None, fee: bool
) -> None:
    quote = draft(decision, QuoteRequest(parts=parts, job_type=job, travel_zone=zone, service_fee=fee))
    free = [line for line in quote.lines if not line.chargeable]
    assert Money.total((line.amount for line in free), "CNY") == cny("0")
    assert sum((m for m in quote.totals().values()), cny("0")) == quote.total
    for line in quote.lines:
        assert line.chargeable == decision.outcome.chargeable(line.kind)
    assert decision.reasons


def _work_fees(kind: type[DefaultFeesPolicy] = DefaultFeesPolicy) -> DefaultFeesPolicy:
    schedule = DealerFeeSchedule(labour={"repair": "80"}, travel_zones={"pudong": "30"}, service_fee="20")
    return kind(FeesParams(dealer_schedules={"d-sh": schedule}))


def test_work_lines_are_priced_from_the_dealer_schedule_and_shared_between_sheets() -> None:
    fees = _work_fees()
    charged = ChargeOutcome(True, True, True, True, WarrantyPhase.OUT_OF_WARRANTY)
    free = ChargeOutcome(False, False, False, False, WarrantyPhase.IN_WARRANTY)
    lines = fees.work_lines(DealerId("d-sh"), "repair", None, "pudong", None, True, charged)
    assert [(x.kind, x.item, x.unit_price.amount, x.chargeable) for x in lines] == [
        (ChargeKind.LABOUR, "repair", Decimal("80.00"), True),
        (ChargeKind.TRAVEL, "pudong", Decimal("30.00"), True),
        (ChargeKind.SERVICE_FEE, "service_fee", Decimal("20.00"), True),
    ]
    assert fees.work_lines(DealerId("d-sh"), "repair", None, "pudong", None, True, charged) is lines
    waived = fees.work_lines(DealerId("d-sh"), "repair", None, "pudong", None, True, free)
    assert [x.chargeable for x in waived] == [False, False, False]
    # The triage's nature prices labour only when the dealer prices it; no fee asked, no fee line.
    assert fees.work_lines(DealerId("d-sh"), None, "descaling", None, None, False, charged) == ()


def test_work_lines_refuse_an_unpriced_job_each_time_and_ask_a_subclass_every_time() -> None:
    fees = _work_fees()
    charged = ChargeOutcome(True, True, True, True, WarrantyPhase.OUT_OF_WARRANTY)
    for _ in range(2):  # a refusal is not remembered as an answer
        with pytest.raises(NotFound):
            fees.work_lines(DealerId("d-sh"), "descaling", None, None, None, False, charged)

    class Surcharged(DefaultFeesPolicy):
        asked = 0

        def labour_fee(self, dealer_id: DealerId | None, job_type: str) -> Money:
            Surcharged.asked += 1
            return Money(Decimal("99"), "CNY")

    own = _work_fees(Surcharged)
    for _ in range(2):
        (labour,) = own.work_lines(DealerId("d-sh"), "repair", None, None, None, False, charged)
        assert labour.unit_price == Money(Decimal("99"), "CNY")
    assert Surcharged.asked == 2
