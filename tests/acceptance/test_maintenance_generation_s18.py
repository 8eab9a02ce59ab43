# mypy: disable-error-code="arg-type"
"""The daily maintenance job is not stopped by one plan (seed 000 保養服務: 定期為產品提供保養服務), on
memory, SQLite and PostgreSQL (when a DSN is set).

- A missed visit makes its plan due again at once; the visit generated again took the missed one's id
  (``<plan>:<due date>``), the store refused it and the whole batch failed — no unit got its visit that
  day, nor any day after while the plan stayed due. It is now ``<plan>:<due date>:2``.
- A plan's id may have 64 characters, a visit's too: the visit of a plan with a long id
  (``<plan>:<due date>``) was refused with the same effect, and a unit with a long id could not be
  planned (``MP-<unit>``). Such ids are now shortened to a digest of the long part.
- A usage plan counted use from its first reading for ever: after a visit done without a reading, the
  next reading made the plan due again at once, a visit a day. The use is now counted from the visit
  (the last reading reported before it), and a reading lower than the last reported is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.ids import AssetId
from aftersales.domain.maintenance import ChecklistResult, UsageInterval, VisitState
from aftersales.domain.products import Asset
from aftersales.errors import ValidationError
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

Story = tuple[ServiceDesk, ManualClock, World]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def story(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Story]:
    with world_desk(request.param, tmp_path, pack="sanitary_ware") as opened:
        desk, _clock, world = opened
        other = Asset(
            AssetId("asset-2"), world.product.id, "SN-2025-0002", customer_id=world.cust_zh.id,
            purchase_date=date(2025, 9, 1), dealer_id=world.dealer_sh.id,
        )  # fmt: skip
        desk.register_asset(world.manager, other)
        yield opened


def test_a_missed_visit_is_generated_again_and_the_job_goes_on(story: Story) -> None:
    desk, _clock, world = story
    plan = desk.maintenance.create_plan(world.manager, asset_id="asset-1", first_due=date(2026, 3, 10))
    (missed,) = desk.maintenance.generate_due(world.system).generated
    desk.maintenance.miss_visit(world.manager, missed.id, reason="用户不在家")
    desk.maintenance.create_plan(world.manager, asset_id="asset-2", first_due=date(2026, 3, 10))

    again = {v.asset_id: v for v in desk.maintenance.generate_due(world.system).generated}
    assert set(again) == {"asset-1", "asset-2"}  # the other unit's visit too
    assert again["asset-1"].id == f"{plan.id}:2026-03-10:2" and again["asset-1"].ticket_id != missed.ticket_id
    assert desk.maintenance.visit(world.manager, missed.id).state is VisitState.MISSED
    desk.start_work(world.dealer_sh_staff, again["asset-1"].ticket_id)
    results = [ChecklistResult(task, True) for task in again["asset-1"].checklist]
    desk.maintenance.complete_visit(world.dealer_sh_staff, again["asset-1"].id, results=results)
    (done,) = desk.maintenance.plans(world.manager, asset_id="asset-1")
    assert done.last_done_on == date(2026, 3, 2) and done.open_visit_id is None


def test_a_plan_with_a_long_id_gets_its_visits(story: Story) -> None:
    desk, _clock, world = story
    long_id = "MP-" + "x" * 61  # 64 characters: a plan id's limit
    desk.maintenance.create_plan(
        world.manager, asset_id="asset-1", first_due=date(2026, 3, 10), plan_id=long_id
    )
    desk.maintenance.create_plan(world.manager, asset_id="asset-2", first_due=date(2026, 3, 10))
    made = {v.asset_id: v for v in desk.maintenance.generate_due(world.system).generated}
    assert set(made) == {"asset-1", "asset-2"}
    visit = made["asset-1"]
    assert visit.plan_id == long_id and len(visit.id) <= 64 and visit.id.endswith(":2026-03-10")
    desk.start_work(world.dealer_sh_staff, visit.ticket_id)  # addressable as any visit
    results = [ChecklistResult(task, True) for task in visit.checklist]
    desk.maintenance.complete_visit(world.dealer_sh_staff, visit.id, results=results)
    assert desk.maintenance.visit(world.manager, visit.id).state is VisitState.DONE


def test_a_unit_with_a_long_id_can_be_planned(story: Story) -> None:
    """Its plan was named ``MP-<unit>``: 67 characters for a unit id of 64, refused naming ``id``."""
    desk, _clock, world = story
    unit = "u" * 64
    desk.register_asset(
        world.manager,
        Asset(
            AssetId(unit), world.product.id, "SN-LONG", customer_id=world.cust_zh.id, dealer_id="dealer-sh"
        ),
    )
    first = desk.maintenance.create_plan(world.manager, asset_id=unit, first_due=date(2026, 3, 10))
    desk.maintenance.end_plan(world.manager, first.id, reason="客户更换设备")
    second = desk.maintenance.create_plan(world.manager, asset_id=unit, first_due=date(2026, 3, 10))
    assert len({first.id, second.id}) == 2 and max(len(first.id), len(second.id)) <= 64
    (visit,) = desk.maintenance.generate_due(world.system).generated
    assert visit.plan_id == second.id


def test_a_visit_done_without_a_reading_restarts_the_usage_count(story: Story) -> None:
    """Usage was counted from the first reading for ever: once a visit was done without a meter reading,
    the next reading made the plan due again at once (a visit a day), and a reading lower than the last
    one reported was taken."""
    desk, clock, world = story
    plan = desk.maintenance.create_plan(
        world.manager, asset_id="asset-1", first_due=date(2026, 9, 1), usage=UsageInterval(1000, "cycles")
    )
    for reading in (100, 900, 1200):  # 1,100 cycles since the first: due now
        plan = desk.maintenance.record_reading(world.manager, plan.id, reading)
    assert plan.next_due == date(2026, 3, 2)
    (visit,) = desk.maintenance.generate_due(world.system).generated
    desk.start_work(world.dealer_sh_staff, visit.ticket_id)
    results = [ChecklistResult(task, True) for task in visit.checklist]
    desk.maintenance.complete_visit(world.dealer_sh_staff, visit.id, results=results)  # no reading

    clock.advance(timedelta(days=1))
    plan = desk.maintenance.record_reading(world.manager, plan.id, 1250)  # 50 cycles since the visit
    assert plan.next_due == date(2026, 9, 2)
    assert desk.maintenance.generate_due(world.system).generated == ()
    with pytest.raises(ValidationError) as refused:
        desk.maintenance.record_reading(world.manager, plan.id, 1000)
    assert refused.value.field == "reading"
    plan = desk.maintenance.record_reading(world.manager, plan.id, 2300)  # 1,100 since the visit
    assert plan.next_due == date(2026, 3, 3)
