"""Seed 002's money where capabilities meet, through the ServiceDesk, on memory, SQLite and PostgreSQL
(when a DSN is set): what an after-sales accountant still saw wrong in the month's books.

- 已收费的材料不计入盘点表 / 售后服务销售收入的统计表为收费材料的清单: a part lent free and then charged
  on the customer's accepted quote is income (the quote's slip) and no longer the maker's cost — in the
  month's money, the KPI cost reading and the budget's actual — counted once, also across a month boundary.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from test_seed002_charged_after_free_issue import DEALER, _charged_after_free_issue
from test_seed002_money import PART, SH, _free_part_received, _repair, story

from aftersales.adapters.clock import ManualClock
from aftersales.domain.materials import MaterialsLine
from aftersales.domain.money import Money
from aftersales.errors import PolicyError
from aftersales.reports.budgets import budget_report
from aftersales.reports.money import month_money, slip_cost_totals
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["story"]  # the fixture, shared with the seed-002 money story

Story = tuple[ServiceDesk, ManualClock, World]
CNY = "CNY"


def _misuse_found(desk: ServiceDesk, world: World, ticket_id: str) -> None:
    desk.add_fault_record(
        world.dealer_sh_staff, ticket_id, symptom="keeps_flushing", cause="misuse_against_manual",
        action="reinstall",
    )  # fmt: skip


def test_a_free_part_charged_on_the_quote_is_income_not_cost_in_the_same_month(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _charged_after_free_issue(desk, clock, world)  # lent free 3 March, charged the same day
    with desk.store() as uow:
        march = month_money(uow.documents, "2026-03")
        tickets, kinds = slip_cost_totals(uow.documents, ["2026-03"])
        budget = budget_report(uow.documents, "2026-03")
    # the customer's 220.00 (valve 120, labour 80, fee 20) and the dealer's valve at cost (75.00)
    assert march.income == Money("295.00", CNY)
    assert march.cost == Money(0, CNY)  # the valve is sold, not given: no cost left for it
    assert march.ticket(ticket_id).cost == Money(0, CNY)
    assert kinds.get("materials", Decimal(0)) == Decimal(0) and tickets == 1
    assert all(row.actual == Money(0, CNY) for row in budget.rows) and budget.unapproved == ()
    revenue = desk.fees.monthly_revenue(world.manager, "2026-03")
    (balance,) = revenue.balances
    assert (balance.issued_free, balance.charged_on_quote, balance.outstanding) == (1, 1, 0)
    assert [(e.item, e.amount) for e in revenue.charged_after_issue] == [(PART, Money("75.00", CNY))]
    assert revenue.returns == ()  # the reclassified valve is no return


def test_charged_in_the_next_month_the_free_issue_is_taken_back_there(story: Story) -> None:
    desk, clock, world = story
    ticket_id, _request_id = _free_part_received(desk, clock, world)  # lent free 3 March
    clock.set(datetime(2026, 4, 1, 10, 0, tzinfo=SH))
    _misuse_found(desk, world, ticket_id)
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    with desk.store() as uow:
        march = month_money(uow.documents, "2026-03")
        april = month_money(uow.documents, "2026-04")
        quarter = slip_cost_totals(uow.documents, ["2026-03", "2026-04"])[1]
    assert march.cost == Money("75.00", CNY) and march.income == Money(0, CNY)  # March's books stand
    assert april.income == Money("220.00", CNY) and april.cost == Money("-75.00", CNY)
    assert quarter.get("materials", Decimal(0)) == Decimal(0)  # over both months: sold, never given


def test_a_free_part_received_after_the_quote_is_not_a_free_issue(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-in")
    materials = desk.materials
    request = materials.request(
        world.dealer_sh_staff, ticket_id, party=DEALER, lines=[MaterialsLine(PART, 1)], urgent=True
    )
    materials.check(world.agent, request.id)
    materials.approve(world.manager, request.id)
    materials.pick(world.agent, request.id)
    materials.ship(world.agent, request.id)
    _misuse_found(desk, world, ticket_id)
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    desk.charges.accept(world.customer_zh, ticket_id, desk.charges.quote(world.agent, ticket_id).id)
    clock.advance(timedelta(hours=5))
    materials.receive(world.dealer_sh_staff, request.id)
    with desk.store() as uow:
        march = month_money(uow.documents, "2026-03")
    assert march.income == Money("220.00", CNY) and march.cost == Money(0, CNY)
    revenue = desk.fees.monthly_revenue(world.manager, "2026-03")
    assert revenue.free_issued == () and revenue.balances == ()


# -- 款到发货 on every path that ships parts ------------------------------------------------------------


def test_the_dealers_purchase_is_paid_before_the_parts_ship_though_the_customers_quote_filed_them(
    story: Story,
) -> None:
    # 保修期外甲方按成本价向乙方提供维修材料,款到发货: the maker ships once the dealer has paid its purchase.
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    purchase = desk.charges.dealer_purchase(world.agent, ticket_id)
    assert quote.payment_before_shipping and purchase.payment_before_shipping
    accepted = desk.charges.accept(world.customer_zh, ticket_id, quote.id, urgent=True)
    desk.charges.accept(world.dealer_sh_staff, ticket_id, purchase.id)
    request_id = accepted.materials_request.id  # type: ignore[union-attr]
    desk.materials.pick(world.agent, request_id)
    desk.charges.record_payment(world.customer_zh, ticket_id, quote.id, amount=quote.total)
    before = desk.materials.materials_request(world.agent, request_id)
    with pytest.raises(PolicyError) as info:
        desk.materials.ship(world.agent, request_id)
    assert info.value.code == "payment_before_shipping" and purchase.id in str(info.value)
    after = desk.materials.materials_request(world.agent, request_id)
    assert after.version == before.version and after.shipping_note is None
    desk.charges.record_payment(world.dealer_sh_staff, ticket_id, purchase.id, amount=purchase.total)
    shipped = desk.materials.ship(world.agent, request_id)
    assert shipped.shipping_note is not None


def test_the_purchase_filed_first_still_waits_for_the_customers_pay_first_quote(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-out")
    desk.charges.assess(world.dealer_sh_staff, ticket_id)
    purchase = desk.charges.dealer_purchase(world.agent, ticket_id)
    quote = desk.charges.quote(world.agent, ticket_id)
    accepted = desk.charges.accept(world.dealer_sh_staff, ticket_id, purchase.id, urgent=True)
    desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    request_id = accepted.materials_request.id  # type: ignore[union-attr]
    desk.materials.pick(world.agent, request_id)
    desk.charges.record_payment(world.dealer_sh_staff, ticket_id, purchase.id, amount=purchase.total)
    with pytest.raises(PolicyError) as info:
        desk.materials.ship(world.agent, request_id)
    assert info.value.code == "payment_before_shipping" and quote.id in str(info.value)
    desk.charges.record_payment(world.customer_zh, ticket_id, quote.id, amount=Money("120.00", CNY))
    assert desk.materials.ship(world.agent, request_id).shipping_note is not None  # the parts are paid
