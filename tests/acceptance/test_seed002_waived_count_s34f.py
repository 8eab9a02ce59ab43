"""Seed 002 退料 4 with 其他 3 through the desk: a count excuses a part whose charge the office waived.

退料 1: 若在规定时间内未退料，则视用户对该材料为事实占有，需收取相关费用; 4: 每月…盘点; 其他 3: 相关费用及时
与用户协商解决 — the maker's office cancels the kept part's slip after talking with the dealer. Before
session 34 (f) the dealer's next count showed that valve as *pending* (short on a line not yet due, to be
charged at its deadline), though its deadline had passed and its charge was waived. Memory, SQLite and
PostgreSQL (skipped without ``AFTERSALES_PG_DSN``), with the ``sanitary_ware`` pack.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests.acceptance.test_seed002_clauses_s31l import VALVE, Host, _repaired, _requested
from tests.acceptance.test_seed002_clauses_s31l import host as host  # the three stores' fixture

from aftersales.domain.materials import PartyRef

SH = ZoneInfo("Asia/Shanghai")


def test_tuiliao_4_a_waived_kept_part_is_excused_in_the_count_not_pending(host: Host) -> None:
    desk, clock, world = host
    ticket_id = _repaired(desk, clock, world, "unit-in")
    request_id = _requested(desk, world, ticket_id)
    materials = desk.materials
    materials.check(world.agent, request_id)
    materials.approve(world.manager, request_id)
    materials.pick(world.agent, request_id)
    materials.ship(world.agent, request_id)
    materials.receive(world.dealer_sh_staff, request_id)
    clock.set(datetime(2026, 5, 1, 9, 0, tzinfo=SH))  # the old valve never came back: charged as kept
    (chargeback,) = materials.run_overdue_chargebacks(world.system)
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    desk.fees.cancel_slip(world.manager, slip.id, "与经销商协商后免收")
    dealer = PartyRef.dealer("dealer-sh")
    count = materials.reconcile(world.agent, dealer, {VALVE: 0}, reference="PD-2026-05")
    (line,) = count.lines
    assert (line.part, line.shortage, line.waived, line.pending) == (VALVE, 1, 1, 0)
    assert dict(count.pending) == {} and dict(count.waived) == {VALVE: 1}
    assert count.chargebacks == ()  # the waived valve is not charged again
    assert materials.ledger(world.agent, dealer).chargebacks == ()
    assert [s.id for s in desk.fees.slips_of(world.manager, ticket_id)] == [slip.id]
    assert chargeback.part == VALVE
