"""The assessment's fast paths build exactly what the validating constructors build (issue 19, speed).

``priced_line``, ``Reason.checked``, the fee tables and the outcome table skip re-validating values the
pack and the policies have already checked; these tests hold them to the constructors' results.
"""

from __future__ import annotations

import gc
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.charges import ChargeLine, SheetLine
from aftersales.domain.ids import AssetId, DealerId, ProductId
from aftersales.domain.money import Money
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.domain.reasons import Reason
from aftersales.domain.warranty_records import WarrantyExtension
from aftersales.domain.work import VisitKind
from aftersales.errors import NotFound, PolicyError, ValidationError
from aftersales.policies.charge_assessment import ChargeFacts, assess_charges
from aftersales.policies.chargeability import ChargeableWork, ChargeOutcome, DefaultChargeabilityPolicy
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


def test_identical_lines_are_shared_values_and_equal_prices_are_not_confused() -> None:
    from aftersales.domain.charges import ChargeKind, priced_line

    price = Money("120.00", "CNY")
    why = (Reason("in_warranty_free"),)
    first = priced_line(ChargeKind.MATERIALS, "WN-CB-01", price, 2, False, why, "seat", "in_warranty")
    second = priced_line(ChargeKind.MATERIALS, "WN-CB-01", price, 2, False, why, None, "out_of_box")
    assert first.line is second.line and first.component == "seat" and second.component is None
    other = priced_line(ChargeKind.MATERIALS, "WN-CB-01", price, 3, True, why)
    assert other.line is not first.line and other.line.amount == Money("360.00", "CNY")
    equal = Money("120.00", "CNY")
    again = priced_line(ChargeKind.MATERIALS, "WN-CB-01", equal, 2, False, why)
    assert again.line.unit_price is equal and again.line == first.line


def _whole_and_parts(
    extensions: tuple[WarrantyExtension, ...] = (),
) -> tuple[SheetLine, ...]:
    asset = Asset(
        AssetId("a"),
        PRODUCT.id,
        "SN",
        purchase_date=date(2025, 1, 10),
        installation_accepted_on=date(2025, 1, 10),
    )
    facts = ChargeFacts(
        asset, PRODUCT, datetime(2026, 3, 2, 9, tzinfo=SH), ("worn",), VisitKind.SERVICE,
        {PARTS[0]: (1, "ceramic_body"), PARTS[1]: (1, "flush_valve")}, DealerId("d1"), "repair",
        extensions=extensions,
    )  # fmt: skip
    warranty = DefaultWarrantyPolicy()
    return assess_charges(
        facts, warranty=warranty, chargeability=DefaultChargeabilityPolicy(warranty=warranty), fees=FEES,
        now=datetime(2026, 3, 3, tzinfo=SH),
    ).lines  # fmt: skip


def test_parts_judged_by_the_whole_product_term_share_its_decision() -> None:
    body, valve, labour, _fee = _whole_and_parts()
    # the flush valve has no term of its own: it is judged by the whole-product term, the same reasons
    assert valve.reasons is labour.reasons and valve.component == "flush_valve"
    assert valve.reasons[0].params["term_component"] is None and valve.phase == "out_of_warranty"
    assert body.reasons is not labour.reasons and body.reasons[0].params["term_component"] == "ceramic_body"
    assert body.phase == "in_warranty" and not body.line.chargeable and valve.line.chargeable
    # the reasons' parameters are atoms in a plain dict: a kept sheet's reasons add nothing for the GC to walk
    assert not any(gc.is_tracked(reason._params) for line in (body, valve) for reason in line.reasons)


def test_an_extension_on_a_component_keeps_each_component_its_own_reasons() -> None:
    extension = WarrantyExtension(
        AssetId("a"), 12, "months", ActorRef("mgr", Role.MANAGER), datetime(2026, 3, 1, tzinfo=SH),
        "complaint_remedy", "complaint_remedy", component="flush_valve", complaint_id="CP-7",
    )  # fmt: skip
    body, valve, labour, _fee = _whole_and_parts((extension,))
    assert valve.phase == "in_warranty" and not valve.line.chargeable  # the extension covers the valve
    assert labour.phase == "out_of_warranty" and labour.line.chargeable
    assert "extension_granted_by_complaint" in [r.code for r in valve.reasons]
    assert "extension_granted_by_complaint" not in [r.code for r in body.reasons]


def test_a_subclass_deciding_per_phase_its_own_way_is_asked_per_component() -> None:
    asked: list[str | None] = []

    class Strict(DefaultChargeabilityPolicy):
        def decide_for_phase(self, warranty, visit, causes=()):  # type: ignore[no-untyped-def]
            asked.append(warranty.outcome.component)
            return super().decide_for_phase(warranty, visit, causes)

    warranty = DefaultWarrantyPolicy()
    asset = Asset(
        AssetId("a"),
        PRODUCT.id,
        "SN",
        purchase_date=date(2025, 1, 10),
        installation_accepted_on=date(2025, 1, 10),
    )
    statuses = warranty.decide_many(
        asset, PRODUCT, datetime(2026, 3, 2, tzinfo=SH), [None, "ceramic_body"], share_whole=True
    )
    decided = Strict(warranty=warranty).decide_for_phases(statuses, VisitKind.SERVICE, ("worn",))
    assert sorted(asked, key=str) == sorted([None, "ceramic_body"], key=str)
    assert decided[None].outcome.materials and not decided["ceramic_body"].outcome.materials


def test_a_plugged_in_warranty_policy_is_asked_per_component() -> None:
    """A warranty policy of the host's own, with ``decide_many`` but no ``share_whole``, still works:
    each component gets its own decision."""
    inner = DefaultWarrantyPolicy()
    asked: list[tuple[str | None, ...]] = []

    class HostWarranty:
        name = "host.warranty"

        def decide(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return inner.decide(*args, **kwargs)

        def decide_many(self, asset, product, at, components, *, extensions=(), known_at=None):  # type: ignore[no-untyped-def]
            asked.append(tuple(components))
            return inner.decide_many(asset, product, at, components, extensions=extensions, known_at=known_at)

    asset = Asset(
        AssetId("a"),
        PRODUCT.id,
        "SN",
        purchase_date=date(2025, 1, 10),
        installation_accepted_on=date(2025, 1, 10),
    )
    facts = ChargeFacts(
        asset, PRODUCT, datetime(2026, 3, 2, 9, tzinfo=SH), (), VisitKind.SERVICE,
        {PARTS[0]: (1, "ceramic_body"), PARTS[1]: (1, "flush_valve")}, DealerId("d1"),
    )  # fmt: skip
    result = assess_charges(
        facts, warranty=HostWarranty(), chargeability=DefaultChargeabilityPolicy(), fees=FEES,
        now=datetime(2026, 3, 3, tzinfo=SH),
    )  # fmt: skip
    assert asked == [(None, "ceramic_body", "flush_valve")]
    body, valve = result.lines[:2]
    assert valve.reasons[0].params["component"] == "flush_valve"  # its own decision, not shared
    assert (body.phase, valve.phase) == ("in_warranty", "out_of_warranty")
    assert len(result.decisions) == 3


def test_part_lines_are_built_once_per_pack_and_priced_as_the_list_says() -> None:
    line, cost = FEES.material_line(PARTS[0], 3, True)
    assert line == ChargeLine("materials", PARTS[0], Money("120.00", "CNY"), 3, True)
    assert cost == Money("75.00", "CNY")
    assert FEES.material_line(PARTS[0], 3, True)[0] is line  # shared by every later sheet
    assert FEES.material_line(PARTS[0], 3, False)[0].chargeable is False
    with pytest.raises(NotFound):
        FEES.material_line("NO-SUCH-PART", 1, True)


def test_a_subclass_pricing_parts_its_own_way_is_asked_every_time() -> None:
    """A host's fees policy that prices a part differently over time (a promotion) is not memoised."""
    from aftersales.policies.fees import PartPrice

    prices = [Money("100", "CNY"), Money("90", "CNY")]

    class Promotion(DefaultFeesPolicy):
        def part_price(self, part: str) -> PartPrice:
            return PartPrice(Money("50", "CNY"), prices.pop(0))

    fees = Promotion(FEES.params)
    first = fees.material_line(PARTS[0], 1, True)[0]
    second = fees.material_line(PARTS[0], 1, True)[0]
    assert (first.unit_price, second.unit_price) == (Money("100", "CNY"), Money("90", "CNY"))


def test_causes_judged_once_per_combination_give_the_same_decision() -> None:
    policy = DefaultChargeabilityPolicy()
    bought = date(2025, 1, 10)
    asset = Asset(AssetId("a"), PRODUCT.id, "SN", purchase_date=bought, installation_accepted_on=bought)
    at = datetime(2025, 6, 2, tzinfo=SH)
    work = ChargeableWork(PRODUCT)
    first = policy.decide(work, asset, at, ("worn", "force_majeure"))
    again = policy.decide(work, asset, at, ("worn", "force_majeure"))
    as_list = policy.decide(work, asset, at, ["force_majeure", "worn"])
    assert first == again == as_list and first.outcome.materials
    assert first.codes == (
        "in_warranty",
        "chargeable_cause",
        "cause_not_chargeable",
    )


@pytest.mark.parametrize("causes", [(["worn"],), (3, "worn"), ("Not A Code",), ("worn", None)])
def test_bad_causes_are_refused_with_the_field_named_even_after_good_ones(causes: tuple[object, ...]) -> None:
    policy = DefaultChargeabilityPolicy()
    bought = date(2025, 1, 10)
    asset = Asset(AssetId("a"), PRODUCT.id, "SN", purchase_date=bought, installation_accepted_on=bought)
    at = datetime(2026, 3, 2, tzinfo=SH)
    policy.decide(ChargeableWork(PRODUCT), asset, at, ("worn",))
    with pytest.raises(ValidationError) as caught:
        policy.decide(ChargeableWork(PRODUCT), asset, at, causes)  # type: ignore[arg-type]
    assert caught.value.field == "causes"


def test_reason_dates_are_the_iso_days_whatever_was_formatted_before() -> None:
    """The ISO forms of days are memoised: every decision still names its own days."""
    warranty = DefaultWarrantyPolicy()
    seen = set()
    for offset in range(40):
        bought = date(2024, 1, 1) + timedelta(days=13 * offset)
        asset = Asset(AssetId("a"), PRODUCT.id, "SN", purchase_date=bought, installation_accepted_on=bought)
        decided = warranty.decide(asset, PRODUCT, datetime(2026, 3, 2, tzinfo=SH))
        params = decided.reasons[0].params
        assert params["start"] == bought.isoformat()
        assert params["ends_on"] == add_months(bought, 12).isoformat()
        assert params["local_date"] == "2026-03-02"
        seen.add(params["start"])
    assert len(seen) == 40


def test_a_subclass_judging_causes_its_own_way_is_asked_every_time() -> None:
    """Only the built-in judgement of causes is memoised: a host's own one may change its mind."""
    chargeable = [True, False]

    class Seasonal(DefaultChargeabilityPolicy):
        def _chargeable_causes(self, causes, reasons):  # type: ignore[no-untyped-def]
            super()._chargeable_causes(causes, reasons)
            return chargeable.pop(0)

    policy = Seasonal()
    bought = date(2025, 1, 10)
    asset = Asset(AssetId("a"), PRODUCT.id, "SN", purchase_date=bought, installation_accepted_on=bought)
    at = datetime(2025, 6, 2, tzinfo=SH)
    first = policy.decide(ChargeableWork(PRODUCT), asset, at, ("worn",))
    second = policy.decide(ChargeableWork(PRODUCT), asset, at, ("worn",))
    assert (first.outcome.materials, second.outcome.materials) == (True, False)
