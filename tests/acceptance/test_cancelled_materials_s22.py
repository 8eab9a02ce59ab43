"""A cancelled ticket calls off its parts not yet shipped (session 22), on memory, SQLite and PostgreSQL.

Seed 002 材料处理 (发料): parts are issued for a job. Before, a job called off left its materials requests
in the warehouse's queue for ever: every step towards shipping is refused on a cancelled ticket, so the
request was pending and would never ship — and a complaint cancelled by a personal-data erasure left its
free accessory's pick slip so too. The cancellation now calls off every request not yet shipped, as the
desk, with the ticket's reason and the code ``materials_called_off``; shipped parts stay shipped (they come
back through the returns path, 退料), and money received stays for the refund.
"""

from __future__ import annotations

import pytest
from test_complaint_remedies_s20 import Limited, _in_negotiation, limited
from test_seed002_money import PART, _repair, story

from aftersales.adapters.clock import ManualClock
from aftersales.domain.actors import Role
from aftersales.domain.complaints import RemedyKind
from aftersales.domain.fee_slips import SlipState
from aftersales.domain.materials import MaterialsLine, MaterialsRequest, PartyRef
from aftersales.domain.materials_workflow import MaterialsState
from aftersales.domain.money import Money
from aftersales.errors import PolicyError
from aftersales.i18n.errors import render_error
from aftersales.i18n.reasons import render_reason
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["limited", "story"]

Story = tuple[ServiceDesk, ManualClock, World]
DEALER = PartyRef.dealer("dealer-sh")


def _request(desk: ServiceDesk, world: World, ticket_id: str) -> MaterialsRequest:
    return desk.materials.request(
        world.dealer_sh_staff, ticket_id, party=DEALER, lines=[MaterialsLine(PART, 1)], urgent=True
    )


def _called_off(request: MaterialsRequest, ticket_id: str, why: str, *, complaint: bool = False) -> None:
    """``complaint``: the record cancelled is a complaint, named so (投诉), not a ticket (工单) — s23."""
    assert request.state is MaterialsState.CANCELLED
    step = request.steps[-1]
    assert (step.trigger, step.by.role, step.reason) == ("cancel", Role.SYSTEM, why)
    (code,) = step.reasons
    if complaint:
        assert (code.code, dict(code.params)) == (
            "materials_called_off_complaint",
            {"complaint_id": ticket_id},
        )
    else:
        assert (code.code, dict(code.params)) == ("materials_called_off", {"ticket_id": ticket_id})
    hans, hant, en = (render_reason(code, locale) for locale in ("zh_Hans", "zh_Hant", "en"))
    assert ticket_id in hans and "已取消" in hans and "已取消" in hant and "cancelled" in en
    kind = ("投诉", "投訴", "complaint") if complaint else ("工单", "工單", "ticket")
    assert kind[0] in hans and kind[1] in hant and kind[2] in en


def test_a_cancelled_job_calls_off_its_parts_not_yet_shipped(story: Story) -> None:
    desk, clock, world = story
    materials = desk.materials
    ticket_id = _repair(desk, clock, world, "unit-in")
    requested = _request(desk, world, ticket_id)
    on_slip = _request(desk, world, ticket_id)
    materials.check(world.agent, on_slip.id)
    picked = _request(desk, world, ticket_id)
    materials.check(world.agent, picked.id)
    materials.approve(world.manager, picked.id)
    materials.pick(world.agent, picked.id)
    shipped = _request(desk, world, ticket_id)
    materials.check(world.agent, shipped.id)
    materials.approve(world.manager, shipped.id)
    materials.pick(world.agent, shipped.id)
    materials.ship(world.agent, shipped.id)
    desk.cancel(world.customer_zh, ticket_id, reason="客户自行修好")
    for pending in (requested, on_slip, picked):
        _called_off(materials.materials_request(world.agent, pending.id), ticket_id, "客户自行修好")
    # The parts that went out stay out, to be received and returned (退料) as any lent part.
    assert materials.materials_request(world.agent, shipped.id).state is MaterialsState.SHIPPED
    received, _ = materials.receive(world.dealer_sh_staff, shipped.id)
    assert received.state is MaterialsState.RECEIVED
    with pytest.raises(PolicyError) as refused:  # the ticket is still a cancelled job: nothing ships
        materials.ship(world.agent, picked.id)
    assert refused.value.code == "ticket_cancelled"


def test_a_paid_quote_is_called_off_and_paid_back(story: Story) -> None:
    desk, clock, world = story
    materials = desk.materials
    ticket_id = _repair(desk, clock, world, "unit-out")
    request = desk.materials.request(
        world.dealer_sh_staff, ticket_id, party=DEALER, lines=[MaterialsLine(PART, 1)]
    )
    materials.check(world.agent, request.id)
    materials.quote(world.agent, request.id)
    materials.approve(world.dealer_sh_staff, request.id)
    (slip,) = desk.fees.slips_of(world.manager, ticket_id)
    materials.record_payment(world.agent, request.id, amount=slip.total)  # the office (s32)
    desk.cancel(world.agent, ticket_id, reason="客户改约他人维修")
    _called_off(materials.materials_request(world.agent, request.id), ticket_id, "客户改约他人维修")
    (kept,) = desk.fees.slips_of(world.manager, ticket_id)
    assert kept.state is SlipState.ISSUED and kept.paid == slip.total  # money came in: the office's refund
    credit = materials.refund(world.manager, request.id, reason="工单已取消, 退款")
    assert credit.paid == slip.total


def test_an_unpaid_quote_goes_with_its_slip(story: Story) -> None:
    desk, clock, world = story
    materials = desk.materials
    ticket_id = _repair(desk, clock, world, "unit-out")
    request = desk.materials.request(
        world.dealer_sh_staff, ticket_id, party=DEALER, lines=[MaterialsLine(PART, 1)]
    )
    materials.check(world.agent, request.id)
    materials.quote(world.agent, request.id)
    desk.cancel(world.customer_zh, ticket_id, reason="不修了")
    _called_off(materials.materials_request(world.agent, request.id), ticket_id, "不修了")
    assert all(s.state is SlipState.CANCELLED for s in desk.fees.slips_of(world.manager, ticket_id))


def test_an_erasure_cancelling_a_complaint_calls_off_its_free_accessory(limited: Limited) -> None:
    desk, _, world = limited
    complaint_id = _in_negotiation(desk, world)
    desk.complaints.grant_remedy(
        world.agent, complaint_id, kind=RemedyKind.FREE_ACCESSORY, cost=Money("50", "CNY"), item="WN-SEAT-9"
    )
    (remedy,) = desk.complaints.complaint_file(world.agent, complaint_id).remedies
    (request_id,) = remedy.work
    desk.privacy.erase_customer(world.manager, world.cust_zh.id, "本人要求", cancel_open_tickets=True)
    request = desk.materials.materials_request(world.manager, request_id)
    _called_off(request, complaint_id, "customer_erased", complaint=True)


def test_a_cancelled_complaints_free_accessory_keeps_the_complaints_reason(limited: Limited) -> None:
    desk, _, world = limited
    complaint_id = _in_negotiation(desk, world)
    desk.complaints.grant_remedy(
        world.agent, complaint_id, kind=RemedyKind.FREE_ACCESSORY, cost=Money("50", "CNY"), item="WN-SEAT-9"
    )
    (remedy,) = desk.complaints.complaint_file(world.agent, complaint_id).remedies
    desk.complaints.cancel(world.manager, complaint_id, reason="重复登记")
    request = desk.materials.materials_request(world.manager, remedy.work[0])
    _called_off(request, complaint_id, "complaint_cancelled", complaint=True)
    # Nothing more ships for it, and the refusal names the complaint, not a ticket (s23).
    with pytest.raises(PolicyError) as refused:
        desk.materials.ship(world.manager, request.id)
    assert refused.value.code == "complaint_cancelled"
    assert render_error(refused.value, "zh_Hans") == "投诉已取消"
    assert render_error(refused.value, "zh_Hant") == "投訴已取消"
