"""A pack's warranty and chargeability settings are used or refused, never silently ignored (session 17).

Seed 002: in warranty, ① – ⑤ are chargeable (材料收费的原则 b); a design hazard is handled as out of box
(设计隐患问题,按第一阶段的方式处理), free. A cause listed both as chargeable and as a design hazard was
judged free and carried both reasons ("chargeable_cause", then "design_hazard_as_out_of_box"): the pack's
``extra_chargeable_causes`` entry was ignored, and ``design_hazard_causes = ["force_majeure"]`` quietly
made seed 002's ⑤ free in warranty.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.ids import AssetId, ProductId
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.domain.warranty_records import WarrantyExtension
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.policies.chargeability import (
    ChargeabilityParams,
    ChargeableWork,
    DefaultChargeabilityPolicy,
)
from aftersales.policies.warranty import DefaultWarrantyPolicy, WarrantyParams, WarrantyPhase
from aftersales.service.desk import ServiceDesk


@pytest.mark.parametrize(
    "settings",
    [
        {"extra_chargeable_causes": ("design_hazard",)},
        {"design_hazard_causes": ("force_majeure",)},
        {"extra_chargeable_causes": ("scale_buildup",), "design_hazard_causes": ("scale_buildup",)},
    ],
)
def test_a_cause_cannot_be_both_chargeable_and_a_design_hazard(settings: dict[str, tuple[str, ...]]) -> None:
    with pytest.raises(ValidationError) as refused:
        ChargeabilityParams(**settings)  # type: ignore[arg-type]
    assert refused.value.field == "design_hazard_causes"


def test_a_waived_built_in_cause_may_be_a_design_hazard() -> None:
    params = ChargeabilityParams(waived_causes=("force_majeure",), design_hazard_causes=("force_majeure",))
    assert params.design_hazard_causes == ("force_majeure",)


def test_the_pack_naming_a_chargeable_design_hazard_is_refused_naming_the_key(tmp_path: Path) -> None:
    pack = tmp_path / "hazard.toml"
    pack.write_text(
        '[pack]\nname = "hazard"\nextends = "sanitary_ware"\n\n'
        '[chargeability]\nextra_chargeable_causes = ["design_hazard"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError) as refused:
        ServiceDesk.open("memory://", pack=pack)
    assert refused.value.key == "chargeability.design_hazard_causes"


def test_an_out_of_box_cut_off_without_the_phase_is_refused(tmp_path: Path) -> None:
    """``out_of_box_days`` with ``out_of_box = false`` bounded a phase that never happens: read, unused."""
    with pytest.raises(ValidationError) as refused:
        WarrantyParams(out_of_box=False, out_of_box_days=30)
    assert refused.value.field == "out_of_box_days"
    pack = tmp_path / "no_box.toml"
    pack.write_text(
        '[pack]\nname = "no_box"\nextends = "sanitary_ware"\n\n[warranty]\nout_of_box = false\n'
        "out_of_box_days = 30\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError) as bad_pack:
        ServiceDesk.open("memory://", pack=pack)
    assert bad_pack.value.key == "warranty.out_of_box_days"
    assert WarrantyParams(out_of_box=False).out_of_box_days is None  # either alone is fine


def test_the_desks_chargeability_judges_with_the_packs_warranty_section(tmp_path: Path) -> None:
    """The built-in chargeability policy had a default warranty policy of its own: its ``decide`` ignored
    the pack's ``[warranty]`` (``out_of_box = false``: out of box there, in warranty on the sheet)."""
    pack = tmp_path / "no_box.toml"
    pack.write_text(
        '[pack]\nname = "no_box"\nextends = "sanitary_ware"\n\n[warranty]\nout_of_box = false\n',
        encoding="utf-8",
    )
    product = Product(ProductId("wc"), "WC", "马桶", "toilet", (WarrantyTerm(24),))
    unit = Asset(AssetId("u"), product.id, "SN", purchase_date=date(2026, 1, 5))  # never accepted
    at = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
    with ServiceDesk.open("memory://", pack=pack) as desk:
        policies = desk.policies
        assert policies.warranty.decide(unit, product, at).outcome.phase is WarrantyPhase.IN_WARRANTY
        decided = policies.chargeability.decide(ChargeableWork(product), unit, at)
    assert decided.outcome.phase is WarrantyPhase.IN_WARRANTY
    assert decided.codes == ("in_warranty", "in_warranty_free")


# -- the policies' own API: bad input is a typed error naming the field ---------------------------------

_PRODUCT = Product(ProductId("wc"), "WC", "马桶", "toilet", (WarrantyTerm(24),))
_UNIT = Asset(
    AssetId("u"), _PRODUCT.id, "SN", purchase_date=date(2025, 1, 5), installation_accepted_on=date(2025, 1, 6)
)
_AT = datetime(2026, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: DefaultWarrantyPolicy().decide(_UNIT, _PRODUCT, _AT, extensions=[None]), "extensions"),
        (lambda: DefaultWarrantyPolicy().decide(_UNIT, _PRODUCT, _AT, extensions="abc"), "extensions"),
        (lambda: DefaultWarrantyPolicy().decide(_UNIT, _PRODUCT, _AT, extensions=5), "extensions"),
        (lambda: DefaultWarrantyPolicy().decide(None, _PRODUCT, _AT), "asset"),
        (lambda: DefaultWarrantyPolicy().decide(_UNIT, "wc", _AT), "product"),
        (lambda: DefaultWarrantyPolicy().decide_many(_UNIT, _PRODUCT, _AT, None), "components"),
        (lambda: DefaultChargeabilityPolicy().decide(ChargeableWork(_PRODUCT), _UNIT, _AT, 5), "causes"),
        (lambda: ChargeableWork(_PRODUCT, extensions=5), "extensions"),
        (lambda: ChargeableWork(_PRODUCT, extensions=[None]), "extensions"),
    ],
)
def test_bad_input_to_the_policies_is_a_validation_error(call: Callable[[], object], field: str) -> None:
    """An AttributeError or TypeError escaped from each of these (no untyped exception leaves the API)."""
    with pytest.raises(ValidationError) as refused:
        call()
    assert refused.value.field == field


def test_a_term_reaching_past_the_calendar_never_ends() -> None:
    """A unit built by a host with a far shipment date: add_months raised ValueError (year 10002)."""
    shipped = Asset(AssetId("u"), _PRODUCT.id, "SN", purchase_date=date(9999, 6, 1))
    decision = DefaultWarrantyPolicy().decide(shipped, _PRODUCT, _AT)
    assert decision.outcome.phase is WarrantyPhase.OUT_OF_WARRANTY
    assert decision.codes == ("warranty_not_started",)
    assert decision.outcome.terms[0].ends_on == date.max


def test_extensions_given_as_a_generator_still_count() -> None:
    """The check of the extensions reads them once: a generator is not used up before they count."""
    late = datetime(2027, 3, 2, 9, tzinfo=ZoneInfo("Asia/Shanghai"))  # after the 24 months
    extension = WarrantyExtension(
        asset_id=_UNIT.id, amount=6, unit="months", granted_by=ActorRef("mgr-1", Role.MANAGER),
        granted_at=_AT, reason="goodwill", source="paid",
    )  # fmt: skip
    decided = DefaultWarrantyPolicy().decide(_UNIT, _PRODUCT, late, extensions=(e for e in [extension]))
    assert decided.outcome.phase is WarrantyPhase.IN_WARRANTY
