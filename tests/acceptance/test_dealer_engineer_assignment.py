"""A dealer's own engineer assigned by any path puts the ticket in that dealer's hands (seed 002).

Seed 002: "乙方负责所售产品的全过程服务" — the dealer does the service, and its contract clock (24 hours,
48 at most) runs once the call is passed to it. The dispatch command records, on the assignment, the
dealer an engineer works for; the maintenance job (seed 000 保养服务) and the emergency team's dispatch
(seed 003 特急) assign engineers too and must record the same, or the ticket reads as the maker's own
work: the dealer's clock, its charges and its parts follow the assignment. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import attrs
import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Plan, Priority, Severity
from aftersales.domain.ids import AssetId
from aftersales.domain.products import Asset
from aftersales.domain.teams import Team, TeamKind
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ManualClock, World]]:
    with world_desk(request.param, tmp_path) as found:
        desk, _, world = found
        # The maker's engineers work elsewhere today: the dealer's own engineer is the one in the region.
        for engineer in (world.eng_junior, world.eng_senior):
            desk.register_engineer(world.manager, attrs.evolve(engineer, region="BJ"))
        yield found


def _assignment(desk: ServiceDesk, world: World, ticket_id: str) -> dict[str, Any]:
    (event,) = [e for e in desk.ticket(world.manager, ticket_id).events if e.action == "assign"]
    assert event.payload is not None
    return dict(event.payload)


def test_a_maintenance_visit_given_to_a_dealers_engineer_is_in_the_dealers_hands(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, _, world = setup
    asset = Asset(
        AssetId("u-dealer-1"), world.product.id, "SN-D-00001", customer_id=world.cust_zh.id,
        purchase_date=date(2025, 9, 1), dealer_id=world.dealer_sh.id,
    )  # fmt: skip
    desk.register_asset(world.manager, asset)
    desk.maintenance.create_plan(world.manager, asset_id=asset.id, first_due=date(2026, 3, 10))
    (visit,) = desk.maintenance.generate_due(world.system).generated
    assert visit.ticket_id is not None
    payload = _assignment(desk, world, visit.ticket_id)
    assert payload["assignee"]["id"] == world.eng_dealer.id
    assert payload.get("dealer") == world.dealer_sh.id


def test_a_critical_ticket_given_to_a_dealers_engineer_on_the_emergency_team_is_in_the_dealers_hands(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, _, world = setup
    desk.register_engineer(world.manager, attrs.evolve(world.eng_dealer, emergency_team=True))
    team = Team("emergency", "应急小组", TeamKind.EMERGENCY, world.eng_dealer.id, [world.eng_senior.id])
    desk.teams.save_team(world.manager, team)
    ticket_id = desk.open_ticket(
        world.agent, customer_id=world.cust_zh.id, description="整栋楼停水"
    ).ticket.id
    desk.triage(
        world.agent, ticket_id, nature="leak", severity=Severity.SEVERE, plan=Plan.ON_SITE,
        priority=Priority.CRITICAL, priority_reason="整栋楼停水",
    )  # fmt: skip
    desk.teams.dispatch_critical(world.agent, ticket_id)
    payload = _assignment(desk, world, ticket_id)
    assert payload["assignee"]["id"] == world.eng_dealer.id
    assert payload.get("dealer") == world.dealer_sh.id
