"""Batch quality incidents (seed 004 第七条 5(2)) read by an engineer's team-mate, session 28 e, on memory,
SQLite and PostgreSQL.

The permission table's ``quality_incidents`` lists engineers, and the ticket read lets an engineer of a
team read a team-mate's ticket (service/scope.ticket_readable_as: the team works its tickets together).
The incident read judged engineers by the engineers recorded on its tickets and read its tickets without
the team rule: the team-mate who may open every ticket of the batch could not see the incident they
belong to (NotFound), nor its tickets and units. Now an engineer sees an incident one of whose tickets it
may read by the ticket read's rule, narrowed to those tickets; an engineer of another team still does not.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, DealerId, EngineerId, ProductId
from aftersales.domain.parties import Customer, CustomerTier, Dealer, Engineer
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.errors import NotFound
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import pg_schema_url

SH = ZoneInfo("Asia/Shanghai")
AGENT = Actor.agent("a1")
MANAGER = Actor.manager("m1")
HOLDER = Actor.engineer("e1", team="t-east")
MATE = Actor.engineer("e2", team="t-east")
OTHER = Actor.engineer("e3", team="t-west")


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceDesk]:
    if request.param == "postgres":
        with pg_schema_url() as url, _built(url) as found:
            yield found
        return
    url = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 'qi.db'}"
    with _built(url) as found:
        yield found


def _built(url: str) -> ServiceDesk:
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=SH))
    desk = ServiceDesk.open(url, pack="service_centre", clock=clock)
    desk.register_product(
        MANAGER, Product(ProductId("P-1"), "WC-100", "连体马桶", "toilet", (WarrantyTerm(12),))
    )
    for eid, team in (("e1", "t-east"), ("e2", "t-east"), ("e3", "t-west")):
        desk.register_engineer(MANAGER, Engineer(EngineerId(eid), eid, team=team))
    desk.register_dealer(MANAGER, Dealer(DealerId("d-sh"), "d-sh", "SH", frozenset({"SH"})))
    for n in range(20):  # one batch of 20 units: 5 with the same fault raise the incident
        cid = f"c{n:03d}"
        contact = Contact(cid, phone="13800000000", address="上海市浦东新区 1 号")
        desk.register_customer(
            MANAGER, Customer(CustomerId(cid), cid, contact, CustomerTier.REGULAR, region="SH")
        )
        desk.register_asset(
            MANAGER,
            Asset(
                AssetId(f"A-{n:03d}"), ProductId("P-1"), f"SN-{n:03d}", CustomerId(cid), batch="B-7",
                purchase_date=date(2025, 4, 1), dealer_id=DealerId("d-sh"),
            ),
        )  # fmt: skip
    return desk


def _fault(desk: ServiceDesk, n: int) -> str:
    tid = desk.open_ticket(
        AGENT, customer_id=f"c{n:03d}", description="漏水", asset_id=f"A-{n:03d}"
    ).ticket.id
    desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM)
    desk.dispatch(AGENT, tid, engineer_id="e1")
    desk.start_work(HOLDER, tid)
    clock = desk.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(minutes=10))
    desk.add_fault_record(HOLDER, tid, symptom="leak", cause="seal_defect", action="replace_seal")
    return tid


def test_a_team_mate_who_may_read_the_tickets_sees_their_batch_incident(desk: ServiceDesk) -> None:
    tickets = [_fault(desk, n) for n in range(5)]
    qi = desk.quality_incidents
    (incident,) = qi.incidents(MANAGER)
    # The team-mate reads every ticket of the batch, as the ticket read's team rule lets it.
    assert all(desk.ticket(MATE, t).id == t for t in tickets)
    assert [i.id for i in qi.incidents(MATE)] == [incident.id]
    seen = qi.incident(MATE, incident.id)
    assert sorted(seen.ticket_ids) == sorted(tickets)
    assert sorted(seen.unit_ids) == [f"A-{n:03d}" for n in range(5)]
    assert [u.ticket_id for u in qi.units(MATE, incident.id)] == [
        u.ticket_id for u in qi.units(HOLDER, incident.id)
    ]
    # As the holder sees it, and the engineer of another team as it sees the tickets: not at all.
    held = qi.incident(HOLDER, incident.id)
    assert (seen.customer_ids, seen.events, seen.units_elsewhere) == (
        held.customer_ids, held.events, held.units_elsewhere,
    )  # fmt: skip
    assert qi.incidents(OTHER) == []
    with pytest.raises(NotFound):
        desk.ticket(OTHER, tickets[0])
    with pytest.raises(NotFound):
        qi.incident(OTHER, incident.id)
