"""The assessment's fast paths build exactly what the validating constructors build (issue 19, speed).

``priced_line``, ``Reason.checked``, the fee tables and the outcome table skip re-validating values the
pack and the policies have already checked; these tests hold them to the constructors' results.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from aftersales.domain.charges import ChargeLine, SheetLine
from aftersales.domain.ids import AssetId, DealerId, ProductId
from aftersales.domain.money import Money
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.domain.reasons import Reason
from aftersales.domain.work import VisitKind
from aftersales.errors import NotFound, PolicyError
from aftersales.policies.charge_assessment import ChargeFacts, assess_charges
from aftersales.policies.chargeability import ChargeOutcome, DefaultChargeabilityPolicy
from aftersales.policies.fees import (
    DealerFeeSchedule,
    DefaultFeesPolicy,
    DistanceBand,
    FeesParams,
    PartPriceEntry,
)
from aftersales.policies.warranty import DefaultWarrantyPolicy, add_months

SH = ZoneInfo("Asia/Shanghai")
PARTS = ("WN-CB-01", "WN/VALVE.2")
PRODUCT = Product(
    ProductId("wc"), "WC", "马桶", "toilet", (WarrantyTerm(12), WarrantyTerm(60, component="ceramic_body")),
    frozenset({"ceramic_body", "flush_valve"}),
)  # fmt: skip
FEES = DefaultFeesPolicy(
    FeesParams(
        parts={PARTS[0]: PartPriceEntry(cost="75.00", retail="120.00"), PARTS[1]: PartPriceEntry("3", "5.5")},
        dealer_schedules={
            "d1": DealerFeeSchedule(
                labour={"repair": "80"}, travel_zones={"pudong": "30"}, service_fee="20",
                travel_bands=(DistanceBand(10, "15"), DistanceBand(50, "40")),
            )
        },
    )
)  # fmt: skip


def _assess(purchase: date, causes: tuple[str, ...]) -> tuple[SheetLine, ...]:
    asset = Asset(AssetId("a"), PRODUCT.id, "SN", purchase_date=purchase, installation_accepted_on=purchase)
    facts = ChargeFacts(
        asset, PRODUCT, datetime(2026, 3, 2, 9, tzinfo=SH), causes, VisitKind.SERVICE,
        {PARTS[0]: (2, "ceramic_body"), PARTS[1]: (1, "flush_valve")}, DealerId("d1"), "repair", None,
        "pudong",
    )  # fmt: skip
    warranty = DefaultWarrantyPolicy()
    result = assess_charges(
        facts, warranty=warranty, chargeability=DefaultChargeabilityPolicy(warranty=warranty), fees=FEES,
        now=datetime(2026, 3, 3, tzinfo=SH),
    )  # fmt: skip
    return result.lines


@pytest.mark.parametrize(
    ("purchase", "causes"),
    [(date(2025, 10, 31), ()), (date(2022, 1, 31), ()), (date(2025, 10, 31), ("force_majeure",))],
)
def test_fast_lines_equal_the_validated_constructors(purchase: date, causes: tuple[str, ...]) -> None:
    lines = _assess(purchase, causes)
    assert [ln.line.kind.value for ln in lines] == [
        "materials",
        "materials",
        "labour",
        "travel",
        "service_fee",
    ]
    for sheet_line in lines:
        line = sheet_line.line
        rebuilt = SheetLine(
            ChargeLine(line.kind, line.item, line.unit_price, line.quantity, line.chargeable),
            tuple(Reason(r.code, dict(r.params)) for r in sheet_line.reasons),
            sheet_line.component,
            sheet_line.phase,
            sheet_line.dealer_cost,
        )
        assert rebuilt == sheet_line
        assert hash(rebuilt.reasons) == hash(sheet_line.reasons)
    materials = lines[0]
    assert materials.line.value == Money("240.00", "CNY") and materials.dealer_cost == Money("75.00", "CNY")
    # the ceramic body's own 60-month term keeps it in warranty after the 12-month term has ended
    old = _assess(date(2022, 1, 31), ())
    assert (old[0].phase, old[0].line.chargeable) == ("in_warranty", False)
    assert (old[1].phase, old[1].line.chargeable) == ("out_of_warranty", True)


def test_checked_reason_is_an_ordinary_reason() -> None:
    fast = Reason.checked("in_warranty", {"component": None, "months": 12, "ends_on": "2026-01-31"})
    slow = Reason("in_warranty", {"component": None, "months": 12, "ends_on": "2026-01-31"})
    assert fast == slow and hash(fast) == hash(slow)
    with pytest.raises(TypeError):
        fast.params["months"] = 13  # type: ignore[index]
    assert Reason.checked("x", {}).params == {}


def test_fee_tables_price_as_the_schedule_says() -> None:
    assert FEES.labour_fee(DealerId("d1"), "repair") == Money("80", "CNY")
    assert FEES.travel_fee(DealerId("d1"), zone="pudong") == Money("30", "CNY")
    assert FEES.travel_fee(DealerId("d1"), distance_km=10) == Money("15", "CNY")
    assert FEES.travel_fee(DealerId("d1"), distance_km=11) == Money("40", "CNY")
    assert FEES.service_fee(DealerId("other")) == Money(0, "CNY")  # the default schedule charges none
    with pytest.raises(NotFound):
        FEES.labour_fee(DealerId("d1"), "install")
    with pytest.raises(NotFound):
        FEES.travel_fee(None, zone="pudong")
    with pytest.raises(PolicyError) as refused:
        FEES.travel_fee(DealerId("d1"), distance_km=51)
    assert refused.value.code == "distance_beyond_schedule" and "50 km" in str(refused.value)


@pytest.mark.parametrize("day", [date(2024, 1, 28), date(2024, 1, 29), date(2024, 1, 31), date(2023, 3, 31)])
@pytest.mark.parametrize("months", [1, 11, 12, 13, 25])
def test_add_months_clamps_to_the_month_end(day: date, months: int) -> None:
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    expected_day = day.day
    while True:
        try:
            expected = date(year, month, expected_day)
            break
        except ValueError:
            expected_day -= 1
    assert add_months(day, months) == expected


def test_outcomes_are_shared_values() -> None:
    policy = DefaultChargeabilityPolicy()
    day = date(2020, 1, 1)
    warranty = DefaultWarrantyPolicy().decide(
        Asset(AssetId("a"), PRODUCT.id, "SN", purchase_date=day, installation_accepted_on=day),
        PRODUCT,
        datetime(2026, 3, 2, tzinfo=SH),
    )  # fmt: skip
    service = policy.decide_for_phase(warranty, VisitKind.SERVICE).outcome
    callback = policy.decide_for_phase(warranty, VisitKind.CALLBACK).outcome
    assert service == ChargeOutcome(True, True, True, True, warranty.outcome.phase)
    assert callback == ChargeOutcome(True, False, False, False, warranty.outcome.phase)
