"""Chargeability: every cause, every phase, callback visits, integrator causes, explanations."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.charges import ChargeKind
from aftersales.domain.ids import AssetId, ProductId
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.domain.warranty_records import ExtensionSource, ExtensionUnit, WarrantyExtension
from aftersales.domain.work import VisitKind
from aftersales.errors import ValidationError
from aftersales.policies.chargeability import (
    BUILTIN_CHARGEABLE_CAUSES,
    ChargeabilityParams,
    ChargeableWork,
    ChargeDecision,
    DefaultChargeabilityPolicy,
)
from aftersales.policies.warranty import WarrantyPhase
from aftersales.serialization import dumps, loads, structure

SH = ZoneInfo("Asia/Shanghai")
TOILET = Product(
    ProductId("p1"),
    "VN-100",
    "One-piece toilet",
    "toilet",
    (WarrantyTerm(12), WarrantyTerm(60, "ceramic_body")),
    frozenset({"ceramic_body", "fittings"}),
)
UNIT = Asset(
    AssetId("a1"),
    ProductId("p1"),
    "SN1",
    purchase_date=date(2024, 1, 15),
    shipment_date=date(2024, 1, 10),
    installation_accepted_on=date(2024, 1, 16),
)
NOT_INSTALLED = Asset(
    AssetId("a2"), ProductId("p1"), "SN2", purchase_date=date(2024, 1, 15), shipment_date=date(2024, 1, 10)
)
IN_WARRANTY = datetime(2024, 6, 1, 10, tzinfo=SH)
LAST_DAY = datetime(2025, 1, 15, 23, 0, tzinfo=SH)
DAY_AFTER = datetime(2025, 1, 16, 9, 0, tzinfo=SH)
OUT_OF_BOX = datetime(2024, 1, 12, 10, tzinfo=SH)
POLICY = DefaultChargeabilityPolicy()
SERVICE = ChargeableWork(TOILET)
CALLBACK = ChargeableWork(TOILET, visit=VisitKind.CALLBACK)
ALL = (ChargeKind.MATERIALS, ChargeKind.LABOUR, ChargeKind.TRAVEL, ChargeKind.SERVICE_FEE)


def lines(decision: ChargeDecision) -> tuple[bool, bool, bool, bool]:
    return tuple(decision.outcome.chargeable(kind) for kind in ALL)  # type: ignore[return-value]


def test_in_warranty_without_a_cause_is_free() -> None:
    decision = POLICY.decide(SERVICE, UNIT, IN_WARRANTY)
    assert lines(decision) == (False, False, False, False)
    assert decision.codes == ("in_warranty", "in_warranty_free")
    assert decision.policy == "builtin.chargeability"
    assert not decision.outcome.anything


@pytest.mark.parametrize("cause", sorted(BUILTIN_CHARGEABLE_CAUSES))
def test_every_builtin_cause_makes_an_in_warranty_repair_chargeable(cause: str) -> None:
    decision = POLICY.decide(SERVICE, UNIT, IN_WARRANTY, [cause])
    assert lines(decision) == (True, True, True, True)
    assert decision.outcome.phase is WarrantyPhase.IN_WARRANTY
    assert decision.reasons[-1].code == "chargeable_cause"
    assert decision.reasons[-1].params == {"cause": cause}


def test_the_five_builtin_causes_are_those_of_seed_002() -> None:
    assert {
        "misuse_against_manual",
        "moved_or_self_installed",
        "unauthorised_repair",
        "unstable_power_supply",
        "force_majeure",
    } == BUILTIN_CHARGEABLE_CAUSES


def test_a_cause_that_is_not_chargeable_is_named_and_stays_free() -> None:
    decision = POLICY.decide(SERVICE, UNIT, IN_WARRANTY, ["manufacturing_defect"])
    assert lines(decision) == (False, False, False, False)
    assert ("cause_not_chargeable", {"cause": "manufacturing_defect"}) in [
        (r.code, dict(r.params)) for r in decision.reasons
    ]


def test_boundary_last_day_free_and_day_after_chargeable() -> None:
    assert lines(POLICY.decide(SERVICE, UNIT, LAST_DAY)) == (False, False, False, False)
    after = POLICY.decide(SERVICE, UNIT, DAY_AFTER)
    assert lines(after) == (True, True, True, True)
    assert after.codes == ("out_of_warranty", "out_of_warranty_chargeable")


def test_component_term_longer_than_the_product_keeps_its_repair_free() -> None:
    body = ChargeableWork(TOILET, component="ceramic_body")
    assert lines(POLICY.decide(body, UNIT, DAY_AFTER)) == (False, False, False, False)
    assert lines(POLICY.decide(ChargeableWork(TOILET, component="fittings"), UNIT, DAY_AFTER)) == (
        True,
        True,
        True,
        True,
    )


def test_an_extension_keeps_the_repair_free() -> None:
    ext = WarrantyExtension(
        asset_id=AssetId("a1"),
        amount=3,
        unit=ExtensionUnit.MONTHS,
        granted_by=ActorRef("m1", Role.MANAGER),
        granted_at=datetime(2024, 12, 20, tzinfo=SH),
        reason="repeat_failure_remedy",
        source=ExtensionSource.COMPLAINT_REMEDY,
    )
    decision = POLICY.decide(ChargeableWork(TOILET, extensions=(ext,)), UNIT, DAY_AFTER)
    assert lines(decision) == (False, False, False, False)
    assert "warranty_extended" in decision.codes


def test_out_of_box_is_free_maker_responsibility_with_a_written_report() -> None:
    decision = POLICY.decide(SERVICE, NOT_INSTALLED, OUT_OF_BOX)
    assert decision.outcome.phase is WarrantyPhase.OUT_OF_BOX
    assert lines(decision) == (False, False, False, False)
    assert decision.codes == ("out_of_box", "out_of_box_maker_responsibility", "out_of_box_report_required")


def test_out_of_box_with_a_chargeable_cause_is_chargeable_unless_waived() -> None:
    decision = POLICY.decide(SERVICE, NOT_INSTALLED, OUT_OF_BOX, ["moved_or_self_installed"])
    assert lines(decision) == (True, True, True, True)
    waiving = DefaultChargeabilityPolicy(ChargeabilityParams(out_of_box_causes_apply=False))
    waived = waiving.decide(SERVICE, NOT_INSTALLED, OUT_OF_BOX, ["moved_or_self_installed"])
    assert lines(waived) == (False, False, False, False)
    assert "out_of_box_causes_waived" in waived.codes


def test_callback_in_warranty_is_free_and_never_has_a_service_fee() -> None:
    decision = POLICY.decide(CALLBACK, UNIT, IN_WARRANTY)
    assert lines(decision) == (False, False, False, False)
    assert "callback_no_service_fee" in decision.codes


def test_callback_out_of_warranty_charges_materials_only() -> None:
    decision = POLICY.decide(CALLBACK, UNIT, DAY_AFTER)
    assert lines(decision) == (True, False, False, False)
    assert decision.codes[-1] == "callback_no_service_fee"
    with_travel = DefaultChargeabilityPolicy(ChargeabilityParams(callback_labour_and_travel=True))
    assert lines(with_travel.decide(CALLBACK, UNIT, DAY_AFTER)) == (True, True, True, False)


def test_callback_in_warranty_with_a_chargeable_cause_charges_materials_but_no_service_fee() -> None:
    decision = POLICY.decide(CALLBACK, UNIT, IN_WARRANTY, ["force_majeure"])
    assert lines(decision) == (True, False, False, False)


def test_integrators_add_and_waive_causes_through_params() -> None:
    params = ChargeabilityParams(extra_chargeable_causes=("pest_damage",), waived_causes=("force_majeure",))
    policy = DefaultChargeabilityPolicy(params, name="acme.chargeability")
    assert lines(policy.decide(SERVICE, UNIT, IN_WARRANTY, ["pest_damage"])) == (True, True, True, True)
    assert lines(policy.decide(SERVICE, UNIT, IN_WARRANTY, ["force_majeure"])) == (False, False, False, False)
    assert policy.decide(SERVICE, UNIT, IN_WARRANTY).policy == "acme.chargeability"
    assert structure(
        {"extra_chargeable_causes": ["pest_damage"]}, ChargeabilityParams
    ) == ChargeabilityParams(extra_chargeable_causes=("pest_damage",))


def test_integrators_wrap_the_policy() -> None:
    class FreeForVip:
        name = "acme.vip_free"

        def __init__(self, inner: DefaultChargeabilityPolicy) -> None:
            self.inner = inner

        def decide(
            self, work: ChargeableWork, asset: Asset, at: datetime, causes: tuple[str, ...] = ()
        ) -> ChargeDecision:
            decided = self.inner.decide(work, asset, at, causes)
            return decided  # a real wrapper would rewrite the outcome and add its reason

    from aftersales.policies.chargeability import ChargeabilityPolicy

    wrapped: ChargeabilityPolicy = FreeForVip(POLICY)
    assert wrapped.decide(SERVICE, UNIT, IN_WARRANTY).outcome.phase is WarrantyPhase.IN_WARRANTY


def test_bad_causes_are_refused() -> None:
    with pytest.raises(ValidationError):
        POLICY.decide(SERVICE, UNIT, IN_WARRANTY, ["Not A Code"])
    with pytest.raises(ValidationError):
        POLICY.decide(SERVICE, UNIT, IN_WARRANTY, "force_majeure")
    with pytest.raises(ValidationError):
        ChargeabilityParams(extra_chargeable_causes=("Bad!",))
    with pytest.raises(ValidationError):
        ChargeableWork(TOILET, visit="picnic")  # type: ignore[arg-type]


def test_decide_for_phase_reuses_a_warranty_decision() -> None:
    warranty = POLICY.warranty.decide(UNIT, TOILET, DAY_AFTER)
    assert POLICY.decide_for_phase(warranty, VisitKind.SERVICE) == POLICY.decide(SERVICE, UNIT, DAY_AFTER)


def test_decision_round_trips() -> None:
    decision = POLICY.decide(SERVICE, UNIT, IN_WARRANTY, ["force_majeure", "manufacturing_defect"])
    assert loads(dumps(decision), ChargeDecision) == decision


@settings(max_examples=80)
@given(
    st.integers(-10, 800),
    st.lists(
        st.sampled_from([*sorted(BUILTIN_CHARGEABLE_CAUSES), "wear", "manufacturing_defect"]), max_size=3
    ),
    st.sampled_from(list(VisitKind)),
    st.sampled_from([None, "ceramic_body", "fittings"]),
    st.booleans(),
)
def test_every_decision_is_explained_and_consistent(
    days: int, causes: list[str], visit: VisitKind, component: str | None, installed: bool
) -> None:
    unit = UNIT if installed else NOT_INSTALLED
    at = datetime(2024, 1, 12, 10, tzinfo=SH) + timedelta(days=days)
    decision = POLICY.decide(ChargeableWork(TOILET, visit=visit, component=component), unit, at, causes)
    assert len(decision.reasons) >= 1
    outcome = decision.outcome
    if visit is VisitKind.CALLBACK:
        assert not outcome.service_fee
    if outcome.phase is WarrantyPhase.OUT_OF_WARRANTY:
        assert outcome.materials
    if outcome.phase is not WarrantyPhase.OUT_OF_WARRANTY and not set(causes) & BUILTIN_CHARGEABLE_CAUSES:
        assert not outcome.anything
