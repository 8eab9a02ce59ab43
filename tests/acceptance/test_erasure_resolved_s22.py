"""An erased customer's resolved ticket is closed unaccepted, not left waiting for ever (PIPL × 验收确认).

Seed 003 (问题解决与确认) and seed 000 (验收): a repair is done when the customer accepts it; the resolution
clock runs until then. Session 21 closed an erased person's accepted tickets (their callback can never
be made); a ticket still waiting for the acceptance was left resolved. Nobody may ask the erased person
for it, so it stayed in the queues for ever, and its resolution clock ran on and announced a breach
under "[erased]" (the thing the erasure refuses open work for). A staff member could still record an
acceptance afterwards, which then scheduled a callback to a person nobody may call.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Severity
from aftersales.domain.sla_targets import ClockPhase
from aftersales.errors import InvalidTransition
from aftersales.ports.reporting import Period
from aftersales.reports.kpi import kpi_report
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _resolved(desk: ServiceDesk, world: World, text: str) -> str:
    """A repair of 张伟's done by the dealer and waiting for his acceptance."""
    tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description=text).ticket.id
    desk.triage(world.agent, tid, nature="flush_valve_leak", severity=Severity.MEDIUM)
    desk.dispatch(world.agent, tid, dealer_id=world.dealer_sh.id)
    desk.start_work(world.dealer_sh_staff, tid)
    desk.add_fault_record(
        world.dealer_sh_staff, tid, symptom="keeps_flushing", cause="flush_valve_worn",
        action="replace_flush_valve", part="WN-CB-01", component="flush_valve",
    )  # fmt: skip
    desk.resolve(world.dealer_sh_staff, tid, summary="更换冲水阀")
    return tid


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_erasure_closes_a_resolved_ticket_unaccepted_and_its_clocks_stop(
    backend: str, tmp_path: Path
) -> None:
    dpo = Actor.privacy_officer("dpo-s22")
    with world_desk(backend, tmp_path) as (desk, clock, world):
        waiting = _resolved(desk, world, "冲水阀漏水")
        before = desk.sla(world.auditor, waiting)
        assert before["resolution"].met_at is None and before["resolution"].due_at is not None

        record = desk.privacy.erase_customer(dpo, world.cust_zh.id, "the customer asked")

        ticket = desk.ticket(world.auditor, waiting)
        last = ticket.events[-1]
        assert (ticket.state, last.action, last.reason, str(last.actor)) == (
            "closed", "close_unaccepted", "customer_erased", str(dpo.ref),
        )  # fmt: skip
        assert not any(e.action == "confirm" for e in ticket.events)  # no acceptance is made up
        assert record.closed == 1 and record.cancelled == 0
        # Its clocks stopped where they stood: a month on, nothing is breached or announced.
        clock.advance(timedelta(days=30))
        status = desk.sla(world.auditor, waiting)
        resolution = status["resolution"]
        assert status.closed and resolution.phase is ClockPhase.STOPPED and not resolution.breached
        # The response clock stood at the work done before the erasure, and stands there still.
        assert status["response"].elapsed == before["response"].elapsed
        assert status["response"].phase == before["response"].phase
        assert desk.sla_watch.sweep(Actor.system()).breaches == ()
        # Nobody records an acceptance (nor schedules a callback) for the erased person afterwards.
        with pytest.raises(InvalidTransition):
            desk.confirm(world.dealer_sh_staff, waiting, channel="service_slip")
        assert desk.callbacks.pending(world.manager) == []
        assert desk.ticket(world.auditor, waiting).state == "closed"


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_kpi_report_judges_the_closed_unaccepted_ticket_where_its_clock_stopped(
    backend: str, tmp_path: Path
) -> None:
    # The live SLA stops the resolution clock at the erasure's close, unmet and not breached; the KPI
    # report (SQL aggregates on SQLite, a scan elsewhere) read the ticket as never resolved and never
    # stopped, so a report a month later counted its resolution late (响应/解决及时率), unlike the SLA.
    dpo = Actor.privacy_officer("dpo-s22")
    with world_desk(backend, tmp_path) as (desk, clock, world):
        start = clock.now()
        waiting = _resolved(desk, world, "冲水阀漏水")
        desk.privacy.erase_customer(dpo, world.cust_zh.id, "the customer asked")
        clock.advance(timedelta(days=30))
        assert not desk.sla(world.auditor, waiting)["resolution"].breached
        calendar = desk.context.calendar
        assert calendar is not None
        period = Period(start - timedelta(days=1), clock.now())
        report = kpi_report(reporting_for(desk.store), period, calendar, as_of=clock.now())
        assert report.total.counts.tickets == 1
        assert report.total.resolution_missed == 0
