# mypy: disable-error-code="arg-type"
"""What the customer reads of its ticket (session 18): not the maker's dealings with the dealer.

Seed 002: 未退料…视用户对该材料为事实占有,需收取相关费用 — a replaced part the dealer does not return in
time is charged to the dealer at the maker's price (成本价). That charge is between the maker and the
dealer: its fee slip is not the customer's to read, and neither is its step in the ticket's history.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from test_seed002_money import PART, SH, _free_part_received, _repair, story

from aftersales.adapters.clock import ManualClock
from aftersales.domain.materials import MaterialsLine, PartyRef
from aftersales.errors import NotFound
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["story"]  # the fixture, on memory, SQLite and PostgreSQL

Story = tuple[ServiceDesk, ManualClock, World]


def test_a_part_charged_back_to_the_dealer_is_not_in_the_customers_history(story: Story) -> None:
    # Before, the customer (and search, the ledger, the JSON) read the chargeback with the dealer's cost
    # price: part_charged_back {"amount": "75.00", "payer": "dealer:dealer-sh", ...}.
    desk, clock, world = story
    ticket_id, _request = _free_part_received(desk, clock, world)
    clock.set(datetime(2026, 4, 3, 0, 1, tzinfo=SH))  # past the return deadline
    desk.materials.run_overdue_chargebacks(world.system)
    steps = [e.action for e in desk.ticket(world.manager, ticket_id).events]
    assert "part_charged_back" in steps  # the office's history has it
    dealer = desk.ticket(world.dealer_sh_staff, ticket_id)  # the dealer who pays reads it
    assert any(e.action == "part_charged_back" for e in dealer.events)
    customer = desk.ticket(world.customer_zh, ticket_id)
    assert [e.action for e in customer.events] == [s for s in steps if s != "part_charged_back"]
    assert "75.00" not in customer.to_json()
    (listed,) = desk.ledger(world.customer_zh).items
    assert not any(e.action == "part_charged_back" for e in listed.events)
    assert desk.fees.slips_of(world.customer_zh, ticket_id) == []  # its slip was not the customer's either
    with pytest.raises(NotFound):  # another region's dealer does not read the ticket at all
        desk.ticket(world.dealer_bj_staff, ticket_id)


def test_parts_a_dealer_buys_at_cost_for_its_job_are_not_in_the_customers_history(story: Story) -> None:
    # 保修期外甲方按成本价向乙方提供维修材料: the parts for the dealer's own engineer are the dealer's
    # purchase at the maker's price. Before, a ticket without a charge sheet of its own showed the
    # customer that quote (materials_quoted {"payer": "dealer", "total": "75.00"}): the purchase steps
    # were left out only when the ticket's own sheet had a dealer side.
    desk, clock, world = story
    materials = desk.materials
    ticket_id = _repair(desk, clock, world, "unit-out")
    request = materials.request(
        world.dealer_sh_staff,
        ticket_id,
        party=PartyRef.engineer("eng-dealer-sh"),
        lines=[MaterialsLine(PART, 1)],
    )
    materials.check(world.agent, request.id)
    materials.quote(world.agent, request.id)
    materials.approve(world.dealer_sh_staff, request.id)
    office = [e.action for e in desk.ticket(world.manager, ticket_id).events]
    assert "materials_quoted" in office
    assert any(e.action == "materials_quoted" for e in desk.ticket(world.dealer_sh_staff, ticket_id).events)
    customer = desk.ticket(world.customer_zh, ticket_id)
    assert [e.action for e in customer.events] == [a for a in office if a != "materials_quoted"]
    assert "75.00" not in customer.to_json()
