# mypy: disable-error-code="arg-type"
"""Preventive maintenance and service contracts through the desk (seeds 000 保養服務, 001 定期維護計劃)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.ids import AssetId
from aftersales.domain.maintenance import (
    ChecklistResult,
    MaintenancePlan,
    MaintenanceVisit,
    PlanState,
    VisitState,
)
from aftersales.domain.money import Money
from aftersales.domain.products import Asset
from aftersales.domain.service_contracts import ContractCoverage, ServiceContract
from aftersales.errors import InvalidTransition, NotFound, ValidationError
from aftersales.reports.maintenance import plan_compliance
from aftersales.service.desk import ServiceDesk
from conftest import World

UNITS = 50


def units(desk: ServiceDesk, world: World, count: int = UNITS) -> list[str]:
    ids = []
    for i in range(count):
        asset = Asset(
            AssetId(f"u-{i:03d}"), world.product.id, f"SN-M-{i:05d}", customer_id=world.cust_zh.id,
            purchase_date=date(2025, 9, 1), dealer_id=world.dealer_sh.id,
        )  # fmt: skip
        desk.register_asset(world.manager, asset)
        ids.append(asset.id)
    return ids


def contract(world: World, assets: list[str], **kw: object) -> ServiceContract:
    args: dict[str, object] = {
        "id": "HT-2026-001", "starts_on": date(2026, 3, 1), "ends_on": date(2027, 2, 28),
        "price": Money("36000.00", "CNY"), "customer_id": world.cust_zh.id, "assets": tuple(assets),
        "coverage": ContractCoverage(labour=True, parts=False, travel=True, visits_per_year=2),
    }  # fmt: skip
    args.update(kw)
    return ServiceContract(**args)


def all_results(visit: MaintenanceVisit) -> list[ChecklistResult]:
    return [ChecklistResult(task, True) for task in visit.checklist]


def test_a_contract_of_50_units_with_a_six_month_plan(
    desk: ServiceDesk, world: World, clock: ManualClock
) -> None:
    assets = units(desk, world)
    signed = desk.contracts.sign(world.manager, contract(world, assets))
    assert signed.history[0].kind == "signed"
    for asset_id in assets:
        desk.maintenance.create_plan(
            world.manager,
            asset_id=asset_id,
            interval_months=6,
            contract_id=signed.id,
            first_due=date(2026, 4, 1),
        )
    # 14 days ahead of 1 April is 18 March: nothing on the 17th, all 50 on the 18th.
    assert desk.maintenance.generate_due(world.system, date(2026, 3, 17)).generated == ()
    clock.advance(timedelta(days=16))
    report = desk.maintenance.generate_due(world.system)
    assert len(report.generated) == UNITS
    assert desk.maintenance.generate_due(world.system).generated == ()  # never twice
    first = report.generated[0]
    ticket = desk.ticket(world.manager, first.ticket_id)
    assert ticket.category.code == "maintenance"
    assert ticket.assignee is not None and ticket.assignee.id == world.dealer_sh.id  # the unit's dealer
    # The dealer's engineer does the visit.
    staff = world.dealer_sh_staff
    desk.start_work(staff, first.ticket_id)
    desk.maintenance.complete_visit(staff, first.id, results=all_results(first), parts=[("WN-SEAL-02", 1)])
    done = desk.maintenance.visit(world.manager, first.id)
    assert done.state is VisitState.DONE and done.parts == (("WN-SEAL-02", 1),)
    plan = desk.maintenance.plans(world.manager, asset_id=first.asset_id)[0]
    assert plan.last_done_on == date(2026, 3, 18) and plan.next_due == date(2026, 9, 18)
    assert plan.open_visit_id is None and plan.generate_on == "2026-09-04"
    history = desk.ticket(world.auditor, first.ticket_id).events
    assert any(e.action == "add_visit" and e.payload["kind"] == "maintenance" for e in history)
    # A postponed visit keeps its reason and counts against the date the plan set.
    second = report.generated[1]
    desk.maintenance.postpone_visit(world.manager, second.id, to=date(2026, 4, 10), reason="客户出差")
    moved = desk.maintenance.visit(world.manager, second.id)
    assert moved.due_on == date(2026, 4, 10) and moved.changes[0].reason == "客户出差"
    rows = plan_compliance(desk.context.store, date(2026, 3, 1), date(2026, 4, 30), today=date(2026, 5, 1))
    total = rows[-1]
    assert total.group == "total" and total.due == UNITS and total.on_time == 1


def test_a_missed_visit_is_recorded_and_the_plan_is_due_again(
    desk: ServiceDesk, world: World, clock: ManualClock
) -> None:
    [asset_id] = units(desk, world, 1)
    plan = desk.maintenance.create_plan(world.manager, asset_id=asset_id, first_due=date(2026, 3, 10))
    visit = desk.maintenance.generate_due(world.system).generated[0]  # already within the lead time
    desk.maintenance.miss_visit(world.manager, visit.id, reason="用户拒绝上门")
    missed = desk.maintenance.visit(world.manager, visit.id)
    assert missed.state is VisitState.MISSED and missed.changes[-1].reason == "用户拒绝上门"
    assert desk.ticket(world.manager, visit.ticket_id).state == "cancelled"
    again = desk.maintenance.plans(world.manager, asset_id=asset_id)[0]
    assert again.id == plan.id and again.open_visit_id is None
    with pytest.raises(InvalidTransition):
        desk.maintenance.complete_visit(world.manager, visit.id, results=all_results(visit))


def test_an_expiring_contract_is_reminded_once_and_stops_generating(
    desk: ServiceDesk, world: World, clock: ManualClock, notifier: MemoryNotifier
) -> None:
    assets = units(desk, world, 2)
    signed = desk.contracts.sign(
        world.manager, contract(world, assets, starts_on=date(2026, 1, 1), ends_on=date(2026, 3, 31))
    )
    desk.maintenance.create_plan(
        world.manager, asset_id=assets[0], contract_id=signed.id, first_due=date(2026, 3, 20)
    )
    reminded = desk.contracts.remind_expiring(world.system)
    assert [c.id for c in reminded] == [signed.id]  # within 30 days of 31 March
    assert desk.contracts.remind_expiring(world.system) == []
    desk.deliver()
    assert any("HT-2026-001" in m.subject or "HT-2026-001" in m.body for m in notifier.sent)
    # The plan's next visit would fall after the contract: nothing is generated for it.
    clock.advance(timedelta(days=30))
    first = desk.maintenance.generate_due(world.system).generated
    assert len(first) == 1
    desk.start_work(world.dealer_sh_staff, first[0].ticket_id)
    desk.maintenance.complete_visit(world.dealer_sh_staff, first[0].id, results=all_results(first[0]))
    clock.advance(timedelta(days=200))
    assert desk.maintenance.generate_due(world.system).generated == ()
    ended = desk.maintenance.plans(world.manager, asset_id=assets[0])[0]
    assert ended.state.value == "ended"


def test_bad_contracts_and_plans_are_refused_and_nothing_is_stored(
    desk: ServiceDesk, world: World, db_path: Path
) -> None:
    assets = units(desk, world, 3)
    desk.contracts.sign(world.manager, contract(world, assets[:2]))
    with pytest.raises(ValidationError) as overlap:
        desk.contracts.sign(world.manager, contract(world, assets[1:], id="HT-2026-002"))
    assert overlap.value.field == "assets" and assets[1] in str(overlap.value)
    with pytest.raises(NotFound):
        desk.contracts.get(world.manager, "HT-2026-002")
    with pytest.raises(ValidationError) as zero:
        desk.maintenance.create_plan(world.manager, asset_id=assets[2], interval_months=0)
    assert zero.value.field == "interval_months"
    other = Asset(AssetId("u-other"), world.product.id, "SN-OTHER", customer_id=world.cust_en.id)
    desk.register_asset(world.manager, other)
    with pytest.raises(ValidationError) as foreign:
        desk.contracts.sign(world.manager, contract(world, [other.id], id="HT-2026-003"))
    assert foreign.value.field == "assets"
    with pytest.raises(NotFound):  # a dealer of another region cannot plan this customer's unit
        desk.maintenance.create_plan(world.dealer_bj_staff, asset_id=assets[2])
    with desk.context.store() as uow:
        assert uow.documents.query(MaintenancePlan, asset_id=assets[2]) == []
        assert len(uow.documents.query(ServiceContract, customer_id=world.cust_zh.id)) == 1


def test_usage_readings_bring_a_visit_forward(desk: ServiceDesk, world: World) -> None:
    from aftersales.domain.maintenance import UsageInterval

    [asset_id] = units(desk, world, 1)
    plan = desk.maintenance.create_plan(
        world.manager, asset_id=asset_id, first_due=date(2026, 9, 1), usage=UsageInterval(5000, "cycles")
    )
    desk.maintenance.record_reading(world.manager, plan.id, 100)
    assert desk.maintenance.generate_due(world.system).generated == ()
    desk.maintenance.record_reading(world.manager, plan.id, 5200)
    assert len(desk.maintenance.generate_due(world.system).generated) == 1


def test_hostile_arguments_get_typed_errors_naming_the_field(desk: ServiceDesk, world: World) -> None:
    [asset_id] = units(desk, world, 1)
    with pytest.raises(ValidationError) as text_months:
        desk.maintenance.create_plan(world.manager, asset_id=asset_id, interval_months="6")  # type: ignore[arg-type]
    assert text_months.value.field == "interval_months"
    with pytest.raises(ValidationError) as truthy:
        desk.contracts.cancel(world.manager, "HT-1", reason="\x00")
    assert truthy.value.field == "reason"
    with pytest.raises(ValidationError) as pair:
        desk.maintenance.complete_visit(world.manager, "v", results=[], parts=[("WN-1", "2")])  # type: ignore[list-item]
    assert pair.value.field is not None and pair.value.field.startswith("parts")
    with desk.context.store() as uow:
        assert uow.documents.query(MaintenancePlan, asset_id=asset_id) == []


def test_a_postponed_visit_takes_its_sla_to_the_new_day(desk: ServiceDesk, world: World) -> None:
    from datetime import datetime

    from conftest import SHANGHAI

    [asset_id] = units(desk, world, 1)
    desk.maintenance.create_plan(world.manager, asset_id=asset_id, first_due=date(2026, 3, 10))
    visit = desk.maintenance.generate_due(world.system).generated[0]
    assert visit.ticket_id is not None
    first = desk.sla(world.manager, visit.ticket_id)["resolution"].due_at
    assert first == datetime(2026, 3, 11, tzinfo=SHANGHAI)  # the end of the due day, not 3 working days
    desk.maintenance.postpone_visit(world.manager, visit.id, to=date(2026, 3, 20), reason="客户装修")
    status = desk.sla(world.manager, visit.ticket_id)
    assert status["resolution"].due_at == datetime(2026, 3, 21, tzinfo=SHANGHAI)
    assert status["arrival"].due_at == datetime(2026, 3, 21, tzinfo=SHANGHAI)
    view = desk.ticket(world.auditor, visit.ticket_id)
    extended = [e for e in view.events if e.action == "extend_sla"]
    assert {e.payload["sla_extension"] for e in extended} == {"response", "arrival", "resolution"}
    assert all(e.reason == "客户装修" for e in extended)
    assert view.resolution_due_at == datetime(2026, 3, 21, tzinfo=SHANGHAI)


def test_a_contract_plans_all_its_units_at_once_and_a_unit_can_be_planned_again(
    desk: ServiceDesk, world: World
) -> None:
    assets = units(desk, world, 4)
    visits_4 = ContractCoverage(labour=True, parts=True, travel=True, visits_per_year=4)
    signed = desk.contracts.sign(world.manager, contract(world, assets[:3], coverage=visits_4))
    first = desk.maintenance.create_plan(world.manager, asset_id=assets[0], contract_id=signed.id)
    assert first.interval_months == 3  # four visits a year
    made = desk.maintenance.plan_contract(world.manager, signed.id, first_due=date(2026, 4, 1))
    assert sorted(p.asset_id for p in made) == assets[1:3]  # the first kept its plan; the 4th: not covered
    assert all(p.contract_id == signed.id and p.interval_months == 3 for p in made)
    assert desk.maintenance.plan_contract(world.manager, signed.id) == []
    with pytest.raises(NotFound):
        desk.maintenance.plan_contract(world.dealer_bj_staff, signed.id)
    desk.maintenance.end_plan(world.manager, first.id, reason="客户更换设备")
    again = desk.maintenance.create_plan(world.manager, asset_id=assets[0], interval_months=12)
    assert again.id != first.id and again.interval_months == 12


def test_overdue_visits_are_reminded_to_their_dealer_once_a_day(
    desk: ServiceDesk, world: World, clock: ManualClock, notifier: MemoryNotifier
) -> None:
    assets = units(desk, world, 3)
    for asset_id, due in zip(assets, (date(2026, 3, 5), date(2026, 3, 9), date(2026, 3, 30)), strict=True):
        desk.maintenance.create_plan(world.manager, asset_id=asset_id, first_due=due)
    generated = desk.maintenance.generate_due(world.system).generated
    assert len(generated) == 2  # the third is not within 14 days yet
    assert desk.maintenance.remind_overdue(world.system) == ()
    clock.advance(timedelta(days=8))  # 10 March: both past their due day
    desk.start_work(world.dealer_sh_staff, generated[0].ticket_id)
    desk.maintenance.complete_visit(world.dealer_sh_staff, generated[0].id, results=all_results(generated[0]))
    overdue = desk.maintenance.remind_overdue(world.system)
    assert [v.id for v in overdue] == [generated[1].id]  # the done one is not overdue
    desk.deliver()
    sent = [m for m in notifier.sent if generated[1].id in m.body]
    assert sent and all("2026" in m.body for m in sent)
    assert {m.recipient for m in sent} <= {"13900000001", "service@pudong-dealer.example"}  # the dealer's
    before = len(notifier.sent)
    desk.maintenance.remind_overdue(world.system)
    desk.deliver()
    assert len(notifier.sent) == before  # once a day


def test_a_plan_record_that_breaks_the_generation_rule_is_not_generated_and_leaves_the_range(
    desk: ServiceDesk, world: World, clock: ManualClock
) -> None:
    # The daily job reads the generation-day range alone (no state probe per plan, issue 26): a record
    # written outside the domain's rule (ended, or a visit open, with a generation day) is refused by the
    # job, which clears its day so it is not read again.
    [first, second, third] = units(desk, world, 3)
    day = clock.now().date()
    common = {
        "customer_id": world.cust_zh.id, "product_id": world.product.id, "interval_months": 6,
        "checklist": ("inspect",),
    }  # fmt: skip
    ended = MaintenancePlan(id="MP-x1", asset_id=first, next_due=day, lead_days=0, **common)
    ended.state = PlanState.ENDED  # the day stays set, as an old or hand-written record may have it
    waiting = MaintenancePlan(id="MP-x2", asset_id=second, next_due=day, lead_days=0, **common)
    waiting.open_visit_id = "MP-x2:2026-01-01"
    with desk.context.store() as uow:
        uow.documents.add(ended)
        uow.documents.add(waiting)
        uow.commit()
    desk.maintenance.create_plan(world.manager, asset_id=third, first_due=day)
    report = desk.maintenance.generate_due(world.system)
    assert [v.asset_id for v in report.generated] == [third]
    with desk.context.store() as uow:
        assert uow.documents.get(MaintenancePlan, "MP-x1").generate_on is None
        assert uow.documents.get(MaintenancePlan, "MP-x2").generate_on is None
        assert uow.documents.get(MaintenancePlan, "MP-x1").state is PlanState.ENDED
    assert desk.maintenance.generate_due(world.system).generated == ()
