"""Materials on a finished job, on memory, SQLite and PostgreSQL (when a DSN is set).

A closed ticket was accepted and called back (验收 → 回访 → 结案): parts for a fault found again are
requested on the reopened ticket, whose history and clocks then account for them.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_seed002_money import PART, _repair, story

from aftersales.adapters.clock import ManualClock
from aftersales.domain.materials import MaterialsLine, MaterialsRequest, PartyRef
from aftersales.domain.materials_workflow import MaterialsState
from aftersales.errors import PolicyError
from aftersales.service.desk import ServiceDesk
from conftest import World

__all__ = ["story"]  # the fixture, shared with the seed-002 money story

Story = tuple[ServiceDesk, ManualClock, World]
DEALER = PartyRef.dealer("dealer-sh")


def test_a_closed_ticket_takes_no_new_request_until_it_is_reopened(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-in")
    desk.resolve(world.dealer_sh_staff, ticket_id, summary="换了进水阀")
    desk.confirm(world.customer_zh, ticket_id)
    clock.advance(timedelta(hours=3))
    desk.record_callback(world.agent, ticket_id, problem_back=False, satisfaction=5)
    desk.close(world.agent, ticket_id)
    lines = [MaterialsLine(PART, 1)]
    with pytest.raises(PolicyError) as info:
        desk.materials.request(world.dealer_sh_staff, ticket_id, party=DEALER, lines=lines)
    assert info.value.code == "ticket_closed"
    with desk.store() as uow:
        assert uow.documents.query(MaterialsRequest, ticket_id=ticket_id) == []

    desk.reopen(world.agent, ticket_id, reason="又漏水了")
    request = desk.materials.request(world.dealer_sh_staff, ticket_id, party=DEALER, lines=lines)
    assert request.state is MaterialsState.REQUESTED
