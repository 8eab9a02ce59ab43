# mypy: disable-error-code="arg-type"
"""A maintenance plan follows its unit's owner (seed 000 保養服務: 定期為產品提供保養服務), on memory,
SQLite and PostgreSQL (when a DSN is set).

- Sold on (``transfer_asset``): the plan kept naming the old owner, their region and dealer. The old
  owner went on reading the new owner's unit's plan, the new owner's dealer did not see it, and the
  daily job opened the visit's ticket for the old owner: the intake refused it (the unit is not
  theirs) and the whole batch failed, so no unit got its visit that day. The plan now moves with the
  unit (seed 002: 乙方负责所售产品的全过程服务 — the new owner's dealer serves it); a plan paid by the old
  owner's contract ends, that contract paying for nothing of the new owner's.
- Ended: ``end_plan`` asked for a reason and kept it nowhere, and a plan ended by the desk (contract
  cancelled or over, unit sold, customer erased) said nothing either. The plan keeps who ended it, when
  and why (``MaintenancePlan.ended``).
- Erased (PIPL): the erased customer's plan went on generating visits and dispatching a dealer to a
  person whose address is gone and who asked to be forgotten. Erasure ends their plans, as it declines
  their pending campaign surveys.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId
from aftersales.domain.maintenance import MaintenancePlan, PlanState
from aftersales.domain.money import Money
from aftersales.domain.parties import Customer, CustomerTier
from aftersales.domain.products import Asset
from aftersales.domain.service_contracts import ContractCoverage, ServiceContract
from aftersales.errors import InvalidTransition, ValidationError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

Story = tuple[ServiceDesk, ManualClock, World]
DUE = date(2026, 4, 20)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def story(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Story]:
    with world_desk(request.param, tmp_path, pack="sanitary_ware") as opened:
        desk, _clock, world = opened
        buyer = Customer(
            CustomerId("cust-bj"), "李四", Contact("李四", phone="13911112222"), CustomerTier.REGULAR,
            region="BJ", dealer_id=world.dealer_bj.id,
        )  # fmt: skip
        desk.register_customer(world.manager, buyer)
        other = Asset(
            AssetId("asset-2"), world.product.id, "SN-2025-0002", customer_id=world.cust_zh.id,
            purchase_date=date(2025, 9, 1), dealer_id=world.dealer_sh.id,
        )  # fmt: skip
        desk.register_asset(world.manager, other)
        yield opened


def _visits_by_unit(desk: ServiceDesk, world: World) -> dict[str, tuple[str, str | None, str | None]]:
    report = desk.maintenance.generate_due(world.system)
    out = {}
    for visit in report.generated:
        ticket = desk.ticket(world.manager, visit.ticket_id)
        assignee = ticket.assignee.id if ticket.assignee is not None else None
        out[visit.asset_id] = (ticket.customer_id, ticket.region, assignee)
    return out


def test_a_plan_follows_its_unit_sold_on(story: Story) -> None:
    desk, clock, world = story
    for unit in ("asset-1", "asset-2"):
        desk.maintenance.create_plan(world.manager, asset_id=unit, first_due=DUE)
    desk.transfer_asset(world.manager, "asset-1", customer_id="cust-bj", reason="二手转卖")

    (plan,) = desk.maintenance.plans(world.manager, asset_id="asset-1")
    assert (plan.customer_id, plan.region, plan.dealer_id) == ("cust-bj", "BJ", "dealer-bj")
    assert desk.maintenance.plans(world.customer_zh, asset_id="asset-1") == []  # no longer theirs
    assert [p.id for p in desk.maintenance.plans(world.dealer_bj_staff, asset_id="asset-1")] == [plan.id]
    assert desk.maintenance.plans(world.dealer_sh_staff, asset_id="asset-1") == []

    clock.advance(timedelta(days=40))
    visits = _visits_by_unit(desk, world)  # both units' visits: the sold one fails nothing
    assert visits == {
        "asset-1": ("cust-bj", "BJ", "dealer-bj"),
        "asset-2": ("cust-zh", "SH", "dealer-sh"),
    }


def test_a_plan_stored_before_its_unit_was_sold_follows_it_at_the_next_run(story: Story) -> None:
    """A plan record still naming the old owner (written before plans followed their units) is moved
    by the daily job instead of failing its batch."""
    desk, clock, world = story
    for unit in ("asset-1", "asset-2"):
        desk.maintenance.create_plan(world.manager, asset_id=unit, first_due=DUE)
    desk.transfer_asset(world.manager, "asset-1", customer_id="cust-bj", reason="二手转卖")
    with desk.context.store() as uow:  # as an earlier version left it
        stale = uow.documents.get(MaintenancePlan, "MP-asset-1")
        stale.customer_id, stale.region, stale.dealer_id = world.cust_zh.id, "SH", world.dealer_sh.id
        uow.documents.save(stale)
        uow.commit()

    clock.advance(timedelta(days=40))
    visits = _visits_by_unit(desk, world)
    assert visits["asset-1"] == ("cust-bj", "BJ", "dealer-bj")
    assert visits["asset-2"] == ("cust-zh", "SH", "dealer-sh")
    (plan,) = desk.maintenance.plans(world.manager, asset_id="asset-1")
    assert plan.customer_id == "cust-bj" and plan.open_visit_id is not None


def test_a_plan_paid_by_the_old_owners_contract_ends_when_the_unit_is_sold(story: Story) -> None:
    desk, clock, world = story
    contract = ServiceContract(
        id="HT-OWN", starts_on=date(2026, 3, 1), ends_on=date(2027, 2, 28), price=Money("800.00", "CNY"),
        customer_id=world.cust_zh.id, assets=("asset-1", "asset-2"),
        coverage=ContractCoverage(visits_per_year=2),
    )  # fmt: skip
    desk.contracts.sign(world.manager, contract)
    for unit in ("asset-1", "asset-2"):
        desk.maintenance.create_plan(world.manager, asset_id=unit, contract_id="HT-OWN", first_due=DUE)
    desk.transfer_asset(world.manager, "asset-1", customer_id="cust-bj", reason="二手转卖")

    (ended,) = desk.maintenance.plans(world.manager, asset_id="asset-1")
    assert ended.state is PlanState.ENDED and ended.generate_on is None
    assert ended.ended is not None and (ended.ended.reason, ended.ended.by) == (
        "unit_sold",
        world.manager.ref,
    )
    clock.advance(timedelta(days=40))
    assert set(_visits_by_unit(desk, world)) == {"asset-2"}  # the old owner's other unit: as before


def test_an_erased_customers_plans_generate_no_more_visits(story: Story) -> None:
    desk, clock, world = story
    desk.maintenance.create_plan(world.manager, asset_id="asset-1", first_due=DUE)
    desk.maintenance.create_plan(world.manager, asset_id="asset-2", first_due=DUE)
    desk.transfer_asset(world.manager, "asset-2", customer_id="cust-bj", reason="二手转卖")
    desk.privacy.erase_customer(Actor.privacy_officer("dpo-s18v"), world.cust_zh.id, "the customer asked")

    (plan,) = desk.maintenance.plans(world.manager, asset_id="asset-1")
    assert plan.state is PlanState.ENDED and plan.generate_on is None
    assert plan.ended is not None and plan.ended.reason == "customer_erased"
    clock.advance(timedelta(days=40))
    assert set(_visits_by_unit(desk, world)) == {"asset-2"}  # the buyer's unit is not theirs: still visited


def test_who_ended_a_plan_when_and_why_is_kept(story: Story) -> None:
    """``end_plan`` asked for a reason and kept it nowhere; a cancelled contract's plans ended without a
    word. The plan keeps who ended it, when and why."""
    desk, clock, world = story
    plan = desk.maintenance.create_plan(world.manager, asset_id="asset-1", first_due=DUE)
    ended = desk.maintenance.end_plan(world.manager, plan.id, reason="客户更换设备")
    assert ended.ended is not None
    assert (ended.ended.reason, ended.ended.by, ended.ended.at) == (
        "客户更换设备",
        world.manager.ref,
        clock.now(),
    )
    with pytest.raises(InvalidTransition):
        desk.maintenance.end_plan(world.manager, plan.id, reason="再次结束")
    assert desk.maintenance.plans(world.manager, asset_id="asset-1")[0].ended == ended.ended

    contract = ServiceContract(
        id="HT-END", starts_on=date(2026, 3, 1), ends_on=date(2027, 2, 28), price=Money("800.00", "CNY"),
        customer_id=world.cust_zh.id, assets=("asset-2",),
    )  # fmt: skip
    desk.contracts.sign(world.manager, contract)
    second = desk.maintenance.create_plan(
        world.manager, asset_id="asset-2", contract_id="HT-END", first_due=DUE
    )
    with pytest.raises(ValidationError) as refused:
        desk.maintenance.end_plan(world.manager, second.id, reason="x" * 501)
    assert refused.value.field == "reason"
    desk.contracts.cancel(world.manager, "HT-END", reason="客户退订")
    (cancelled,) = desk.maintenance.plans(world.manager, asset_id="asset-2")
    assert cancelled.ended is not None and cancelled.ended.reason == "contract_cancelled"


def test_a_plan_of_a_customer_erased_before_erasure_ended_plans_ends_at_the_next_run(story: Story) -> None:
    desk, clock, world = story
    desk.maintenance.create_plan(world.manager, asset_id="asset-1", first_due=DUE)
    desk.privacy.erase_customer(Actor.privacy_officer("dpo-s18v"), world.cust_zh.id, "the customer asked")
    with desk.context.store() as uow:  # as an earlier version left it: still active
        plan = uow.documents.get(MaintenancePlan, "MP-asset-1")
        plan.state, plan.generate_on = PlanState.ACTIVE, "2026-04-06"
        uow.documents.save(plan)
        uow.commit()
    clock.advance(timedelta(days=40))
    assert desk.maintenance.generate_due(world.system).generated == ()
    (ended,) = desk.maintenance.plans(world.manager, asset_id="asset-1")
    assert ended.state is PlanState.ENDED and ended.ended is not None
    assert ended.ended.reason == "customer_erased"
