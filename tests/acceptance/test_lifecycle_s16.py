"""Lifecycle seams of session 16, on the three stores.

Seed 003 (服务单由客户签字确认): the acceptance is the customer's; staff record it only with the channel the
customer's confirmation came by. A person holding several roles acts in the role whose scope covers the
ticket (the one its events record): a customer of one ticket who is also an agent, accepting another
customer's ticket, does so as staff — with the channel, as any agent — and not as that customer.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.actors import Role
from aftersales.domain.classification import Plan, Severity
from aftersales.errors import ValidationError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

H = timedelta(hours=1)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ManualClock, World]]:
    with world_desk(request.param, tmp_path) as found:
        yield found


def _resolved(desk: ServiceDesk, clock: ManualClock, world: World) -> str:
    ticket_id = desk.open_ticket(
        world.agent, customer_id=world.cust_zh.id, description="复印机卡纸"
    ).ticket.id
    desk.triage(world.agent, ticket_id, nature="paper_jam", severity=Severity.LOW, plan=Plan.ON_SITE)
    desk.dispatch(world.agent, ticket_id, engineer_id=world.eng_junior.id)
    desk.start_work(world.junior, ticket_id)
    desk.add_fault_record(world.junior, ticket_id, symptom="paper_jam", cause="worn_roller", action="replace")
    clock.advance(H)
    desk.resolve(world.junior, ticket_id, summary="换了搓纸轮")
    return ticket_id


def test_a_customer_who_is_also_an_agent_accepts_anothers_ticket_as_staff_with_its_channel(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = setup
    ticket_id = _resolved(desk, clock, world)
    person = Actor.customer(world.cust_en.id).with_roles(Role.AGENT)  # not this ticket's customer
    with pytest.raises(ValidationError) as refused:
        desk.confirm(person, ticket_id)
    assert refused.value.field == "channel"
    assert desk.ticket(world.manager, ticket_id).state == "resolved"  # nothing changed

    accepted = desk.confirm(person, ticket_id, channel="phone")
    confirm = next(e for e in accepted.events if e.action == "confirm")
    assert confirm.actor.role is Role.AGENT
    assert (confirm.payload["by"], confirm.payload["channel"]) == ("staff", "phone")


def test_the_customer_who_is_also_an_agent_accepts_their_own_ticket_as_the_customer(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, clock, world = setup
    ticket_id = _resolved(desk, clock, world)
    person = Actor.customer(world.cust_zh.id).with_roles(Role.AGENT)
    accepted = desk.confirm(person, ticket_id)  # the customer's own acceptance needs no channel
    confirm = next(e for e in accepted.events if e.action == "confirm")
    assert confirm.actor.role is Role.CUSTOMER and confirm.payload["by"] == "customer"
