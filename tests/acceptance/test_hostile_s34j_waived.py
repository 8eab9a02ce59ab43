"""Hostile attacks on waived kept-part charges in counts (seed 002 退料 1/4, 其他 3), session 34 j (s34 f).

A waiver, then a count, then the part coming back, then another count: the ledger, the counts and the
charges must agree at each step. Memory, SQLite and PostgreSQL with the ``sanitary_ware`` pack.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.acceptance.test_seed002_clauses_s31l import VALVE, Host, _repaired, _requested
from tests.acceptance.test_seed002_clauses_s31l import host as host  # the three stores' fixture

from aftersales.domain.materials import PartyRef

SH = ZoneInfo("Asia/Shanghai")


def test_a_waived_part_counted_then_returned_then_counted_again(host: Host) -> None:
    desk, clock, world = host
    ticket_id = _repaired(desk, clock, world, "unit-in")
    request_id = _requested(desk, world, ticket_id)
    materials = desk.materials
    materials.check(world.agent, request_id)
    materials.approve(world.manager, request_id)
    materials.pick(world.agent, request_id)
    materials.ship(world.agent, request_id)
    materials.receive(world.dealer_sh_staff, request_id)
    clock.set(datetime(2026, 5, 1, 9, 0, tzinfo=SH))
    materials.run_overdue_chargebacks(world.system)
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    desk.fees.cancel_slip(world.manager, slip.id, "与经销商协商后免收")
    dealer = PartyRef.dealer("dealer-sh")
    first = materials.reconcile(world.agent, dealer, {VALVE: 0}, reference="PD-2026-05")
    assert dict(first.waived) == {VALVE: 1} and first.chargebacks == ()
    # The old valve turns up after all and is sent back: booked as returned, nothing charged.
    item = materials.register_return(world.agent, request_id=request_id, part=VALVE)
    materials.inspect_return(world.agent, item.id, accepted=True)
    materials.book_return(world.agent, item.id)
    clock.set(datetime(2026, 6, 1, 9, 0, tzinfo=SH))
    second = materials.reconcile(world.agent, dealer, {VALVE: 0}, reference="PD-2026-06")
    assert [
        (line.part, line.shortage, line.waived, line.pending) for line in second.lines if line.part == VALVE
    ] in (
        [],
        [(VALVE, 0, 0, 0)],
    )
    assert dict(second.waived) == {} and second.chargebacks == ()
    assert materials.ledger(world.agent, dealer).chargebacks == ()
    assert [s.id for s in desk.fees.slips_of(world.manager, ticket_id)] == [slip.id]  # no new slip
    assert materials.run_overdue_chargebacks(world.system) == ()
