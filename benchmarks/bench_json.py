# mypy: disable-error-code="arg-type"
"""JSON at the edge: ``to_json`` of a ticket with 25 events (target ≤ 50 µs, issue 22).

The ticket is made the way a host makes one: opened, triaged and dispatched through a desk, then
progress notes until it has 25 events. The baseline, measured in the same run on the same ticket,
is the store's own writer (``serialization.dumps``, orjson plus hand-written hooks). Each run times
``--n`` calls; the figures are the median rate of ``--runs`` runs and p50/p90/p99 of every single
call (GC on, the view and every result kept alive until the end), plus the process CPU time per call
(the machine may be shared: wall time then includes waiting for a core).
Run: ``python benchmarks/bench_json.py [--n 5000] [--runs 7]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from scale_file import KEEP, Runs, percentiles, verdict

from aftersales import to_json
from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, DealerId
from aftersales.domain.parties import Customer, Dealer
from aftersales.serialization import dumps
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

TARGET_US = 50.0
AGENT, MANAGER, AUDITOR = Actor.agent("agent-li"), Actor.manager("mgr"), Actor.auditor("audit")


def _ticket_view():  # type: ignore[no-untyped-def]
    clock = ManualClock(datetime(2026, 3, 2, 9, 12, tzinfo=ZoneInfo("Asia/Shanghai")))
    desk = ServiceDesk.open("memory://", pack="sanitary_ware", clock=clock)
    contact = Contact("浦东特约网点", email="pudong@example.cn")
    desk.register_dealer(MANAGER, Dealer(DealerId("pudong"), "浦东特约网点", "sh-pudong", contact=contact))
    customer = Customer(CustomerId("wang"), "王先生", Contact("王先生", phone="13800138000"),
                        region="sh-pudong", dealer_id=DealerId("pudong"))  # fmt: skip
    desk.register_customer(MANAGER, customer)
    ticket = desk.open_ticket(AGENT, customer_id="wang", description="连体坐便器冲洗不出水").ticket
    desk.triage(AGENT, ticket.id, nature="no_flush", severity=Severity.MEDIUM)
    desk.dispatch(AGENT, ticket.id)
    while len(desk.ticket(AUDITOR, ticket.id).events) < 25:
        clock.advance(timedelta(minutes=7, microseconds=123))
        desk.note_to_customer(AGENT, ticket.id, text="工程师已出发，预计 30 分钟到达")
    return desk.ticket(AUDITOR, ticket.id)


def _cpu_per_call(fn: Callable[[], object], n: int) -> float:
    """Process CPU time per call in µs (what the code costs when it has a core, whatever the load)."""
    began = time.process_time()
    kept = [fn() for _ in range(n)]
    spent = time.process_time() - began
    KEEP.append(kept)
    return spent / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    view = _ticket_view()
    assert len(view.events) == 25
    ticket = view._ticket
    edge = Runs().measure(args.runs, args.n, lambda _: to_json(view))
    edge_en = Runs().measure(args.runs, args.n // 5, lambda _: to_json(view, locale="en"))
    base = Runs().measure(args.runs, args.n, lambda _: dumps(ticket))
    cpu_edge = statistics.median(_cpu_per_call(lambda: to_json(view), args.n) for _ in range(args.runs))
    cpu_base = statistics.median(_cpu_per_call(lambda: dumps(ticket), args.n) for _ in range(args.runs))
    print(f"to_json of a ticket with {len(view.events)} events ({len(to_json(view))} bytes), "
          f"{args.runs} runs × {args.n} calls; load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    print(edge.line("to_json(view)", "calls/s"))
    print(edge_en.line("to_json(view, locale='en')", "calls/s"))
    print(base.line("baseline: serialization.dumps", "calls/s"))
    median_us = 1e6 / statistics.median(edge.rates)
    base_us = 1e6 / statistics.median(base.rates)
    p50_us, base_p50_us = percentiles(edge.latencies)[0] * 1e6, percentiles(base.latencies)[0] * 1e6
    print(f"per call: p50 {p50_us:.1f} µs, run median {median_us:.1f} µs (with waits for a core), CPU "
          f"{cpu_edge:.1f} µs; baseline p50 {base_p50_us:.1f} µs, run median {base_us:.1f} µs, CPU "
          f"{cpu_base:.1f} µs; ratio to baseline (p50) {p50_us / base_p50_us:.2f}×")  # fmt: skip
    print(f"target ≤ {TARGET_US:.0f} µs per call (p50): {verdict(p50_us <= TARGET_US)}")


if __name__ == "__main__":
    main()
