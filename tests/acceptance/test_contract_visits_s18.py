# mypy: disable-error-code="arg-type"
"""A service contract pays for its maintenance visits a year, and no more (seed 000 保養服務: 定期為產品
提供保養服務; ``ContractCoverage.visits_per_year``), on memory, SQLite and PostgreSQL (when a DSN is set).

- ``visits_per_year`` only set the default interval: a plan under a contract of two visits a year with
  a monthly interval made twelve visits, each treated as the contract's. Now the daily job counts the
  unit's visits the contract paid for in the contract year (by the due date the plan set; a missed
  visit counts for nothing): past the allowance the visit is made and charged as one without a
  contract, and its sheet says why (``service_contract_visits_used``).
- A visit the contract pays for was charged its service fee, and its charges were judged by the
  contract covering the unit on the day the visit's ticket was opened (the plan's lead time before the
  visit is due): a contract starting in between paid for nothing. The visit the contract pays for is
  now free of the contract's lines and of the service fee (the visit is what the contract sells); a
  visit without a contract is charged as before.
- A contract of no visits a year took plans whose visits it never paid for: refused.
"""

from __future__ import annotations

from datetime import date, timedelta

import attrs
import pytest
from test_warranty_s17 import Story, story

from aftersales.domain.maintenance import ChecklistResult, MaintenanceVisit
from aftersales.domain.money import Money
from aftersales.domain.service_contracts import ContractCoverage, ServiceContract
from aftersales.errors import ValidationError

__all__ = ["story"]

UNIT = "asset-old"  # out of warranty since 2024: without a contract a visit is charged


def _contract(visits: int, starts_on: date = date(2026, 3, 1)) -> ServiceContract:
    return ServiceContract(
        id="HT-V", starts_on=starts_on, ends_on=date(2027, 2, 28), price=Money("600.00", "CNY"),
        customer_id="cust-zh", assets=(UNIT,), coverage=ContractCoverage(visits_per_year=visits),
    )  # fmt: skip


def _next_visit(story: Story) -> MaintenanceVisit:
    desk, _clock, world = story
    (visit,) = desk.maintenance.generate_due(world.system).generated
    return visit


def _done_and_charged(story: Story, visit: MaintenanceVisit) -> tuple[Money, set[str]]:
    desk, _clock, world = story
    desk.start_work(world.dealer_sh_staff, visit.ticket_id)
    results = [ChecklistResult(task, True) for task in visit.checklist]
    desk.maintenance.complete_visit(world.dealer_sh_staff, visit.id, results=results)
    sheet = desk.charges.assess(world.dealer_sh_staff, visit.ticket_id)
    return sheet.customer_total, {r.code for line in sheet.lines for r in line.reasons}


def test_a_contract_pays_for_its_visits_a_year_and_the_next_is_charged(story: Story) -> None:
    desk, clock, world = story
    desk.contracts.sign(world.manager, _contract(visits=2))
    desk.maintenance.create_plan(
        world.manager, asset_id=UNIT, contract_id="HT-V", interval_months=1, first_due=date(2026, 3, 10)
    )
    free = Money("0.00", "CNY")
    for _ in range(2):
        visit = _next_visit(story)
        assert visit.contract_id == "HT-V" and visit.beyond_contract is None
        total, reasons = _done_and_charged(story, visit)
        assert total == free and "service_contract" in reasons  # the service fee too: the contract's visit
        clock.advance(timedelta(days=31))

    third = _next_visit(story)  # the contract's two visits of 2026-03-01…2027-02-28 are used
    assert third.contract_id is None and third.beyond_contract == "HT-V"
    total, reasons = _done_and_charged(story, third)
    assert total == Money("20.00", "CNY") and "service_contract_visits_used" in reasons
    assert "service_contract" not in reasons
    (plan,) = desk.maintenance.plans(world.manager, asset_id=UNIT)
    assert plan.contract_id == "HT-V" and plan.generate_on is not None  # the plan goes on


def test_a_missed_visit_uses_none_of_the_contracts_visits(story: Story) -> None:
    desk, _clock, world = story
    desk.contracts.sign(world.manager, _contract(visits=1))
    desk.maintenance.create_plan(
        world.manager, asset_id=UNIT, contract_id="HT-V", first_due=date(2026, 3, 10)
    )
    missed = _next_visit(story)
    desk.maintenance.miss_visit(world.manager, missed.id, reason="用户不在家")
    again = _next_visit(story)  # due again at once
    assert again.contract_id == "HT-V"
    assert _done_and_charged(story, again)[0] == Money("0.00", "CNY")


def test_a_visit_opened_before_its_contract_starts_is_paid_by_it(story: Story) -> None:
    """The visit's ticket is opened 14 days ahead; the contract starts in between and pays."""
    desk, _clock, world = story
    desk.contracts.sign(world.manager, _contract(visits=2, starts_on=date(2026, 3, 10)))
    desk.maintenance.create_plan(
        world.manager, asset_id=UNIT, contract_id="HT-V", first_due=date(2026, 3, 12)
    )
    visit = _next_visit(story)  # opened on 2 March
    assert visit.contract_id == "HT-V"
    assert _done_and_charged(story, visit)[0] == Money("0.00", "CNY")


def test_a_visit_without_a_contract_is_charged_as_before(story: Story) -> None:
    desk, _clock, world = story
    desk.maintenance.create_plan(world.manager, asset_id=UNIT, first_due=date(2026, 3, 10))
    visit = _next_visit(story)
    assert (visit.contract_id, visit.beyond_contract) == (None, None)
    total, reasons = _done_and_charged(story, visit)
    assert total == Money("20.00", "CNY") and not reasons & {
        "service_contract",
        "service_contract_visits_used",
    }


def test_a_contract_year_runs_from_its_start_to_the_day_before_the_anniversary() -> None:
    contract = attrs.evolve(_contract(visits=2, starts_on=date(2024, 2, 29)), ends_on=date(2026, 12, 31))
    assert contract.year_of(date(2024, 2, 29)) == (date(2024, 2, 29), date(2025, 2, 27))
    assert contract.year_of(date(2025, 2, 28)) == (date(2025, 2, 28), date(2026, 2, 27))
    assert contract.year_of(date(2026, 12, 31)) == (date(2026, 2, 28), date(2027, 2, 27))


def test_a_contract_of_no_visits_a_year_plans_no_visits(story: Story) -> None:
    """A contract with ``visits_per_year=0`` (repairs only) took plans, at the pack's interval, whose
    visits it would never pay for: refused naming ``contract_id``, nothing stored."""
    desk, _clock, world = story
    desk.contracts.sign(world.manager, _contract(visits=0))
    with pytest.raises(ValidationError) as refused:
        desk.maintenance.create_plan(world.manager, asset_id=UNIT, contract_id="HT-V")
    assert refused.value.field == "contract_id"
    with pytest.raises(ValidationError):
        desk.maintenance.plan_contract(world.manager, "HT-V", first_due=date(2026, 4, 1))
    assert desk.maintenance.plans(world.manager, asset_id=UNIT) == []
