"""Seed 002 分工 10 / 档案 b (每月对所维修情况进行一次统计; 每月3日之前将上月维修情况汇总): a dealer's month
counts each completion under the category it was accepted under.

A dealer's month counted every completion under the ticket's category *now*: correcting the category of
a repair after its acceptance (``reclassify`` is allowed on an accepted ticket: an installation logged as
a repair) moved April's accepted repair to April's installations after the dealer had filed April's
figures, and the filed report stopped matching. Each completion keeps its category now (memory: from the
log; SQLite: ``report_completions.category``, step 27; PostgreSQL: ``ticket_completions.category``); the
calls received (``category_counts``) still follow the corrected category.
"""

from __future__ import annotations

from datetime import datetime

from test_seed002_readings_s24 import SH, _call, _repaired_and_accepted, host

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Category
from aftersales.ports.reporting import GroupBy
from aftersales.reports.dealer_monthly import scoped_dealer_monthly
from aftersales.reports.months import month_period
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["host"]  # the stores' fixture, shared with session 24's readings


def _month(desk: ServiceDesk, world: World, month: str) -> tuple[int, int, bool | None]:
    report = scoped_dealer_monthly(desk, world.manager, reporting_for(desk.store), month)
    (row,) = [r for r in report.rows if r.dealer_id == "dealer-sh"]
    return row.installations, row.repairs, row.matches_ledger


def test_a_category_corrected_after_the_acceptance_leaves_the_reported_month_as_it_was(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = host
    clock.set(datetime(2026, 4, 20, 9, 0, tzinfo=SH))
    ticket_id = _call(desk, world)
    _repaired_and_accepted(desk, world, ticket_id)
    clock.set(datetime(2026, 5, 2, 10, 0, tzinfo=SH))
    desk.reports.submit_dealer_report(
        world.dealer_sh_staff, "dealer-sh", "2026-04", installations=0, repairs=1
    )
    assert _month(desk, world, "2026-04") == (0, 1, True)
    # On 5 May the office finds the job was the unit's installation, logged as a repair.
    clock.set(datetime(2026, 5, 5, 9, 0, tzinfo=SH))
    desk.reclassify(world.agent, ticket_id, category=Category.INSTALLATION, reason="实为新装")
    assert desk.ticket(world.manager, ticket_id).category == Category.INSTALLATION
    assert _month(desk, world, "2026-04") == (0, 1, True)
    queries = reporting_for(desk.store)
    april = month_period("2026-04", "Asia/Shanghai")
    assert queries.completed_category_counts(april, GroupBy.ALL) == {("all", "repair"): 1}
    # The calls received follow the correction: it was an installation call.
    received = queries.category_counts(april, GroupBy.ALL)
    assert received == {("all", Category.INSTALLATION.code): 1}


def test_a_category_corrected_before_the_acceptance_counts_under_the_corrected_one(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = host
    clock.set(datetime(2026, 4, 20, 9, 0, tzinfo=SH))
    ticket_id = _call(desk, world)
    desk.reclassify(world.agent, ticket_id, category=Category.INSTALLATION, reason="实为新装")
    _repaired_and_accepted(desk, world, ticket_id)
    assert _month(desk, world, "2026-04")[:2] == (1, 0)
