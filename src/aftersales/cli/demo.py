"""``aftersales demo``: one repair ticket of a bathroom-fixture maker (seed 002), call to close.

Shanghai Weinasi Sanitary Ware (the maker) and its authorised dealer in Pudong: a customer calls
about a toilet that will not flush; the agent registers and triages; the ticket goes to the
dealer's engineer; the engineer waits for a fill valve from the maker, fits it, the customer signs
off, and the callback confirms the fix. Runs in memory and prints the ledger.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TextIO
from zoneinfo import ZoneInfo

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel, Plan, Priority, Severity
from aftersales.domain.ids import AssetId, CustomerId, DealerId, ProductId, TicketId
from aftersales.domain.products import Asset
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assessment, Assignee, AssigneeKind, CustomerNote, FaultRecord, Visit

__all__ = ["demo_ticket", "run_demo"]

SHANGHAI = ZoneInfo("Asia/Shanghai")


def demo_ticket() -> Ticket:
    """Build the demo ticket's whole story (deterministic: fixed instants, no clock reads)."""
    agent = ActorRef("agent-li", Role.AGENT)
    dealer = ActorRef("pudong-dealer", Role.DEALER_STAFF)
    engineer = ActorRef("eng-zhang", Role.ENGINEER)
    customer = ActorRef("cust-wang", Role.CUSTOMER)
    asset = Asset(
        AssetId("A-CT1188-0042"),
        ProductId("CT-1188"),
        "CT1188-2025-0042",
        customer_id=CustomerId("cust-wang"),
        batch="B2025-07",
        purchase_date=date(2025, 8, 18),
        installation_accepted_on=date(2025, 8, 20),
        dealer_id=DealerId("pudong-dealer"),
    )
    t0 = datetime(2026, 3, 2, 9, 12, tzinfo=SHANGHAI)
    ticket = Ticket.open(
        id=TicketId("SR-2026-000001"),
        customer_id=CustomerId("cust-wang"),
        channel=Channel.PHONE,
        category=Category.REPAIR,
        description="连体坐便器冲洗不出水 — the one-piece toilet does not flush",
        received_at=t0,
        taken_by=agent,
        asset_id=asset.id,
        product_id=asset.product_id,
        batch=asset.batch,
        region="sh-pudong",
        dealer_id=asset.dealer_id,
    )
    ticket.triage(
        agent,
        t0 + timedelta(minutes=6),
        Assessment("no_flush", Severity.MEDIUM, plan=Plan.ON_SITE, skill="toilet"),
        Priority.NORMAL,
        [Reason("default_priority", {"category": "repair"})],
    )
    ticket.assign(
        agent,
        t0 + timedelta(minutes=8),
        Assignee(AssigneeKind.DEALER, "pudong-dealer", "浦东特约网点"),
        reasons=[Reason("dealer_holds_territory", {"region": "sh-pudong"})],
    )
    ticket.add_visit(dealer, t0 + timedelta(minutes=20), Visit(t0 + timedelta(hours=5), "eng-zhang"))
    ticket.step("start_work", engineer, t0 + timedelta(hours=5, minutes=5))
    ticket.record_fault(
        engineer,
        t0 + timedelta(hours=5, minutes=30),
        FaultRecord(
            "no_flush",
            "fill_valve_worn",
            "replace_fill_valve",
            t0 + timedelta(hours=5, minutes=30),
            engineer,
            part="fill_valve",
        ),
    )
    ticket.step(
        "await_parts", engineer, t0 + timedelta(hours=5, minutes=35), reason="fill valve ordered from maker"
    )
    ticket.note_to_customer(
        dealer, t0 + timedelta(hours=5, minutes=40), CustomerNote("配件已向厂家申领，明天上午上门更换。")
    )
    t1 = datetime(2026, 3, 3, 10, 0, tzinfo=SHANGHAI)
    ticket.step("resume", engineer, t1, reason="fill valve received")
    ticket.resolve(engineer, t1 + timedelta(minutes=40), summary="fill valve replaced, flushing normally")
    ticket.confirm(customer, t1 + timedelta(minutes=45), note="service slip signed")
    t2 = datetime(2026, 3, 4, 10, 0, tzinfo=SHANGHAI)
    ticket.schedule_callback(agent, t1 + timedelta(minutes=50), t2)
    ticket.record_callback(agent, t2, problem_back=False, facts={"satisfaction": 5})
    ticket.close(agent, t2 + timedelta(minutes=5))
    return ticket


def run_demo(locale: str, out: TextIO) -> int:
    """Print the demo ticket's ledger: who, when, from, to, why."""
    ticket = demo_ticket()
    out.write(f"Ticket {ticket.id}  [{ticket.category}]  {ticket.description}\n")
    out.write(f"state: {ticket.state}   events: {len(ticket.events)}\n\n")
    header = f"{'#':>2}  {'when':16}  {'who':26}  {'action':18}  {'from':17} → {'to':17}  why\n"
    out.write(header)
    out.write("-" * (len(header) + 10) + "\n")
    for e in ticket.events:
        when = e.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        out.write(
            f"{e.seq:>2}  {when:16}  {e.actor!s:26}  {e.action:18}  "
            f"{e.from_state or '-':17} → {e.to_state:17}  {e.reason or ''}\n"
        )
    return 0
