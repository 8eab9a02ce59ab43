"""A cancelled service contract covered the days before it was cancelled, on memory, SQLite and
PostgreSQL (when a DSN is set).

Cancelling used to make a contract cover nothing on any day: a repair called in while it was in force,
and free under it, became chargeable when its charges were assessed again after the cancellation.
"""

from __future__ import annotations

from datetime import date, timedelta

import attrs
import pytest
from test_warranty_s17 import PART, Story, _contract, _repair, story

from aftersales.domain.materials import MaterialsLine, PartyRef
from aftersales.domain.money import Money
from aftersales.domain.service_contracts import ContractCoverage
from aftersales.errors import NotFound, ValidationError

__all__ = ["story"]


def _parts_line_charged(story: Story, ticket_id: str) -> bool:
    desk, _clock, world = story
    sheet = desk.charges.assess(world.dealer_sh_staff, ticket_id)
    (part,) = [ln for ln in sheet.lines if ln.line.kind.value == "materials"]
    return part.line.chargeable


def test_a_call_received_under_a_contract_keeps_its_cover_after_the_cancellation(story: Story) -> None:
    desk, clock, world = story
    covered = attrs.evolve(
        _contract("HT-C", date(2026, 1, 1), date(2026, 12, 31), "asset-old"),
        coverage=ContractCoverage(parts=True),
    )
    desk.contracts.sign(world.manager, covered)
    before = _repair(desk, world, "asset-old")  # out of warranty since 2024: the contract pays
    assert _parts_line_charged(story, before) is False

    clock.advance(timedelta(days=2))
    cancelled = desk.contracts.cancel(world.manager, "HT-C", reason="客户退订")
    assert cancelled.cancelled_on == clock.now().date()
    assert _parts_line_charged(story, before) is False  # assessed again: still the contract's
    request = desk.materials.request(
        world.dealer_sh_staff, before, party=PartyRef.dealer("dealer-sh"), lines=[MaterialsLine(PART, 1)]
    )
    assert desk.materials.check(world.agent, request.id).chargeable is False

    clock.advance(timedelta(days=1))
    after = _repair(desk, world, "asset-old")  # called in after the cancellation: charged
    assert _parts_line_charged(story, after) is True
    assert desk.charges.assess(world.dealer_sh_staff, after).customer_total > Money("0", "CNY")


def test_which_contract_covers_a_unit_is_an_actors_scoped_query(story: Story) -> None:
    """``desk.contracts.covering`` took a unit of work: an Actor given to it raised AttributeError."""
    desk, _clock, world = story
    desk.contracts.sign(world.manager, _contract("HT-Q", date(2026, 1, 1), date(2026, 12, 31), "asset-old"))
    assert desk.contracts.covering(world.dealer_sh_staff, "asset-old", date(2026, 3, 1)).id == "HT-Q"
    assert desk.contracts.covering(world.manager, "asset-old", date(2027, 3, 1)) is None
    with pytest.raises(NotFound):  # another region's dealer knows no such unit
        desk.contracts.covering(world.dealer_bj_staff, "asset-old", date(2026, 3, 1))
    with pytest.raises(ValidationError) as refused:
        desk.contracts.covering(object(), "asset-old", date(2026, 3, 1))  # type: ignore[arg-type]
    assert refused.value.field == "actor"
