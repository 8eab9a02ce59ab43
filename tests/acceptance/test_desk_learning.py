"""Closing a ticket teaches the knowledge base in the same command; a reopen takes it back."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aftersales import (
    Actor,
    Asset,
    AssetId,
    Contact,
    Customer,
    CustomerId,
    Engineer,
    EngineerId,
    Product,
    ProductId,
    ServiceDesk,
    Severity,
)
from aftersales.adapters import ManualClock

TZ = ZoneInfo("Asia/Shanghai")
MANAGER, AGENT = Actor.manager("mgr"), Actor.agent("agent")


def _closed_repair(desk: ServiceDesk, clock: ManualClock) -> str:
    ticket = desk.open_ticket(AGENT, customer_id="wang", description="冲洗不出水", asset_id="A1").ticket
    desk.triage(AGENT, ticket.id, nature="no_flush", severity=Severity.MEDIUM)
    desk.dispatch(AGENT, ticket.id, engineer_id="e1")
    engineer = Actor.engineer("e1")
    clock.advance(timedelta(hours=1))
    desk.start_work(engineer, ticket.id)
    desk.add_fault_record(
        engineer, ticket.id, symptom="no_flush", cause="fill_valve_worn", action="replace_valve"
    )
    desk.resolve(engineer, ticket.id)
    desk.confirm(Actor.customer("wang"), ticket.id)
    desk.record_callback(AGENT, ticket.id, problem_back=False, satisfaction=5)
    desk.close(AGENT, ticket.id)
    return ticket.id


def test_close_and_reopen_update_the_suggestions() -> None:
    clock = ManualClock(datetime(2026, 3, 2, 9, 0, tzinfo=TZ))
    desk = ServiceDesk.open("memory://", clock=clock)
    desk.register_customer(
        MANAGER, Customer(CustomerId("wang"), "王先生", Contact("王先生", phone="13800000000"), region="sh")
    )
    desk.register_product(MANAGER, Product(ProductId("CT-1188"), "CT-1188", "连体马桶", "toilet"))
    desk.register_asset(
        MANAGER, Asset(AssetId("A1"), ProductId("CT-1188"), "SN1", customer_id=CustomerId("wang"))
    )
    desk.register_engineer(MANAGER, Engineer(EngineerId("e1"), "张工", region="sh"))

    assert desk.knowledge.suggest(AGENT, "CT-1188", symptom="no_flush").causes == ()
    ticket_id = _closed_repair(desk, clock)
    (top,) = desk.knowledge.suggest(AGENT, "CT-1188", symptom="no_flush").causes
    assert (top.cause, top.action, top.count, top.first_time_fixes) == (
        "fill_valve_worn",
        "replace_valve",
        1,
        1,
    )

    desk.reopen(AGENT, ticket_id, reason="callback: leaking again")
    assert desk.knowledge.suggest(AGENT, "CT-1188", symptom="no_flush").causes == ()
