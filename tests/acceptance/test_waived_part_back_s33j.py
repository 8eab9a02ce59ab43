"""Seed 002 退料 1 / 其他 3: a waived valve sent back late does not excuse a valve rejected at inspection.

退料 1: 若在规定时间内未退料，则视用户对该材料为事实占有，需收取相关费用; 其他 3: 相关费用及时与用户协商解决.
A dealer lent two valves hands one in before the deadline; the other is charged at the deadline and the
office waives that charge; the dealer then sends the waived valve back, late. The valve handed in on
time turns out not to be the replaced part (rejected): it was not returned, and the next run charges it.
Before session 33 (j) the ledger still counted the waived valve as out and excused after it came back,
so the rejected one was never charged; and a stock count charged a waived valve again as missing. On
memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime

from test_partial_arrivals_s33e import DEALER, _totals, _two_valves_fitted
from test_seed002_readings_s24 import PART, SH, host

from aftersales.adapters.clock import ManualClock
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["host"]


def test_a_waived_valve_back_late_leaves_the_rejected_one_charged(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = host
    ticket_id, request_id = _two_valves_fitted(desk, clock, world)
    clock.set(datetime(2026, 4, 2, 11, 0, tzinfo=SH))
    in_time = desk.materials.register_return(world.agent, request_id=request_id, part=PART)
    clock.set(datetime(2026, 4, 3, 9, 0, tzinfo=SH))
    (kept,) = desk.materials.run_overdue_chargebacks(world.system)
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    desk.fees.cancel_slip(world.manager, slip.id, "协商免收")
    assert _totals(desk, world) == (2, 0, 0, {PART: 2})
    clock.set(datetime(2026, 4, 6, 10, 0, tzinfo=SH))  # the waived valve comes back, late
    late = desk.materials.register_return(world.agent, request_id=request_id, part=PART)
    desk.materials.inspect_return(world.agent, late.id, accepted=True)
    desk.materials.book_return(world.agent, late.id)
    desk.materials.inspect_return(world.agent, in_time.id, accepted=False, reason="not_the_replaced_part")
    (short,) = desk.materials.run_overdue_chargebacks(world.system)
    assert (short.quantity, short.key) == (1, f"{kept.key}:2")
    assert desk.materials.run_overdue_chargebacks(world.system) == ()  # each valve at most once
    assert _totals(desk, world) == (2, 1, 1, {})


def test_a_stock_count_does_not_charge_a_waived_valve_again(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = host
    ticket_id, _request_id = _two_valves_fitted(desk, clock, world)
    clock.set(datetime(2026, 4, 3, 9, 0, tzinfo=SH))
    (kept,) = desk.materials.run_overdue_chargebacks(world.system)
    assert kept.quantity == 2
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    desk.fees.cancel_slip(world.manager, slip.id, "协商免收")
    count = desk.materials.reconcile(world.manager, DEALER, {PART: 0}, reference="PD-2026-04")
    assert count.chargebacks == ()
    assert _totals(desk, world) == (2, 0, 0, {PART: 2})
