"""Issue 26 re-read by a peer tester (session 32, h): maintenance plans, service contracts and survey
campaigns through the public API, on memory, SQLite and PostgreSQL.

Each test follows one bullet of the issue's "Tests" section as a host developer would write it. Two
defects were found and fixed (``domain/maintenance.py``): a checklist task that is no code was refused
naming ``unit`` (the attribute whose check it borrowed), not ``checklist``; and an interval or lead time
out of range — or of the wrong type at the command — was refused with its rule in English only (or, for a
wrong type, with the 64-bit range), so a Chinese reader read "输入有误：interval_months（interval_months is
a whole number of months from 1 to 120）".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales import (
    Actor,
    Asset,
    ChecklistResult,
    Contact,
    ContractCoverage,
    Customer,
    Dealer,
    Money,
    Product,
    SamplingRules,
    SatisfactionSurvey,
    ServiceContract,
    ServiceDesk,
    UsageInterval,
    render_error,
)
from aftersales.adapters import ManualClock, MemoryNotifier
from aftersales.errors import ValidationError
from conftest import store_url

SH = ZoneInfo("Asia/Shanghai")
STORES = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
MANAGER, AGENT, SYSTEM = Actor.manager("mgr"), Actor.agent("ag"), Actor.system()
UNITS = tuple(f"u{n:03}" for n in range(50))


@pytest.fixture(params=STORES)
def opened(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ManualClock]]:
    """A bathroom-fixture desk (dealers dispatched by territory) with two dealers, two customers, the
    first owning 50 units and the second one."""
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=SH))
    with (
        store_url(request.param, tmp_path) as url,
        ServiceDesk.open(url, pack="sanitary_ware", clock=clock, notifier=MemoryNotifier()) as desk,
    ):
        for dealer, region, phone in (
            ("pudong", "sh-pudong", "13900000001"),
            ("minhang", "sh-minhang", "13900000002"),
        ):
            desk.register_dealer(
                MANAGER, Dealer(dealer, f"{dealer}网点", region, contact=Contact(dealer, phone=phone))
            )
        desk.register_customer(
            MANAGER,
            Customer(
                "c1", "张伟", Contact("张伟", phone="13912345670"), region="sh-pudong", dealer_id="pudong"
            ),
        )
        desk.register_customer(
            MANAGER,
            Customer(
                "c2", "李娜", Contact("李娜", phone="13912345671"), region="sh-minhang", dealer_id="minhang"
            ),
        )
        desk.register_product(MANAGER, Product("wc-100", "WC-100", "智能马桶", "toilet"))
        for n, unit in enumerate(UNITS):
            desk.register_asset(
                MANAGER, Asset(unit, "wc-100", f"SN-{n:03}", customer_id="c1", dealer_id="pudong")
            )
        desk.register_asset(MANAGER, Asset("x1", "wc-100", "SN-X1", customer_id="c2", dealer_id="minhang"))
        yield desk, clock  # fmt: skip


def _contract(ends_on: date = date(2027, 2, 28), remind_days: int = 30) -> ServiceContract:
    return ServiceContract(
        id="HT-1",
        customer_id="c1",
        assets=UNITS,
        starts_on=date(2026, 3, 1),
        ends_on=ends_on,
        price=Money("3600.00", "CNY"),
        coverage=ContractCoverage(labour=True, parts=False, travel=True, visits_per_year=2),
        remind_days=remind_days,
    )


def test_fifty_units_on_a_six_month_plan_are_visited_dispatched_completed_and_postponed(
    opened: tuple[ServiceDesk, ManualClock],
) -> None:
    desk, clock = opened
    desk.contracts.sign(MANAGER, _contract())
    clock.set(datetime(2026, 3, 1, 9, 0, tzinfo=SH))
    plans = desk.maintenance.plan_contract(MANAGER, "HT-1", interval_months=6, first_due=date(2026, 3, 16))
    assert len(plans) == 50 and {p.lead_days for p in plans} == {14}
    assert desk.maintenance.generate_due(SYSTEM).generated == ()  # 15 days ahead: not yet

    clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=SH))  # 14 days ahead of the due day
    visits = desk.maintenance.generate_due(SYSTEM).generated
    assert len(visits) == 50 and {v.contract_id for v in visits} == {"HT-1"}
    assert desk.maintenance.generate_due(SYSTEM).generated == ()  # run again: nothing twice
    for visit in visits[:5]:
        ticket = desk.ticket(MANAGER, visit.ticket_id)
        assert (ticket.state, ticket.assignee and ticket.assignee.id) == ("assigned", "pudong")

    dealer = Actor.dealer_staff("pd-1", "pudong", {"sh-pudong"})
    done = visits[0]
    desk.start_work(dealer, done.ticket_id)
    clock.advance(timedelta(days=1))
    desk.maintenance.complete_visit(
        dealer, done.id, results=[ChecklistResult(t, True) for t in done.checklist]
    )
    (plan,) = desk.maintenance.plans(MANAGER, asset_id=done.asset_id)
    assert plan.next_due == date(2026, 9, 3)  # six months after the day it was done

    moved = visits[1]
    desk.maintenance.postpone_visit(MANAGER, moved.id, to=date(2026, 4, 10), reason="客户出差")
    kept = desk.maintenance.visit(MANAGER, moved.id)
    assert kept.due_on == date(2026, 4, 10)
    (change,) = kept.changes
    assert (change.kind, change.reason, change.from_due) == ("postponed", "客户出差", date(2026, 3, 16))


def test_an_expiring_contract_is_announced_once_and_an_ended_one_generates_nothing(
    opened: tuple[ServiceDesk, ManualClock],
) -> None:
    desk, clock = opened
    desk.contracts.sign(MANAGER, _contract(ends_on=date(2026, 3, 31), remind_days=30))
    desk.maintenance.plan_contract(MANAGER, "HT-1", interval_months=6, first_due=date(2026, 4, 15))
    assert [c.id for c in desk.contracts.remind_expiring(SYSTEM)] == ["HT-1"]  # 2 March: 29 days left
    assert desk.contracts.remind_expiring(SYSTEM) == []  # once

    clock.set(datetime(2026, 4, 2, 9, 0, tzinfo=SH))  # the contract ended on 31 March
    assert desk.maintenance.generate_due(SYSTEM).generated == ()
    assert desk.maintenance.visits(MANAGER) == []


def _refused(call: object) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        call()  # type: ignore[operator]
    return refused.value


def test_bad_input_is_a_typed_error_naming_field_and_rule_and_nothing_is_stored(
    opened: tuple[ServiceDesk, ManualClock],
) -> None:
    desk, _clock = opened
    desk.contracts.sign(MANAGER, _contract())
    overlapping = ServiceContract(
        id="HT-2", customer_id="c1", assets=("u001",), starts_on=date(2026, 9, 1), ends_on=date(2027, 8, 31),
        price=Money("100.00", "CNY"),
    )  # fmt: skip
    assert _refused(lambda: desk.contracts.sign(MANAGER, overlapping)).field == "assets"
    assert [c.id for c in desk.contracts.of_customer(MANAGER, "c1")] == ["HT-1"]

    for interval in (0, -1, 121, "6"):
        error = _refused(
            lambda interval=interval: desk.maintenance.create_plan(  # type: ignore[misc]
                MANAGER, asset_id="u000", interval_months=interval
            )
        )
        assert (error.field, error.rule, dict(error.rule_params)) == (
            "interval_months", "whole_number", {"least": 1, "most": 120},
        )  # fmt: skip
        assert render_error(error, "zh_Hans") == "输入有误：interval_months 应为 1 至 120 之间的整数"
    lead = _refused(lambda: desk.maintenance.create_plan(MANAGER, asset_id="u000", lead_days=-1))
    assert (lead.field, lead.rule) == ("lead_days", "whole_number")
    assert _refused(lambda: UsageInterval(0, "hours")).rule == "whole_number"
    task = _refused(
        lambda: desk.maintenance.create_plan(MANAGER, asset_id="u000", checklist=["Clean Filter"])
    )
    assert (task.field, task.rule) == ("checklist", "snake_code")
    other = _refused(lambda: desk.maintenance.create_plan(MANAGER, asset_id="x1", contract_id="HT-1"))
    assert other.field == "contract_id"  # another customer's unit under c1's contract
    assert desk.maintenance.plans(MANAGER, customer_id="c1") == []
    assert desk.maintenance.plans(MANAGER, customer_id="c2") == []


def test_a_quarterly_campaign_never_picks_a_customer_surveyed_within_90_days_and_reports_the_answers(
    opened: tuple[ServiceDesk, ManualClock],
) -> None:
    desk, clock = opened
    rules = SamplingRules(served_within_days=None, exclude_surveyed_days=90, sample_size=10)
    desk.surveys.start(MANAGER, campaign_id="2026-Q1", period="2026-Q1", rules=rules)
    tasks = {t.customer_id: t for t in desk.surveys.tasks(AGENT, "2026-Q1")}
    assert set(tasks) == {"c1", "c2"}
    desk.surveys.answer(AGENT, tasks["c1"].id, survey=SatisfactionSurvey(5, 4, 5, 4, 5, 5, attitude=5))
    total = desk.surveys.results(MANAGER, "2026-Q1").total
    assert (total.sampled, total.answered) == (2, 1)
    assert total.overall == 5 and total.attitude == 5

    # Sampled is asked: a customer whose task was made (answered or not) is not asked again within 90 days.
    clock.set(datetime(2026, 5, 30, 9, 0, tzinfo=SH))  # 89 days after the Q1 tasks were made
    desk.surveys.start(MANAGER, campaign_id="2026-Q2", period="2026-Q2", rules=rules)
    assert desk.surveys.tasks(AGENT, "2026-Q2") == []
    clock.set(datetime(2026, 6, 1, 9, 0, tzinfo=SH))  # 91 days
    desk.surveys.start(MANAGER, campaign_id="2026-Q2b", period="2026-Q2", rules=rules)
    assert {t.customer_id for t in desk.surveys.tasks(AGENT, "2026-Q2b")} == {"c1", "c2"}
