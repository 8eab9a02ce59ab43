"""Reports that disagreed with the live ticket or with another report about the same fact (session 16).

1. A ticket waiting for the customer (待客户, the SLA clock paused: design/domain.md "The clock pauses while
   waiting on the customer") was counted late by the KPI report and the breach report as soon as its stored
   due time passed, while its own SLA status said paused and not breached.
2. The fault Pareto counted a reopened ticket's fault twice when the engineer recorded it again in the second
   cycle (seed 002: a fault is 故障描述 → 故障原因; the 处理措施 is what was done about it).
3. The dealer's monthly count (seed 002 9/10: 乙方…对所安装调试情况 / 所维修情况进行一次统计) counted a call
   passed to another dealer for the customer's dealer, while its money is booked to the dealer who did it.

Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Plan, Severity
from aftersales.policies.sla import DefaultSla, SlaParams
from aftersales.ports.reporting import FaultDimension, GroupBy, Period
from aftersales.reports.dealer_monthly import dealer_monthly
from aftersales.reports.faults import fault_pareto, fault_trend
from aftersales.reports.kpi import kpi_report
from aftersales.reports.months import month_period
from aftersales.reports.sla import sla_breaches
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, STAFF, START, World, make_world, register, store_url, world_desk

H = timedelta(hours=1)
BACKENDS = ["memory", "sqlite", "postgres"]


@contextmanager
def _desk(backend: str, tmp_path: Path, pack: str) -> Iterator[tuple[ServiceDesk, ManualClock, World]]:
    with world_desk(backend, tmp_path, pack) as found:
        yield found


def _dispatched(desk: ServiceDesk, world: World, answer: bool = True) -> str:
    ticket_id = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="卡纸").ticket.id
    desk.triage(world.agent, ticket_id, nature="jam", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(world.agent, ticket_id, engineer_id=world.eng_senior.id)
    if answer:
        desk.contact_customer(
            world.senior, ticket_id, expected_at=desk.clock.now() + H, note="已联系客户，告知预计上门时间"
        )
        desk.start_work(world.senior, ticket_id)
    return ticket_id


# -- 1. a paused ticket is judged as its own SLA judges it ----------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_ticket_waiting_for_the_customer_is_not_late_in_the_reports(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path, "office_equipment") as (desk, clock, world):
        waiting = _dispatched(desk, world)
        clock.advance(H)
        desk.await_customer(world.senior, waiting, reason="not_at_home")
        unanswered = _dispatched(desk, world, answer=False)
        desk.await_customer(world.agent, unanswered, reason="not_at_home")
        clock.advance(timedelta(days=7))  # past both stored due times, the clocks standing
        now = clock.now()
        stored = desk.ticket(world.manager, waiting)
        assert stored.resolution_due_at is not None and stored.resolution_due_at < now
        for ticket_id in (waiting, unanswered):
            status = {t.target.name: t for t in desk.sla(world.manager, ticket_id).targets}
            assert status["resolution"].paused and not status["resolution"].breached

        period = Period(START, now + H)
        total = kpi_report(reporting_for(desk.store), period, desk.calendar, as_of=now).total  # type: ignore[arg-type]
        assert (total.resolution_missed, total.response_missed) == (0, 0)
        assert total.response_met == 1 and total.response_on_time_rate == 1
        breaches = sla_breaches(desk, world.manager, period, as_of=now).total
        assert (breaches.response_breached, breaches.resolution_breached, breaches.open_breached) == (0, 0, 0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_pause_after_the_due_time_passed_stays_late(backend: str, tmp_path: Path) -> None:
    """The clock ran out before the wait began: the SLA shows it breached, and so do the reports."""
    with _desk(backend, tmp_path, "office_equipment") as (desk, clock, world):
        ticket_id = _dispatched(desk, world)
        clock.advance(timedelta(days=6))
        desk.await_customer(world.senior, ticket_id, reason="not_at_home")
        clock.advance(H)
        now = clock.now()
        status = {t.target.name: t for t in desk.sla(world.manager, ticket_id).targets}
        assert status["resolution"].breached
        period = Period(START, now + H)
        total = kpi_report(reporting_for(desk.store), period, desk.calendar, as_of=now).total  # type: ignore[arg-type]
        assert total.resolution_missed == 1 and total.resolution_on_time_rate == 0
        assert sla_breaches(desk, world.manager, period, as_of=now).total.resolution_breached == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_ticket_resolved_in_time_thanks_to_a_pause_is_on_time(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path, "office_equipment") as (desk, clock, world):
        ticket_id = _dispatched(desk, world)
        clock.advance(H)
        desk.await_customer(world.senior, ticket_id, reason="not_at_home")
        clock.advance(timedelta(days=5))
        desk.resume(world.senior, ticket_id)
        clock.advance(2 * H)
        desk.resolve(world.senior, ticket_id, summary="更换搓纸轮")
        desk.confirm(world.customer_zh, ticket_id, note="好了")
        now = clock.now()
        status = {t.target.name: t for t in desk.sla(world.manager, ticket_id).targets}
        assert not status["resolution"].breached
        period = Period(START, now + H)
        total = kpi_report(reporting_for(desk.store), period, desk.calendar, as_of=now).total  # type: ignore[arg-type]
        assert (total.resolution_met, total.resolution_missed, total.resolution_on_time_rate) == (1, 0, 1)


# -- 2. one fault occurrence counts once ----------------------------------------------------------------


def _fault(desk: ServiceDesk, world: World, ticket_id: str, action: str, staff: Actor | None = None) -> None:
    desk.add_fault_record(
        staff or world.dealer_sh_staff, ticket_id, symptom="keeps_flushing", cause="flush_valve_worn",
        action=action,
    )  # fmt: skip


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_reopened_tickets_fault_recorded_again_counts_once(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path, "sanitary_ware") as (desk, clock, world):
        staff = world.dealer_sh_staff
        ticket_id = desk.open_ticket(
            world.agent, customer_id=world.cust_zh.id, description="一直冲水"
        ).ticket.id
        desk.triage(world.agent, ticket_id, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(world.agent, ticket_id, dealer_id=world.dealer_sh.id)
        desk.start_work(staff, ticket_id)
        _fault(desk, world, ticket_id, "adjust_flush_valve")
        desk.resolve(staff, ticket_id, summary="调整")
        desk.confirm(world.customer_zh, ticket_id, note="好了")
        clock.advance(H)
        desk.record_callback(world.agent, ticket_id, problem_back=True)  # the same problem came back
        desk.start_work(staff, ticket_id)
        _fault(desk, world, ticket_id, "replace_flush_valve")  # found again, handled otherwise
        desk.resolve(staff, ticket_id, summary="更换")
        assert len(desk.ticket(world.manager, ticket_id).fault_records) == 2

        queries = reporting_for(desk.store)  # type: ignore[arg-type]
        period = Period(START, clock.now() + H)
        for dimension in FaultDimension:
            assert fault_pareto(queries, period, dimension).total == 1
        trend = fault_trend(queries, ["2026-03"], FaultDimension.CAUSE)
        assert trend.series == {"flush_valve_worn": (1,)}


# -- 3. the dealer's month counts the calls it served ---------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_call_passed_to_another_dealer_is_in_that_dealers_month(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path, "sanitary_ware") as (desk, _clock, world):
        passed = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="漏水").ticket.id
        desk.triage(world.agent, passed, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(world.agent, passed, dealer_id=world.dealer_bj.id)
        own = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="漏水").ticket.id
        desk.triage(world.agent, own, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(world.agent, own, dealer_id=world.dealer_sh.id)
        # Each repaired and accepted in March: the month counts the jobs completed in it (session 24).
        for ticket_id, staff in ((passed, world.dealer_bj_staff), (own, world.dealer_sh_staff)):
            desk.start_work(staff, ticket_id)
            desk.add_fault_record(
                staff,
                ticket_id,
                symptom="keeps_flushing",
                cause="flush_valve_worn",
                action="adjust_flush_valve",
            )
            desk.resolve(staff, ticket_id, summary="调整")
            desk.confirm(world.customer_zh, ticket_id, note="好了")
        as_of = datetime(2026, 4, 1, 12, 0, tzinfo=SHANGHAI)
        summary = dealer_monthly(reporting_for(desk.store), desk.store, "2026-03", as_of=as_of)  # type: ignore[arg-type]
        rows = {r.dealer_id: r.repairs for r in summary.rows}
        assert rows == {world.dealer_sh.id: 1, world.dealer_bj.id: 1}


# -- an older SQLite file -------------------------------------------------------------------------------


def test_an_older_sqlite_file_gets_the_new_facts_from_the_migration(tmp_path: Path) -> None:
    """The rows a file stored before step 19 lack the serving dealer and the pause, and hold a fault per
    record: the step adds the columns and has every row written again by the back-fill."""
    import sqlite3

    from aftersales.adapters.reporting_rows import LATER_FACT_COLUMNS
    from aftersales.adapters.reporting_sqlite_schema import SERVING_PAUSE_REPORT_STEP
    from aftersales.adapters.sqlite_schema import MIGRATIONS

    path = tmp_path / "old.db"
    clock, world = ManualClock(START), make_world()
    with ServiceDesk.open(f"sqlite:///{path}", pack="sanitary_ware", clock=clock, staff=STAFF) as desk:
        register(desk, world)
        ticket_id = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="漏水").ticket.id
        desk.triage(world.agent, ticket_id, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(world.agent, ticket_id, dealer_id=world.dealer_bj.id)
        desk.await_customer(world.agent, ticket_id, reason="not_at_home")
        _fault(desk, world, ticket_id, "adjust_flush_valve", world.dealer_bj_staff)  # the dealer holding it
    conn = sqlite3.connect(path, isolation_level=None)
    # as the previous version left the file: no new columns, a row per fault record
    for column in LATER_FACT_COLUMNS:
        conn.execute(f"ALTER TABLE report_tickets DROP COLUMN {column}")
    conn.execute(
        "INSERT INTO report_faults SELECT ticket_id, seq + 1, asset_id, product_id, batch, received_us,"
        " symptom, cause FROM report_faults"
    )
    conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(SERVING_PAUSE_REPORT_STEP)}")
    conn.close()
    clock.advance(timedelta(days=7))
    with ServiceDesk.open(f"sqlite:///{path}", pack="sanitary_ware", clock=clock, staff=STAFF) as desk:
        queries = reporting_for(desk.store)  # type: ignore[arg-type]
        now = clock.now()
        period = Period(START, now + H)
        total = kpi_report(queries, period, desk.calendar, as_of=now).total  # type: ignore[arg-type]
        assert (total.response_missed, total.resolution_missed) == (0, 0)
        assert fault_pareto(queries, period, FaultDimension.CAUSE).total == 1
        # The call (still waiting for the customer) is counted for the dealer serving it, re-written.
        served = queries.category_counts(month_period("2026-03"), GroupBy.SERVING_DEALER)
        assert sum(n for (dealer, _), n in served.items() if dealer == world.dealer_bj.id) == 1


# -- 4. one denominator for the share of late resolutions -----------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_breach_rate_is_the_kpis_late_share(backend: str, tmp_path: Path) -> None:
    """One repair resolved late, one still open before its due time: the KPI judges one resolution (late),
    and the breach report's rate is over the same one — not over every ticket with a due time."""
    with _desk(backend, tmp_path, "office_equipment") as (desk, clock, world):
        late = _dispatched(desk, world)
        clock.advance(timedelta(days=6))
        desk.resolve(world.senior, late, summary="更换搓纸轮")
        desk.confirm(world.customer_zh, late, note="好了")
        _dispatched(desk, world)  # open, due in three working days
        now = clock.now()
        period = Period(START, now + H)
        total = kpi_report(reporting_for(desk.store), period, desk.calendar, as_of=now).total  # type: ignore[arg-type]
        assert total.resolution_on_time_rate == 0
        cell = sla_breaches(desk, world.manager, period, as_of=now).total
        assert (cell.due, cell.resolution_breached, cell.resolution_judged) == (2, 1, 1)
        assert cell.breach_rate == 1 - total.resolution_on_time_rate


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_agents_appraisal_judges_a_paused_ticket_as_the_kpi(backend: str, tmp_path: Path) -> None:
    """The agent KPIs (seed 001 考核) built their own timings without the pause: the ticket the KPI report
    leaves unjudged while the customer is awaited was late in the agent's appraisal."""
    from aftersales.reports.staff_kpi import agent_kpis
    from aftersales.reports.trend import kpi_trend

    with _desk(backend, tmp_path, "office_equipment") as (desk, clock, world):
        ticket_id = _dispatched(desk, world)
        clock.advance(H)
        desk.await_customer(world.senior, ticket_id, reason="not_at_home")
        clock.advance(timedelta(days=7))
        now = clock.now()
        period = Period(START, now + H)
        total = agent_kpis(desk.store, period, desk.calendar, as_of=now).total  # type: ignore[arg-type]
        assert (total.counts.tickets, total.resolution_missed) == (1, 0)
        month = kpi_trend(reporting_for(desk.store), ["2026-03"], desk.calendar, as_of=now).rows[0]  # type: ignore[arg-type]
        assert month.resolution_missed == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_awaiting_parts_pauses_the_reports_when_the_pack_says_so(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(START), make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(
            url,
            pack="office_equipment",
            overrides={"sla": DefaultSla(SlaParams(pause_on_parts=True, callback_from="work_done"))},
            clock=clock,
            staff=STAFF,
        ) as desk,
    ):
        register(desk, world)
        ticket_id = _dispatched(desk, world)
        clock.advance(H)
        desk.await_parts(world.senior, ticket_id, reason="no_stock")
        clock.advance(timedelta(days=7))
        now = clock.now()
        status = {t.target.name: t for t in desk.sla(world.manager, ticket_id).targets}
        assert status["resolution"].paused and not status["resolution"].breached
        period = Period(START, now + H)
        queries = reporting_for(desk.store)  # type: ignore[arg-type]
        judged = kpi_report(queries, period, desk.calendar, as_of=now, sla=desk.policies.sla).total  # type: ignore[arg-type]
        assert judged.resolution_missed == 0
        assert sla_breaches(desk, world.manager, period, as_of=now).total.resolution_breached == 0
