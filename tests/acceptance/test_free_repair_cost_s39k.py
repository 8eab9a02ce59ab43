"""Session 39 (k): a wholly free repair's labour, travel and service fee are after-sales cost, on memory,
SQLite and PostgreSQL.

Seed 000 费用核算与控制: 财务部门对售后维护费用进行单独核算,包括维修材料费用、人工费用、运输费用等,
held to the budget. Cost is the value given free, whoever gives it. A repair that charged nothing (no
fee slip) counted only its free part (75.00) while the same free labour on a slip charging something else was
counted; now the assessed free labour 80, travel 30 and fee 20 count in the month the customer accepted
the repair — in ``month_money``, the dealer's own month, the KPI's cost per ticket and the budget's
actual (``slip_cost_totals``) — once: not again when the job is reopened and accepted again, and taken
back when a later quote of the job charges them (income on its slip).
"""

from __future__ import annotations

from datetime import datetime

from test_seed002_money import SH, _free_part_received, _repair, story  # noqa: F401  (the fixture)

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.reporting import reporting_for
from aftersales.domain.money import Money
from aftersales.domain.work import VisitKind
from aftersales.reports.kpi import kpi_report
from aftersales.reports.money import month_money, scoped_month_money, slip_cost_totals
from aftersales.reports.months import month_period
from aftersales.service.desk import ServiceDesk
from conftest import World

CNY = "CNY"


def _accept(desk: ServiceDesk, clock: ManualClock, world: World, ticket_id: str, at: datetime) -> None:
    clock.set(at)
    desk.resolve(world.dealer_sh_staff, ticket_id, summary="更换冲水阀")
    desk.confirm(world.customer_zh, ticket_id)


def test_a_free_repair_s_free_work_is_cost_in_the_month_it_was_accepted_once(
    story: tuple[ServiceDesk, ManualClock, World],  # noqa: F811
) -> None:
    desk, clock, world = story
    dealer = world.dealer_sh_staff
    ticket_id, _request = _free_part_received(desk, clock, world)  # the valve lent free: 75.00 in March
    sheet = desk.charges.assess(dealer, ticket_id, travel_zone="pudong")
    assert sheet.customer_total == Money(0, CNY) and sheet.service_value == Money("250.00", CNY)
    _accept(desk, clock, world, ticket_id, datetime(2026, 3, 4, 10, 0, tzinfo=SH))
    clock.set(datetime(2026, 3, 5, 10, 0, tzinfo=SH))
    desk.reopen(dealer, ticket_id, reason="仍然漏水")
    desk.start_work(dealer, ticket_id)
    _accept(desk, clock, world, ticket_id, datetime(2026, 3, 5, 16, 0, tzinfo=SH))  # accepted again
    with desk.store() as uow:
        march = month_money(uow.documents, "2026-03")
        tickets, kinds = slip_cost_totals(uow.documents, ["2026-03"], currency=CNY)
        period = month_period("2026-03", "Asia/Shanghai")
        kpi = kpi_report(reporting_for(desk.store), period, desk.calendar, documents=uow.documents)  # type: ignore[arg-type]
    assert march.cost == Money("205.00", CNY) and march.ticket(ticket_id).cost == Money("205.00", CNY)
    assert scoped_month_money(desk, dealer, "2026-03").cost == Money("205.00", CNY)  # the dealer's own
    assert tickets == 1 and {k: str(v) for k, v in sorted(kinds.items())} == {
        "labour": "80.00", "materials": "75.00", "service_fee": "20.00", "travel": "30.00",
    }  # fmt: skip
    assert kpi.total.cost_per_ticket == Money("205.00", CNY)
    # April: misuse found, the repair reassessed and charged on a quote: the work is income now.
    clock.set(datetime(2026, 4, 2, 10, 0, tzinfo=SH))
    desk.reopen(dealer, ticket_id, reason="复查")
    desk.start_work(dealer, ticket_id)
    desk.add_fault_record(
        dealer, ticket_id, symptom="keeps_flushing", cause="misuse_against_manual", action="reinstall"
    )
    desk.charges.assess(dealer, ticket_id, travel_zone="pudong")
    quote = desk.charges.quote(world.agent, ticket_id)
    desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    _accept(desk, clock, world, ticket_id, datetime(2026, 4, 3, 10, 0, tzinfo=SH))
    with desk.store() as uow:
        march = month_money(uow.documents, "2026-03")
        april = month_money(uow.documents, "2026-04")
    assert march.cost == Money("205.00", CNY)  # March's books stand
    assert april.income == Money("250.00", CNY) and april.cost == Money("-205.00", CNY)
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    desk.fees.cancel_slip(world.manager, slip.id, "费用已与客户协商免除")  # the work was free after all
    with desk.store() as uow:
        april = month_money(uow.documents, "2026-04")
        _, kinds = slip_cost_totals(uow.documents, ["2026-04"], currency=CNY)
        period = month_period("2026-04", "Asia/Shanghai")
        kpi = kpi_report(reporting_for(desk.store), period, desk.calendar, documents=uow.documents)  # type: ignore[arg-type]
    assert april.income == Money(0, CNY)  # the work counts in March alone again: April holds none of it
    assert [kinds.get(kind) for kind in ("labour", "travel", "service_fee")] == [0, 0, 0]
    # So does the free part its quote charged (s39t): the charge waived, its cost is given back in April.
    assert april.cost == Money(0, CNY) and kinds.get("materials") == 0
    assert scoped_month_money(desk, dealer, "2026-04").cost == Money(0, CNY)
    assert kpi.total.cost_per_ticket == Money(0, CNY)
    # May: a callback visit out of warranty (回访…不收取服务费): its slip charges the part and lists the free
    # work, which it counts; accepting the job counts that work no second time.
    clock.set(datetime(2026, 5, 6, 10, 0, tzinfo=SH))
    visit = _repair(desk, clock, world, "unit-out")
    desk.add_visit(
        dealer, visit, planned_at=clock.now(), engineer_id="eng-dealer-sh", kind=VisitKind.CALLBACK
    )
    desk.charges.assess(dealer, visit, travel_zone="pudong")
    desk.charges.accept(world.customer_zh, visit, desk.charges.quote(world.agent, visit).id)
    _accept(desk, clock, world, visit, datetime(2026, 5, 7, 10, 0, tzinfo=SH))
    with desk.store() as uow:
        may = month_money(uow.documents, "2026-05")
    assert may.income == Money("120.00", CNY) and may.cost == Money("130.00", CNY)
