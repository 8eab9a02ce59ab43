"""Warranty policy: terms, start bases, phases, boundaries in the market time zone, extensions."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.ids import AssetId, ProductId
from aftersales.domain.products import Asset, Product, WarrantyStart, WarrantyTerm
from aftersales.domain.warranty_records import ExtensionSource, ExtensionUnit, WarrantyExtension
from aftersales.errors import NaiveDatetimeError, PolicyError, ValidationError
from aftersales.policies.warranty import (
    DefaultWarrantyPolicy,
    WarrantyDecision,
    WarrantyParams,
    WarrantyPhase,
    add_months,
)
from aftersales.serialization import dumps, loads

SH = ZoneInfo("Asia/Shanghai")
UTC = ZoneInfo("UTC")
MANAGER = ActorRef("m1", Role.MANAGER)

TOILET = Product(
    ProductId("p1"),
    "VN-100",
    "One-piece toilet",
    "toilet",
    (WarrantyTerm(12), WarrantyTerm(60, "ceramic_body")),
    frozenset({"ceramic_body", "fittings"}),
)


def asset(**kw: object) -> Asset:
    fields: dict[str, object] = {
        "purchase_date": date(2024, 1, 15),
        "shipment_date": date(2024, 1, 10),
        "installation_accepted_on": date(2024, 1, 16),
    }
    fields.update(kw)
    return Asset(AssetId("a1"), ProductId("p1"), "SN1", **fields)  # type: ignore[arg-type]


def at_local(day: date, hour: int = 12, tz: ZoneInfo = SH) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=tz)


POLICY = DefaultWarrantyPolicy()


# -- month arithmetic -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year: clamp to 29 Feb
        (date(2023, 1, 31), 1, date(2023, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 8, 31), 1, date(2024, 9, 30)),
        (date(2024, 1, 15), 12, date(2025, 1, 15)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2024, 12, 1), 1, date(2025, 1, 1)),
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@settings(max_examples=200)
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)), st.integers(0, 600))
def test_add_months_lands_in_the_right_month_never_past_the_day(day: date, months: int) -> None:
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= day.day
    assert result.day == day.day or result.month != (result + timedelta(days=1)).month


# -- boundaries -----------------------------------------------------------------------------------


def test_last_day_of_the_term_is_in_warranty_and_the_day_after_is_not() -> None:
    unit = asset()  # bought 15 Jan 2024, 12 months → last day 15 Jan 2025
    last = POLICY.decide(unit, TOILET, datetime(2025, 1, 15, 23, 59, 59, tzinfo=SH))
    after = POLICY.decide(unit, TOILET, datetime(2025, 1, 16, 0, 0, tzinfo=SH))
    assert last.outcome.phase is WarrantyPhase.IN_WARRANTY
    assert last.outcome.ends_on == date(2025, 1, 15)
    assert last.codes == ("in_warranty",)
    assert after.outcome.phase is WarrantyPhase.OUT_OF_WARRANTY
    assert after.codes == ("out_of_warranty",)
    assert after.reasons[0].params["ends_on"] == "2025-01-15"


def test_days_are_counted_in_the_market_time_zone() -> None:
    unit = asset()
    # 16:30 UTC on 15 Jan is already 00:30 on 16 Jan in Shanghai: the day after the term.
    assert POLICY.decide(unit, TOILET, datetime(2025, 1, 15, 16, 30, tzinfo=UTC)).outcome.phase is (
        WarrantyPhase.OUT_OF_WARRANTY
    )
    assert POLICY.decide(unit, TOILET, datetime(2025, 1, 15, 15, 30, tzinfo=UTC)).outcome.phase is (
        WarrantyPhase.IN_WARRANTY
    )
    # The same instant for a unit sold in New York is still 15 Jan there.
    ny = asset(market_timezone="America/New_York")
    assert POLICY.decide(ny, TOILET, datetime(2025, 1, 15, 16, 30, tzinfo=UTC)).outcome.phase is (
        WarrantyPhase.IN_WARRANTY
    )


def test_31_january_plus_one_month_ends_on_the_last_day_of_february() -> None:
    product = Product(ProductId("p1"), "M", "Tap", "tap", (WarrantyTerm(1),))
    unit = asset(
        purchase_date=date(2024, 1, 31), shipment_date=None, installation_accepted_on=date(2024, 1, 31)
    )
    assert (
        POLICY.decide(unit, product, at_local(date(2024, 2, 29))).outcome.phase is WarrantyPhase.IN_WARRANTY
    )
    assert POLICY.decide(unit, product, at_local(date(2024, 3, 1))).outcome.phase is (
        WarrantyPhase.OUT_OF_WARRANTY
    )


def test_naive_instant_is_refused() -> None:
    with pytest.raises(NaiveDatetimeError):
        POLICY.decide(asset(), TOILET, datetime(2024, 6, 1))


# -- components ------------------------------------------------------------------------------------


def test_component_with_a_longer_term_than_the_product() -> None:
    unit = asset()
    when = at_local(date(2026, 6, 1))
    product = POLICY.decide(unit, TOILET, when)
    body = POLICY.decide(unit, TOILET, when, component="ceramic_body")
    fittings = POLICY.decide(unit, TOILET, when, component="fittings")
    assert product.outcome.phase is WarrantyPhase.OUT_OF_WARRANTY
    assert body.outcome.phase is WarrantyPhase.IN_WARRANTY
    assert body.outcome.ends_on == date(2029, 1, 15)
    assert body.reasons[0].params["term_component"] == "ceramic_body"
    assert fittings.outcome.phase is WarrantyPhase.OUT_OF_WARRANTY  # follows the whole-product term
    assert product.outcome.ends_for("ceramic_body") == date(2029, 1, 15)
    assert product.outcome.ends_for("fittings") == date(2025, 1, 15)


def test_unknown_component_is_refused() -> None:
    with pytest.raises(ValidationError):
        POLICY.decide(asset(), TOILET, at_local(date(2024, 6, 1)), component="engine")


def test_without_a_product_term_the_product_is_covered_while_any_term_runs() -> None:
    product = Product(ProductId("p1"), "M", "Basin", "basin", (WarrantyTerm(12, "a"), WarrantyTerm(24, "b")))
    decision = POLICY.decide(asset(), product, at_local(date(2025, 6, 1)))
    assert decision.outcome.phase is WarrantyPhase.IN_WARRANTY
    assert decision.outcome.ends_on == date(2026, 1, 15)


# -- start bases -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("basis", "last_day"),
    [
        (WarrantyStart.PURCHASE, date(2025, 1, 15)),
        (WarrantyStart.SHIPMENT, date(2025, 1, 10)),
        (WarrantyStart.INSTALLATION, date(2025, 1, 16)),
    ],
)
def test_each_term_runs_from_its_own_start(basis: WarrantyStart, last_day: date) -> None:
    product = Product(ProductId("p1"), "M", "Tap", "tap", (WarrantyTerm(12, starts_from=basis),))
    decision = POLICY.decide(asset(), product, at_local(date(2024, 6, 1)))
    assert decision.outcome.ends_on == last_day
    assert POLICY.decide(asset(), product, at_local(last_day)).outcome.phase is WarrantyPhase.IN_WARRANTY
    assert POLICY.decide(asset(), product, at_local(last_day + timedelta(days=1))).outcome.phase is (
        WarrantyPhase.OUT_OF_WARRANTY
    )


def test_missing_start_date_is_an_error_with_a_code_not_a_guess() -> None:
    product = Product(
        ProductId("p1"), "M", "Tap", "tap", (WarrantyTerm(12, starts_from=WarrantyStart.SHIPMENT),)
    )
    unit = asset(shipment_date=None)
    with pytest.raises(PolicyError) as info:
        POLICY.decide(unit, product, at_local(date(2024, 6, 1)))
    assert info.value.code == "warranty_start_missing"
    assert "shipment" in str(info.value)


def test_terms_come_from_model_then_category_and_none_is_an_error() -> None:
    bare = Product(ProductId("p1"), "VN-200", "Toilet", "toilet")
    params = WarrantyParams(
        default_terms_by_category={"toilet": [WarrantyTerm(24)]},
        terms_by_model={"VN-200": [WarrantyTerm(36)]},
    )
    by_model = DefaultWarrantyPolicy(params).decide(asset(), bare, at_local(date(2024, 6, 1)))
    assert by_model.outcome.ends_on == date(2027, 1, 15)
    assert by_model.reasons[0].params["terms_from"] == "model"
    other = Product(ProductId("p1"), "VN-300", "Toilet", "toilet")
    by_category = DefaultWarrantyPolicy(params).decide(asset(), other, at_local(date(2024, 6, 1)))
    assert by_category.outcome.ends_on == date(2026, 1, 15)
    with pytest.raises(PolicyError) as info:
        POLICY.decide(asset(), bare, at_local(date(2024, 6, 1)))
    assert info.value.code == "no_warranty_terms"


def test_asset_of_another_product_is_refused() -> None:
    other = Product(ProductId("p2"), "M", "Tap", "tap", (WarrantyTerm(12),))
    with pytest.raises(ValidationError):
        POLICY.decide(asset(), other, at_local(date(2024, 6, 1)))


# -- out of box ------------------------------------------------------------------------------------


def test_out_of_box_from_shipment_until_installation_is_accepted() -> None:
    unit = asset(shipment_date=date(2024, 1, 10), installation_accepted_on=date(2024, 1, 20))
    before_shipment = POLICY.decide(unit, TOILET, at_local(date(2024, 1, 9)))
    shipped = POLICY.decide(unit, TOILET, at_local(date(2024, 1, 10)))
    eve = POLICY.decide(unit, TOILET, at_local(date(2024, 1, 19)))
    accepted = POLICY.decide(unit, TOILET, at_local(date(2024, 1, 20)))
    assert shipped.outcome.phase is WarrantyPhase.OUT_OF_BOX
    assert eve.outcome.phase is WarrantyPhase.OUT_OF_BOX
    assert eve.reasons[0].code == "out_of_box"
    assert eve.reasons[0].params == {
        "left_factory_on": "2024-01-10",
        "installation_accepted_on": "2024-01-20",
    }
    assert accepted.outcome.phase is WarrantyPhase.IN_WARRANTY  # the acceptance day is in warranty
    # Neither shipped nor bought yet: not covered, and said so.
    assert before_shipment.outcome.phase is WarrantyPhase.OUT_OF_WARRANTY
    assert before_shipment.codes == ("warranty_not_started",)


def test_unit_in_stock_with_no_purchase_is_out_of_box_and_its_terms_not_started() -> None:
    unit = asset(purchase_date=None, installation_accepted_on=None)
    decision = POLICY.decide(unit, TOILET, at_local(date(2024, 1, 20)))
    assert decision.outcome.phase is WarrantyPhase.OUT_OF_BOX
    assert all(term.ends_on is None for term in decision.outcome.terms)


def test_out_of_box_ends_after_the_configured_days_then_terms_decide() -> None:
    unit = asset(installation_accepted_on=None)  # shipped 10 Jan, never accepted
    policy = DefaultWarrantyPolicy(WarrantyParams(out_of_box_days=30))
    assert policy.decide(unit, TOILET, at_local(date(2024, 2, 8))).outcome.phase is WarrantyPhase.OUT_OF_BOX
    assert policy.decide(unit, TOILET, at_local(date(2024, 2, 9))).outcome.phase is WarrantyPhase.IN_WARRANTY
    unbounded = DefaultWarrantyPolicy(WarrantyParams(out_of_box_days=None))
    assert (
        unbounded.decide(unit, TOILET, at_local(date(2024, 12, 1))).outcome.phase is WarrantyPhase.OUT_OF_BOX
    )
    off = DefaultWarrantyPolicy(WarrantyParams(out_of_box=False))
    assert off.decide(unit, TOILET, at_local(date(2024, 1, 20))).outcome.phase is WarrantyPhase.IN_WARRANTY


def test_installation_term_without_acceptance_after_out_of_box_is_an_error() -> None:
    product = Product(
        ProductId("p1"), "M", "Tap", "tap", (WarrantyTerm(12, starts_from=WarrantyStart.INSTALLATION),)
    )
    unit = asset(installation_accepted_on=None)
    assert POLICY.decide(unit, product, at_local(date(2024, 1, 20))).outcome.phase is WarrantyPhase.OUT_OF_BOX
    with pytest.raises(PolicyError) as info:
        DefaultWarrantyPolicy(WarrantyParams(out_of_box_days=90)).decide(
            unit, product, at_local(date(2024, 9, 1))
        )
    assert info.value.code == "warranty_start_missing"


# -- extensions ------------------------------------------------------------------------------------


def extension(**kw: object) -> WarrantyExtension:
    fields: dict[str, object] = {
        "asset_id": AssetId("a1"),
        "amount": 6,
        "unit": ExtensionUnit.MONTHS,
        "granted_by": MANAGER,
        "granted_at": datetime(2024, 12, 1, 10, tzinfo=SH),
        "reason": "complaint_remedy_agreed",
        "source": ExtensionSource.COMPLAINT_REMEDY,
    }
    fields.update(kw)
    return WarrantyExtension(**fields)  # type: ignore[arg-type]


def test_whole_product_extension_adds_months_to_every_term() -> None:
    ext = extension()
    decision = POLICY.decide(asset(), TOILET, at_local(date(2025, 7, 15)), extensions=[ext])
    assert decision.outcome.phase is WarrantyPhase.IN_WARRANTY
    assert decision.outcome.ends_on == date(2025, 7, 15)
    assert decision.outcome.ends_for("ceramic_body") == date(2029, 7, 15)
    assert "warranty_extended" in decision.codes
    extended = next(r for r in decision.reasons if r.code == "warranty_extended")
    assert extended.params["granted_by"] == "manager:m1"
    assert extended.params["source"] == "complaint_remedy"
    assert POLICY.decide(asset(), TOILET, at_local(date(2025, 7, 16)), extensions=[ext]).outcome.phase is (
        WarrantyPhase.OUT_OF_WARRANTY
    )


def test_component_extension_in_days_covers_that_component_only() -> None:
    ext = extension(component="fittings", amount=30, unit=ExtensionUnit.DAYS, source=ExtensionSource.PAID)
    when = at_local(date(2025, 2, 14))
    fittings = POLICY.decide(asset(), TOILET, when, component="fittings", extensions=[ext])
    product = POLICY.decide(asset(), TOILET, when, extensions=[ext])
    assert fittings.outcome.phase is WarrantyPhase.IN_WARRANTY
    assert fittings.outcome.ends_on == date(2025, 2, 14)
    assert product.outcome.phase is WarrantyPhase.OUT_OF_WARRANTY


def test_extension_counts_only_from_when_it_was_granted() -> None:
    ext = extension(granted_at=datetime(2025, 3, 1, tzinfo=SH))
    # Asked about 1 Feb 2025, before the grant: the unit was out of warranty then.
    earlier = POLICY.decide(asset(), TOILET, at_local(date(2025, 2, 1)), extensions=[ext])
    assert earlier.outcome.phase is WarrantyPhase.OUT_OF_WARRANTY
    # Granted after the term ended: it runs from the grant day (1 Mar + 6 months = 1 Sep).
    later = POLICY.decide(asset(), TOILET, at_local(date(2025, 9, 1)), extensions=[ext])
    assert later.outcome.phase is WarrantyPhase.IN_WARRANTY
    assert later.outcome.ends_on == date(2025, 9, 1)


def test_extension_of_another_asset_is_refused() -> None:
    with pytest.raises(ValidationError):
        POLICY.decide(asset(), TOILET, at_local(date(2024, 6, 1)), extensions=[extension(asset_id="zz")])


def test_extension_record_validates_and_round_trips() -> None:
    ext = extension()
    assert loads(dumps(ext), WarrantyExtension) == ext
    with pytest.raises(ValidationError):
        extension(amount=0)
    with pytest.raises(ValidationError):
        extension(source="gift")
    with pytest.raises(NaiveDatetimeError):
        extension(granted_at=datetime(2024, 1, 1))


# -- serialisation and explanation ----------------------------------------------------------------


def test_decision_round_trips() -> None:
    decision = POLICY.decide(asset(), TOILET, at_local(date(2024, 6, 1)), extensions=[extension()])
    assert loads(dumps(decision), WarrantyDecision) == decision
    assert decision.policy == "builtin.warranty"


def test_params_load_from_toml_shaped_data() -> None:
    from aftersales.serialization import structure

    data = {
        "default_terms_by_category": {
            "toilet": [{"months": 24, "component": None, "starts_from": "shipment"}]
        },
        "terms_by_model": {},
        "out_of_box": True,
        "out_of_box_days": 60,
    }
    params = structure(data, WarrantyParams)
    assert params.default_terms_by_category["toilet"] == (WarrantyTerm(24, None, WarrantyStart.SHIPMENT),)
    assert params.out_of_box_days == 60
    with pytest.raises(ValidationError):
        WarrantyParams(out_of_box_days=0)


@settings(max_examples=60)
@given(
    st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 1, 1)),
    st.integers(0, 4000),
    st.sampled_from([None, "ceramic_body", "fittings"]),
)
def test_every_decision_is_explained(purchase: date, offset: int, component: str | None) -> None:
    unit = asset(purchase_date=purchase, shipment_date=purchase, installation_accepted_on=purchase)
    decision = POLICY.decide(unit, TOILET, at_local(purchase + timedelta(days=offset)), component=component)
    assert decision.reasons
    in_warranty = decision.outcome.phase is WarrantyPhase.IN_WARRANTY
    assert decision.outcome.ends_on is not None
    assert in_warranty == (decision.outcome.local_date <= decision.outcome.ends_on)
