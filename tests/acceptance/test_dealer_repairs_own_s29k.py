"""Seed 002 分工 10 (乙方必须每月对所维修情况进行一次统计并报至甲方的售后服务部; 9: installations):
a dealer's monthly count is of the repairs *it* did.

The dealer doing a job (``ports.reporting.serving_dealer``) fell back to the ticket's own dealer when no
dealer ever held the ticket, so a repair done by the maker's own engineer for a customer of the Shanghai
dealer, and a call the office solved by phone, counted as the Shanghai dealer's repairs of the month: its
true report (none) no longer matched the ledger. A job no dealer held is the maker's: it counts under no
dealer (the ``""`` key of ``GroupBy.SERVING_DEALER``) on every store.
"""

from __future__ import annotations

from datetime import datetime

from test_seed002_readings_s24 import SH, _call, _repaired_and_accepted, host

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Plan, Severity
from aftersales.ports.reporting import GroupBy
from aftersales.reports.dealer_monthly import scoped_dealer_monthly
from aftersales.reports.months import month_period
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["host"]  # the stores' fixture, shared with session 24's readings

APRIL = month_period("2026-04", "Asia/Shanghai")


def _sh_repairs(desk: ServiceDesk, world: World) -> int:
    report = scoped_dealer_monthly(desk, world.manager, reporting_for(desk.store), "2026-04")
    (row,) = [r for r in report.rows if r.dealer_id == "dealer-sh"]
    return row.repairs


def _by_maker(desk: ServiceDesk, world: World) -> str:
    """A repair of a Shanghai dealer's customer done by the maker's own engineer."""
    ticket_id = desk.open_ticket(
        world.agent, customer_id="cust-zh", description="马桶一直冲水", asset_id="unit-in"
    ).ticket.id
    desk.triage(
        world.agent, ticket_id, nature="flush_valve_leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE
    )
    desk.dispatch(world.agent, ticket_id, engineer_id=world.eng_senior.id)
    desk.start_work(world.senior, ticket_id)
    desk.add_fault_record(
        world.senior,
        ticket_id,
        symptom="keeps_flushing",
        cause="flush_valve_worn",
        action="adjust_flush_valve",
    )
    desk.resolve(world.senior, ticket_id, summary="调整冲水阀")
    desk.confirm(world.customer_zh, ticket_id)
    return ticket_id


def _by_phone(desk: ServiceDesk, world: World) -> str:
    """A call of a Shanghai dealer's customer the office solved on the phone."""
    ticket_id = desk.open_ticket(
        world.agent, customer_id="cust-zh", description="冲水按钮不知怎么调", asset_id="unit-in"
    ).ticket.id
    desk.triage(world.agent, ticket_id, nature="question", severity=Severity.LOW, plan=Plan.REMOTE)
    desk.contact_customer(world.agent, ticket_id, note="电话指导调节")
    desk.add_fault_record(
        world.agent, ticket_id, symptom="keeps_flushing", cause="misuse_against_manual", action="guide_user"
    )
    desk.resolve(world.agent, ticket_id, summary="电话解答")
    desk.confirm(world.customer_zh, ticket_id)
    return ticket_id


def test_jobs_no_dealer_held_are_not_the_customers_dealers_repairs(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = host
    clock.set(datetime(2026, 4, 20, 9, 0, tzinfo=SH))
    _by_maker(desk, world)
    _by_phone(desk, world)
    dealers = reporting_for(desk.store).completed_category_counts(APRIL, GroupBy.SERVING_DEALER)
    assert dealers == {("", "repair"): 2}
    assert _sh_repairs(desk, world) == 0
    # The maker's own count of the month still holds both (it did them).
    assert reporting_for(desk.store).completed_category_counts(APRIL, GroupBy.ALL) == {("all", "repair"): 2}


def test_a_job_passed_to_the_dealer_still_counts_for_it_beside_the_makers(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = host
    clock.set(datetime(2026, 4, 20, 9, 0, tzinfo=SH))
    _repaired_and_accepted(desk, world, _call(desk, world))
    _by_maker(desk, world)
    dealers = reporting_for(desk.store).completed_category_counts(APRIL, GroupBy.SERVING_DEALER)
    assert dealers == {("dealer-sh", "repair"): 1, ("", "repair"): 1}
    assert _sh_repairs(desk, world) == 1


def test_a_reopen_of_a_job_no_dealer_held_keeps_the_accepted_repair_the_makers(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # The maker's engineer repaired it on 20 April; reopened on 22 April and passed to the dealer, who
    # repaired it again: one repair each (the first one's completion is kept in the reopen's cycle).
    desk, clock, world = host
    clock.set(datetime(2026, 4, 20, 9, 0, tzinfo=SH))
    ticket_id = _by_maker(desk, world)
    clock.set(datetime(2026, 4, 22, 9, 0, tzinfo=SH))
    desk.reopen(world.agent, ticket_id, reason="又漏了")
    desk.dispatch(world.agent, ticket_id, dealer_id="dealer-sh", reason="返修交经销商")
    _repaired_and_accepted(desk, world, ticket_id)
    dealers = reporting_for(desk.store).completed_category_counts(APRIL, GroupBy.SERVING_DEALER)
    assert dealers == {("", "repair"): 1, ("dealer-sh", "repair"): 1}


def test_a_call_the_dealers_own_staff_took_and_solved_by_phone_is_the_dealers(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # 乙方接到用户的叫修: the Shanghai dealer's staff took the call and guided the customer on the phone;
    # no one was dispatched, and the job is the dealer's own.
    desk, clock, world = host
    clock.set(datetime(2026, 4, 20, 9, 0, tzinfo=SH))
    staff = world.dealer_sh_staff
    ticket_id = desk.open_ticket(
        staff, customer_id="cust-zh", description="冲水按钮不知怎么调", asset_id="unit-in"
    ).ticket.id
    desk.triage(staff, ticket_id, nature="question", severity=Severity.LOW, plan=Plan.REMOTE)
    desk.contact_customer(staff, ticket_id, note="电话指导调节")
    desk.add_fault_record(
        staff, ticket_id, symptom="keeps_flushing", cause="misuse_against_manual", action="guide_user"
    )
    desk.resolve(staff, ticket_id, summary="电话解答")
    desk.confirm(world.customer_zh, ticket_id)
    dealers = reporting_for(desk.store).completed_category_counts(APRIL, GroupBy.SERVING_DEALER)
    assert dealers == {("dealer-sh", "repair"): 1}
    assert _sh_repairs(desk, world) == 1
