"""Seed 002's materials steps given bad values, through the ServiceDesk, on memory, SQLite and PostgreSQL
(when a DSN is set): every refusal a typed error naming the field, nothing changed.

发料 3 b: 若用户的发货时间不明确…需与用户及时沟通，确认具体的发货时间后，再开具《售后服务发货单》:
the date agreed is today or later in the desk's time zone.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from test_seed002_money import PART, SH, _repair, story

from aftersales.adapters.clock import ManualClock
from aftersales.domain.materials import MaterialsLine, MaterialsRequest, PartyRef
from aftersales.domain.money import Money
from aftersales.errors import InvalidTransition, ValidationError
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["story"]  # the fixture, shared with the seed-002 money story

Story = tuple[ServiceDesk, ManualClock, World]


def _paid_not_urgent(desk: ServiceDesk, clock: ManualClock, world: World) -> MaterialsRequest:
    ticket_id = _repair(desk, clock, world, "unit-out")
    materials = desk.materials
    request = materials.request(
        world.dealer_sh_staff, ticket_id, party=PartyRef.dealer("dealer-sh"), lines=[MaterialsLine(PART, 1)]
    )
    materials.check(world.agent, request.id)
    materials.quote(world.agent, request.id)
    materials.approve(world.dealer_sh_staff, request.id)
    materials.record_payment(world.agent, request.id, amount=Money("75.00", "CNY"))
    return materials.pick(world.agent, request.id)


def test_a_shipping_date_already_past_is_refused_and_nothing_changes(story: Story) -> None:
    desk, clock, world = story
    request = _paid_not_urgent(desk, clock, world)
    clock.set(datetime(2026, 3, 3, 0, 30, tzinfo=SH))  # just after midnight in Shanghai
    for past in (date(2026, 3, 2), date(2025, 12, 31)):
        with pytest.raises(ValidationError) as info:
            desk.materials.confirm_date(world.agent, request.id, ship_on=past)
        assert info.value.field == "ship_on"
    unchanged = desk.materials.materials_request(world.agent, request.id)
    assert unchanged.ship_on is None and unchanged.version == request.version
    agreed = desk.materials.confirm_date(world.agent, request.id, ship_on=date(2026, 3, 3))  # today is fine
    assert agreed.ship_on == date(2026, 3, 3)
    assert desk.materials.ship(world.agent, request.id).shipping_note is not None


def _free_shipped(desk: ServiceDesk, clock: ManualClock, world: World) -> MaterialsRequest:
    ticket_id = _repair(desk, clock, world, "unit-in")
    materials = desk.materials
    request = materials.request(
        world.dealer_sh_staff, ticket_id, party=PartyRef.dealer("dealer-sh"), lines=[MaterialsLine(PART, 1)],
        urgent=True,
    )  # fmt: skip
    materials.check(world.agent, request.id)
    materials.approve(world.manager, request.id)
    materials.pick(world.agent, request.id)
    return materials.ship(world.agent, request.id)


@pytest.mark.parametrize(
    "repaired_at",
    [
        datetime(2026, 12, 27, 10, 0, tzinfo=SH),  # in the future: the 30 days would start next winter
        datetime(2020, 3, 1, 9, 0, tzinfo=SH),  # before the call: the part would be overdue at once
    ],
)
def test_a_repair_dated_in_the_future_or_before_the_call_is_refused(
    story: Story, repaired_at: datetime
) -> None:
    # 退料: the old part is due back within the days counted from the repair (按时退回换下的配件).
    desk, clock, world = story
    request = _free_shipped(desk, clock, world)
    with pytest.raises(ValidationError) as info:
        desk.materials.receive(world.dealer_sh_staff, request.id, repaired_at=repaired_at)
    assert info.value.field == "repaired_at"
    assert desk.materials.materials_request(world.agent, request.id).version == request.version
    assert desk.materials.ledger(world.agent, PartyRef.dealer("dealer-sh")).issued == 0
    received, _ = desk.materials.receive(world.dealer_sh_staff, request.id, repaired_at=clock.now())
    assert received.repaired_at == clock.now()


def test_a_part_off_the_price_list_and_a_quote_of_a_shipped_request_are_refused(story: Story) -> None:
    # Session 37: the quote built its decision from the last step's reasons before the request moved; a
    # shipped request has none, so the manager was told "a decision must carry at least one reason"
    # (a ValidationError about nothing they passed) instead of the request's state.
    desk, clock, world = story
    request = _free_shipped(desk, clock, world)
    with pytest.raises(InvalidTransition):
        desk.materials.quote(world.agent, request.id)
    assert desk.materials.materials_request(world.agent, request.id).version == request.version
    # Session 37: a part the price list does not have was requested, checked, picked and shipped free,
    # then its receipt failed (NotFound pricing it for the loan ledger): the request stuck as shipped.
    ticket = desk.ticket(world.agent, request.ticket_id)
    with pytest.raises(ValidationError) as caught:
        desk.materials.request(
            world.dealer_sh_staff, ticket.id, party=PartyRef.dealer("dealer-sh"),
            lines=[MaterialsLine(PART, 1), MaterialsLine("WN-NO-SUCH", 1)], urgent=True,
        )  # fmt: skip
    assert (caught.value.field, caught.value.rule, caught.value.rule_params) == (
        "lines", "unknown_part", {"part": "WN-NO-SUCH"},
    )  # fmt: skip
    assert desk.ticket(world.agent, ticket.id).version == ticket.version
