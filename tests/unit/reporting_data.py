"""A deterministic month of varied tickets for the reporting tests (built through the domain)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel, Plan, Priority, Severity
from aftersales.domain.ids import AssetId, CustomerId, DealerId, ProductId, TicketId
from aftersales.domain.products import Asset
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assessment, Assignee, AssigneeKind, FaultRecord, Visit

SH = ZoneInfo("Asia/Shanghai")
AGENT = ActorRef("agent-1", Role.AGENT)
ENGINEER = ActorRef("eng-1", Role.ENGINEER)
CUSTOMER = ActorRef("cust", Role.CUSTOMER)
DEALERS = ("dealer-a", "dealer-b", "dealer-c")
SYMPTOMS = ("no_flush", "leak", "crack", "noise")


def assets(n_per_batch: int = 20) -> list[Asset]:
    """Registered units: two batches of CT-1188 and one of BS-200."""
    out = []
    for product, batch in (("CT-1188", "B1"), ("CT-1188", "B2"), ("BS-200", "B9")):
        for i in range(n_per_batch):
            out.append(
                Asset(AssetId(f"{batch}-{i}"), ProductId(product), f"S-{batch}-{i}", batch=batch,
                      purchase_date=date(2025, 1, 1))
            )  # fmt: skip
    return out


def tickets(n: int = 60, start: datetime = datetime(2026, 3, 2, 9, 0, tzinfo=SH)) -> list[Ticket]:
    """``n`` tickets over March 2026 in various states (resolved, reworked, rated, open, cancelled…)."""
    out: list[Ticket] = []
    for i in range(n):
        t0 = start + timedelta(hours=7 * i + (i % 5))
        batch = ("B1", "B2", "B9")[i % 3]
        product = "BS-200" if batch == "B9" else "CT-1188"
        category = (Category.REPAIR, Category.INSTALLATION, Category.REPAIR, Category.COMPLAINT)[i % 4]
        t = Ticket.open(
            id=TicketId(f"T-{i:04d}"), customer_id=CustomerId(f"c{i % 7}"), channel=Channel.PHONE,
            category=category, description=f"problem {i}", received_at=t0, taken_by=AGENT,
            asset_id=AssetId(f"{batch}-{i % 20}"), product_id=ProductId(product), batch=batch,
            region=("sh-pudong", "sh-xuhui")[i % 2], dealer_id=DealerId(DEALERS[i % 3]),
        )  # fmt: skip
        out.append(t)
        if i % 11 == 10:
            continue  # never answered
        at = t0 + timedelta(minutes=20 + 13 * (i % 9))
        if i % 13 == 12:
            t.cancel(AGENT, at, "duplicate call")
            continue
        t.triage(
            AGENT, at, Assessment("x", Severity.MEDIUM, plan=Plan.ON_SITE), Priority.NORMAL, [Reason("d", {})]
        )
        # The dealers' own engineers: a dealer's month counts the jobs it did (seed 002 分工 10).
        engineer = Assignee(AssigneeKind.ENGINEER, f"eng-{i % 4}", "E")
        t.assign(AGENT, at + timedelta(minutes=5), engineer, dealer=DEALERS[i % 3])
        t.add_visit(ENGINEER, at + timedelta(minutes=10), Visit(at + timedelta(hours=3), f"eng-{i % 4}"))
        t.step("start_work", ENGINEER, at + timedelta(hours=3))
        t.record_fault(
            ENGINEER, at + timedelta(hours=3, minutes=10),
            FaultRecord(SYMPTOMS[i % 4 if i % 3 else 0], "worn", "replace", at + timedelta(hours=3),
                        ENGINEER),
        )  # fmt: skip
        if i % 6 == 5:
            continue  # still in progress
        done = at + timedelta(hours=4 + 9 * (i % 4))
        t.resolve(ENGINEER, done, summary="fixed")
        if i % 7 == 3:
            t.reject(CUSTOMER, done + timedelta(hours=1), "still leaks")
            t.step("start_work", ENGINEER, done + timedelta(hours=2))
            done = done + timedelta(hours=5)
            t.resolve(ENGINEER, done, summary="fixed again")
        t.confirm(CUSTOMER, done + timedelta(minutes=30))
        due = done + timedelta(hours=24)
        t.schedule_callback(AGENT, done + timedelta(minutes=40), due)
        if i % 4 != 1:
            late = timedelta(hours=30) if i % 8 == 0 else timedelta(hours=2)
            t.record_callback(AGENT, done + late, problem_back=False, facts={"satisfaction": 2 + i % 4})
            t.close(AGENT, done + late)
    return out


def fill(store: Any) -> None:
    """Store :func:`assets` and :func:`tickets` in ``store`` (a store factory), committed."""
    with store() as uow:
        for a in assets():
            uow.assets.add(a)
        for t in tickets():
            uow.tickets.add(t)
        uow.commit()
