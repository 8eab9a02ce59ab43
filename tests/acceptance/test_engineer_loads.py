"""desk.engineer_loads: open tickets per engineer, by state, read from the store."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, DealerId, EngineerId
from aftersales.domain.parties import Customer, CustomerTier, Dealer, Engineer
from aftersales.errors import NotFound, PermissionDenied
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
AGENT = Actor.agent("a1")
MANAGER = Actor.manager("m1")


@pytest.fixture(params=["memory", "sqlite"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServiceDesk]:
    url = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 'loads.db'}"
    with ServiceDesk.open(url, pack="service_centre", clock=ManualClock(START)) as d:
        d.register_dealer(MANAGER, Dealer(DealerId("d1"), "d1", "SH", frozenset({"SH"})))
        d.register_engineer(MANAGER, Engineer(EngineerId("e1"), "赵工", team="east"))
        d.register_engineer(MANAGER, Engineer(EngineerId("e2"), "钱工", team="east", max_load=2))
        d.register_engineer(
            MANAGER, Engineer(EngineerId("e3"), "孙工", team="west", dealer_id=DealerId("d1"))
        )
        contact = Contact("c1", phone="13800000000", address="上海市浦东新区 1 号")
        d.register_customer(MANAGER, Customer(CustomerId("c1"), "c1", contact, CustomerTier.REGULAR))
        yield d


def _dispatched(desk: ServiceDesk, engineer: str) -> str:
    tid = desk.open_ticket(AGENT, customer_id="c1", description="漏水").ticket.id
    desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM)
    desk.dispatch(AGENT, tid, engineer_id=engineer)
    return tid


def test_loads_count_open_tickets_per_engineer_by_state(desk: ServiceDesk) -> None:
    t1 = _dispatched(desk, "e1")
    _dispatched(desk, "e1")
    t3 = _dispatched(desk, "e2")
    desk.start_work(Actor.engineer("e1"), t1)
    desk.start_work(Actor.engineer("e2"), t3)
    desk.resolve(Actor.engineer("e2"), t3, summary="修好了")  # resolved: no longer the engineer's work
    loads = {load.engineer_id: load for load in desk.engineer_loads(MANAGER)}
    assert set(loads) == {"e1", "e2", "e3"}
    e1 = loads["e1"]
    assert e1.open == 2 and sum(e1.by_state.values()) == 2 and len(e1.by_state) == 2
    assert e1.by_state.get("in_progress") == 1
    assert loads["e2"].open == 0 and loads["e2"].by_state == {} and loads["e2"].has_capacity
    assert desk.engineer_loads(MANAGER)[0].engineer_id == "e1"  # most loaded first


def test_loads_of_one_team_and_scopes(desk: ServiceDesk) -> None:
    _dispatched(desk, "e3")
    assert [load.engineer_id for load in desk.engineer_loads(MANAGER, team="east")] == ["e1", "e2"]
    with pytest.raises(NotFound):
        desk.engineer_loads(MANAGER, team="nowhere")
    dealer = Actor.dealer_staff("s1", "d1", {"SH"})
    (own,) = desk.engineer_loads(dealer)
    assert own.engineer_id == "e3" and own.open == 1
    with pytest.raises(PermissionDenied):
        desk.engineer_loads(Actor.customer("c1"))
    with pytest.raises(PermissionDenied):
        desk.engineer_loads(Actor.engineer("e1"))


def test_dispatch_counts_the_loads_engineer_loads_shows(desk: ServiceDesk) -> None:
    # An accepted ticket is the customer's turn (callback, closing), not the engineer's work: neither
    # desk.engineer_loads nor the dispatch roster counts it, so e2 (max 2) has room again.
    for _ in range(2):
        tid = _dispatched(desk, "e2")
        desk.start_work(Actor.engineer("e2"), tid)
        desk.resolve(Actor.engineer("e2"), tid, summary="修好了")
        desk.confirm(Actor.customer("c1"), tid)
        assert desk.ticket(MANAGER, tid).state == "accepted"
    _dispatched(desk, "e1")
    shown = {load.engineer_id: load.open for load in desk.engineer_loads(MANAGER)}
    assert shown == {"e1": 1, "e2": 0, "e3": 0}
    with desk.store() as uow:
        roster = desk.dispatching.roster(uow)
        assert {e: roster.engineers.load(EngineerId(e)) for e in shown} == shown
