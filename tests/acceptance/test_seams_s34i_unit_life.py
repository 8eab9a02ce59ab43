"""A unit's life across owners (session 34, i): sale, maintenance plan, a visit, resale, the seller's
erasure; general_maintenance pack (seed 000 保养服务: 定期为产品提供保养服务), on memory, SQLite and
PostgreSQL (skipped without ``AFTERSALES_PG_DSN``).

The toilet sold to 张伟 goes on a 3-monthly plan, its first visit due 20 March and generated on 10
March. On 12 March 张伟 sells it to Alice (a manager records the transfer). The visit booked at the
seller's address is called off (missed, its ticket cancelled) and the plan follows the unit to the buyer:
the next generation owes the buyer the visit not made, on the same due day. Then 张伟 is erased: the
buyer's plan, visit and ticket are untouched, and the seller's old visit stays on the unit's list.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from aftersales.domain.maintenance import PlanState, VisitState
from aftersales.errors import NotFound
from conftest import SHANGHAI, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_plan_follows_its_unit_to_the_buyer_and_outlives_the_sellers_erasure(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, pack="general_maintenance") as (desk, clock, world):
        maintenance = desk.maintenance
        clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI))
        plan = maintenance.create_plan(
            world.manager, asset_id="asset-1", interval_months=3, first_due=date(2026, 3, 20)
        )
        assert (plan.customer_id, plan.state) == ("cust-zh", PlanState.ACTIVE)
        clock.set(datetime(2026, 3, 10, 9, 0, tzinfo=SHANGHAI))
        (first,) = maintenance.generate_due(world.system).generated
        assert (first.customer_id, first.due_on, first.dealer_id) == (
            "cust-zh",
            date(2026, 3, 20),
            "dealer-sh",
        )
        clock.set(datetime(2026, 3, 12, 9, 0, tzinfo=SHANGHAI))
        desk.transfer_asset(world.manager, "asset-1", customer_id="cust-en", reason="卖给邻居")
        (followed,) = maintenance.plans(world.manager, asset_id="asset-1")
        assert (followed.id, followed.customer_id, followed.state) == (plan.id, "cust-en", PlanState.ACTIVE)
        assert maintenance.visit(world.manager, first.id).state is VisitState.MISSED
        assert desk.ticket(world.manager, first.ticket_id).state == "cancelled"
        # The seller's visit is not the buyer's to read.
        with pytest.raises(NotFound):
            desk.ticket(world.customer_en, first.ticket_id)
        clock.set(datetime(2026, 3, 13, 9, 0, tzinfo=SHANGHAI))
        (owed,) = maintenance.generate_due(world.system).generated
        assert (owed.customer_id, owed.due_on, owed.plan_id) == ("cust-en", date(2026, 3, 20), plan.id)
        assert desk.ticket(world.customer_en, owed.ticket_id).customer_id == "cust-en"
        record = desk.privacy.erase_customer(world.manager, "cust-zh", "本人要求", cancel_open_tickets=True)
        assert (record.cancelled, record.closed) == (0, 0)
        (kept,) = maintenance.plans(world.manager, asset_id="asset-1")
        assert (kept.customer_id, kept.state) == ("cust-en", PlanState.ACTIVE)
        (scheduled,) = maintenance.visits(world.manager)
        assert (scheduled.id, scheduled.customer_id) == (owed.id, "cust-en")
        buyer_ticket = desk.ticket(world.manager, owed.ticket_id)
        assert buyer_ticket.customer_id == "cust-en" and buyer_ticket.description != "[erased]"
        listed = [(v.visit_id, v.state) for v in maintenance.unit_visits(world.manager, "asset-1")]
        assert listed == [(first.id, VisitState.MISSED), (owed.id, VisitState.SCHEDULED)]
