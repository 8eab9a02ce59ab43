"""Seed 002's money, materials and dealer's month: residues session 24 left (session 25, b).

卫浴行业售后服务流程与外包合同, through the ServiceDesk as a host runs it, on memory, SQLite and PostgreSQL
(skipped without ``AFTERSALES_PG_DSN``):

* 退料 1 “视用户对该材料为事实占有,需收取相关费用” / 其他 3 “相关费用及时与用户协商解决”: a charge as kept
  waived (its slip cancelled) leaves the loan ledger too; the part sent back late is then returned, on
  the ledger and on the books' returns list alike.
"""

from __future__ import annotations

from datetime import datetime

from test_seed002_readings_s24 import (
    PART,
    SH,
    _call,
    _free_part_received,
    _kept_and_returned_late,
    host,
)

from aftersales.adapters.clock import ManualClock
from aftersales.domain.loan_ledger import EntryKind, LoanLedger
from aftersales.domain.materials import PartyRef
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
