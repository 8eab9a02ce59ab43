# mypy: disable-error-code="arg-type"
"""The maintenance reports take a call's date where its unit is (session 20), on three stores.

``recurring_faults`` (repairs since the unit's last maintenance) read a ticket's date in the offset it
was stored with. A call taken at 01:30 Beijing time and imported from a system that keeps UTC is stored
at 17:30 the evening before, so a repair on the day of the maintenance visit was left out: the unit did
not show as failing again. The date is now the unit's local date (``Asset.market_timezone``), as a
contract's cover is decided.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel
from aftersales.domain.ids import AssetId, TicketId
from aftersales.domain.maintenance import ChecklistResult
from aftersales.domain.money import Money
from aftersales.domain.products import Asset
from aftersales.domain.service_contracts import ContractCoverage, ServiceContract
from aftersales.domain.ticket import Ticket
from aftersales.reports.maintenance import recurring_faults
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServiceDesk, ManualClock, World]]:
    with world_desk(request.param, tmp_path) as found:
        yield found


def test_a_repair_imported_in_utc_counts_on_its_units_local_day(
    setup: tuple[ServiceDesk, ManualClock, World],
) -> None:
    desk, _clock, world = setup
    asset = Asset(
        AssetId("u-local"), world.product.id, "SN-L-00001", customer_id=world.cust_zh.id,
        purchase_date=date(2025, 9, 1), dealer_id=world.dealer_sh.id,
    )  # fmt: skip
    desk.register_asset(world.manager, asset)
    desk.contracts.sign(
        world.manager,
        ServiceContract(
            id="HT-L", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), price=Money("3600.00", "CNY"),
            customer_id=world.cust_zh.id, assets=(asset.id,),
            coverage=ContractCoverage(labour=True, parts=False, travel=True, visits_per_year=2),
        ),
    )  # fmt: skip
    desk.maintenance.create_plan(
        world.manager, asset_id=asset.id, contract_id="HT-L", first_due=date(2026, 3, 2)
    )
    (visit,) = desk.maintenance.generate_due(world.system).generated
    desk.start_work(world.dealer_sh_staff, visit.ticket_id)
    results = [ChecklistResult(task, True) for task in visit.checklist]
    desk.maintenance.complete_visit(world.dealer_sh_staff, visit.id, results=results)
    (plan,) = desk.maintenance.plans(world.manager, asset_id=asset.id)
    done = plan.last_done_on
    assert done is not None
    # Two repairs after the visit, imported with UTC instants: 01:30 and 02:00 Beijing time on the
    # day after it are 17:30 and 18:00 UTC on the visit's own day, and a third at 23:00 UTC the day
    # before the visit (07:00 Beijing on the visit's day).
    imported = [datetime.combine(done, datetime.min.time(), UTC) + timedelta(hours=h) for h in (-1, 17.5, 18)]
    desk.import_tickets(
        world.manager,
        [
            Ticket.open(
                id=TicketId(f"OLD-{n}"),
                customer_id=world.cust_zh.id,
                channel=Channel.PHONE,
                category=Category.REPAIR,
                description="旧系统：出水口漏水",
                received_at=at,
                taken_by=ActorRef("agent-1", Role.AGENT),
                asset_id=asset.id,
            )
            for n, at in enumerate(imported)
        ],
    )
    (found,) = recurring_faults(desk.context.store, threshold=3)
    assert (found.asset_id, found.repairs) == (asset.id, 3)
