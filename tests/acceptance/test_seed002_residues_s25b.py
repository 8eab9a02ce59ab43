"""Seed 002's money, materials and dealer's month: residues session 24 left (session 25, b).

卫浴行业售后服务流程与外包合同, through the ServiceDesk as a host runs it, on memory, SQLite and PostgreSQL
(skipped without ``AFTERSALES_PG_DSN``):

* 退料 1 “视用户对该材料为事实占有,需收取相关费用” / 其他 3 “相关费用及时与用户协商解决”: a charge as kept
  waived (its slip cancelled) leaves the loan ledger too; the part sent back late is then returned, on
  the ledger and on the books' returns list alike;
* 分工 7 “每次维修完毕后…经客户确认后汇总”, 分工 10 / 档案 b “每月3日之前将上月维修情况汇总”: a month the
  dealer already reported does not change — not when the rework after a reopen is cancelled, nor when
  it is passed to another dealer (the rework is another repair, the new dealer's, in its own month);
* 退料 4–5 “盘盈盘亏分析”, “与用户沟通”: the office closes the review of a surplus — taken into stock, sent
  back or written off — through the command path.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from test_seed002_readings_s24 import (
    PART,
    SH,
    _call,
    _free_part_received,
    _kept_and_returned_late,
    _repaired_and_accepted,
    host,
)

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.loan_ledger import EntryKind, LoanLedger
from aftersales.domain.materials import PartyRef
from aftersales.domain.money import Money
from aftersales.domain.surplus_review import SurplusOutcome
from aftersales.errors import NotFound, PermissionDenied, PolicyError, ValidationError
from aftersales.reports.dealer_monthly import scoped_dealer_monthly
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["host"]  # the stores' fixture, shared with session 24's readings


# -- 退料 1 / 其他 3: a charge as kept waived


def test_a_waived_charge_leaves_the_ledger_and_the_late_part_is_returned_on_ledger_and_books(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # Charged as kept on 3 April, sent back on 10 April (surplus for review), waived on 12 April. The
    # ledger showed the line still charged and the part still in review, while the books had neither the
    # charge nor the return. Now: charged 0, returned 1, nothing in review; April's returns list has it.
    desk, clock, world = host
    slip_id = _kept_and_returned_late(desk, clock, world)
    clock.set(datetime(2026, 4, 12, 10, 0, tzinfo=SH))
    desk.fees.cancel_slip(world.manager, slip_id, "旧件已退回,协商免收")
    dealer = PartyRef.dealer("dealer-sh")
    ledger = desk.materials.ledger(world.agent, dealer)
    assert (ledger.issued, ledger.returned, ledger.charged, ledger.balance) == (1, 1, 0, {})
    assert ledger.chargebacks == ()
    with desk.store() as uow:
        stored = uow.documents.get(LoanLedger, dealer.key)
    assert stored.surplus == [] and stored.in_review(PART) == 0
    assert [e.kind for e in stored.entries][-2:] == [EntryKind.WAIVED, EntryKind.RETURNED]
    april = desk.fees.monthly_revenue(world.manager, "2026-04")
    assert [(e.item, e.quantity) for e in april.returns] == [(PART, 1)]
    (balance,) = [b for b in april.balances if b.item == PART]
    assert (balance.opening, balance.returned, balance.charged_unreturned, balance.outstanding) == (
        1,
        1,
        0,
        0,
    )
    march = desk.fees.monthly_revenue(world.manager, "2026-03")
    assert [(e.item, e.quantity) for e in march.free_issued] == [(PART, 1)] and march.returns == ()


def test_a_waived_charge_for_a_part_not_back_leaves_the_line_out_and_uncharged(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # Waived though the part never came back: the ledger no longer charges it; the line is out again
    # (what the books say once the slip is cancelled), and the overdue job does not charge it twice.
    desk, clock, world = host
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=SH))
    ticket_id = _call(desk, world)
    _free_part_received(desk, clock, world, ticket_id)
    desk.resolve(world.dealer_sh_staff, ticket_id, summary="换冲水阀")
    clock.set(datetime(2026, 4, 3, 0, 1, tzinfo=SH))
    desk.materials.run_overdue_chargebacks(world.system)
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    clock.set(datetime(2026, 4, 12, 10, 0, tzinfo=SH))
    desk.fees.cancel_slip(world.manager, slip.id, "特批免收")
    dealer = PartyRef.dealer("dealer-sh")
    ledger = desk.materials.ledger(world.agent, dealer)
    assert (ledger.issued, ledger.returned, ledger.charged, ledger.balance) == (1, 0, 0, {PART: 1})
    assert desk.materials.run_overdue_chargebacks(world.system) == ()
    assert [s.id for s in desk.fees.slips_of(world.manager, ticket_id) if s.is_active] == []


def test_a_waived_charge_of_a_stock_count_leaves_the_ledger_too(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # The count of 4 April found the valve missing past its deadline and charged it (盘亏); the office
    # waives it. The count's charge (keyed by the count sheet, not the overdue job's key) leaves the
    # ledger as the job's does; cancelling its slip is not refused.
    desk, clock, world = host
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=SH))
    ticket_id = _call(desk, world)
    _free_part_received(desk, clock, world, ticket_id)
    desk.resolve(world.dealer_sh_staff, ticket_id, summary="换冲水阀")
    clock.set(datetime(2026, 4, 4, 9, 0, tzinfo=SH))
    dealer = PartyRef.dealer("dealer-sh")
    counted = desk.materials.reconcile(world.manager, dealer, {PART: 0}, reference="PD-2026-04")
    assert len(counted.chargebacks) == 1
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    clock.set(datetime(2026, 4, 12, 10, 0, tzinfo=SH))
    desk.fees.cancel_slip(world.manager, slip.id, "特批免收")
    ledger = desk.materials.ledger(world.agent, dealer)
    assert (ledger.issued, ledger.returned, ledger.charged, ledger.balance) == (1, 0, 0, {PART: 1})
    assert ledger.chargebacks == ()


# -- 分工 7/10, 档案 b: a month the dealer reported stays as reported


def _repairs(desk: ServiceDesk, world: World, month: str) -> dict[str, tuple[int, bool | None]]:
    """Per dealer, the ledger's repairs of ``month`` and whether the dealer's filed report matches."""
    report = scoped_dealer_monthly(desk, world.manager, reporting_for(desk.store), month)
    return {r.dealer_id: (r.repairs, r.matches_ledger) for r in report.rows}


def _april_repair_reported(desk: ServiceDesk, clock: ManualClock, world: World) -> str:
    """A repair by the Shanghai dealer accepted on 20 April, reported with April's figures on 2 May."""
    clock.set(datetime(2026, 4, 20, 9, 0, tzinfo=SH))
    ticket_id = _call(desk, world)
    _repaired_and_accepted(desk, world, ticket_id)
    clock.set(datetime(2026, 5, 2, 10, 0, tzinfo=SH))
    desk.reports.submit_dealer_report(
        world.dealer_sh_staff, "dealer-sh", "2026-04", installations=0, repairs=1
    )
    assert _repairs(desk, world, "2026-04")["dealer-sh"] == (1, True)
    return ticket_id


def test_a_reported_repair_stays_in_its_month_when_the_rework_is_cancelled(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # The problem is back on 6 May, the job reopened; on 8 May the customer calls the rework off. April's
    # repair was done and accepted: April still counts it and the filed report still matches. (The
    # cancelled ticket dropped out of every month: April fell to 0.)
    desk, clock, world = host
    ticket_id = _april_repair_reported(desk, clock, world)
    clock.set(datetime(2026, 5, 6, 9, 0, tzinfo=SH))
    desk.reopen(world.manager, ticket_id, reason="客户来电:又一直冲水")
    clock.set(datetime(2026, 5, 8, 9, 0, tzinfo=SH))
    desk.cancel(world.agent, ticket_id, reason="客户自行处理,不再需要上门")
    assert _repairs(desk, world, "2026-04")["dealer-sh"] == (1, True)
    assert _repairs(desk, world, "2026-05").get("dealer-sh", (0, None))[0] == 0


def test_a_rework_passed_to_another_dealer_is_that_dealers_repair_and_leaves_the_first_month(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # Reopened on 6 May and passed to the Beijing dealer, who repairs it and has it accepted on 7 May.
    # April keeps the Shanghai dealer's repair (its report still matches, Beijing has none in April); May
    # counts the rework for Beijing, who did it (每次维修…经客户确认后汇总), not for Shanghai. (Every
    # completion followed the ticket's current dealer: April's repair moved to Beijing.)
    desk, clock, world = host
    ticket_id = _april_repair_reported(desk, clock, world)
    clock.set(datetime(2026, 5, 6, 9, 0, tzinfo=SH))
    desk.reopen(world.manager, ticket_id, reason="客户来电:又一直冲水")
    desk.dispatch(world.agent, ticket_id, dealer_id="dealer-bj", reason="客户在北京的房子")
    clock.set(datetime(2026, 5, 7, 15, 0, tzinfo=SH))
    staff = world.dealer_bj_staff
    desk.start_work(staff, ticket_id)
    desk.add_fault_record(
        staff, ticket_id, symptom="keeps_flushing", cause="flush_valve_worn", action="adjust_flush_valve"
    )
    desk.resolve(staff, ticket_id, summary="调整冲水阀")
    desk.confirm(world.customer_zh, ticket_id, note="好了")
    april = _repairs(desk, world, "2026-04")
    assert april["dealer-sh"] == (1, True) and april.get("dealer-bj", (0, None))[0] == 0
    may = _repairs(desk, world, "2026-05")
    assert may["dealer-bj"][0] == 1 and may.get("dealer-sh", (0, None))[0] == 0


# -- 退料 4–5: 盘盈盘亏分析, 与用户沟通 — closing the review of a surplus


def _surplus_key(desk: ServiceDesk, clock: ManualClock, world: World) -> str:
    """The late part of :func:`_kept_and_returned_late`, surplus for review on the Shanghai ledger."""
    _kept_and_returned_late(desk, clock, world)
    with desk.store() as uow:
        (surplus,) = uow.documents.get(LoanLedger, PartyRef.dealer("dealer-sh").key).surplus
    return surplus.key


def test_a_surplus_taken_into_stock_leaves_the_review_and_is_booked_at_cost(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # The flush valve sent back after its charge is sound: the office takes it into stock on 15 April.
    # It leaves the review (closed, with the note), the charge stands, and April's books list it taken in
    # at cost, neither cost nor income nor a loan returned. (No command closed a review: it stayed open.)
    desk, clock, world = host
    key = _surplus_key(desk, clock, world)
    clock.set(datetime(2026, 4, 15, 10, 0, tzinfo=SH))
    dealer = PartyRef.dealer("dealer-sh")
    closed = desk.materials.close_surplus(world.manager, dealer, key, SurplusOutcome.INTO_STOCK, "完好,入库")
    assert (closed.part, closed.quantity, closed.outcome, closed.at) == (
        PART, 1, SurplusOutcome.INTO_STOCK, clock.now(),
    )  # fmt: skip
    with desk.store() as uow:
        ledger = uow.documents.get(LoanLedger, dealer.key)
    assert ledger.surplus == [] and [c.key for c in ledger.surplus_closed] == [key]
    summary = desk.materials.ledger(world.agent, dealer)
    assert (summary.issued, summary.returned, summary.charged) == (1, 0, 1)  # the charge stands
    april = desk.fees.monthly_revenue(world.manager, "2026-04")
    assert [(e.item, e.quantity, e.amount) for e in april.surplus_into_stock] == [
        (PART, 1, Money("75.00", "CNY"))
    ]
    assert april.returns == () and april.revenue_total == Money("75.00", "CNY")


@pytest.mark.parametrize("outcome", [SurplusOutcome.SENT_BACK, SurplusOutcome.WRITTEN_OFF])
def test_a_surplus_sent_back_or_written_off_leaves_the_review_and_books_nothing(
    host: tuple[ServiceDesk, ManualClock, World], outcome: SurplusOutcome
) -> None:
    desk, clock, world = host
    key = _surplus_key(desk, clock, world)
    clock.set(datetime(2026, 4, 15, 10, 0, tzinfo=SH))
    dealer = PartyRef.dealer("dealer-sh")
    desk.materials.close_surplus(world.manager, dealer, key, outcome.value, "与经销商沟通后处理")
    with desk.store() as uow:
        ledger = uow.documents.get(LoanLedger, dealer.key)
    assert ledger.surplus == [] and [c.outcome for c in ledger.surplus_closed] == [outcome]
    assert desk.fees.monthly_revenue(world.manager, "2026-04").surplus_into_stock == ()


def test_closing_a_surplus_twice_or_an_unknown_one_or_without_a_note_is_refused_and_changes_nothing(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = host
    key = _surplus_key(desk, clock, world)
    dealer = PartyRef.dealer("dealer-sh")
    close = desk.materials.close_surplus
    with pytest.raises(ValidationError) as bad_note:
        close(world.manager, dealer, key, SurplusOutcome.WRITTEN_OFF, "  ")
    assert bad_note.value.field == "note"
    with pytest.raises(ValidationError) as bad_outcome:
        close(world.manager, dealer, key, "burn", "烧掉")  # type: ignore[arg-type]
    assert bad_outcome.value.field == "outcome"
    with pytest.raises(NotFound):
        close(world.manager, dealer, "return:nope", SurplusOutcome.WRITTEN_OFF, "无此项")
    with pytest.raises(NotFound):
        close(world.manager, PartyRef.dealer("dealer-bj"), key, SurplusOutcome.WRITTEN_OFF, "别家的")
    with pytest.raises(PermissionDenied):
        close(world.dealer_sh_staff, dealer, key, SurplusOutcome.INTO_STOCK, "自己入库")
    with desk.store() as uow:
        assert [s.key for s in uow.documents.get(LoanLedger, dealer.key).surplus] == [key]
    close(world.manager, dealer, key, SurplusOutcome.WRITTEN_OFF, "报废")
    with pytest.raises(PolicyError) as twice:
        close(world.manager, dealer, key, SurplusOutcome.INTO_STOCK, "再入库")
    assert twice.value.code == "surplus_closed"
    with desk.store() as uow:
        ledger = uow.documents.get(LoanLedger, dealer.key)
    assert [c.outcome for c in ledger.surplus_closed] == [SurplusOutcome.WRITTEN_OFF]
    assert desk.fees.monthly_revenue(world.manager, "2026-04").surplus_into_stock == ()


def test_a_surplus_found_by_a_stock_count_is_closed_under_the_count_sheet(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # A count finds a valve the dealer was never lent (盘盈): taken into stock, booked under the count.
    desk, clock, world = host
    clock.set(datetime(2026, 4, 1, 9, 0, tzinfo=SH))
    dealer = PartyRef.dealer("dealer-sh")
    found = desk.materials.reconcile(world.manager, dealer, {PART: 1}, reference="PD-2026-04")
    (item,) = found.surplus_items
    desk.materials.close_surplus(world.manager, dealer, item.key, SurplusOutcome.INTO_STOCK, "入库")
    april = desk.fees.monthly_revenue(world.manager, "2026-04")
    assert [(e.ticket_id, e.item, e.quantity) for e in april.surplus_into_stock] == [("PD-2026-04", PART, 1)]
