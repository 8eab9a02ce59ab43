"""Seed 002 退料 2 b and 3: an old part relayed through Shanghai is returned when Taizhou counts it.

台州为退料的唯一接收地; 若由于运输的需要，上海可参与中转，但所有退料信息以台州为唯一窗口; 台州售后服务处收到
用户的退料后进行实物盘点. Through the ServiceDesk on memory, SQLite and PostgreSQL: the parts handed in at
Shanghai are in transit (still out on the loan ledger, not charged as kept while they travel when handed
in before the deadline); Taizhou's count registers the return for what it counted, and the ledger, the
count's shortage and the overdue charge follow that count.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from test_seed002_readings_s24 import PART, SH, _call, _free_part_received, host

from aftersales.adapters.clock import ManualClock
from aftersales.domain.materials import PartyRef
from aftersales.domain.return_relay import RelayState
from aftersales.errors import NotFound, PermissionDenied, PolicyError, ValidationError
from aftersales.service.desk import ServiceDesk
from aftersales.service.materials_params import MaterialsParams
from conftest import World

__all__ = ["host"]

DEALER = PartyRef.dealer("dealer-sh")


def _fitted_and_handed_in(desk: ServiceDesk, clock: ManualClock, world: World) -> tuple[str, str]:
    """A free valve fitted on 3 March (due back by the end of 2 April), handed in at the Shanghai office
    on 1 April. Returns the ticket and the relay."""
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=SH))
    ticket_id = _call(desk, world)
    request_id = _free_part_received(desk, clock, world, ticket_id)
    desk.resolve(world.dealer_sh_staff, ticket_id, summary="换冲水阀")
    clock.set(datetime(2026, 4, 1, 15, 0, tzinfo=SH))
    relay = desk.materials.relay_return(world.agent, request_id=request_id, part=PART, via="shanghai")
    return ticket_id, relay.id


def _totals(desk: ServiceDesk, world: World) -> tuple[int, int, int, dict[str, int]]:
    ledger = desk.materials.ledger(world.agent, DEALER)
    return ledger.issued, ledger.returned, ledger.charged, dict(ledger.balance)


def test_a_part_in_transit_is_still_out_and_not_charged_and_is_returned_when_taizhou_counts_it(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = host
    ticket_id, relay_id = _fitted_and_handed_in(desk, clock, world)
    # In transit: on the ledger the valve is still lent (借料), not returned (退料).
    assert _totals(desk, world) == (1, 0, 0, {PART: 1})
    clock.set(datetime(2026, 4, 3, 0, 1, tzinfo=SH))  # past the deadline, still on the road
    assert desk.materials.run_overdue_chargebacks(world.system) == ()
    count = desk.materials.reconcile(world.manager, DEALER, {PART: 0}, reference="PD-2026-04")
    assert (count.chargebacks, dict(count.pending)) == ((), {PART: 1})
    assert desk.fees.slips_of(world.manager, ticket_id) == []
    clock.set(datetime(2026, 4, 5, 10, 0, tzinfo=SH))
    relay = desk.materials.count_relayed_return(world.agent, relay_id, counted=1)
    assert (relay.state, relay.counted, relay.location) == (RelayState.COUNTED, 1, "taizhou")
    assert relay.reasons == ()
    assert relay.return_id is not None
    item = desk.materials.part_return(world.agent, relay.return_id)
    assert (item.location, item.quantity, item.relay_id) == ("taizhou", 1, relay_id)
    assert item.handed_in_at == datetime(2026, 4, 1, 15, 0, tzinfo=SH)
    assert desk.materials.run_overdue_chargebacks(world.system) == ()  # counted, awaiting inspection
    desk.materials.inspect_return(world.agent, item.id, accepted=True)
    desk.materials.book_return(world.agent, item.id)
    assert _totals(desk, world) == (1, 1, 0, {})
    assert desk.fees.slips_of(world.manager, ticket_id) == []
    april = desk.fees.monthly_revenue(world.manager, "2026-04")
    assert [(e.item, e.quantity) for e in april.returns] == [(PART, 1)]


def test_what_taizhou_does_not_count_stays_out_and_is_charged_as_kept(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    # The box reached Taizhou empty: the count (0) ends the relay, the line is charged at the next run.
    desk, clock, world = host
    ticket_id, relay_id = _fitted_and_handed_in(desk, clock, world)
    clock.set(datetime(2026, 4, 5, 10, 0, tzinfo=SH))
    relay = desk.materials.count_relayed_return(world.agent, relay_id, counted=0)
    assert (relay.counted, relay.return_id, relay.shortfall) == (0, None, 1)
    assert [r.code for r in relay.reasons] == ["relay_count_short"]
    assert _totals(desk, world) == (1, 0, 0, {PART: 1})
    (charged,) = desk.materials.run_overdue_chargebacks(world.system)
    assert (charged.part, charged.quantity) == (PART, 1)
    assert _totals(desk, world) == (1, 0, 1, {})
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    assert slip.payer_id == "dealer-sh"
    with pytest.raises(PolicyError) as again:
        desk.materials.count_relayed_return(world.agent, relay_id, counted=1)
    assert again.value.code == "relay_counted"


def test_a_part_handed_in_after_its_deadline_is_charged_as_kept(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = host
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=SH))
    ticket_id = _call(desk, world)
    request_id = _free_part_received(desk, clock, world, ticket_id)
    desk.resolve(world.dealer_sh_staff, ticket_id, summary="换冲水阀")
    clock.set(datetime(2026, 4, 3, 8, 0, tzinfo=SH))
    desk.materials.relay_return(world.agent, request_id=request_id, part=PART)
    assert len(desk.materials.run_overdue_chargebacks(world.system)) == 1


def test_relaying_is_refused_where_no_relay_is_and_for_bad_values_and_roles(
    host: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = host
    clock.set(datetime(2026, 3, 3, 9, 0, tzinfo=SH))
    ticket_id = _call(desk, world)
    request_id = _free_part_received(desk, clock, world, ticket_id)
    with pytest.raises(PolicyError) as taizhou:
        desk.materials.relay_return(world.agent, request_id=request_id, part=PART, via="taizhou")
    assert taizhou.value.code == "not_a_relay_location"
    with pytest.raises(ValidationError) as zero:
        desk.materials.relay_return(world.agent, request_id=request_id, part=PART, quantity=0)
    assert zero.value.field == "quantity"
    with pytest.raises(PermissionDenied):
        desk.materials.relay_return(world.dealer_sh_staff, request_id=request_id, part=PART)
    with pytest.raises(NotFound):
        desk.materials.relay_return(world.agent, request_id="MR-2026-999999", part=PART)
    relay = desk.materials.relay_return(world.agent, request_id=request_id, part=PART)
    with pytest.raises(ValidationError) as negative:
        desk.materials.count_relayed_return(world.agent, relay.id, counted=-1)
    assert negative.value.field == "counted"
    with pytest.raises(NotFound):  # another dealer's staff do not see the Shanghai dealer's relay
        desk.materials.relayed_return(world.dealer_bj_staff, relay.id)
    assert desk.materials.relayed_return(world.dealer_sh_staff, relay.id).state is RelayState.IN_TRANSIT
    assert _totals(desk, world) == (1, 0, 0, {PART: 1})


def test_the_receiving_location_relays_nothing_to_itself() -> None:
    with pytest.raises(ValidationError) as refused:
        MaterialsParams(relay_locations=("taizhou",))
    assert refused.value.field == "relay_locations"
    assert MaterialsParams(relay_locations=["wuhan", "shanghai"]).relay_locations == ("shanghai", "wuhan")
