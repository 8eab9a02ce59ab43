# mypy: disable-error-code="arg-type"
"""JSON at the edge: ``to_json`` of a ticket with 25 events (target ≤ 50 µs, issue 22).

The ticket is made the way a host makes one: opened, triaged and dispatched through a desk, then
progress notes until it has 25 events. The baseline, measured in the same run on the same ticket,
is the store's own writer (``serialization.dumps``, orjson plus hand-written hooks). Each run times
``--n`` calls; the figures are the median and p50/p90/p99 over ``--runs`` runs (GC on, the view and
every result kept alive until the run ends).
Run: ``python benchmarks/bench_json.py [--n 5000] [--runs 7]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

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


def _runs(fn: Callable[[], object], n: int, runs: int) -> list[float]:
    per_call = []
    for _ in range(runs):
        kept = []
        start = time.perf_counter()
        for _ in range(n):
            kept.append(fn())
        per_call.append((time.perf_counter() - start) / n * 1e6)
        del kept
    return per_call


def _line(name: str, values: list[float]) -> str:
    q = statistics.quantiles(values, n=100, method="inclusive")
    return (
        f"{name:<34} median {statistics.median(values):7.1f} µs   p50 {q[49]:7.1f}   p90 {q[89]:7.1f}"
        f"   p99 {q[98]:7.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    view = _ticket_view()
    assert len(view.events) == 25
    ticket = view._ticket
    edge = _runs(lambda: to_json(view), args.n, args.runs)
    edge_en = _runs(lambda: to_json(view, locale="en"), args.n // 5, args.runs)
    base = _runs(lambda: dumps(ticket), args.n, args.runs)
    print(
        f"to_json of a ticket with {len(view.events)} events ({len(to_json(view))} bytes), {args.runs} runs"
    )
    print(_line("to_json(view)", edge))
    print(_line("to_json(view, locale='en')", edge_en))
    print(_line("baseline: serialization.dumps", base))
    median = statistics.median(edge)
    print(f"ratio to baseline {median / statistics.median(base):.2f}×; target ≤ {TARGET_US:.0f} µs: "
          f"{'met' if median <= TARGET_US else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
