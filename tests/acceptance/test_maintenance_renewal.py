"""A maintenance plan under a contract that is renewed carries on under the renewal (seed 000 保养服务).

Renewing a contract makes a new one for the same holder, units and coverage from the day after the old
one ends. A plan whose next visit falls after the old contract's end went on being checked against the
old contract alone, so the daily job ended the plan although the units are still under contract: the
renewed customer got no more visits. The plan now follows the renewal (its visits name the contract that
pays for them); a contract that ends unrenewed, or is cancelled, still ends its plans. Memory, SQLite and
PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.ids import AssetId
from aftersales.domain.maintenance import ChecklistResult, PlanState
from aftersales.domain.money import Money
from aftersales.domain.products import Asset
from aftersales.domain.service_contracts import ContractCoverage, ServiceContract
from aftersales.reports.maintenance import contract_figures
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ManualClock, World]]:
    with world_desk(request.param, tmp_path) as found:
        yield found


def _planned_and_visited_once(desk: ServiceDesk, clock: ManualClock, world: World) -> str:
    """A unit under a contract ending 31 March, its first visit done on 1 April: the next falls after."""
    asset = Asset(
        AssetId("u-renew"), world.product.id, "SN-R-00001", customer_id=world.cust_zh.id,
        purchase_date=date(2025, 9, 1), dealer_id=world.dealer_sh.id,
    )  # fmt: skip
    desk.register_asset(world.manager, asset)
    signed = ServiceContract(
        id="HT-OLD", starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31), price=Money("3600.00", "CNY"),
        customer_id=world.cust_zh.id, assets=(asset.id,),
        coverage=ContractCoverage(labour=True, parts=False, travel=True, visits_per_year=2),
    )  # fmt: skip
    desk.contracts.sign(world.manager, signed)
    desk.maintenance.create_plan(
        world.manager, asset_id=asset.id, contract_id="HT-OLD", first_due=date(2026, 3, 20)
    )
    clock.advance(timedelta(days=30))
    (first,) = desk.maintenance.generate_due(world.system).generated
    desk.start_work(world.dealer_sh_staff, first.ticket_id)
    results = [ChecklistResult(task, True) for task in first.checklist]
    desk.maintenance.complete_visit(world.dealer_sh_staff, first.id, results=results)
    return asset.id


def test_a_renewed_contract_keeps_its_units_plans_generating(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = setup
    asset_id = _planned_and_visited_once(desk, clock, world)
    desk.contracts.renew(
        world.manager, "HT-OLD", new_id="HT-NEW", ends_on=date(2027, 3, 31), price=Money("3600.00", "CNY")
    )
    clock.advance(timedelta(days=200))
    (visit,) = desk.maintenance.generate_due(world.system).generated
    assert visit.contract_id == "HT-NEW"
    (plan,) = desk.maintenance.plans(world.manager, asset_id=asset_id)
    assert plan.state is PlanState.ACTIVE and plan.contract_id == "HT-NEW"


def test_a_contract_that_ends_unrenewed_still_ends_its_plans(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = setup
    asset_id = _planned_and_visited_once(desk, clock, world)
    clock.advance(timedelta(days=200))
    assert desk.maintenance.generate_due(world.system).generated == ()
    (plan,) = desk.maintenance.plans(world.manager, asset_id=asset_id)
    assert plan.state is PlanState.ENDED and plan.contract_id == "HT-OLD"


def test_a_renewed_contracts_figures_keep_its_visits_and_the_renewal_counts_its_own(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    """Session 18: the figures read the plans naming the contract, which name the renewal from then on:
    the renewed contract lost its visit, the renewal counted it. Each counts the visits naming it."""
    desk, clock, world = setup
    asset_id = _planned_and_visited_once(desk, clock, world)
    desk.contracts.renew(
        world.manager, "HT-OLD", new_id="HT-NEW", ends_on=date(2027, 3, 31), price=Money("3600.00", "CNY")
    )
    clock.advance(timedelta(days=200))
    (visit,) = desk.maintenance.generate_due(world.system).generated  # under the renewal
    desk.start_work(world.dealer_sh_staff, visit.ticket_id)
    results = [ChecklistResult(task, True) for task in visit.checklist]
    desk.maintenance.complete_visit(world.dealer_sh_staff, visit.id, results=results)
    old, new = contract_figures(desk.context.store, ["HT-OLD", "HT-NEW"])
    assert (old.contract_id, old.visits_done) == ("HT-OLD", 1)
    assert (new.contract_id, new.visits_done) == ("HT-NEW", 1)
    assert desk.maintenance.plans(world.manager, asset_id=asset_id)[0].contract_id == "HT-NEW"
