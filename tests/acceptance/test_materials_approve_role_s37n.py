"""A customer approving their own materials request is refused by role first (session 37, hostile input),
on memory, SQLite and PostgreSQL.

A customer accepts a quote put to them (seed 002 用户同意支付); a free pick slip is the office's to approve.
Calling ``materials.approve`` on a free request with an invoice wish told the customer the request was
free, and on one already approved that it was in state ``approved`` (``InvalidTransition``): the role was
checked after the request's facts. Now every such call is the same ``PermissionDenied``, and nothing
changes.
"""

from __future__ import annotations

import pytest
from test_seed002_money import PART, _repair, story
from test_seed002_money_gaps import Story

from aftersales.domain.materials import MaterialsLine, PartyRef
from aftersales.errors import PermissionDenied

__all__ = ["story"]  # the fixture, on memory, SQLite and PostgreSQL


def test_a_customer_approving_no_quote_learns_nothing_of_the_request(story: Story) -> None:
    desk, clock, world = story
    ticket_id = _repair(desk, clock, world, "unit-in")
    materials, customer = desk.materials, world.customer_zh
    request = materials.request(
        world.dealer_sh_staff, ticket_id, party=PartyRef.dealer("dealer-sh"), lines=[MaterialsLine(PART, 1)]
    )
    materials.check(world.agent, request.id)
    for step in ("pick_slip", "approved"):
        for wishes in ({}, {"invoice": "now"}, {"payment_method": "cash"}):
            with pytest.raises(PermissionDenied) as refused:
                materials.approve(customer, request.id, **wishes)  # type: ignore[arg-type]
            assert refused.value.action == "materials_approve"
        assert materials.materials_request(world.agent, request.id).state.value == step
        if step == "pick_slip":
            materials.approve(world.agent, request.id)
