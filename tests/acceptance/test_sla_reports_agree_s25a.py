"""Seed 003 三 绩效考核 (响应速度): the breach report and the KPI judge one ticket alike over all its cycles.

A repair done within the hour without a logged contact stopped its response clock there (on time, as the
SLA says); the callback found the problem back and reopened the ticket, and the dealer called the customer
30 hours later. A reopened cycle has no response target, yet the KPI took that later contact as the
ticket's first response and, without a due, judged it against the fallback target from the receipt: late,
while the breach report (the SLA's status before the reopen) said on time. Now the response is the first
cycle's everywhere (``first_response`` stops at the reopen; SQLite's report rows likewise), and the breach
report judges it from the same stored facts as the KPI (``judged_dues``). Memory, SQLite, PostgreSQL.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.adapters.reporting_sqlite_schema import FIRST_CYCLE_RESPONSE_REPORT_STEP
from aftersales.adapters.sqlite_schema import MIGRATIONS
from aftersales.domain.classification import Plan, Severity
from aftersales.reports.kpi import scoped_kpi_report
from aftersales.reports.months import month_period
from aftersales.reports.sla import sla_breaches
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url

BACKENDS = ["memory", "sqlite", "postgres"]
MARCH = month_period("2026-03")


def _late(desk: ServiceDesk, world: World, clock: ManualClock) -> tuple[tuple[int, int], tuple[int, int]]:
    """(responses late, resolutions late) as the breach report and as the KPI count them."""
    now = clock.now()
    breaches = sla_breaches(desk, world.manager, MARCH, as_of=now).total
    kpi = scoped_kpi_report(desk, world.manager, reporting_for(desk.store), MARCH, as_of=now).total
    kpi_response = kpi.response.count - kpi.response_met + kpi.response_missed
    kpi_resolution = kpi.resolution.count - kpi.resolution_met + kpi.resolution_missed
    return (breaches.response_breached, breaches.resolution_breached), (kpi_response, kpi_resolution)


def _fixed_without_contact_then_reopened(desk: ServiceDesk, world: World, clock: ManualClock) -> str:
    """Repaired within the hour without a contact logged, reopened by the callback two days later, and the
    customer called 30 hours after the reopen, repaired and accepted again."""
    dealer = world.dealer_sh_staff
    tid = desk.open_ticket(
        world.agent, customer_id=world.cust_zh.id, description="水箱漏水", asset_id=world.asset.id
    ).ticket.id
    desk.triage(world.agent, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    desk.dispatch(world.agent, tid)
    clock.advance(timedelta(hours=1))
    desk.start_work(dealer, tid)
    desk.add_fault_record(dealer, tid, symptom="leak", cause="seal_worn", action="replace_seal")
    desk.resolve(dealer, tid, summary="seal replaced")  # no contact logged: the response clock stops
    desk.confirm(world.customer_zh, tid)
    assert _late(desk, world, clock) == ((0, 0), (0, 0))
    clock.advance(timedelta(days=2))
    desk.record_callback(world.agent, tid, problem_back=True)
    clock.advance(timedelta(hours=30))  # the dealer's 24 hours from the reopen run out
    desk.contact_customer(dealer, tid, note="上门更换浮球")
    desk.start_work(dealer, tid)
    desk.resolve(dealer, tid, summary="float replaced")
    desk.confirm(world.customer_zh, tid)
    return tid


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_contact_after_the_reopen_is_no_late_first_response(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(START), make_world()
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="sanitary_ware", clock=clock, staff=STAFF) as desk,
    ):
        register(desk, world)
        _fixed_without_contact_then_reopened(desk, world, clock)
        # the response on time in both (it used to be late in the KPI alone); the second cycle's resolution
        # late in both
        assert _late(desk, world, clock) == ((0, 1), (0, 1))
        kpi = scoped_kpi_report(desk, world.manager, reporting_for(desk.store), MARCH, as_of=clock.now())
        # no first-cycle contact, but the first cycle's fix answered the customer (session 34): measured
        assert kpi.total.response.count == 1


def test_a_sqlite_file_of_the_step_before_rewrites_the_response_instant(tmp_path: Path) -> None:
    # A file of the step before kept the contact after the reopen as the row's first response: the
    # migration's back-fill writes the row again from the ticket.
    clock, world = ManualClock(START), make_world()
    url = f"sqlite:///{tmp_path / 'old.db'}"
    with ServiceDesk.open(url, pack="sanitary_ware", clock=clock, staff=STAFF) as desk:
        register(desk, world)
        tid = _fixed_without_contact_then_reopened(desk, world, clock)
        contact = next(e.at for e in desk.ticket(world.manager, tid).events if e.action == "contact_customer")
    conn = sqlite3.connect(tmp_path / "old.db", isolation_level=None)
    conn.execute(
        "UPDATE report_tickets SET first_response_us = ?, response_due_us = NULL WHERE id = ?",
        (round(contact.timestamp() * 1_000_000), tid),
    )
    # the step before (later steps leave the response alone)
    conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(FIRST_CYCLE_RESPONSE_REPORT_STEP)}")
    conn.close()
    with ServiceDesk.open(url, pack="sanitary_ware", clock=clock, staff=STAFF) as desk:
        assert _late(desk, world, clock) == ((0, 1), (0, 1))
