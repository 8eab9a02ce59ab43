# mypy: disable-error-code="arg-type"
"""A unit sold on while the daily maintenance job's batch runs gets its visit for its new owner (session
32 g). PostgreSQL (SQLite and memory writers take turns: a sale waits for the batch, or the batch for it).

Seed 000 保養服務 and seed 002 (乙方负责所售产品的全过程服务): a unit's plan follows it to its new owner
(session 18). The job's batch read its plans and their units plainly, then held the owners it had read; a
sale committed by another process after the units were read was not seen, and the new owner was read only
at the visit's opening: the intake found the unit another customer's than the plan's and refused
(``NotFound``), failing the whole batch — no unit of it got its visit that day, the job failed. The batch
now holds the units before it reads them (a sale in flight commits first, or waits for the batch): a unit
sold then is read with its new owner, the plan follows them, and the visit, its ticket and its notices are
theirs; nothing is opened for the old owner, whose data nobody else is sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId
from aftersales.domain.maintenance import MaintenanceVisit
from aftersales.domain.parties import Customer, CustomerTier
from aftersales.service import maintenance
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, START, World, make_world, register, store_url

DUE = date(2026, 4, 20)
Two = tuple[ServiceDesk, ServiceDesk, ManualClock, World, MemoryNotifier]


@pytest.fixture
def two(tmp_path: Path) -> Iterator[Two]:
    clock, world, notifier = ManualClock(START), make_world(), MemoryNotifier()
    with (
        store_url("postgres", tmp_path) as url,
        ServiceDesk.open(url, pack="sanitary_ware", clock=clock, staff=STAFF, notifier=notifier) as first,
        ServiceDesk.open(url, pack="sanitary_ware", clock=clock, staff=STAFF) as second,
    ):
        register(first, world)
        buyer = Customer(
            CustomerId("cust-bj"), "李四", Contact("李四", phone="13911112222", email="lisi@example.cn"),
            CustomerTier.REGULAR, region="BJ", dealer_id=world.dealer_bj.id,
        )  # fmt: skip
        first.register_customer(world.manager, buyer)
        yield first, second, clock, world, notifier


@pytest.mark.postgres
def test_a_unit_sold_while_the_batch_runs_gets_its_visit_for_the_new_owner(
    two: Two, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, clock, world, notifier = two
    first.maintenance.create_plan(world.manager, asset_id="asset-1", first_due=DUE)
    clock.advance(timedelta(days=40))
    real = maintenance.hold_all
    sold: list[str] = []

    def sold_first(repository: Any, ids: Any) -> None:
        # The batch has read its plans and is about to hold what it decides on: the unit is sold now,
        # by another process, and committed.
        if not sold:
            sold.append(
                second.transfer_asset(world.manager, "asset-1", customer_id="cust-bj", reason="转卖").id
            )
        real(repository, ids)

    monkeypatch.setattr(maintenance, "hold_all", sold_first)
    report = first.maintenance.generate_due(world.system)  # the batch is not refused
    (visit,) = report.generated
    ticket = first.ticket(world.manager, visit.ticket_id)
    assert (visit.customer_id, visit.region, visit.dealer_id) == ("cust-bj", "BJ", "dealer-bj")
    assert (ticket.customer_id, ticket.asset_id, ticket.region) == ("cust-bj", "asset-1", "BJ")
    with first.context.store() as uow:  # nothing is left with the old owner
        assert [v.customer_id for v in uow.documents.query(MaintenanceVisit)] == ["cust-bj"]
    first.deliver()
    old_owner = {world.cust_zh.contact.phone, world.cust_zh.contact.email} - {None}
    assert not any(m.recipient in old_owner for m in notifier.sent)
