"""Cross-scope lookups answer not-found: nobody learns that another customer's ticket or unit exists."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Severity
from aftersales.domain.complaints import RemedyKind
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, DealerId, EngineerId, ProductId
from aftersales.domain.money import Money
from aftersales.domain.parties import Customer, CustomerTier, Dealer, Engineer
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.errors import NotFound
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import pg_schema_url

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
AGENT = Actor.agent("a1")
MANAGER = Actor.manager("m1")
ENGINEER = Actor.engineer("e1")
SH_DEALER = Actor.dealer_staff("sh-1", "d-sh", {"SH"})
BJ_DEALER = Actor.dealer_staff("bj-1", "d-bj", {"BJ"})


def _build(url: str) -> ServiceDesk:
    desk = ServiceDesk.open(url, pack="service_centre", clock=ManualClock(START))
    desk.register_product(
        MANAGER, Product(ProductId("P-1"), "WC-100", "连体马桶", "toilet", (WarrantyTerm(12),))
    )
    desk.register_engineer(MANAGER, Engineer(EngineerId("e1"), "赵工"))
    for dealer_id, region in (("d-sh", "SH"), ("d-bj", "BJ")):  # units name their dealer: it must exist
        desk.register_dealer(MANAGER, Dealer(DealerId(dealer_id), dealer_id, region, frozenset({region})))
    for cid, region, dealer in (("c1", "SH", "d-sh"), ("c2", "BJ", "d-bj")):
        contact = Contact(cid, phone="13800000000", address="上海市浦东新区 1 号")
        customer = Customer(CustomerId(cid), cid, contact, CustomerTier.REGULAR, region=region)
        desk.register_customer(MANAGER, customer)
        desk.register_asset(
            MANAGER,
            Asset(
                AssetId(f"A-{cid}"), ProductId("P-1"), f"SN-{cid}", CustomerId(cid),
                batch="B-1", purchase_date=date(2025, 4, 1), dealer_id=DealerId(dealer),
            ),
        )  # fmt: skip
    return desk


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceDesk]:
    if request.param == "postgres":
        with pg_schema_url() as url, _build(url) as opened:
            yield opened
        return
    url = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 'scope.db'}"
    with _build(url) as opened:
        yield opened


def _resolved(desk: ServiceDesk, customer: str) -> str:
    tid = desk.open_ticket(
        AGENT, customer_id=customer, description="冲洗不出水", asset_id=f"A-{customer}"
    ).ticket.id
    desk.triage(AGENT, tid, nature="flush", severity=Severity.MEDIUM)
    desk.dispatch(AGENT, tid, engineer_id="e1")
    desk.start_work(ENGINEER, tid)
    clock = desk.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(hours=2))
    desk.resolve(ENGINEER, tid, summary="换了进水阀")
    return tid


def test_naming_another_customers_unit_is_not_found(desk: ServiceDesk) -> None:
    with pytest.raises(NotFound) as caught:
        desk.open_ticket(AGENT, customer_id="c1", description="漏水", asset_id="A-c2")
    assert caught.value.kind == "asset"
    assert "another" not in str(caught.value)
    # Same answer as for a unit that does not exist.
    with pytest.raises(NotFound):
        desk.open_ticket(AGENT, customer_id="c1", description="漏水", asset_id="A-none")


def test_a_customer_or_dealer_naming_a_customer_outside_its_scope_gets_not_found(desk: ServiceDesk) -> None:
    with pytest.raises(NotFound):
        desk.open_ticket(Actor.customer("c1"), customer_id="c2", description="漏水")
    with pytest.raises(NotFound):
        desk.open_ticket(SH_DEALER, customer_id="c2", description="漏水")
    # c1 has no dealer of its own; the call about the unit the Shanghai dealer sold is that dealer's job
    # (seed 002: 乙方负责所售产品的全过程服务), so its staff book it.
    opened = desk.open_ticket(SH_DEALER, customer_id="c1", description="漏水", asset_id="A-c1")
    assert opened.ticket.customer_id == "c1"


def test_a_complaint_about_another_customers_ticket_is_not_found(desk: ServiceDesk) -> None:
    other = _resolved(desk, "c2")
    complaints = desk.complaints
    with pytest.raises(NotFound) as caught:
        complaints.open_complaint(AGENT, "c1", "维修后又漏水", about=[other])
    assert caught.value.kind == "ticket" and "another" not in str(caught.value)
    opened = complaints.open_complaint(AGENT, "c1", "服务态度差")
    with pytest.raises(NotFound):
        complaints.link_tickets(AGENT, opened.ticket.id, [other])
    own = _resolved(desk, "c1")
    linked = complaints.link_tickets(AGENT, opened.ticket.id, [own])
    assert linked.events[-1].payload["about"] == [own]


def test_warranty_extensions_are_scoped_like_the_units_tickets(desk: ServiceDesk) -> None:
    own = _resolved(desk, "c1")
    complaints = desk.complaints
    cid = complaints.open_complaint(AGENT, "c1", "要求延保", about=[own]).ticket.id
    complaints.investigate(AGENT, cid)
    complaints.propose_solution(AGENT, cid, solution="延保 12 个月")
    complaints.agree_solution(Actor.customer("c1"), cid)
    complaints.grant_remedy(
        AGENT, cid, kind=RemedyKind.WARRANTY_EXTENSION, cost=Money("200", "CNY"), extend_by=12
    )
    assert len(complaints.warranty_extensions(AGENT, "A-c1")) == 1
    assert len(complaints.warranty_extensions(SH_DEALER, "A-c1")) == 1
    assert len(complaints.warranty_extensions(ENGINEER, "A-c1")) == 1  # the engineer worked on the unit
    for outsider in (BJ_DEALER, Actor.engineer("e9")):
        with pytest.raises(NotFound) as caught:
            complaints.warranty_extensions(outsider, "A-c1")
        assert caught.value.kind == "asset"


def test_the_customer_reads_its_ticket_without_the_staffs_internal_notes(desk: ServiceDesk) -> None:
    # A note marked internal ("客户脾气急") is for the engineer: the customer's ticket, ledger, search,
    # command result and JSON leave it out; the staff read it, and the customer's own notes stay.
    from aftersales import to_json

    tid = _resolved(desk, "c1")
    desk.note_to_customer(AGENT, tid, text="备件已到，明天上门")
    desk.note_to_customer(AGENT, tid, text="客户脾气急，说话注意", visible=False)
    customer = Actor.customer("c1")
    views = [
        desk.ticket(customer, tid),
        desk.ledger(customer).items[0],
        desk.search(customer, "冲洗").items[0],
        desk.confirm(customer, tid).ticket,
    ]
    for view in views:
        assert view.id == tid and [n.text for n in view.notes] == ["备件已到，明天上门"]
        assert "客户脾气急" not in to_json(view)
    for staff in (AGENT, ENGINEER, MANAGER):
        assert "客户脾气急，说话注意" in [n.text for n in desk.ticket(staff, tid).notes]
