"""A request handed over as a complaint is one call (seed 004 第七条 1-3; seed 003 三 2 响应速度), session 36.

Monday 2 March 2026, 09:00: 客服小李 takes 张伟's call about a leaking toilet, logged as a repair, and calls
him back at 09:30; at 10:00 a colleague reads it as a complaint and hands it over. The complaint is that
call, carrying the call back. Before: the KPI counted the cancelled request beside the complaint — two
tickets, one cancelled, two responses met for one call back — and the customer looking up the repair's
number saw "cancelled" with nothing to follow.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales import Actor, Category, ServiceDesk
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.adapters.reporting_sqlite_schema import HANDOVER_REPORT_STEP
from aftersales.adapters.sqlite_schema import MIGRATIONS
from aftersales.errors import NotFound
from aftersales.i18n.reasons import render_reasons
from aftersales.ports.reporting import Period
from aftersales.reports.engineer_kpi import engineer_kpis
from aftersales.reports.kpi import kpi_report
from aftersales.reports.sla import sla_breaches
from aftersales.reports.staff_kpi import agent_kpis
from conftest import STAFF, START, World, world_desk

MARCH = Period(datetime(2026, 3, 1, tzinfo=START.tzinfo), datetime(2026, 4, 1, tzinfo=START.tzinfo))

Host = tuple[ServiceDesk, ManualClock, World]
_COLLEAGUE = Actor.agent("agent-2", "客服小王")
"""The agent who reads the call as a complaint: not the one who took it."""


def _handed_over(host: Host) -> tuple[str, str]:
    """The repair taken, called back and handed over; (its id, the complaint's)."""
    desk, clock, w = host
    request = desk.open_ticket(w.agent, customer_id="cust-zh", description="马桶漏水, 师傅态度差").ticket.id
    clock.set(START + timedelta(minutes=30))
    desk.contact_customer(w.agent, request, note="已回电, 明天上门")
    clock.set(START + timedelta(hours=1))
    desk.reclassify(_COLLEAGUE, request, category=Category.COMPLAINT, reason="客户是投诉")
    complaint = str(desk.ticket(w.manager, request).events[-2].payload["complaint_id"])
    return request, complaint


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def centre(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Host]:
    with world_desk(request.param, tmp_path) as host:
        yield host


def test_the_kpi_counts_a_handed_over_call_once_on_the_complaint(centre: Host) -> None:
    """Each call once, as its complaint: the one called back met, the one nobody called back (handed over
    on Thursday) missed once, not twice; credited to the agent who took them, not the one who handed them
    over; the breach report and the engineers' total count them once too."""
    desk, clock, w = centre
    _handed_over(centre)
    silent = desk.open_ticket(w.agent, customer_id="cust-zh", description="收费与报价不符").ticket.id
    clock.set(START + timedelta(days=3))
    desk.reclassify(_COLLEAGUE, silent, category=Category.COMPLAINT, reason="客户是投诉")
    as_of = START + timedelta(days=4)
    total = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=as_of).total
    counts = total.counts
    assert (counts.tickets, counts.cancelled, counts.complaints) == (2, 0, 2)
    assert (total.response.count, total.response_met, total.response_missed) == (1, 1, 1)
    (row,) = agent_kpis(desk.store, MARCH, desk.calendar, as_of=as_of).rows
    assert (row.group, row.counts.tickets, row.counts.cancelled) == ("agent-1", 2, 0)
    assert (row.response_met, row.response_missed) == (1, 1)
    engineers = engineer_kpis(desk.store, MARCH, desk.calendar, as_of=as_of).total.counts
    assert (engineers.tickets, engineers.cancelled) == (2, 0)
    assert sla_breaches(desk, w.manager, MARCH, as_of=as_of).total.response_breached == 1


def test_the_old_number_points_the_customer_to_the_complaint(tmp_path: Path) -> None:
    """The customer reads the complaint's number and why, in each locale; another customer reads
    neither number."""
    with world_desk("memory", tmp_path) as host:
        desk, _, w = host
        request, complaint = _handed_over(host)
        progress = desk.progress(w.customer_zh, request)
        assert (progress.next_step, progress.continued_as) == ("handed_over_to_complaint", complaint)
        for locale in ("zh_Hans", "zh_Hant", "en"):
            (words,) = render_reasons(progress, locale)
            assert complaint in words and "handed_over" not in words
        with pytest.raises(NotFound):
            desk.progress(w.customer_en, request)


def test_a_file_of_the_last_release_marks_its_handed_over_requests(tmp_path: Path) -> None:
    """A SQLite file written before the ``handed_over`` column (step 38) gets it from the back-fill: its
    rows are rewritten, and the request handed over before the upgrade counts no more."""
    with world_desk("sqlite", tmp_path) as host:
        _handed_over(host)
        url = str(host[0].store.url)
    with sqlite3.connect(tmp_path / "desk.db") as conn:  # as the last release left it
        conn.execute("ALTER TABLE report_tickets DROP COLUMN handed_over")
        conn.execute(f"PRAGMA user_version = {MIGRATIONS.index(HANDOVER_REPORT_STEP)}")
    with ServiceDesk.open(url, pack="office_equipment", clock=ManualClock(START), staff=STAFF) as desk:
        total = kpi_report(reporting_for(desk.store), MARCH, desk.calendar, as_of=START).total
    assert (total.counts.tickets, total.counts.cancelled, total.response.count) == (1, 0, 1)
