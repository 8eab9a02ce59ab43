"""Ledger export to CSV (target ≥ 50,000 tickets/s) on SQLite, tickets written as users write them.

The store is filled through the ticket repository with real tickets (opened, triaged, assigned,
most with a fault record and resolved), as the desk writes them. Then the whole ledger is exported
as a manager would, in Chinese with a BOM, several times: median and p50/p90/p99 throughput. Baseline
in the same run: the same export through ``desk.ledger`` pages of whole tickets (what an export had
to do before the flat ledger records), on the first 20,000 tickets. GC on.

    python benchmarks/bench_ledger_export.py            # N = 100,000
    python benchmarks/bench_ledger_export.py -n 300000
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aftersales.adapters.clock import ManualClock
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel, Plan, Priority, Severity
from aftersales.domain.ids import CustomerId, DealerId, ProductId, TicketId
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assessment, Assignee, AssigneeKind, FaultRecord
from aftersales.ports.queries import TicketFilter
from aftersales.reports import export_ledger, iter_ledger, report_labels
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

SH = ZoneInfo("Asia/Shanghai")
TARGET = 50_000
AGENT = ActorRef("agent-1", Role.AGENT)
ENGINEER = ActorRef("eng-1", Role.ENGINEER)
FAULTS = [
    ("keeps_running", "fill_valve_worn", "replace_fill_valve"),
    ("weak_flush", "flush_valve_misadjusted", "adjust_flush_valve"),
    ("base_leak", "seal_ring_aged", "replace_seal_ring"),
]


def ticket(i: int, start: datetime) -> Ticket:
    t0 = start + timedelta(seconds=25 * i)
    t = Ticket.open(
        id=TicketId(f"SR-{i:08d}"), customer_id=CustomerId(f"c{i % 20_011}"), channel=Channel.PHONE,
        category=(Category.REPAIR, Category.INSTALLATION, Category.MAINTENANCE)[i % 3],
        description=f"马桶一直流水（CT-1188） #{i}", received_at=t0, taken_by=AGENT,
        product_id=ProductId("CT-1188"), batch=f"B2025-{i % 12 + 1:02d}", region=f"R{i % 6}",
        dealer_id=DealerId(f"dealer-{i % 6}") if i % 5 else None,
    )  # fmt: skip
    if i % 20 == 19:
        return t  # not triaged yet
    t.triage(AGENT, t0 + timedelta(minutes=8), Assessment("x", Severity.MEDIUM, plan=Plan.ON_SITE),
             Priority.NORMAL, [Reason("default_priority", {"category": "repair"})])  # fmt: skip
    t.response_due_at = t0 + timedelta(hours=2)
    t.resolution_due_at = t0 + timedelta(hours=24)
    t.assign(
        AGENT, t0 + timedelta(minutes=10), Assignee(AssigneeKind.ENGINEER, f"eng-{i % 40}", f"师傅{i % 40}")
    )
    t.step("start_work", ENGINEER, t0 + timedelta(hours=3))
    symptom, cause, action = FAULTS[i % 3]
    t.record_fault(ENGINEER, t0 + timedelta(hours=3, minutes=20),
                   FaultRecord(symptom, cause, action, t0 + timedelta(hours=3), ENGINEER))  # fmt: skip
    if i % 7:
        t.resolve(ENGINEER, t0 + timedelta(hours=5), summary="已处理")
    return t


def fill(desk: ServiceDesk, n: int) -> None:
    start = datetime(2026, 1, 1, 8, tzinfo=SH)
    for chunk in range(0, n, 10_000):
        with desk.store() as uow:
            uow.tickets.add_many(ticket(i, start) for i in range(chunk, min(chunk + 10_000, n)))
            uow.commit()


def baseline(desk: ServiceDesk, manager: Actor, limit: int) -> float:
    """Whole tickets through desk.ledger pages, labelled the same way, written as CSV."""
    labels = report_labels("zh_Hans")
    filters = TicketFilter(received_to=datetime(2026, 1, 1, 8, tzinfo=SH) + timedelta(seconds=25 * limit))
    out = io.StringIO()
    writer = csv.writer(out)
    t0 = time.perf_counter()
    count = 0
    for t in iter_ledger(desk, manager, filters):
        fault = t.fault_records[-1] if t.fault_records else None
        writer.writerow([
            t.id, labels.kind(t.kind.value), labels.state(t.state), labels.category(t.category.code),
            labels.priority(t.priority.value if t.priority else None), labels.channel(t.channel.value),
            t.received_at.astimezone(SH).isoformat(" ", "seconds"), t.customer_id, t.dealer_id, t.region,
            t.assignee.name if t.assignee else None, t.product_id, t.batch, t.description,
            t.response_due_at, t.resolution_due_at, t.resolved_at, t.closed_at,
            labels.fault("symptom", fault.symptom) if fault else None, None, None,
        ])  # fmt: skip
        count += 1
    return count / (time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.db"
        desk = ServiceDesk.open(
            f"sqlite:///{path}", pack="sanitary_ware", clock=ManualClock(datetime(2026, 6, 1, tzinfo=SH))
        )
        t0 = time.perf_counter()
        fill(desk, args.n)
        print(f"wrote {args.n:,} tickets through the repository in {time.perf_counter() - t0:.1f} s")
        manager = Actor.manager("mgr", "王经理")
        report_labels("zh_Hans")  # catalogs loaded once per process, as in a running host
        rates: list[float] = []
        sizes: list[int] = []
        for _ in range(args.runs):
            out = io.BytesIO()
            t0 = time.perf_counter()
            rows = export_ledger(desk, manager, out, format="csv", locale="zh_Hans")
            rates.append(rows / (time.perf_counter() - t0))
            sizes.append(len(out.getvalue()))
        base = baseline(desk, manager, min(20_000, args.n))
        q = statistics.quantiles(rates, n=100, method="inclusive")
        median = statistics.median(rates)
        print(f"CSV export of {args.n:,} tickets ({sizes[-1] / 1e6:.1f} MB): median {median:,.0f}/s   "
              f"p50 {q[49]:,.0f}  p90 {q[89]:,.0f}  p99 {q[98]:,.0f}  ({args.runs} runs)")  # fmt: skip
        print(
            f"baseline, whole tickets via desk.ledger: {base:,.0f} tickets/s  → {median / base:.1f}× faster"
        )
        print(f"target ≥ {TARGET:,} tickets/s: {'met' if median >= TARGET else 'MISSED'}")
        desk.shutdown()


if __name__ == "__main__":
    main()
