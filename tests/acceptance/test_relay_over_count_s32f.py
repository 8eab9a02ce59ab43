"""Seed 002 退料 3: Taizhou counts more relayed parts than were declared (or lent): the count stands.

台州售后服务处收到用户的退料后进行实物盘点 … 根据“用户借料”信息和“用户退料”信息进行盘盈盘亏分析: the
physical count at the receiving location is the return. Before session 32 a count above the declared
quantity was taken silently (no reason on the relay); now the relay says so (``relay_count_over``,
``over_count``) and the return registered for the whole count books what is beyond the loan as surplus
for review (盘盈, ``return_beyond_outstanding``), not as returned. A plain return registered for more
than was lent is booked alike. On memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime

from test_seed002_readings_s24 import PART, SH, _call, _free_part_received, host
from test_seed002_relay_s31e import DEALER, _fitted_and_handed_in

from aftersales.adapters.clock import ManualClock
from aftersales.domain.return_relay import RelayState
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["host"]


def test_a_count_above_the_declared_quantity_is_registered_and_its_excess_is_surplus_for_review(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = host
    _ticket_id, relay_id = _fitted_and_handed_in(desk, clock, world)  # one valve lent, one declared
    clock.set(datetime(2026, 4, 5, 10, 0, tzinfo=SH))
    relay = desk.materials.count_relayed_return(world.agent, relay_id, counted=3)
    assert (relay.state, relay.counted, relay.over_count, relay.shortfall) == (RelayState.COUNTED, 3, 2, 0)
    assert [(r.code, dict(r.params)) for r in relay.reasons] == [
        ("relay_count_over", {"declared": 1, "counted": 3, "part": PART})
    ]
    assert relay.return_id is not None
    item = desk.materials.part_return(world.agent, relay.return_id)
    assert item.quantity == 3  # the physical count is the return
    desk.materials.inspect_return(world.agent, item.id, accepted=True)
    desk.materials.book_return(world.agent, item.id)
    ledger = desk.materials.ledger(world.agent, DEALER)
    assert (ledger.issued, ledger.returned, dict(ledger.balance)) == (1, 1, {})
    (surplus,) = ledger.surplus
    assert (surplus.part, surplus.quantity, surplus.reference) == (PART, 2, item.id)
    assert [r.code for r in surplus.reasons] == ["return_beyond_outstanding"]
    april = desk.fees.monthly_revenue(world.manager, "2026-04")
    assert [(e.item, e.quantity) for e in april.returns] == [(PART, 1)]  # only the loan came back


def test_a_plain_return_of_more_than_was_lent_is_booked_as_surplus_beyond_the_loan(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = host
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=SH))
    ticket_id = _call(desk, world)
    request_id = _free_part_received(desk, clock, world, ticket_id)
    item = desk.materials.register_return(world.agent, request_id=request_id, part=PART, quantity=2)
    desk.materials.inspect_return(world.agent, item.id, accepted=True)
    desk.materials.book_return(world.agent, item.id)
    ledger = desk.materials.ledger(world.agent, DEALER)
    assert (ledger.returned, [(s.part, s.quantity) for s in ledger.surplus]) == (1, [(PART, 1)])
