"""Session 18, seed 002: a part given free is the maker's cost at its cost price, whichever paper lists it.

保修期内甲方免费向乙方提供维修材料 (in warranty the maker supplies the parts free) and 上海维娜斯仅按成本价向
各特约承销商收取材料费 (the maker's materials go to the dealers at cost): what the maker gives is worth its
cost price, as the free issue of a repair free from the start (at cost) and the dealer's purchase (at
cost) count it. On a mixed job (the ceramic body in warranty, the valve out of it) the customer's quote
shows the free body at the user's price (480.00), and before, the month's cost, the KPI's cost by kind, the
budget's actual and the free list counted it at 480.00 when the customer's quote was accepted first or
alone, at 300.00 when the dealer's purchase was: one job, two costs, by the order of two signatures.
The customer's slip now carries the body's cost price (``FeeSlip.cost_prices``) and every cost figure
counts 300.00; the customer, who never reads the maker's price to dealers, reads the slip without it.
On memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from test_seed002_money_gaps import BODY, CNY, Story, _mixed_job, mixed

from aftersales.domain.money import Money
from aftersales.reports.budgets import budget_report
from aftersales.reports.money import month_money, slip_cost_totals

__all__ = ["mixed"]  # the fixture: a desk with the valve's and the ceramic body's prices

COST = Money("300.00", CNY)  # the body's cost price; its user price is 480.00


@pytest.mark.parametrize("accepted", [("customer",), ("customer", "dealer"), ("dealer", "customer")])
def test_the_free_part_costs_its_cost_price_whichever_paper_is_accepted_first(
    mixed: Story, accepted: tuple[str, ...]
) -> None:
    desk, clock, world = mixed
    ticket_id, _sheet = _mixed_job(desk, clock, world)
    papers = {
        "customer": (world.customer_zh, desk.charges.quote(world.agent, ticket_id)),
        "dealer": (world.dealer_sh_staff, desk.charges.dealer_purchase(world.agent, ticket_id)),
    }
    for payer in accepted:
        actor, quote = papers[payer]
        desk.charges.accept(actor, ticket_id, quote.id)
    with desk.store() as uow:
        march = month_money(uow.documents, "2026-03")
        _tickets, kinds = slip_cost_totals(uow.documents, ["2026-03"])
        budget = budget_report(uow.documents, "2026-03")
    assert march.cost == COST and march.ticket(ticket_id).cost == COST
    assert kinds == {"materials": Decimal("300.00")}
    assert [(row.category, row.actual) for row in budget.rows] == [("materials", COST)]
    revenue = desk.fees.monthly_revenue(world.manager, "2026-03")
    assert [(e.item, e.amount) for e in revenue.free_issued] == [(BODY, COST)]


def test_the_customer_reads_its_slip_without_the_maker_s_cost_price(mixed: Story) -> None:
    desk, clock, world = mixed
    ticket_id, _sheet = _mixed_job(desk, clock, world)
    quote = desk.charges.quote(world.agent, ticket_id)
    accepted = desk.charges.accept(world.customer_zh, ticket_id, quote.id)
    assert accepted.fee_slip is not None and accepted.fee_slip.cost_prices == {}
    slip_id = accepted.fee_slip.id
    body = [(ln.unit_price, ln.chargeable) for ln in accepted.fee_slip.lines if ln.item == BODY]
    assert body == [(Money("480.00", CNY), False)]  # shown free at the user's price, as before
    assert desk.fees.slip(world.customer_zh, slip_id).cost_prices == {}
    assert [s.cost_prices for s in desk.fees.slips_of(world.customer_zh, ticket_id)] == [{}]
    exported = json.loads(desk.privacy.export_customer(world.customer_zh, "cust-zh"))
    (slip,) = exported["data"]["fee_slip"]
    assert slip["id"] == slip_id and not slip.get("cost_prices")
    # The office and the dealer doing the job read it (the maker's price to dealers is theirs).
    assert desk.fees.slip(world.manager, slip_id).cost_prices == {BODY: COST}
    assert desk.fees.slip(world.dealer_sh_staff, slip_id).cost_prices == {BODY: COST}
