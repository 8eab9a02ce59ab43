"""Seed 002 叫修处理流程: 现场检修 → 故障是否属实 → (否) — no part for a fault not there (session 32 l).

The flowchart asks whether the fault is real before the warranty and the parts (是否在保修期内 → 下单备料
→ 修理或更换). A ticket whose finding is no fault (故障不属实) could still have parts requested, checked,
quoted, approved, shipped and put on its charge sheet. Now each is ``ValidationError`` naming
``ticket_id`` with rule ``no_fault_no_parts`` (words in every locale) and nothing changes; a part
received before the finding goes back as an unused return; a real fault found afterwards makes parts
wanted again. Memory, SQLite, PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_no_fault_found_s32e import _no_fault, _visit_finding_nothing
from test_seed002_money import PART, story

from aftersales.adapters.clock import ManualClock
from aftersales.domain.materials import MaterialsLine, PartyRef
from aftersales.domain.money import Money
from aftersales.errors import ValidationError
from aftersales.i18n import render_error
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["story"]

Story = tuple[ServiceDesk, ManualClock, World]
DEALER = PartyRef.dealer("dealer-sh")


def _refused(call: object) -> ValidationError:
    assert callable(call)
    with pytest.raises(ValidationError) as caught:
        call()
    assert (caught.value.field, caught.value.rule) == ("ticket_id", "no_fault_no_parts")
    return caught.value


def test_no_part_is_requested_for_a_ticket_that_found_no_fault(story: Story) -> None:
    desk, clock, world = story
    tid = _visit_finding_nothing(desk, clock, world, "unit-in")
    _no_fault(desk, world, tid)
    before = len(desk.ticket(world.manager, tid).events)
    error = _refused(
        lambda: desk.materials.request(
            world.dealer_sh_staff, tid, party=DEALER, lines=[MaterialsLine(PART, 1)]
        )
    )
    assert len(desk.ticket(world.manager, tid).events) == before  # nothing changed
    for locale in ("zh_Hans", "zh_Hant", "en"):
        shown = render_error(error, locale)
        assert "no_fault_no_parts" not in shown  # the catalog's words, not the bare code
    assert "故障不属实" in render_error(error, "zh_Hans")
    # The fault turns out real after all: a part is wanted again.
    desk.add_fault_record(
        world.dealer_sh_staff, tid, symptom="keeps_flushing", cause="flush_valve_worn",
        action="replace_flush_valve", part=PART, component="flush_valve",
    )  # fmt: skip
    filed = desk.materials.request(world.dealer_sh_staff, tid, party=DEALER, lines=[MaterialsLine(PART, 1)])
    assert filed.state == "requested"


def test_a_request_filed_before_the_finding_is_not_served_and_is_cancelled(story: Story) -> None:
    desk, clock, world = story
    tid = _visit_finding_nothing(desk, clock, world, "unit-in")
    free = desk.materials.request(world.dealer_sh_staff, tid, party=DEALER, lines=[MaterialsLine(PART, 1)])
    desk.materials.check(world.agent, free.id)
    pending = desk.materials.request(world.dealer_sh_staff, tid, party=DEALER, lines=[MaterialsLine(PART, 1)])
    _no_fault(desk, world, tid)
    clock.advance(timedelta(minutes=5))
    _refused(lambda: desk.materials.check(world.agent, pending.id))
    _refused(lambda: desk.materials.approve(world.manager, free.id))
    assert desk.materials.materials_request(world.manager, free.id).state == "pick_slip"  # not approved
    assert desk.materials.materials_request(world.manager, pending.id).state == "requested"
    assert desk.materials.cancel(world.agent, pending.id, reason="故障不属实").state == "cancelled"


def test_a_part_received_before_the_finding_goes_back_unused_and_nothing_more_ships(story: Story) -> None:
    desk, clock, world = story
    tid = _visit_finding_nothing(desk, clock, world, "unit-in")
    materials = desk.materials
    request = materials.request(
        world.dealer_sh_staff, tid, party=DEALER, lines=[MaterialsLine(PART, 1)], urgent=True
    )
    materials.check(world.agent, request.id)
    materials.approve(world.manager, request.id)
    materials.pick(world.agent, request.id)
    second = materials.request(
        world.dealer_sh_staff, tid, party=DEALER, lines=[MaterialsLine(PART, 1)], urgent=True
    )
    materials.check(world.agent, second.id)
    materials.approve(world.manager, second.id)
    materials.pick(world.agent, second.id)
    materials.ship(world.agent, request.id)
    materials.receive(world.dealer_sh_staff, request.id)
    _no_fault(desk, world, tid)
    _refused(lambda: materials.ship(world.agent, second.id))  # picked, not shipped: it stays home
    # The part received was not fitted: it goes back as any part lent (退料) and clears its loan.
    item = materials.register_return(world.agent, request_id=request.id, part=PART)
    materials.inspect_return(world.agent, item.id, accepted=True)
    materials.book_return(world.agent, item.id)
    ledger = materials.ledger(world.manager, DEALER)
    assert (ledger.issued, ledger.returned, ledger.outstanding) == (1, 1, 0)


def test_no_part_is_put_on_the_charge_sheet_of_a_ticket_that_found_no_fault(story: Story) -> None:
    desk, clock, world = story
    tid = _visit_finding_nothing(desk, clock, world, "unit-out")
    _no_fault(desk, world, tid)
    before = len(desk.ticket(world.manager, tid).events)
    _refused(lambda: desk.charges.assess(world.dealer_sh_staff, tid, travel_zone="pudong", parts={PART: 1}))
    assert len(desk.ticket(world.manager, tid).events) == before  # nothing changed
    sheet = desk.charges.assess(world.dealer_sh_staff, tid, travel_zone="pudong", parts={})
    assert sheet.customer_total == Money("130.00", "CNY")  # the call-out only (labour, travel, fee)
