# mypy: disable-error-code="arg-type"
"""Session 18, budgets (seed 000 售后维护费用管理) through the desk, on memory, SQLite and PostgreSQL.

费用预算: 售后维护管理部门每年…编制售后维护费用预算, 报公司管理层审批. 费用控制: 严格按照费用预算控制
售后维护费用的支出, 对超出预算的费用进行分析和审批. 内部监督: 内部审计部门定期…检查…售后维护费用的使用情况.

- An approved budget changed later keeps the approval it replaced: the audit reads what was approved first,
  by whom and when (before: the new approval overwrote it, no record left).
- What may be spent (budget plus approved overruns) stays a sum of Money: an overrun or a new amount that
  would take it out of bounds is refused naming ``amount`` (before: stored, then every read of the year's
  budget report failed).
- A budget is set in the desk's currency (the pack's ``fees.currency``) and the report reads in it by
  default (before: a budget in another currency was approved and never shown; a USD desk's report read
  CNY).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.money import Money
from aftersales.errors import CurrencyMismatch, InvalidMoney
from aftersales.policies.fees import DefaultFeesPolicy, FeesParams
from aftersales.reports import budget_report, scoped_budget_report
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import World, store_url, world_desk

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 1, 5, 9, 0, tzinfo=SHANGHAI)
GM = Actor.general_manager("gm-1")
NEXT_GM = Actor.general_manager("gm-2")
AUDITOR = Actor.auditor("audit-1")
BACKENDS = ["memory", "sqlite", "postgres"]


@contextlib.contextmanager
def _desk(backend: str, tmp_path: Path, currency: str = "CNY") -> Iterator[tuple[ServiceDesk, ManualClock]]:
    clock = ManualClock(START)
    overrides = {"fees": DefaultFeesPolicy(FeesParams(currency=currency))}
    with (
        store_url(backend, tmp_path, "budgets-s18.db") as url,
        ServiceDesk.open(url, pack="service_centre", overrides=overrides, clock=clock) as desk,
    ):
        yield desk, clock


def _cny(amount: str) -> Money:
    return Money(amount, "CNY")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_budget_approved_again_keeps_the_approval_it_replaced(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as (desk, clock):
        charges = desk.charges
        charges.set_budget(GM, "2026", "materials", _cny("80000"), note="2026 年度维修材料费")
        charges.approve_overrun(GM, "2026", "materials", _cny("5000"), reason="暴雨后报修激增")
        clock.advance(timedelta(days=180))
        mid_year = clock.now()
        charges.set_budget(NEXT_GM, "2026", "materials", _cny("60000"), note="年中下调")
        clock.advance(timedelta(days=30))
        charges.set_budget(GM, "2026", "materials", _cny("70000"))
        [stored] = charges.budgets(AUDITOR, "2026")
        assert (stored.amount, stored.approved_by, stored.note) == (_cny("70000"), GM.ref, "")
        assert [(r.amount, r.note, r.approved_by, r.approved_at) for r in stored.revisions] == [
            (_cny("80000"), "2026 年度维修材料费", GM.ref, START),
            (_cny("60000"), "年中下调", NEXT_GM.ref, mid_year),
        ]
        assert stored.allowed == _cny("75000")  # the overrun approved stays


@pytest.mark.parametrize("backend", BACKENDS)
def test_what_may_be_spent_stays_within_the_bounds_of_money(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as (desk, _clock):
        charges = desk.charges
        charges.set_budget(GM, "2026", "labour", _cny("9000000000"))
        with pytest.raises(InvalidMoney) as refused:
            charges.approve_overrun(GM, "2026", "labour", _cny("9000000000"), reason="全国召回")
        assert refused.value.field == "amount"
        charges.approve_overrun(GM, "2026", "labour", _cny("500000000"), reason="全国召回")
        with pytest.raises(InvalidMoney) as refused:
            charges.set_budget(GM, "2026", "labour", _cny("9999999999"))
        assert refused.value.field == "amount"
        [stored] = charges.budgets(AUDITOR, "2026")
        assert (stored.amount, stored.allowed) == (_cny("9000000000"), _cny("9500000000"))
        (row,) = scoped_budget_report(desk, AUDITOR, "2026").rows  # the report still reads
        assert row.approved_overrun == _cny("500000000")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_budget_is_set_and_reported_in_the_desks_currency(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path, currency="USD") as (desk, _clock):
        charges = desk.charges
        with pytest.raises(CurrencyMismatch) as refused:
            charges.set_budget(GM, "2026", "travel", _cny("3000"))
        assert refused.value.field == "amount"
        assert charges.budgets(AUDITOR, "2026") == ()
        charges.set_budget(GM, "2026", "travel", Money("400", "USD"))
        report = scoped_budget_report(desk, AUDITOR, "2026")
        assert report.currency == "USD"
        assert [(r.category, r.budget) for r in report.rows] == [("travel", Money("400", "USD"))]
        assert scoped_budget_report(desk, AUDITOR, "2026", currency="CNY").rows == ()


def _spend(desk: ServiceDesk, world: World, amount: str) -> None:
    """A valve given free (in warranty) on a new call, at cost."""
    opened = desk.open_ticket(world.agent, customer_id="cust-zh", description="漏水", asset_id="asset-1")
    line = ChargeLine(ChargeKind.MATERIALS, "VALVE-01", _cny(amount), 1, chargeable=False)
    desk.fees.record_free_issue(world.agent, opened.ticket.id, [line])


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_month_is_judged_against_its_year_s_budget(backend: str, tmp_path: Path) -> None:
    # 每年…编制售后维护费用预算: the budget is the year's. Before, every category a month spent on was
    # flagged an unapproved overrun in the month's report, within the year's budget or not.
    with world_desk(backend, tmp_path) as (desk, clock, world):
        desk.charges.set_budget(GM, "2026", "materials", _cny("100.00"))
        clock.set(datetime(2026, 2, 10, 10, 0, tzinfo=SHANGHAI))
        _spend(desk, world, "60.00")
        clock.set(datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI))
        _spend(desk, world, "30.00")
        desk.fees.record_free_issue(
            world.agent,
            desk.open_ticket(
                world.agent, customer_id="cust-zh", description="上门", asset_id="asset-1"
            ).ticket.id,
            [ChargeLine(ChargeKind.TRAVEL, "pudong", _cny("5.00"), 1, chargeable=False)],
        )
        # travel is budgeted neither for the month nor for the year: over as soon as it spends
        march = {r.category: r for r in scoped_budget_report(desk, AUDITOR, "2026-03").rows}
        materials = march["materials"]
        assert (materials.budget, materials.actual) == (None, _cny("30.00"))  # no budget of its own
        assert not materials.over_budget and not materials.unapproved_overrun
        assert (materials.year_budget, materials.year_to_date) == (_cny("100.00"), _cny("90.00"))
        assert march["travel"].unapproved_overrun
        clock.set(datetime(2026, 4, 2, 10, 0, tzinfo=SHANGHAI))
        _spend(desk, world, "20.00")
        april = scoped_budget_report(desk, AUDITOR, "2026-04")
        assert april.unapproved == ("materials",)  # 110.00 spent of a year's 100.00
        desk.charges.approve_overrun(GM, "2026", "materials", _cny("15.00"), reason="四月集中换阀")
        april = scoped_budget_report(desk, AUDITOR, "2026-04")
        assert april.rows[0].over_budget and april.unapproved == ()
        with desk.store() as uow:  # the batch job's report judges the same
            assert budget_report(uow.documents, "2026-03").unapproved == ("travel",)
