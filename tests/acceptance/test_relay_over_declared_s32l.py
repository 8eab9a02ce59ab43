"""Seed 002 退料 2 b/3/4: a relay declaring more parts than its line lent clears no other line (session 32 l).

上海可参与中转，但所有退料信息以台州为唯一窗口: a relay office's declaration is the party's word, not a
return; 台州…进行实物盘点 and 盘盈盘亏分析 decide. So a declaration of 3 on a line that lent 1 keeps that
line from being charged while its parts are on the road (they left the party's hands in time), and nothing
else: another line of the same part, due and still out, is overdue and charged as kept; the count books
the line's loan back and the rest as surplus for review (盘盈), never as another line's return. On memory,
SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime

from test_seed002_readings_s24 import PART, SH, _call, _free_part_received, host
from test_seed002_relay_s31e import DEALER

from aftersales.adapters.clock import ManualClock
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["host"]


def test_a_relay_declaring_more_than_its_line_lent_clears_no_other_line(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = host
    materials = desk.materials
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=SH))
    first = _free_part_received(desk, clock, world, _call(desk, world))  # one valve lent, due 2 April
    second = _free_part_received(desk, clock, world, _call(desk, world))  # another, same part, same day
    clock.set(datetime(2026, 4, 1, 15, 0, tzinfo=SH))
    relay = materials.relay_return(world.agent, request_id=first, part=PART, quantity=3, via="shanghai")
    clock.set(datetime(2026, 4, 3, 0, 1, tzinfo=SH))  # both lines past their deadline
    assert [(i.request_id, i.outstanding) for i in materials.overdue(world.agent, DEALER)] == [(second, 1)]
    charged = materials.run_overdue_chargebacks(world.system)
    assert [(c.request_id, c.quantity) for c in charged] == [(second, 1)]  # the other line is kept
    count = materials.reconcile(world.manager, DEALER, {PART: 0}, reference="PD-2026-04")
    assert count.chargebacks == () and dict(count.pending) == {PART: 1}  # the first line waits, alone
    clock.set(datetime(2026, 4, 5, 10, 0, tzinfo=SH))
    counted = materials.count_relayed_return(world.agent, relay.id, counted=3)
    assert counted.return_id is not None
    materials.inspect_return(world.agent, counted.return_id, accepted=True)
    materials.book_return(world.agent, counted.return_id)
    ledger = materials.ledger(world.agent, DEALER)
    assert (ledger.issued, ledger.returned, ledger.charged, dict(ledger.balance)) == (2, 1, 1, {})
    assert [(s.part, s.quantity) for s in ledger.surplus] == [(PART, 2)]  # 盘盈 for review, not a return
    assert [c.request_id for c in ledger.chargebacks] == [second]
