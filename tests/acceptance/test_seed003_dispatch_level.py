"""A manual dispatch below the route's level (seed 003 分级处理: 加急问题由资深工程师介入).

The office may send a junior engineer to an expedited call (the only one nearby, a VIP whose priority was
raised one level by triage): the dispatch is accepted, but the assignment records the override — who
dispatched, the level required and the level sent, and the reason they gave — so the history and an
auditor see it. A dispatch that follows the route records no override. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Plan, Priority, Severity
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, World]]:
    world = make_world()
    with (
        store_url(request.param, tmp_path) as url,
        ServiceDesk.open(url, pack="office_equipment", clock=ManualClock(START), staff=STAFF) as desk,
    ):
        register(desk, world)
        yield desk, world


def _triaged(desk: ServiceDesk, world: World, priority: Priority, customer: str | None = None) -> str:
    ticket_id = desk.open_ticket(
        world.agent, customer_id=customer or world.cust_zh.id, description="打印机不进纸"
    ).ticket.id
    if priority is Priority.NORMAL:  # the pack's triage decides (a VIP is raised one level)
        desk.triage(world.agent, ticket_id, nature="feed", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
    else:
        desk.triage(
            world.agent,
            ticket_id,
            nature="feed",
            severity=Severity.MEDIUM,
            plan=Plan.ON_SITE,
            priority=priority,
            priority_reason="财务月结在即",
        )
    return ticket_id


def _reasons(event: Any) -> dict[str, dict[str, Any]]:
    return {r["code"]: r["params"] for r in event.payload["reasons"]}


def test_an_expedited_call_sent_to_a_junior_engineer_records_the_override(
    setup: tuple[ServiceDesk, World],
) -> None:
    desk, world = setup
    ticket_id = _triaged(desk, world, Priority.EXPEDITED)
    result = desk.dispatch(
        world.agent, ticket_id, engineer_id=world.eng_junior.id, reason="资深工程师都在外地，李工离客户最近"
    )
    event = result.events[-1]
    assert result.ticket.assignee is not None and result.ticket.assignee.id == world.eng_junior.id
    reasons = _reasons(event)
    assert reasons["dispatch_manual"] == {"by": "agent"}
    assert reasons["dispatch_below_level"] == {
        "priority": "expedited",
        "engineer_level": "junior",
        "required_level": "senior",
    }
    assert event.actor.id == world.agent.id and event.reason == "资深工程师都在外地，李工离客户最近"
    view = desk.ticket(world.manager, ticket_id)
    (stored,) = [e for e in view.events if e.action == "assign"]
    assert _reasons(stored) == reasons  # the store keeps the override as the command recorded it
    words = view.reasons("zh_Hans")[stored.seq]
    assert "人工派给初级工程师：加急问题应由资深工程师处理（低于规定级别，见派工原因）" in words
    assert any("junior engineer" in line for line in view.reasons("en")[stored.seq])


def test_a_vip_call_raised_to_expedited_can_still_go_to_a_junior_engineer(
    setup: tuple[ServiceDesk, World],
) -> None:
    desk, world = setup
    ticket_id = _triaged(desk, world, Priority.NORMAL, customer=world.cust_en.id)
    assert desk.ticket(world.manager, ticket_id).priority is Priority.EXPEDITED  # triage raised the VIP
    event = desk.dispatch(world.agent, ticket_id, engineer_id=world.eng_junior.id).events[-1]
    assert "dispatch_below_level" in _reasons(event)


def test_a_dispatch_that_follows_the_route_records_no_override(setup: tuple[ServiceDesk, World]) -> None:
    desk, world = setup
    normal = _triaged(desk, world, Priority.NORMAL)
    expedited = _triaged(desk, world, Priority.EXPEDITED)
    for ticket_id, engineer in ((normal, world.eng_junior), (expedited, world.eng_senior)):
        event = desk.dispatch(world.agent, ticket_id, engineer_id=engineer.id).events[-1]
        assert "dispatch_below_level" not in _reasons(event)


def test_a_critical_call_sent_by_hand_outside_the_emergency_team_records_the_override(
    setup: tuple[ServiceDesk, World],
) -> None:
    """特急问题则启动应急小组: a critical ticket dispatched by hand to an engineer who is on no emergency
    team is accepted (the office may know better), but the assignment says so, as for 加急 → 资深."""
    desk, world = setup
    ticket_id = _triaged(desk, world, Priority.CRITICAL)
    event = desk.dispatch(
        world.agent, ticket_id, engineer_id=world.eng_senior.id, reason="应急小组都在外地"
    ).events[-1]
    reasons = _reasons(event)
    assert reasons["dispatch_manual"] == {"by": "agent"}
    assert reasons["dispatch_outside_emergency_team"] == {"priority": "critical"}
    view = desk.ticket(world.manager, ticket_id)
    (stored,) = [e for e in view.events if e.action == "assign"]
    assert _reasons(stored) == reasons
    assert (
        "人工派给应急小组以外的工程师：特急问题应由应急小组处理（见派工原因）"
        in view.reasons("zh_Hans")[stored.seq]
    )
    assert any("emergency team" in line for line in view.reasons("en")[stored.seq])


def test_a_critical_call_sent_by_hand_to_the_emergency_team_records_no_override(
    setup: tuple[ServiceDesk, World],
) -> None:
    desk, world = setup
    desk.register_engineer(world.manager, attrs.evolve(world.eng_senior, emergency_team=True))
    ticket_id = _triaged(desk, world, Priority.CRITICAL)
    event = desk.dispatch(world.agent, ticket_id, engineer_id=world.eng_senior.id).events[-1]
    assert "dispatch_outside_emergency_team" not in _reasons(event)
