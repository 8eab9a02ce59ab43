# mypy: disable-error-code="arg-type"
"""Seed 003 二 3 (响应/解决时限) and 三 (绩效考核): one ticket, one verdict — a property over random tickets
and working calendars (session 25).

A ticket is opened at a random working-week instant on a calendar of random windows (with or without a lunch
break), answered or not, then after a random delay repaired and accepted (and maybe reopened by its callback
and repaired again), cancelled, left waiting for the customer or for parts (on a pack pausing on parts or
not), or left open; it is judged a random while later. Whatever its history, the breach report and the KPI
count its response and its resolution late alike, before any reopen both agree with the live SLA status
(``desk.sla``), and the ledger's breached filter lists it exactly when it is open, unresolved and late.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.classification import Severity
from aftersales.policies.sla import DefaultSla, SlaParams
from aftersales.ports.queries import TicketFilter
from aftersales.reports.kpi import scoped_kpi_report
from aftersales.reports.months import month_period
from aftersales.reports.sla import sla_breaches
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, STAFF, World, make_world, register

MARCH = month_period("2026-03")
WINDOWS = (
    [(time(9), time(12)), (time(13), time(18))],
    [(time(8, 30), time(17, 30))],
    [(time(9), time(11, 45)), (time(13, 15), time(17))],
)


def _calendar(windows: list[tuple[time, time]], holidays: tuple[date, ...]) -> BusinessCalendar:
    return BusinessCalendar(
        "Asia/Shanghai",
        dict.fromkeys(range(5), windows),
        holidays,
        known_from=date(2026, 1, 1),
        known_until=date(2026, 12, 31),
        source_name="random calendar",
    )


def _late(desk: ServiceDesk, world: World, now: datetime) -> tuple[tuple[int, int], tuple[int, int]]:
    breaches = sla_breaches(desk, world.manager, MARCH, as_of=now).total
    kpi = scoped_kpi_report(desk, world.manager, reporting_for(desk.store), MARCH, as_of=now).total
    return (breaches.response_breached, breaches.resolution_breached), (
        kpi.response.count - kpi.response_met + kpi.response_missed,
        kpi.resolution.count - kpi.resolution_met + kpi.resolution_missed,
    )


def _pack_sla() -> SlaParams:
    """The office-equipment pack's own SLA parameters (the property varies ``pause_on_parts`` alone)."""
    with ServiceDesk.open("memory://", pack="office_equipment", staff=STAFF) as desk:
        params = desk.policies.sla.params  # type: ignore[attr-defined]
    assert isinstance(params, SlaParams)
    return params


_PACK_SLA = _pack_sla()

minutes = st.integers(min_value=0, max_value=3 * 24 * 60)


@given(
    windows=st.sampled_from(WINDOWS),
    day_off=st.booleans(),
    opened=st.integers(min_value=0, max_value=5 * 24 * 60 - 1),
    urgent=st.booleans(),
    contact=st.one_of(st.none(), minutes),
    repaired=minutes,
    ending=st.sampled_from(("repaired", "cancelled", "waiting", "parts", "open")),
    parts_pause=st.booleans(),
    later=minutes,
    reopen=st.one_of(st.none(), st.tuples(minutes, st.one_of(st.none(), minutes), minutes)),
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_breach_report_and_the_kpi_judge_one_ticket_alike(
    windows: list[tuple[time, time]],
    day_off: bool,
    opened: int,
    urgent: bool,
    contact: int | None,
    repaired: int,
    ending: str,
    parts_pause: bool,
    later: int,
    reopen: tuple[int, int | None, int] | None,
) -> None:
    start = datetime(2026, 3, 9, tzinfo=SHANGHAI) + timedelta(minutes=opened)  # Monday 9 March
    clock, world = ManualClock(start), make_world()
    calendar = _calendar(windows, (date(2026, 3, 10),) if day_off else ())
    sla = DefaultSla(
        attrs.evolve(_PACK_SLA, pause_on_parts=parts_pause)
    )  # the pack's, pausing on parts or not
    with ServiceDesk.open(
        "memory://",
        pack="office_equipment",
        clock=clock,
        staff=STAFF,
        calendar=calendar,
        overrides={"sla": sla},
    ) as desk:
        register(desk, world)
        tid = desk.open_ticket(
            world.agent, customer_id=world.cust_en.id, description="Printer jammed", urgent=urgent
        ).ticket.id
        desk.triage(world.agent, tid, nature="paper_path", severity=Severity.MEDIUM)
        if contact is not None and contact <= repaired:
            clock.advance(timedelta(minutes=contact))
            desk.contact_customer(world.agent, tid, note="Engineer on the way")
            repaired -= contact
        clock.advance(timedelta(minutes=repaired))
        desk.dispatch(world.agent, tid, engineer_id=world.eng_senior.id)
        if ending == "cancelled":
            desk.cancel(world.agent, tid, reason="Customer bought a new printer")
        elif ending == "waiting":
            desk.start_work(world.senior, tid)
            desk.await_customer(world.senior, tid, reason="Customer not at the office")
        elif ending == "parts":
            desk.start_work(world.senior, tid)
            desk.await_parts(world.senior, tid, reason="no_stock")
        elif ending == "repaired":
            desk.start_work(world.senior, tid)
            desk.resolve(world.senior, tid, summary="Feed roller replaced")
            desk.confirm(world.agent, tid, channel="service_slip", note="Signed")
        as_of = clock.now() + timedelta(minutes=later)
        reports, kpi = _late(desk, world, as_of)
        assert reports == kpi
        status = desk.sla(world.manager, tid, at=as_of)
        live = tuple(
            int(status.get(name) is not None and bool(status[name].breached))
            for name in ("response", "resolution")
        )
        assert reports == live
        # the ledger's breached filter lists an open unresolved ticket whose resolution is late
        listed = desk.count(world.manager, TicketFilter(breached_at=as_of)) == 1
        assert listed == (ending in ("open", "waiting", "parts") and reports[1] == 1)
        if reopen is None or ending != "repaired":
            return
        after, again_contact, again_repaired = reopen
        clock.advance(timedelta(minutes=after + 1))
        desk.record_callback(world.agent, tid, problem_back=True)
        if again_contact is not None:
            clock.advance(timedelta(minutes=again_contact))
            desk.contact_customer(world.agent, tid, note="Coming back")
        clock.advance(timedelta(minutes=again_repaired))
        desk.start_work(world.senior, tid)
        desk.resolve(world.senior, tid, summary="Pick-up roller replaced")
        desk.confirm(world.agent, tid, channel="service_slip", note="Signed")
        reports_after, kpi_after = _late(desk, world, clock.now())
        assert reports_after == kpi_after
        assert reports_after[0] == reports[0]  # the response stays the first cycle's
