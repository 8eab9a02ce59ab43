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
        "await_parts",
        engineer,
        t0 + timedelta(hours=5, minutes=35),
        reason="已向厂家订购进水阀 — fill valve ordered from maker",
    )
    ticket.note_to_customer(
        dealer, t0 + timedelta(hours=5, minutes=40), CustomerNote("配件已向厂家申领，明天上午上门更换。")
    )
    t1 = datetime(2026, 3, 3, 10, 0, tzinfo=SHANGHAI)
    ticket.step("resume", engineer, t1, reason="进水阀已到货 — fill valve received")
    ticket.resolve(
        engineer,
        t1 + timedelta(minutes=40),
        summary="更换进水阀，冲水正常 — fill valve replaced, flushing normally",
    )
    ticket.confirm(customer, t1 + timedelta(minutes=45), note="客户已签服务单 — service slip signed")
    t2 = datetime(2026, 3, 4, 10, 0, tzinfo=SHANGHAI)
    ticket.schedule_callback(agent, t1 + timedelta(minutes=50), t2)
    ticket.record_callback(agent, t2, problem_back=False, facts={"satisfaction": 5})
    ticket.close(agent, t2 + timedelta(minutes=5))
    return ticket


def _width(text: str) -> int:
    return sum(2 if ord(ch) >= 0x1100 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def run_demo(locale: str, out: TextIO) -> int:
    """Print the demo ticket's ledger in ``locale``: who, when, from, to, why."""
    from aftersales.reports.labels import report_labels

    labels = report_labels(locale, {"agent-li": "客服小李", "pudong-dealer": "浦东特约网点",
                                    "eng-zhang": "张师傅", "cust-wang": "王先生"})  # fmt: skip
    ticket = demo_ticket()
    out.write(
        labels.text("demo.one.title", id=ticket.id, category=labels.category(ticket.category.code),
                    description=ticket.description) + "\n"
    )  # fmt: skip
    flow = ticket.workflow.name  # its states and steps in its own workflow's words
    out.write(
        labels.text("demo.one.state", state=labels.state(ticket.state, flow), events=str(len(ticket.events)))
    )
    out.write("\n\n")
    cols = [("#", 3), (labels.text("demo.one.when"), 17), (labels.text("demo.one.who"), 24),
            (labels.text("demo.one.action"), 20), (labels.text("demo.one.from"), 14),
            (labels.text("demo.one.to"), 14), (labels.text("demo.one.why"), 0)]  # fmt: skip
    header = "  ".join(_pad(name, width) for name, width in cols).rstrip()
    out.write(header + "\n" + "-" * (_width(header) + 10) + "\n")
    for e in ticket.events:
        role = labels.catalog.get(f"role.{e.actor.role.value}") or e.actor.role.value
        cells = [
            str(e.seq), e.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
            f"{role} {labels.name(e.actor.id)}",
            labels.step(e.action, flow),
            labels.state(e.from_state, flow) if e.from_state else "-", labels.state(e.to_state, flow),
            e.reason or "",
        ]  # fmt: skip
        line = "  ".join(_pad(c, w) for c, (_, w) in zip(cells, cols, strict=True)).rstrip()
        out.write(line + "\n")
    return 0
