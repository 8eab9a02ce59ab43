"""Seed 002 退料 1 (若在规定时间内未退料,则视用户对该材料为事实占有,需收取相关费用), 退料 4–5 (盘盈盘亏分析,
与用户沟通,进行相关收费工作) and 其他 3 (相关费用及时与用户协商解决): a paid kept-part charge whose part
came back is paid back (session 38, e).

The valve fitted on 3 March 2026 was due back by the end of 2 April; charged as kept at 00:01 on 3 April
(75.00, the dealer's April slip), paid on 10 April, it reached Taizhou on 6 May, after May Day. Session
37 refused the waiver of a paid charge (its money left the books with nothing paid back) and left no
path: the dealer's money and the part were both the maker's. Now the office pays it back
(``desk.fees.refund_kept_charge``): a May credit slip naming the charge, the ledger's charge waived and
the part booked returned, the free part the maker's cost again in May, April as reported. Before the
part is back the charge stands. On memory, SQLite, PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from test_seed002_money import PART, SH, _free_part_received, story

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.materials import PartyRef
from aftersales.domain.money import Money
from aftersales.errors import PermissionDenied, PolicyError
from aftersales.reports.money import month_money
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["story"]

Story = tuple[ServiceDesk, ManualClock, World]
CNY, DEALER = "CNY", PartyRef.dealer("dealer-sh")


def test_a_paid_kept_part_charge_is_paid_back_once_the_part_is_back(story: Story) -> None:
    desk, clock, world = story
    ticket_id, request_id = _free_part_received(desk, clock, world)
    clock.set(datetime(2026, 4, 3, 0, 1, tzinfo=SH))  # a minute into the day after the deadline
    desk.materials.run_overdue_chargebacks(world.system)
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    clock.set(datetime(2026, 4, 10, 10, 0, tzinfo=SH))
    desk.fees.record_payment(world.manager, slip.id, Money("75.00", CNY))  # the dealer paid the charge
    clock.set(datetime(2026, 5, 6, 9, 0, tzinfo=SH))  # after May Day (1–5 May)
    with pytest.raises(PolicyError) as refused:  # not back yet: 事实占有, the charge stands
        desk.fees.refund_kept_charge(world.manager, slip.id, reason="经协商退还")
    assert refused.value.code == "part_not_back"
    assert [c.line.item for c in desk.materials.ledger(world.agent, DEALER).chargebacks] == [PART]
    with desk.store() as uow:
        april = month_money(uow.documents, "2026-04")
    assert (april.income, april.paid) == (Money("75.00", CNY), Money("75.00", CNY))

    back = desk.materials.register_return(world.agent, request_id=request_id, part=PART)
    desk.materials.inspect_return(world.agent, back.id, accepted=True)
    desk.materials.book_return(world.agent, back.id)  # late: surplus for review (盘盈)
    with pytest.raises(PermissionDenied):  # the dealer does not pay itself back
        desk.fees.refund_kept_charge(world.dealer_sh_staff, slip.id, reason="退回了")
    credit = desk.fees.refund_kept_charge(world.manager, slip.id, reason="配件已退回台州，经协商退还")
    assert credit.credits_slip == slip.id and credit.month == "2026-05"
    assert credit.total == credit.paid == Money("75.00", CNY)
    (why,) = credit.reasons
    assert why.code == "refund_kept_part_back" and why.params["note"] == "配件已退回台州，经协商退还"
    desk.deliver()
    notifier = desk.notifier
    assert isinstance(notifier, MemoryNotifier)
    (told,) = [m for m in notifier.sent if m.subject == f"配件 {PART} 的收费已退还（工单 {ticket_id}）"]
    assert told.recipient == "13900000001"  # 陈店长 of the dealer that paid
    assert f"已向您退还 ¥75.00（退款单 {credit.id}）" in told.body, told.body

    with desk.store() as uow:  # read back from the store
        assert month_money(uow.documents, "2026-04") == april  # the reported month keeps its figures
        may = month_money(uow.documents, "2026-05")
    assert (may.income, may.paid, may.cost) == (
        Money("-75.00", CNY),
        Money("-75.00", CNY),
        Money("75.00", CNY),
    )
    ledger = desk.materials.ledger(world.agent, DEALER)
    assert ledger.chargebacks == () or list(ledger.chargebacks) == []
    assert not ledger.surplus  # the part settles the line: no surplus left to review
    (valve,) = [b for b in desk.fees.monthly_revenue(world.manager, "2026-05").balances if b.item == PART]
    assert (valve.returned, valve.charged_unreturned, valve.outstanding) == (1, -1, 0)

    with pytest.raises(PolicyError) as again:
        desk.fees.refund_kept_charge(world.manager, slip.id, reason="再退一次")
    assert again.value.code == "already_refunded"
    with pytest.raises(PolicyError) as cancelled:
        desk.fees.cancel_slip(world.manager, slip.id, "作废")
    assert cancelled.value.code == "slip_refunded"
