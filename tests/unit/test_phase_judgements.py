"""Warranty judgements without the decisions (issue 19, speed): ``judge_many`` and
``decide_for_judgements`` give exactly the phases, reasons and sharing of ``decide_many`` and
``decide_for_phases``, and a subclass deciding its own way is still asked."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.ids import AssetId, DealerId, ProductId
from aftersales.domain.products import START_DATE_OF, Asset, Product, WarrantyStart, WarrantyTerm
from aftersales.domain.warranty_records import WarrantyExtension
from aftersales.domain.work import VisitKind
from aftersales.policies.charge_assessment import ChargeFacts, assess_charges
from aftersales.policies.chargeability import ChargeabilityParams, DefaultChargeabilityPolicy
from aftersales.policies.decision import Decision
from aftersales.policies.fees import DealerFeeSchedule, DefaultFeesPolicy, FeesParams, PartPriceEntry
from aftersales.policies.warranty import DefaultWarrantyPolicy, WarrantyParams, WarrantyStatus

SH = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 3, 2, 9, tzinfo=SH)
NOW = datetime(2026, 3, 3, tzinfo=SH)
WHOLE_AND_BODY = Product(
    ProductId("wc"), "WC", "马桶", "toilet", (WarrantyTerm(12), WarrantyTerm(60, component="ceramic_body")),
    frozenset({"ceramic_body", "flush_valve"}),
)  # fmt: skip
NO_WHOLE_TERM = Product(
    ProductId("wc"), "WC", "马桶", "toilet",
    (
        WarrantyTerm(60, component="ceramic_body"), WarrantyTerm(24, component="ceramic_body"),
        WarrantyTerm(12, component="flush_valve", starts_from=WarrantyStart.INSTALLATION),
    ),
    frozenset({"ceramic_body", "flush_valve"}),
)  # fmt: skip
COMPONENTS = [None, "flush_valve", "ceramic_body"]


def _asset(bought: date, accepted: date | None) -> Asset:
    return Asset(AssetId("a"), ProductId("wc"), "SN", purchase_date=bought, installation_accepted_on=accepted)


def _extension(component: str | None, granted: datetime) -> WarrantyExtension:
    return WarrantyExtension(
        AssetId("a"), 12, "months", ActorRef("mgr", Role.MANAGER), granted, "complaint_remedy",
        "complaint_remedy", component=component, complaint_id="CP-7",
    )  # fmt: skip


CASES = [
    (WHOLE_AND_BODY, _asset(date(2025, 10, 31), date(2025, 11, 1)), ()),  # in warranty
    (WHOLE_AND_BODY, _asset(date(2022, 1, 31), date(2022, 2, 1)), ()),  # body in, the rest out
    (WHOLE_AND_BODY, _asset(date(2026, 2, 1), None), ()),  # out of box
    (WHOLE_AND_BODY, _asset(date(2022, 1, 31), date(2022, 2, 1)), (_extension(None, AT),)),
    (WHOLE_AND_BODY, _asset(date(2022, 1, 31), date(2022, 2, 1)), (_extension("flush_valve", NOW),)),
    (NO_WHOLE_TERM, _asset(date(2023, 5, 31), date(2023, 6, 2)), ()),
    (NO_WHOLE_TERM, _asset(date(2020, 5, 31), date(2020, 6, 2)), ()),
]


@pytest.mark.parametrize(("product", "asset", "extensions"), CASES)
@pytest.mark.parametrize("out_of_box_days", [None, 10])
def test_judgements_are_the_decisions_phases_and_reasons_shared_alike(
    product: Product, asset: Asset, extensions: tuple[WarrantyExtension, ...], out_of_box_days: int | None
) -> None:
    warranty = DefaultWarrantyPolicy(WarrantyParams(out_of_box_days=out_of_box_days))
    decided = warranty.decide_many(
        asset, product, AT, COMPONENTS, extensions=extensions, known_at=NOW, share_whole=True
    )
    judged = warranty.judge_many(asset, product, AT, COMPONENTS, extensions=extensions, known_at=NOW)
    assert list(judged) == list(decided)
    for component, decision in decided.items():
        judgement = judged[component]
        status = decision.outcome
        assert (judgement.phase, judgement.reasons, judgement.ends_on) == (
            status.phase,
            decision.reasons,
            status.ends_on,
        )
        assert judgement.component == status.component
        # the same components share one judgement as they share one decision
        for other, other_decision in decided.items():
            assert (judged[other] is judgement) == (other_decision is decision)
    chargeability = DefaultChargeabilityPolicy(ChargeabilityParams(out_of_box_causes_apply=False))
    for causes in [(), ("worn",), ("misuse_against_manual", "worn"), ("design_hazard",)]:
        for visit in VisitKind:
            by_phases = chargeability.decide_for_phases(decided, visit, causes)
            by_judgements = chargeability.decide_for_judgements(judged, visit, causes)
            assert by_judgements == by_phases
            for component, decision in by_phases.items():
                for other, other_decision in by_phases.items():
                    assert (by_judgements[other] is by_judgements[component]) == (other_decision is decision)


def test_judgements_refuse_what_decisions_refuse() -> None:
    warranty = DefaultWarrantyPolicy()
    asset = _asset(date(2025, 1, 10), date(2025, 1, 10))
    for call in (warranty.decide_many, warranty.judge_many):
        with pytest.raises(Exception, match="no component"):
            call(asset, WHOLE_AND_BODY, AT, [None, "lid"])
        with pytest.raises(Exception, match="at"):
            call(asset, WHOLE_AND_BODY, datetime(2026, 3, 2), [None])


def test_start_dates_are_read_per_basis() -> None:
    asset = Asset(
        AssetId("a"), ProductId("wc"), "SN", purchase_date=date(2025, 1, 1), shipment_date=date(2025, 1, 2),
        installation_accepted_on=date(2025, 1, 3),
    )  # fmt: skip
    assert {basis: START_DATE_OF[basis](asset) for basis in WarrantyStart} == {
        WarrantyStart.PURCHASE: date(2025, 1, 1),
        WarrantyStart.SHIPMENT: date(2025, 1, 2),
        WarrantyStart.INSTALLATION: date(2025, 1, 3),
    }
    assert all(asset.start_date(basis) == START_DATE_OF[basis](asset) for basis in WarrantyStart)


FEES = DefaultFeesPolicy(
    FeesParams(
        parts={"WN-CB-01": PartPriceEntry(cost="75.00", retail="120.00")},
        dealer_schedules={"d1": DealerFeeSchedule(labour={"repair": "80"}, service_fee="20")},
    )
)


def _facts() -> ChargeFacts:
    return ChargeFacts(
        _asset(date(2022, 1, 31), date(2022, 2, 1)), WHOLE_AND_BODY, AT, ("worn",), VisitKind.SERVICE,
        {"WN-CB-01": (1, "ceramic_body")}, DealerId("d1"), "repair",
    )  # fmt: skip


def test_the_built_in_policies_judge_without_decisions_and_a_subclass_deciding_its_own_way_is_asked() -> None:
    asked: list[str] = []

    class Lenient(DefaultWarrantyPolicy):
        """Decides as the built-in one but is asked for decisions (a host's own override)."""

        def decide_many(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            asked.append("warranty")
            return super().decide_many(*args, **kwargs)

    class Counting(DefaultChargeabilityPolicy):
        def decide_for_phases(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            asked.append("chargeability")
            return super().decide_for_phases(*args, **kwargs)

    built_in = DefaultWarrantyPolicy()
    assert built_in.judges_alone and DefaultChargeabilityPolicy().takes_judgements
    assert not Lenient().judges_alone and not Counting().takes_judgements
    plain = assess_charges(
        _facts(), warranty=built_in, chargeability=DefaultChargeabilityPolicy(), fees=FEES, now=NOW
    )
    assert asked == []
    own_warranty = assess_charges(
        _facts(), warranty=Lenient(), chargeability=DefaultChargeabilityPolicy(), fees=FEES, now=NOW
    )
    assert asked == ["warranty"]
    own_chargeability = assess_charges(
        _facts(), warranty=built_in, chargeability=Counting(), fees=FEES, now=NOW
    )
    assert asked == ["warranty", "chargeability"]
    assert plain == own_warranty == own_chargeability
    body, labour = plain.lines[:2]
    assert (body.phase, labour.phase) == ("in_warranty", "out_of_warranty")
    assert all(isinstance(d, Decision) for d in plain.decisions) and len(plain.decisions) == 2


def test_decisions_handed_out_still_carry_every_term() -> None:
    asset = _asset(date(2022, 1, 31), date(2022, 2, 1))
    decided = DefaultWarrantyPolicy().decide_many(asset, WHOLE_AND_BODY, AT, COMPONENTS, share_whole=True)
    status: WarrantyStatus = decided["ceramic_body"].outcome
    assert [(t.component, t.months, t.ends_on) for t in status.terms] == [
        (None, 12, date(2023, 1, 31)),
        ("ceramic_body", 60, date(2027, 1, 31)),
    ]
    assert decided[None].outcome.terms is status.terms  # one tuple of terms per decide_many
    assert status.ends_for("flush_valve") == date(2023, 1, 31)
