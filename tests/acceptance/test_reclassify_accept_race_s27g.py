# mypy: disable-error-code="arg-type"
"""Two desks racing a category correction against the customer's acceptance (session 27 g).

Seed 002 分工 10 (每月对所维修情况进行一次统计): a dealer's month counts each completion under the category
it was accepted under (session 26: memory from the log, SQLite ``report_completions.category``,
PostgreSQL ``ticket_completions.category``). Raced on one store (:func:`two_desk_races.race`), in both
orders, the month counts the completion under the category the ticket had when the acceptance was
recorded — the order the ticket's history shows — and the dealer's figures agree with the ledger.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from test_seed002_readings_s24 import IN_WARRANTY, SH, _call
from two_desk_races import race

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Category
from aftersales.ports.reporting import GroupBy
from aftersales.reports.dealer_monthly import scoped_dealer_monthly
from aftersales.reports.months import month_period
from aftersales.service.desk import ServiceDesk
from conftest import World, two_desks

Pair = tuple[ServiceDesk, ServiceDesk, World]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pair]:
    """Two desks of the sanitary-ware pack with seed 002's fees (memory: one desk, two threads)."""
    with two_desks(request.param, tmp_path, "sanitary_ware") as (first, second, world):
        first.register_asset(world.manager, IN_WARRANTY)
        yield first, second, world


@pytest.mark.parametrize("swap", [False, True])
def test_a_reclassification_and_the_acceptance_at_once_count_the_category_the_history_shows(
    pair: Pair, swap: bool
) -> None:
    first, second, world = pair
    clock = first.context.clock
    clock.set(datetime(2026, 4, 20, 9, 0, tzinfo=SH))  # type: ignore[attr-defined]
    ticket_id = _call(first, world)
    staff = world.dealer_sh_staff
    first.start_work(staff, ticket_id)
    first.add_fault_record(
        staff, ticket_id, symptom="keeps_flushing", cause="flush_valve_worn", action="adjust_flush_valve"
    )
    first.resolve(staff, ticket_id, summary="调整冲水阀")

    def correct(d: ServiceDesk) -> object:
        return d.reclassify(world.agent, ticket_id, category=Category.INSTALLATION, reason="实为新装")

    def accept(d: ServiceDesk) -> object:
        return d.confirm(world.customer_zh, ticket_id, note="好了")

    told = race(first, second, *((accept, correct) if swap else (correct, accept)))
    assert [t.error for t in told] == [None, None]
    ticket = second.ticket(world.manager, ticket_id)
    actions = [e.action for e in ticket.events if e.action in ("reclassify", "confirm")]
    assert sorted(actions) == ["confirm", "reclassify"]
    accepted_under = "installation" if actions[0] == "reclassify" else "repair"
    april = month_period("2026-04", "Asia/Shanghai")
    for desk in (first, second):
        counted = reporting_for(desk.store).completed_category_counts(april, GroupBy.ALL)
        assert counted == {("all", accepted_under): 1}
        report = scoped_dealer_monthly(desk, world.manager, reporting_for(desk.store), "2026-04")
        (row,) = [r for r in report.rows if r.dealer_id == "dealer-sh"]
        assert (row.installations, row.repairs) == ((1, 0) if accepted_under == "installation" else (0, 1))
