"""Hostile amounts and prices are refused where they enter, naming the field; part numbers keep their form."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.ids import AssetId, ProductId
from aftersales.domain.loan_ledger import LoanLedger
from aftersales.domain.materials import MaterialsLine, PartyRef
from aftersales.domain.money import MAX_MINOR_UNITS, Money, max_amount
from aftersales.domain.part_numbers import check_part_number
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.domain.warranty_records import ExtensionSource, ExtensionUnit, WarrantyExtension
from aftersales.errors import CurrencyMismatch, InvalidMoney, UnknownCurrency, ValidationError
from aftersales.policies.chargeability import ChargeableWork, DefaultChargeabilityPolicy
from aftersales.policies.fees import (
    DealerFeeSchedule,
    DefaultFeesPolicy,
    FeesParams,
    PartPrice,
    PartPriceEntry,
    PriceList,
    QuoteRequest,
)
from aftersales.policies.warranty import DefaultWarrantyPolicy, WarrantyPhase

SH = ZoneInfo("Asia/Shanghai")
WHO = ActorRef("agent-1", Role.AGENT)
HOSTILE = ["NaN", "Infinity", "-Infinity", "1e30", "9e24", "sNaN"]


@pytest.mark.parametrize("amount", HOSTILE)
def test_money_refuses_non_finite_and_out_of_range(amount: str) -> None:
    with pytest.raises(InvalidMoney) as info:
        Money(Decimal(amount), "CNY")
    assert info.value.field == "amount"


def test_money_bound_is_documented_in_minor_units() -> None:
    assert max_amount("CNY") == Decimal("10000000000.00")
    assert max_amount("JPY") == Decimal(MAX_MINOR_UNITS)
    assert Money(Decimal("10000000000.00"), "CNY").amount == Decimal("10000000000.00")
    assert Money(Decimal("-10000000000.00"), "CNY").amount == Decimal("-10000000000.00")
    with pytest.raises(InvalidMoney):
        Money(Decimal("10000000000.01"), "CNY")


def test_arithmetic_past_the_bound_is_refused_not_stored() -> None:
    big = Money(Decimal("9000000000"), "CNY")
    with pytest.raises(InvalidMoney):
        big + big
    with pytest.raises(InvalidMoney):
        big * 2


def test_a_rate_beyond_decimals_range_and_a_total_of_no_money_are_typed_and_named() -> None:
    # Session 36: a rate of 1E+999999 overflowed Decimal's context (decimal.Overflow); a total of a
    # number was Python's TypeError, and Money beside a number named no field.
    one = Money("1.00", "CNY")
    for attempt, field in (
        (lambda: one * Decimal("1E+999999"), "amount"),
        (lambda: Money.total(5, "CNY"), "items"),  # type: ignore[arg-type]
        (lambda: Money.total([one, 5], "CNY"), "items"),
        (lambda: one + 5, "other"),  # type: ignore[operator]
    ):
        with pytest.raises(InvalidMoney) as refused:
            attempt()
        assert refused.value.field == field
    assert Money.total(iter([one, one]), "CNY") == Money("2.00", "CNY")


def test_unknown_and_mixed_currencies() -> None:
    with pytest.raises(UnknownCurrency) as info:
        Money(1, "XXQ")
    assert info.value.field == "currency"
    with pytest.raises(CurrencyMismatch):
        Money.total([Money(1, "CNY"), Money(1, "USD")], "CNY")
    with pytest.raises(UnknownCurrency):
        PriceList("ABC")


def test_negative_prices_are_refused_with_the_field() -> None:
    with pytest.raises(ValidationError) as info:
        PartPrice(Money(-1, "CNY"), Money(10, "CNY"))
    assert info.value.field == "cost"
    with pytest.raises(ValidationError) as info:
        PartPrice(Money(1, "CNY"), Money(-10, "CNY"))
    assert info.value.field == "retail"
    with pytest.raises(ValidationError) as info:
        PartPriceEntry(cost="-1", retail="2")  # type: ignore[arg-type]
    assert info.value.field == "cost"
    with pytest.raises(CurrencyMismatch):
        PartPrice(Money(1, "CNY"), Money(2, "USD"))


@pytest.mark.parametrize("amount", ["1" + "0" * 30, "9" + "0" * 24])  # 1e30, 9e24: plain digits since s30g
def test_price_list_names_the_row_out_of_range(amount: str) -> None:
    with pytest.raises(InvalidMoney) as info:
        FeesParams(parts={"WN-CB-01": PartPriceEntry(cost="75", retail=amount)})  # type: ignore[arg-type]
    assert info.value.field == "parts.WN-CB-01.retail"
    with pytest.raises(InvalidMoney) as info:
        FeesParams(default_schedule=DealerFeeSchedule(labour={"repair": amount}))
    assert info.value.field == "default_schedule.labour.repair"


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-5", 1.5])
def test_fee_schedule_refuses_bad_amounts(bad: object) -> None:
    with pytest.raises(ValidationError):
        DealerFeeSchedule(labour={"repair": bad})  # type: ignore[dict-item]


def test_part_numbers_keep_the_makers_form() -> None:
    for number in ["WN-CB-01", "A.12/3", "valve_2", "7701"]:
        assert check_part_number(number) == number
        assert ChargeLine(ChargeKind.MATERIALS, number, Money(1, "CNY")).item == number
        assert MaterialsLine(number).part == number
    assert QuoteRequest(parts={"WN-CB-01": 2}).parts["WN-CB-01"] == 2
    for bad in ["", " WN", "WN CB", "-WN", "WN;DROP", "x" * 65, "阀门"]:
        with pytest.raises(ValidationError) as info:
            check_part_number(bad)
        assert info.value.field == "part"


def test_price_list_prices_a_makers_part_number() -> None:
    fees = DefaultFeesPolicy(FeesParams(parts={"WN-CB-01": PartPriceEntry(cost="75.00", retail="120.00")}))
    price = fees.part_price("WN-CB-01")
    assert (price.cost.amount, price.retail.amount) == (Decimal("75.00"), Decimal("120.00"))


def test_loan_ledger_takes_makers_part_numbers() -> None:
    ledger = LoanLedger.for_party(PartyRef.dealer("D1"))
    at = datetime(2024, 3, 1, 9, tzinfo=SH)
    entries, _ = ledger.issue("M-1", [MaterialsLine("WN-CB-01")], chargeable=False, at=at, by=WHO, due_at=at)
    assert entries[0].part == "WN-CB-01"
    assert ledger.balance_of("WN-CB-01") == 1


PRODUCT = Product(ProductId("p1"), "VN-100", "Toilet", "toilet", (WarrantyTerm(12),))


def test_out_of_box_lasts_until_installation_acceptance_by_default() -> None:
    unit = Asset(AssetId("a1"), ProductId("p1"), "SN", purchase_date=date(2024, 1, 15))
    within = datetime(2024, 11, 1, 10, tzinfo=SH)  # never installed, within its 12 months
    assert DefaultWarrantyPolicy().decide(unit, PRODUCT, within).outcome.phase is WarrantyPhase.OUT_OF_BOX
    # Past the term from the purchase date it is out of warranty (seed 002: 保修期外 — 产品已过保修期均属于
    # 此阶段), installation accepted or not; it was out of box for ever.
    late = datetime(2025, 6, 1, 10, tzinfo=SH)
    assert DefaultWarrantyPolicy().decide(unit, PRODUCT, late).outcome.phase is WarrantyPhase.OUT_OF_WARRANTY


def test_design_hazard_is_handled_as_out_of_box() -> None:
    unit = Asset(
        AssetId("a1"), ProductId("p1"), "SN", purchase_date=date(2020, 1, 15),
        installation_accepted_on=date(2020, 1, 16),
    )  # fmt: skip
    at = datetime(2024, 6, 1, 10, tzinfo=SH)
    policy = DefaultChargeabilityPolicy()
    normal = policy.decide(ChargeableWork(PRODUCT), unit, at, ["worn_seal"])
    assert normal.outcome.materials and normal.outcome.phase is WarrantyPhase.OUT_OF_WARRANTY
    hazard = policy.decide(ChargeableWork(PRODUCT), unit, at, ["design_hazard"])
    assert not hazard.outcome.anything
    codes = [r.code for r in hazard.reasons]
    assert "design_hazard_as_out_of_box" in codes and "out_of_box_report_required" in codes


def test_extension_reason_names_the_complaint_and_counts_when_known() -> None:
    unit = Asset(
        AssetId("a1"), ProductId("p1"), "SN", purchase_date=date(2023, 1, 15),
        installation_accepted_on=date(2023, 1, 16),
    )  # fmt: skip
    received = datetime(2024, 3, 1, 10, tzinfo=SH)  # two weeks out of warranty
    granted = datetime(2024, 3, 5, 10, tzinfo=SH)  # the complaint's remedy, after the call
    ext = WarrantyExtension(
        AssetId("a1"), 12, ExtensionUnit.MONTHS, WHO, granted, "complaint_remedy",
        ExtensionSource.COMPLAINT_REMEDY, complaint_id="C-7",
    )  # fmt: skip
    policy = DefaultWarrantyPolicy()
    assert policy.decide(unit, PRODUCT, received, extensions=[ext]).outcome.phase is (
        WarrantyPhase.OUT_OF_WARRANTY
    )
    later = policy.decide(unit, PRODUCT, received, extensions=[ext], known_at=granted)
    assert later.outcome.phase is WarrantyPhase.IN_WARRANTY
    extended = [r for r in later.reasons if r.code == "warranty_extended"]
    assert extended and extended[0].params["complaint_id"] == "C-7"
