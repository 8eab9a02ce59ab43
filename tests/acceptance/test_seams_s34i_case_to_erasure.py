"""One bathroom-fixture case from the call to the customer's erasure, across capabilities (session 34, i).

Seed 002 (sanitary_ware pack), through the public desk on memory, SQLite and PostgreSQL (skipped without
``AFTERSALES_PG_DSN``): a repair call passed to the territory's dealer (分工 6 甲方的电话通知), found to be
misuse in warranty (收费 b ①使用不当: chargeable), quoted, accepted and paid; repaired and accepted; the
callback finds the customer unhappy (满意度 1/5), which opens a complaint (seed 004 第八条: 投诉处理 →
结果反馈 → 回访); then the customer asks to be erased. At each seam the next capability must see what the
previous one decided: the sheet's charge is the quote's, the slip's and the month's revenue; the dealer
doing the job is the KPI row's and the dealer month's; and the erasure leaves April's figures as they were.

The erasure seam (found here): a complaint handled (seed 004 第八条 2(6) 处理完毕后, 应将处理结果登记好,
its 7-day callback pending; or reviewed) is no ticket "still being worked", but the erasure treated it as
one: without ``cancel_open_tickets`` it refused, and with it cancelled the handled complaint, so April's
complaint resolution rate (seed 001 六(二)4 投诉处理成功率) read 1.0 before the erasure and ``None``
after it, and the complaint's handling time left the KPI. A service ticket's work done (resolved,
accepted) never held the erasure nor was cancelled.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from test_seed002_readings_s24 import PART, SH, _call, host

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.money import Money
from aftersales.ports.reporting import GroupBy, TicketCounts
from aftersales.reports.dealer_monthly import scoped_dealer_monthly
from aftersales.reports.kpi import kpi_report
from aftersales.reports.months import month_period
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["host"]  # the stores' fixture, shared with session 24's readings

APRIL = month_period("2026-04", "Asia/Shanghai")
CNY = "CNY"


def _charged_repair(desk: ServiceDesk, clock: ManualClock, world: World) -> str:
    """20 April 09:00: the office passes the call to the Shanghai dealer; the dealer finds misuse, quotes
    the flush valve (120), labour (80), travel to Pudong (30) and its service fee (20); the customer
    accepts and pays 250; the dealer repairs it by 12:00 and the customer accepts the work."""
    clock.set(datetime(2026, 4, 20, 9, 0, tzinfo=SH))
    ticket_id = _call(desk, world)
    staff = world.dealer_sh_staff
    desk.start_work(staff, ticket_id)
    desk.add_fault_record(
        staff, ticket_id, symptom="keeps_flushing", cause="misuse_against_manual", action="adjust_flush_valve"
    )
    sheet = desk.charges.assess(staff, ticket_id, parts={PART: 1}, travel_zone="pudong")
    # 收费 b ①: in warranty (bought 1 Sept 2025, 36 months from purchase) yet chargeable, every line.
    assert sheet.phase == "in_warranty"
    assert {line.line.kind.value: line.line.chargeable for line in sheet.lines} == {
        "materials": True,
        "labour": True,
        "travel": True,
        "service_fee": True,
    }
    assert [r.code for r in sheet.reasons] == ["in_warranty", "chargeable_cause"]
    quote = desk.charges.quote(staff, ticket_id)
    assert sum((line.unit_price.amount * line.quantity for line in quote.lines), Decimal(0)) == Decimal(
        "250.00"
    )
    desk.charges.accept(world.customer_zh, ticket_id, quote_id=quote.id)
    desk.charges.record_payment(staff, ticket_id, quote.id, amount=Money("250.00", CNY))
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    assert (slip.total, slip.dealer_id, slip.quote_id) == (Money("250.00", CNY), "dealer-sh", quote.id)
    clock.advance(timedelta(hours=3))
    desk.resolve(staff, ticket_id, summary="调整冲水阀")
    desk.confirm(world.customer_zh, ticket_id)
    return ticket_id


def _unhappy_callback_complaint(desk: ServiceDesk, clock: ManualClock, world: World, ticket_id: str) -> str:
    """14:00: the dealer's callback scores 1/5 (below the pack's 3), which opens a complaint; the office
    investigates, the customer agrees to the service fee being refunded, and at 15:00 the outcome is given
    (结果反馈), its callback due within 7 days."""
    clock.advance(timedelta(hours=2))
    result = desk.record_callback(
        world.dealer_sh_staff, ticket_id, problem_back=False, satisfaction=1, attitude=1
    )
    assert [r.code for d in result.decisions for r in d.reasons] == ["low_satisfaction"]
    (complaint_id,) = [v.id for v in desk.ledger(world.manager).items if v.kind == "complaint"]
    complaints = desk.complaints
    complaints.investigate(world.agent, complaint_id)
    complaints.propose_solution(world.agent, complaint_id, solution="退还上门服务费")
    complaints.agree_solution(world.customer_zh, complaint_id)
    clock.advance(timedelta(hours=1))
    complaints.give_feedback(world.agent, complaint_id, outcome="已退还服务费")
    assert desk.ticket(world.manager, complaint_id).state == "feedback_given"
    return complaint_id


def _april(desk: ServiceDesk, clock: ManualClock) -> dict[str, tuple[TicketCounts, object, object]]:
    assert desk.calendar is not None
    report = kpi_report(
        reporting_for(desk.store), APRIL, desk.calendar, group=GroupBy.SERVING_DEALER, as_of=clock.now()
    )
    return {r.group: (r.counts, r.complaint_resolution_rate, r.resolution) for r in report.rows}


def test_the_case_reads_the_same_charge_dealer_and_figures_at_every_seam(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = host
    ticket_id = _charged_repair(desk, clock, world)
    complaint_id = _unhappy_callback_complaint(desk, clock, world, ticket_id)
    # The complaint is about the dealer's job: the same dealer, region and customer.
    complaint = desk.ticket(world.manager, complaint_id)
    assert (complaint.customer_id, complaint.dealer_id, complaint.region) == ("cust-zh", "dealer-sh", "SH")
    clock.set(datetime(2026, 5, 2, 9, 0, tzinfo=SH))
    rows = _april(desk, clock)
    assert set(rows) == {"dealer-sh", ""}
    # The dealer's row: the repair it did (3 h), scored 1 at its callback.
    counts, _, resolution = rows["dealer-sh"]
    assert (counts.tickets, counts.resolved, counts.complaints) == (1, 1, 0)
    assert (counts.rated, counts.satisfaction_sum, counts.attitude_sum) == (1, 1, 1)
    assert resolution.count == 1 and resolution.mean == timedelta(hours=3)  # type: ignore[attr-defined]
    # The centre's row: the complaint it handled in 1 h (seed 004 第八条 2(1)).
    counts, complaint_rate, resolution = rows[""]
    assert (counts.tickets, counts.resolved, counts.complaints, counts.complaints_resolved) == (1, 1, 1, 1)
    assert complaint_rate == Decimal("1.0000")
    assert resolution.count == 1 and resolution.mean == timedelta(hours=1)  # type: ignore[attr-defined]
    month = scoped_dealer_monthly(desk, world.manager, reporting_for(desk.store), "2026-04")
    assert [(r.dealer_id, r.repairs) for r in month.rows if r.repairs] == [("dealer-sh", 1)]
    revenue = desk.fees.monthly_revenue(world.manager, "2026-04")
    assert (revenue.revenue_total, revenue.received, revenue.materials_revenue) == (
        Money("250.00", CNY),
        Money("250.00", CNY),
        Money("120.00", CNY),
    )
    # The dealer's own view: the same figures, scoped to it.
    own = scoped_dealer_monthly(desk, world.dealer_sh_staff, reporting_for(desk.store), "2026-04")
    assert [(r.dealer_id, r.repairs) for r in own.rows] == [("dealer-sh", 1)]


@pytest.mark.parametrize(
    ("reviewed", "cancel_open"),
    [(False, False), (False, True), (True, True)],
    ids=["feedback_given", "feedback_given-cancel_open", "reviewed-cancel_open"],
)
def test_an_erasure_leaves_a_handled_complaint_and_april_figures_as_they_were(
    host: tuple[ServiceDesk, ManualClock, World], reviewed: bool, cancel_open: bool
) -> None:
    # 10 May: the customer asks to be erased; the complaint was handled in April (its outcome given;
    # reviewed too). The erasure neither refuses for it nor, asked to cancel what is open, cancels it:
    # its handling stands in April's complaint figures, its callback not yet due is owed no more.
    desk, clock, world = host
    ticket_id = _charged_repair(desk, clock, world)
    complaint_id = _unhappy_callback_complaint(desk, clock, world, ticket_id)
    if reviewed:
        desk.complaints.review(
            world.manager, complaint_id, root_cause="fee_not_explained", improvement="上门前说明收费标准"
        )
    handled = desk.ticket(world.manager, complaint_id).state
    clock.set(datetime(2026, 4, 24, 9, 0, tzinfo=SH))  # the complaint's 7-day callback not yet due
    before = _april(desk, clock)
    record = desk.privacy.erase_customer(
        world.manager, "cust-zh", "本人要求删除", cancel_open_tickets=cancel_open
    )
    assert (record.tickets, record.cancelled) == (2, 0)
    after = _april(desk, clock)
    assert set(after) == set(before) == {"dealer-sh", ""}
    for group in before:
        assert after[group][1:] == before[group][1:]
        assert attrs_without_callbacks(after[group][0]) == attrs_without_callbacks(before[group][0])
    assert (after[""][0].complaints_resolved, after[""][1]) == (1, Decimal("1.0000"))
    complaint = desk.ticket(world.manager, complaint_id)
    assert complaint.state == handled and complaint.description == "[erased]"
    # Nobody may call the person: the complaint's callback is owed no more, and never turns late.
    clock.set(datetime(2026, 5, 10, 9, 0, tzinfo=SH))
    counts = _april(desk, clock)[""][0]
    assert counts.callbacks_due - counts.callbacks_done == 0
    # The staff's own part (总结改进, 归档) needs no call: they finish it, and the figures hold.
    if not reviewed:
        desk.complaints.review(
            world.manager, complaint_id, root_cause="fee_not_explained", improvement="上门前说明收费标准"
        )
    desk.complaints.close(world.manager, complaint_id)
    assert desk.ticket(world.manager, complaint_id).state == "closed"
    assert _april(desk, clock)[""][0].complaints_resolved == 1


def attrs_without_callbacks(counts: TicketCounts) -> tuple[int, ...]:
    """The counts an erasure must not move (the callbacks owed may be released: nobody may be called)."""
    return (
        counts.tickets,
        counts.resolved,
        counts.cancelled,
        counts.first_time_fixed,
        counts.rated,
        counts.satisfaction_sum,
        counts.complaints,
        counts.complaints_resolved,
        counts.complaints_cancelled,
    )
