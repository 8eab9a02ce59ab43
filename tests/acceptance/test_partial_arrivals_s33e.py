"""Seed 002 退料 1-3: only the parts of a line that arrived (or travel from the relay office) in time wait.

退料 1: 督促用户在规定时间内退料。若在规定时间内未退料，则视用户对该材料为事实占有，需收取相关费用;
2 b / 3: 上海可参与中转…台州售后服务处收到用户的退料后进行实物盘点. A dealer lent two flush valves
hands one in at Shanghai before the deadline and keeps the other. The kept one was not returned in time:
it is charged at the deadline. The one on the road waits for Taizhou's count; counted short, the next run
charges it too. Before session 33 the whole line waited for the count, so the valve the dealer never
sent back was not charged while the other travelled (and a stock count left both pending). The same
holds for a return registered at Taizhou and awaiting inspection. The run reads the arrivals once. On
memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from test_materials_read_queries_s32f import _counting
from test_seed002_readings_s24 import PART, SH, _call, host

from aftersales.adapters.clock import ManualClock
from aftersales.domain.materials import MaterialsLine, PartReturn, PartyRef
from aftersales.domain.return_relay import RelayedReturn
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["host"]

DEALER = PartyRef.dealer("dealer-sh")


def _two_valves_fitted(desk: ServiceDesk, clock: ManualClock, world: World) -> tuple[str, str]:
    """Two free valves received and fitted on 3 March (due back by the end of 2 April): the ticket and
    the request."""
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=SH))
    ticket_id = _call(desk, world)
    desk.start_work(world.dealer_sh_staff, ticket_id)
    desk.add_fault_record(
        world.dealer_sh_staff, ticket_id, symptom="keeps_flushing", cause="flush_valve_worn",
        action="replace_flush_valve", part=PART, component="flush_valve",
    )  # fmt: skip
    materials = desk.materials
    request = materials.request(
        world.dealer_sh_staff, ticket_id, party=DEALER, lines=[MaterialsLine(PART, 2)], urgent=True
    )
    materials.check(world.agent, request.id)
    materials.approve(world.manager, request.id)
    materials.pick(world.agent, request.id)
    materials.ship(world.agent, request.id)
    materials.receive(world.dealer_sh_staff, request.id)
    desk.resolve(world.dealer_sh_staff, ticket_id, summary="换冲水阀 ×2")
    return ticket_id, request.id


def _totals(desk: ServiceDesk, world: World) -> tuple[int, int, int, dict[str, int]]:
    ledger = desk.materials.ledger(world.agent, DEALER)
    return ledger.issued, ledger.returned, ledger.charged, dict(ledger.balance)


def test_the_valve_never_handed_in_is_charged_at_the_deadline_and_the_one_on_the_road_after_its_count(
    host: tuple[ServiceDesk, ManualClock, World], monkeypatch: pytest.MonkeyPatch
) -> None:
    desk, clock, world = host
    ticket_id, request_id = _two_valves_fitted(desk, clock, world)
    clock.set(datetime(2026, 4, 1, 15, 0, tzinfo=SH))
    relay = desk.materials.relay_return(world.agent, request_id=request_id, part=PART, via="shanghai")
    clock.set(datetime(2026, 4, 3, 0, 1, tzinfo=SH))  # past the deadline, one valve on the road
    kinds = _counting(desk, monkeypatch)
    (kept,) = desk.materials.run_overdue_chargebacks(world.system)
    assert (kept.request_id, kept.part, kept.quantity, kept.key) == (
        request_id, PART, 1, f"chargeback:issue:{request_id}:{PART}",
    )  # fmt: skip
    # The arrivals and relays are read once per run (session 33), not again after the tickets' locks.
    assert (kinds.count(PartReturn.DOCUMENT_KIND), kinds.count(RelayedReturn.DOCUMENT_KIND)) == (2, 1)
    assert _totals(desk, world) == (2, 0, 1, {PART: 1})
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    assert [(line.item, line.quantity) for line in slip.lines] == [(PART, 1)]
    assert desk.materials.run_overdue_chargebacks(world.system) == ()  # the valve on the road waits
    assert [(i.part, i.outstanding) for i in desk.materials.overdue(world.agent, DEALER)] == []
    # The box reaches Taizhou empty: that valve is not back either, and the next run charges it.
    clock.set(datetime(2026, 4, 5, 10, 0, tzinfo=SH))
    desk.materials.count_relayed_return(world.agent, relay.id, counted=0)
    (short,) = desk.materials.run_overdue_chargebacks(world.system)
    assert (short.quantity, short.key) == (1, f"chargeback:issue:{request_id}:{PART}:2")
    assert desk.materials.run_overdue_chargebacks(world.system) == ()  # each valve charged once
    assert _totals(desk, world) == (2, 0, 2, {})
    assert len(desk.fees.slips_of(world.manager, ticket_id)) == 2


def test_a_return_awaiting_inspection_holds_its_own_valve_only_and_is_booked_in_time(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = host
    _ticket_id, request_id = _two_valves_fitted(desk, clock, world)
    clock.set(datetime(2026, 4, 2, 11, 0, tzinfo=SH))
    item = desk.materials.register_return(world.agent, request_id=request_id, part=PART)  # one of two
    clock.set(datetime(2026, 4, 3, 9, 0, tzinfo=SH))
    (kept,) = desk.materials.run_overdue_chargebacks(world.system)
    assert kept.quantity == 1
    desk.materials.inspect_return(world.agent, item.id, accepted=True)
    desk.materials.book_return(world.agent, item.id)
    assert desk.materials.run_overdue_chargebacks(world.system) == ()
    assert _totals(desk, world) == (2, 1, 1, {})


def test_a_stock_count_charges_the_valve_kept_and_leaves_the_one_on_the_road_pending(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = host
    _ticket_id, request_id = _two_valves_fitted(desk, clock, world)
    clock.set(datetime(2026, 4, 1, 15, 0, tzinfo=SH))
    desk.materials.relay_return(world.agent, request_id=request_id, part=PART, via="shanghai")
    clock.set(datetime(2026, 4, 3, 9, 0, tzinfo=SH))
    # The dealer's shelf holds neither: one valve is on the road, the other is gone (盘亏).
    count = desk.materials.reconcile(world.manager, DEALER, {PART: 0}, reference="PD-2026-04")
    assert [(c.part, c.quantity) for c in count.chargebacks] == [(PART, 1)]
    assert dict(count.pending) == {PART: 1}
    assert _totals(desk, world) == (2, 0, 1, {PART: 1})
    assert desk.materials.run_overdue_chargebacks(world.system) == ()  # the count charged it already
