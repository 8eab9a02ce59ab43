# mypy: disable-error-code="arg-type"
"""Warranty and chargeability at the seams (session 17), on memory, SQLite and PostgreSQL.

- A renewed service contract is a contract signed for its own period: the rule that a unit is covered
  by at most one contract on any day, and that a contract covers only its holder's units, held for
  signing but not for renewing; and a product-line contract (the holder's units of a category) was
  never checked against the contracts naming those units.
- A quote is offered and accepted on the facts the sheet was assessed on (seed 002, 材料收费的原则: in
  warranty free unless ①–⑤; 延长免费售后服务期). A quote offered before a complaint's extension made the
  repair free could still be accepted and paid; damage found on site after the sheet said "free" left
  nothing to quote. Now ``assessment_stale`` refuses both until the charges are assessed again.
- A unit's product carries its warranty terms (产品保修期按产品样本规定执行): re-registering a unit as
  another model gave it another term without a word (a dealer's out-of-warranty unit, re-registered as a
  model with ten years, was repaired with the maker's free parts). Like its start dates, it now changes
  only through the manager's ``change_warranty_start``, with a reason.
- 保修期外: 产品已过保修期均属于此阶段. A unit bought years ago whose installation acceptance was never
  recorded (the usual legacy record) was judged out of box for ever: every repair free, and the call not
  dispatched until an out-of-box written report was attached. Once its term from the purchase date has
  ended it is out of warranty.
- A callback visit (回访) brings no service fee; it does not make the repair it follows up free.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import attrs
import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.complaints import RemedyKind
from aftersales.domain.ids import AssetId
from aftersales.domain.money import Money
from aftersales.domain.products import Product, WarrantyTerm
from aftersales.domain.service_contracts import ContractCoverage, ServiceContract
from aftersales.domain.work import VisitKind
from aftersales.errors import InvalidTransition, NotFound, PermissionDenied, PolicyError, ValidationError
from aftersales.policies.fees import DealerFeeSchedule, DefaultFeesPolicy, FeesParams, PartPriceEntry
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

Story = tuple[ServiceDesk, ManualClock, World]
PART = "WN-CB-01"
FEES = DefaultFeesPolicy(
    FeesParams(
        currency="CNY",
        parts={PART: PartPriceEntry(cost="75.00", retail="120.00")},
        dealer_schedules={"dealer-sh": DealerFeeSchedule(labour={"leak": "80"}, service_fee="20")},
    )
)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def story(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Story]:
    with world_desk(request.param, tmp_path, pack="sanitary_ware", overrides={"fees": FEES}) as opened:
        desk, _clock, world = opened
        old = attrs.evolve(
            world.asset, id=AssetId("asset-old"), serial="SN-OLD", purchase_date=date(2021, 1, 10),
            installation_accepted_on=date(2021, 1, 11),
        )  # fmt: skip
        desk.register_asset(world.manager, old)  # 36 months from 2021-01-10: out of warranty
        yield opened


def _repair(desk: ServiceDesk, world: World, unit: str, cause: str = "seal_worn") -> str:
    ticket_id = desk.open_ticket(
        world.agent, customer_id="cust-zh", description="水箱漏水", asset_id=unit
    ).ticket.id
    desk.triage(world.agent, ticket_id, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(world.agent, ticket_id, dealer_id="dealer-sh")
    desk.start_work(world.dealer_sh_staff, ticket_id)
    desk.add_fault_record(
        world.dealer_sh_staff, ticket_id, symptom="leak", cause=cause, action="replace_seal", part=PART,
        component="flush_valve",
    )  # fmt: skip
    return ticket_id


def _contract(contract_id: str, starts: date, ends: date, unit: str = "asset-1") -> ServiceContract:
    return ServiceContract(
        id=contract_id, starts_on=starts, ends_on=ends, price=Money("600", "CNY"), customer_id="cust-zh",
        assets=(AssetId(unit),),
    )  # fmt: skip


# -- service contracts: a renewal is checked as a signing is -------------------------------------------


def test_a_renewal_may_not_cover_a_unit_another_contract_covers_on_the_same_days(story: Story) -> None:
    desk, _clock, world = story
    desk.contracts.sign(world.manager, _contract("HT-1", date(2026, 1, 1), date(2026, 6, 30)))
    desk.contracts.sign(world.manager, _contract("HT-2", date(2026, 7, 1), date(2026, 12, 31)))
    with pytest.raises(ValidationError) as refused:
        desk.contracts.renew(
            world.manager, "HT-1", new_id="HT-3", ends_on=date(2026, 12, 31), price=Money("600", "CNY")
        )
    assert refused.value.field == "assets" and "HT-2" in str(refused.value)
    # Nothing changed: the old contract is not marked renewed, the renewal does not exist.
    assert desk.contracts.get(world.manager, "HT-1").renewed_as is None
    with pytest.raises(NotFound):
        desk.contracts.get(world.manager, "HT-3")
    # A renewal that starts after the other contract ends is fine.
    desk.contracts.cancel(world.manager, "HT-2", reason="the customer chose a renewal of HT-1")
    renewed = desk.contracts.renew(
        world.manager, "HT-1", new_id="HT-3", ends_on=date(2026, 12, 31), price=Money("600", "CNY")
    )
    assert (renewed.starts_on, renewed.assets) == (date(2026, 7, 1), ("asset-1",))


def test_a_renewal_may_not_cover_a_unit_the_holder_has_since_sold(story: Story) -> None:
    desk, _clock, world = story
    sold = attrs.evolve(world.asset, id=AssetId("asset-sold"), serial="SN-SOLD")
    desk.register_asset(world.manager, sold)
    desk.contracts.sign(world.manager, _contract("HT-5", date(2026, 1, 1), date(2026, 6, 30), sold.id))
    desk.transfer_asset(world.manager, sold.id, customer_id=world.cust_en.id, reason="sold with the flat")
    with pytest.raises(ValidationError) as refused:
        desk.contracts.renew(
            world.manager, "HT-5", new_id="HT-6", ends_on=date(2026, 12, 31), price=Money("600", "CNY")
        )
    assert refused.value.field == "assets" and "asset-sold" in str(refused.value)
    assert desk.contracts.get(world.manager, "HT-5").renewed_as is None
    with pytest.raises(NotFound):
        desk.contracts.get(world.manager, "HT-6")


# -- a quote stands on the facts its sheet was assessed on ---------------------------------------------


def test_a_quote_offered_before_a_complaints_extension_is_not_accepted_until_reassessed(
    story: Story,
) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, world, "asset-old")
    assert desk.charges.assess(world.dealer_sh_staff, ticket_id).customer_total == Money("220.00", "CNY")
    quote = desk.charges.quote(world.dealer_sh_staff, ticket_id)
    complaints = desk.complaints
    cid = complaints.open_complaint(world.agent, "cust-zh", "刚过保就坏", about=[ticket_id]).ticket.id
    complaints.investigate(world.agent, cid)
    complaints.propose_solution(world.agent, cid, solution="延保 12 个月")
    complaints.agree_solution(world.customer_zh, cid)
    complaints.grant_remedy(
        world.agent, cid, kind=RemedyKind.WARRANTY_EXTENSION, cost=Money("0", "CNY"), extend_by=12
    )
    clock.advance(timedelta(hours=1))
    with pytest.raises(PolicyError) as stale:
        desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    assert stale.value.code == "assessment_stale" and "extensions" in str(stale.value)
    sheet = desk.charges.sheet(world.manager, ticket_id)
    assert sheet is not None and [q.state.value for q in sheet.quotes] == ["offered"]  # nothing changed
    assert sheet.payments == [] and sheet.customer_total == Money("220.00", "CNY")
    # Assessed again: the repair is free, the old offer withdrawn, and it can no longer be accepted.
    again = desk.charges.assess(world.dealer_sh_staff, ticket_id)
    assert again.customer_total == Money(0, "CNY") and again.phase == "in_warranty"
    with pytest.raises(InvalidTransition):
        desk.charges.accept(world.customer_zh, ticket_id, quote.id)


def test_damage_found_on_site_after_a_free_assessment_is_quoted_once_reassessed(story: Story) -> None:
    desk, _clock, world = story
    ticket_id = _repair(desk, world, "asset-1")  # in warranty, a worn seal: free
    assert desk.charges.assess(world.dealer_sh_staff, ticket_id).customer_total == Money(0, "CNY")
    desk.add_fault_record(
        world.dealer_sh_staff, ticket_id, symptom="leak", cause="misuse_against_manual",
        action="replace_seal",
    )  # fmt: skip
    for offer in (desk.charges.quote, desk.charges.dealer_purchase):
        with pytest.raises(PolicyError) as stale:
            offer(world.dealer_sh_staff, ticket_id)
        assert stale.value.code == "assessment_stale" and "faults" in str(stale.value)
    again = desk.charges.assess(world.dealer_sh_staff, ticket_id)
    assert again.customer_total == Money("220.00", "CNY")
    assert "chargeable_cause" in [r.code for r in again.reasons]
    quote = desk.charges.quote(world.dealer_sh_staff, ticket_id)
    assert quote.total == Money("220.00", "CNY")
    assert desk.charges.accept(world.customer_zh, ticket_id, quote.id).quote.state.value == "accepted"


def test_a_corrected_purchase_date_makes_the_old_sheet_stale(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, world, "asset-old")
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = desk.charges.quote(world.dealer_sh_staff, ticket_id)
    desk.change_warranty_start(
        world.manager, "asset-old", purchase_date=date(2024, 1, 10), reason="invoice found: bought 2024"
    )
    with pytest.raises(PolicyError) as stale:
        desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    assert stale.value.code == "assessment_stale" and "unit" in str(stale.value)
    clock.advance(timedelta(minutes=5))
    assert desk.charges.assess(world.dealer_sh_staff, ticket_id).customer_total == Money(0, "CNY")


# -- the product a unit is registered as is its warranty term ------------------------------------------


def test_a_unit_is_not_re_registered_as_a_model_with_a_longer_warranty(story: Story) -> None:
    desk, clock, world = story
    desk.register_product(
        world.manager, Product("wc-900", "WC-900", "十年保修马桶", "toilet", (WarrantyTerm(120),))
    )
    ticket_id = _repair(desk, world, "asset-old")
    old = desk.master_data_history(world.manager, "asset", "asset-old")[-1].after
    assert old["product_id"] == "wc-100"
    relabelled = attrs.evolve(
        world.asset, id=AssetId("asset-old"), serial="SN-OLD", purchase_date=date(2021, 1, 10),
        installation_accepted_on=date(2021, 1, 11), product_id="wc-900",
    )  # fmt: skip
    for actor in (world.dealer_sh_staff, world.agent, world.manager):
        with pytest.raises(PermissionDenied):
            desk.register_asset(actor, relabelled)
    assert len(desk.master_data_history(world.manager, "asset", "asset-old")) == 1  # nothing changed
    assert desk.charges.assess(world.dealer_sh_staff, ticket_id).phase == "out_of_warranty"
    # The manager corrects the model, with a reason, through the command that corrects warranty facts.
    with pytest.raises(NotFound):
        desk.change_warranty_start(world.manager, "asset-old", product_id="wc-999", reason="typo")
    with pytest.raises(PermissionDenied):
        desk.change_warranty_start(world.dealer_sh_staff, "asset-old", product_id="wc-900", reason="x")
    changed = desk.change_warranty_start(
        world.manager, "asset-old", product_id="wc-900", reason="registered under the wrong model"
    )
    assert changed.product_id == "wc-900"
    last = desk.master_data_history(world.manager, "asset", "asset-old")[-1]
    assert (last.command, last.changed, last.reason) == (
        "change_warranty_start", ("product_id",), "registered under the wrong model",
    )  # fmt: skip
    clock.advance(timedelta(minutes=5))
    assert desk.charges.assess(world.dealer_sh_staff, ticket_id).phase == "in_warranty"


# -- past its term a unit is out of warranty, installation recorded or not ----------------------------


def test_a_unit_past_its_term_without_an_installation_record_is_out_of_warranty(story: Story) -> None:
    desk, _clock, world = story
    legacy = attrs.evolve(
        world.asset, id=AssetId("asset-legacy"), serial="SN-LEGACY", purchase_date=date(2021, 1, 10),
        installation_accepted_on=None,
    )  # fmt: skip
    desk.register_asset(world.manager, legacy)
    ticket_id = _repair(desk, world, "asset-legacy")  # dispatched: no out-of-box report asked
    sheet = desk.charges.assess(world.dealer_sh_staff, ticket_id)
    assert sheet.phase == "out_of_warranty" and sheet.customer_total == Money("220.00", "CNY")
    assert [r.code for r in sheet.reasons] == [
        "out_of_warranty", "cause_not_chargeable", "out_of_warranty_chargeable",
    ]  # fmt: skip
    assert sheet.reasons[0].params["ends_on"] == "2024-01-10"


# -- a callback visit after the repair leaves the repair charged -------------------------------------


def test_a_callback_visit_after_the_repair_does_not_make_the_repairs_labour_free(story: Story) -> None:
    """Seed 002 (材料收费的原则 d): 回访服务时 … 不收取服务费 — the callback brings no fee; the repair it
    follows up stays charged. The latest visit decided alone: a callback made the repair's labour free."""
    desk, clock, world = story
    ticket_id = _repair(desk, world, "asset-old")
    dealer = world.dealer_sh_staff
    desk.add_visit(dealer, ticket_id, planned_at=clock.now(), engineer_id="eng-dealer-sh")
    repair = desk.charges.assess(dealer, ticket_id)
    assert repair.customer_total == Money("220.00", "CNY")
    clock.advance(timedelta(days=2))
    desk.add_visit(
        dealer, ticket_id, planned_at=clock.now(), engineer_id="eng-dealer-sh", kind=VisitKind.CALLBACK
    )
    again = desk.charges.assess(dealer, ticket_id)
    assert {ln.line.kind.value: ln.line.chargeable for ln in again.lines} == {
        "materials": True, "labour": True, "service_fee": True,
    }  # fmt: skip
    assert again.customer_total == Money("220.00", "CNY")
    assert "callback_no_service_fee" not in [r.code for r in again.reasons]


def test_a_product_line_contract_may_not_cover_a_unit_a_named_contract_covers(story: Story) -> None:
    """A product-line contract covers the holder's units of that category: it overlapped a contract
    naming one of them unchecked, and the named one decided the charges (its parts not covered, though
    the product-line contract paid for them)."""
    desk, _clock, world = story
    desk.contracts.sign(world.manager, _contract("HT-1", date(2026, 1, 1), date(2026, 12, 31)))
    line = attrs.evolve(
        _contract("HT-2", date(2026, 6, 1), date(2027, 5, 31)), assets=(), product_line="toilet",
        coverage=ContractCoverage(parts=True),
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        desk.contracts.sign(world.manager, line)
    assert refused.value.field == "product_line" and "asset-1" in str(refused.value)
    with pytest.raises(NotFound):
        desk.contracts.get(world.manager, "HT-2")
    # The other way round: the product line first, then a contract naming one of its units.
    later = attrs.evolve(line, id="HT-3", starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31))
    desk.contracts.sign(world.manager, later)
    with pytest.raises(ValidationError) as named:
        desk.contracts.sign(world.manager, _contract("HT-4", date(2027, 6, 1), date(2027, 12, 31)))
    assert named.value.field == "assets" and "HT-3" in str(named.value)


def test_a_complaints_extension_on_a_component_the_product_has_not_is_refused_and_nothing_changes(
    story: Story,
) -> None:
    """The WC-100 has a ceramic body, a flush valve and a seat: an extension granted on its "nozzle"
    would extend nothing (no decision asks for it), while the customer was promised more time."""
    desk, _clock, world = story
    ticket_id = _repair(desk, world, "asset-old")
    complaints = desk.complaints
    cid = complaints.open_complaint(world.agent, "cust-zh", "刚过保就坏", about=[ticket_id]).ticket.id
    complaints.investigate(world.agent, cid)
    complaints.propose_solution(world.agent, cid, solution="延保 12 个月")
    complaints.agree_solution(world.customer_zh, cid)
    version = desk.ticket(world.manager, cid).version
    with pytest.raises(ValidationError) as refused:
        complaints.grant_remedy(
            world.agent, cid, kind=RemedyKind.WARRANTY_EXTENSION, cost=Money("0", "CNY"), extend_by=12,
            component="nozzle", asset_id="asset-old",
        )  # fmt: skip
    assert refused.value.field == "component" and "flush_valve" in str(refused.value)
    assert desk.ticket(world.manager, cid).version == version
    assert complaints.warranty_extensions(world.manager, "asset-old") == ()
    # The flush valve is the WC-100's: its extension is granted is granted.
    complaints.grant_remedy(
        world.agent, cid, kind=RemedyKind.WARRANTY_EXTENSION, cost=Money("0", "CNY"), extend_by=12,
        component="flush_valve", asset_id="asset-old",
    )  # fmt: skip
    assert [e.component for e in complaints.warranty_extensions(world.manager, "asset-old")] == [
        "flush_valve"
    ]


def test_the_materials_check_and_the_charge_sheet_agree_on_parts_a_contract_pays_for(story: Story) -> None:
    """A service contract covering the unit's parts makes them free on the charge sheet; the materials
    desk's warranty check (是否在保修期内, seed 002 发料 2) read warranty alone and priced the same part
    to the user, so one repair had a free part on its sheet and a quote for it in materials."""
    from aftersales.domain.materials import MaterialsLine, PartyRef

    desk, _clock, world = story
    covered = attrs.evolve(
        _contract("HT-P", date(2026, 1, 1), date(2026, 12, 31), "asset-old"),
        coverage=ContractCoverage(parts=True),
    )
    desk.contracts.sign(world.manager, covered)
    ticket_id = _repair(desk, world, "asset-old")  # out of warranty since 2024
    sheet = desk.charges.assess(world.dealer_sh_staff, ticket_id)
    (part,) = [ln for ln in sheet.lines if ln.line.kind.value == "materials"]
    assert part.line.chargeable is False
    request = desk.materials.request(
        world.dealer_sh_staff, ticket_id, party=PartyRef.dealer("dealer-sh"), lines=[MaterialsLine(PART, 1)],
        urgent=True,
    )  # fmt: skip
    checked = desk.materials.check(world.agent, request.id)
    assert checked.chargeable is False
    assert "service_contract" in [r.code for r in checked.steps[-2].reasons + checked.steps[-1].reasons]
