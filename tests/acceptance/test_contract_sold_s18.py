"""A repair called in under the seller's service contract keeps its cover once the unit is sold on, on
memory, SQLite and PostgreSQL (when a DSN is set).

The contract covering a unit was looked up by the unit's owner at the time of the assessment: a repair
received while the seller's contract paid for it became chargeable when it was assessed again after
``transfer_asset`` (as one under a contract cancelled since did, before ``cancelled_on``). The call's
customer — the owner when it was received — decides; the buyer's own calls are not the seller's
contract's. Nor are its maintenance visits: a customer's contract covers a unit while it is theirs
(``ServiceContract.covers``), so a plan under the seller's contract is refused for the buyer's unit.
"""

from __future__ import annotations

from datetime import date

import attrs
import pytest
from test_contracts_s18 import _parts_line_charged
from test_warranty_s17 import PART, Story, _contract, _repair, story

from aftersales.domain.classification import Plan, Severity
from aftersales.domain.service_contracts import ContractCoverage
from aftersales.errors import ValidationError

__all__ = ["story"]


def test_a_call_received_under_the_sellers_contract_keeps_its_cover_after_the_sale(story: Story) -> None:
    desk, _clock, world = story
    covered = attrs.evolve(
        _contract("HT-S", date(2026, 1, 1), date(2026, 12, 31), "asset-old"),
        coverage=ContractCoverage(parts=True),
    )
    desk.contracts.sign(world.manager, covered)
    before = _repair(desk, world, "asset-old")  # out of warranty since 2024: the contract pays
    assert _parts_line_charged(story, before) is False

    desk.transfer_asset(world.manager, "asset-old", customer_id="cust-en", reason="二手转卖")
    assert _parts_line_charged(story, before) is False  # assessed again: still the seller's contract's

    bought = desk.open_ticket(
        world.agent, customer_id="cust-en", description="水箱漏水", asset_id="asset-old"
    ).ticket.id
    desk.triage(world.agent, bought, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(world.agent, bought, dealer_id="dealer-sh")
    desk.start_work(world.dealer_sh_staff, bought)
    desk.add_fault_record(
        world.dealer_sh_staff, bought, symptom="leak", cause="seal_worn", action="replace_seal", part=PART,
        component="flush_valve",
    )  # fmt: skip
    assert _parts_line_charged(story, bought) is True  # the buyer's call: not the seller's contract's


def test_the_sellers_contract_plans_no_visit_of_a_unit_sold_on(story: Story) -> None:
    """``create_plan`` put the buyer's unit on a plan paid by the seller's contract (a named unit was
    "covered" whoever owned it), and ``plan_contract`` planned it for the buyer too."""
    desk, _clock, world = story
    contract = attrs.evolve(
        _contract("HT-P", date(2026, 1, 1), date(2026, 12, 31), "asset-old"), assets=("asset-old", "asset-1")
    )
    desk.contracts.sign(world.manager, contract)
    desk.transfer_asset(world.manager, "asset-old", customer_id="cust-en", reason="二手转卖")
    with pytest.raises(ValidationError) as refused:
        desk.maintenance.create_plan(
            world.manager, asset_id="asset-old", contract_id="HT-P", first_due=date(2026, 4, 1)
        )
    assert refused.value.field == "contract_id"
    assert desk.maintenance.plans(world.manager, asset_id="asset-old") == []
    planned = desk.maintenance.plan_contract(world.manager, "HT-P", first_due=date(2026, 4, 1))
    assert [(p.asset_id, p.customer_id) for p in planned] == [("asset-1", "cust-zh")]
