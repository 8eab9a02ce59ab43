# mypy: disable-error-code="arg-type"
"""Seed 002 分工 8 walked again (session 27), on memory, SQLite and PostgreSQL with the sanitary-ware pack.

乙方有义务配合甲方对本区域的用户进行回访和满意度调查工作 — the dealer helps the maker with two things at
once: the callback and the satisfaction survey. The maker's goal (售后服务的目标: 提高顾客满意度) is
measured per dealer from those callbacks (the dealer archive's satisfaction, the RATER index), so a
callback recorded without the customer's score would leave the territory's satisfaction unmeasured. Before
session 27 the pack asked a score only of the tiers and priorities the library surveys (a VIP, a critical
call): the dealer's callback of an ordinary repair went in without one. Now every callback that finds the
problem solved gives the score (``[callback] score_required``); who may record it is unchanged: the
dealer of the customer's region or the maker's own service department, never another dealer.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Plan, Severity
from aftersales.errors import NotFound, PermissionDenied, ValidationError
from aftersales.policies.callback import CallbackParams
from aftersales.policies.registry import Registry
from aftersales.reports.dealer_monthly import ReportStatus, scoped_dealer_monthly
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.fixture(params=BACKENDS)
def host(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ManualClock, World]]:
    """The bathroom-fixture maker's desk (sanitary_ware)."""
    with world_desk(request.param, tmp_path, pack="sanitary_ware") as (desk, clock, world):
        yield desk, clock, world


def _at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=SHANGHAI)


def _accepted_repair(desk: ServiceDesk, clock: ManualClock, world: World) -> str:
    """An ordinary repair of a regular customer, done by the Shanghai dealer and accepted."""
    clock.set(_at(2, 9))
    tid = desk.open_ticket(
        world.agent, customer_id="cust-zh", asset_id=world.asset.id, description="马桶一直冲水"
    ).ticket.id
    desk.triage(world.agent, tid, nature="flush_valve_leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(world.agent, tid, dealer_id="dealer-sh")
    dealer = world.dealer_sh_staff
    desk.start_work(dealer, tid)
    desk.add_fault_record(
        dealer, tid, symptom="keeps_flushing", cause="flush_valve_worn", action="replace_flush_valve"
    )
    desk.resolve(dealer, tid, summary="更换进水阀")
    desk.confirm(world.customer_zh, tid)
    clock.set(_at(3, 10))
    return tid


def test_the_sanitary_ware_pack_asks_the_score_at_every_callback() -> None:
    params = Registry.discover().resolve("sanitary_ware").callback.params
    assert isinstance(params, CallbackParams)
    assert params.score_required is True


def test_the_dealers_callback_of_an_ordinary_repair_gives_the_satisfaction_score(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = host
    tid = _accepted_repair(desk, clock, world)
    dealer = world.dealer_sh_staff
    with pytest.raises(ValidationError) as refused:
        desk.record_callback(dealer, tid, problem_back=False)
    assert refused.value.field == "satisfaction"
    # Nothing changed: the callback still awaits the dealer.
    assert [t.ticket_id for t in desk.callbacks.pending(dealer)] == [tid]
    assert desk.callbacks.records(world.manager, tid) == []
    desk.record_callback(dealer, tid, problem_back=False, satisfaction=4)
    assert [r.satisfaction for r in desk.callbacks.records(world.manager, tid)] == [4]
    assert desk.callbacks.pending(dealer) == []


def test_the_maker_may_call_back_too_and_another_dealer_may_not(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # 配合甲方: the callback is the maker's work the dealer helps with — the maker's agent records it.
    desk, clock, world = host
    tid = _accepted_repair(desk, clock, world)
    with pytest.raises((NotFound, PermissionDenied)):
        desk.record_callback(world.dealer_bj_staff, tid, problem_back=False, satisfaction=5)
    with pytest.raises(ValidationError):
        desk.record_callback(world.agent, tid, problem_back=False)
    desk.record_callback(world.agent, tid, problem_back=False, satisfaction=5)
    assert [r.satisfaction for r in desk.callbacks.records(world.manager, tid)] == [5]


def test_a_callback_finding_the_problem_back_is_not_asked_a_score(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # The survey is of a repair that holds: a problem that is back is rework, and its own callback asks.
    desk, clock, world = host
    tid = _accepted_repair(desk, clock, world)
    desk.record_callback(world.dealer_sh_staff, tid, problem_back=True, comment="仍在漏水")
    (record,) = desk.callbacks.records(world.manager, tid)
    assert (record.problem_back, record.satisfaction) == (True, None)


def test_the_dealers_month_its_callbacks_scored_its_archive_and_its_report_by_the_3rd(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # The maker's service department runs March with the Shanghai dealer: two repairs, each called back
    # with the customer's score (one by the dealer, one by the office); the dealer's archive shows both
    # callbacks and their mean satisfaction; the dealer reports March on 3 April, on time, its repairs
    # matching the ledger's.
    desk, clock, world = host
    first = _accepted_repair(desk, clock, world)
    desk.record_callback(world.dealer_sh_staff, first, problem_back=False, satisfaction=5)
    clock.set(_at(16, 9))
    second = desk.open_ticket(
        world.agent, customer_id="cust-zh", asset_id=world.asset.id, description="花洒出水小"
    ).ticket.id
    desk.triage(world.agent, second, nature="low_flow", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(world.agent, second, dealer_id="dealer-sh")
    desk.start_work(world.dealer_sh_staff, second)
    desk.add_fault_record(
        world.dealer_sh_staff, second, symptom="low_flow", cause="scale_blocked", action="clean_aerator"
    )
    desk.resolve(world.dealer_sh_staff, second, summary="清洗起泡器")
    desk.confirm(world.customer_zh, second)
    clock.set(_at(17, 10))
    desk.record_callback(world.agent, second, problem_back=False, satisfaction=3)
    clock.set(datetime(2026, 4, 3, 10, tzinfo=SHANGHAI))
    desk.reports.submit_dealer_report(
        world.dealer_sh_staff, "dealer-sh", "2026-03", installations=0, repairs=2
    )
    (march,) = desk.archives.dealer_archive(
        world.dealer_sh_staff, "dealer-sh", start=date(2026, 3, 1), end=date(2026, 4, 1)
    ).periods
    assert (march.calls, march.callbacks, march.satisfaction) == (2, 2, 4)
    summary = scoped_dealer_monthly(desk, world.manager, reporting_for(desk.store), "2026-03")
    (row,) = [r for r in summary.rows if r.dealer_id == "dealer-sh"]
    assert (row.repairs, row.status) == (2, ReportStatus.ON_TIME)
