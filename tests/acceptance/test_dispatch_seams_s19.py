# mypy: disable-error-code="arg-type"
"""Dispatch seams found in session 19, on memory, SQLite and PostgreSQL.

A customer registered without a region (a walk-in, an import from a system that kept none) was matched
only to engineers who have no region either: with ``same_region_only`` every regional engineer was left
out, so the call escalated as "no engineer" while the maker's engineers with the skill sat idle. With no
region known the same-region rule cannot apply: every engineer with the skill is a candidate, and the
decision says the region was unknown. A pack that sends calls to the territory's dealer cannot choose one
without a region: the reason says the region is missing instead of "no dealer serves region None".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aftersales.domain.classification import Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, World]]:
    """A desk whose pack dispatches to the maker's engineers (office equipment)."""
    with world_desk(request.param, tmp_path) as (desk, _clock, world):
        desk.register_customer(
            world.manager, Customer(CustomerId("walk-in"), "路人甲", Contact("路人甲", phone="13800000099"))
        )
        yield desk, world


def _codes(decisions: tuple[object, ...]) -> list[str]:
    return [reason.code for decision in decisions for reason in decision.reasons]  # type: ignore[attr-defined]


def test_a_customer_without_a_region_is_served_by_any_engineer_with_the_skill(
    shop: tuple[ServiceDesk, World],
) -> None:
    desk, world = shop
    tid = desk.open_ticket(world.agent, customer_id="walk-in", description="复印机卡纸").ticket.id
    desk.triage(world.agent, tid, nature="repair", severity=Severity.MEDIUM)
    result = desk.dispatch(world.agent, tid)
    # Before: no candidate (only region-less engineers were looked at) and an escalation.
    assert result.ticket.assignee is not None
    assert result.ticket.assignee.id in {world.eng_junior.id, world.eng_senior.id, world.eng_dealer.id}
    codes = _codes(result.decisions)
    assert "region_unknown" in codes and "no_engineer" not in codes


def test_a_customer_with_a_region_still_gets_engineers_of_that_region_only(
    shop: tuple[ServiceDesk, World],
) -> None:
    desk, world = shop
    tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="复印机卡纸").ticket.id
    desk.triage(world.agent, tid, nature="repair", severity=Severity.MEDIUM)
    result = desk.dispatch(world.agent, tid)
    assert "region_unknown" not in _codes(result.decisions)


def test_a_dealer_pack_says_the_region_is_missing_not_that_region_none_has_no_dealer(
    tmp_path: Path,
) -> None:
    with world_desk("memory", tmp_path, pack="sanitary_ware") as (desk, _clock, world):
        desk.register_customer(
            world.manager, Customer(CustomerId("walk-in"), "路人甲", Contact("路人甲", phone="13800000099"))
        )
        tid = desk.open_ticket(world.agent, customer_id="walk-in", description="马桶漏水").ticket.id
        desk.triage(world.agent, tid, nature="leak", severity=Severity.MEDIUM)
        codes = _codes(desk.dispatch(world.agent, tid).decisions)
        assert "no_dealer_region_unknown" in codes and "no_dealer" not in codes
