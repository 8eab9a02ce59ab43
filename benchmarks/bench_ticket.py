"""Ticket creation and transitions: figures against the one-Machine-per-ticket baseline (issue 3).

Targets: create a ticket ≤ 5 µs and ≤ 2 KiB; ≥ 50× faster than a ``transitions.Machine`` per ticket;
one transition with its event ≤ 15 µs; 100,000 open tickets: creation + one transition each ≤ 2 s,
memory ≤ 300 MB. Run: ``python benchmarks/bench_ticket.py``.

Honest figures: every ticket has its own id, customer, description and instant (no shared strings),
every ticket made is kept alive with the garbage collector on, and each figure is the median of
several runs with p50/p90/p99 of the single calls, the baseline measured in the same run.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from scale_file import Runs, percentiles
from transitions import Machine

from aftersales import ActorRef, Category, Channel, CustomerId, Role, Ticket, TicketId
from aftersales.domain.ticket_workflow import TICKET_WORKFLOW

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)
AGENT = ActorRef("agent-1", Role.AGENT)


def make(i: int) -> Ticket:
    return Ticket.open(
        id=TicketId(f"T-{i}"),
        customer_id=CustomerId(f"C-{i % 5000}"),
        channel=Channel.PHONE,
        category=Category.REPAIR,
        description=f"冲洗不出水 unit {i}",
        received_at=T0 + timedelta(seconds=i),
        taken_by=AGENT,
    )


class _Model:
    """The baseline: a plain model with its own Machine (what the issue forbids)."""

    def __init__(self) -> None:
        self.state = "new"


def make_with_own_machine(i: int) -> _Model:
    model = _Model()
    Machine(
        model=model,
        states=list(TICKET_WORKFLOW.states),
        initial="new",
        transitions=[
            {"trigger": s.trigger, "source": list(s.sources), "dest": s.dest}
            for s in (TICKET_WORKFLOW.spec(t) for t in TICKET_WORKFLOW.triggers)
        ],
        auto_transitions=False,
    )
    return model


def per_call(fn: object, n: int) -> float:
    f = fn  # type: ignore[assignment]
    start = time.perf_counter()
    for i in range(n):
        f(i)  # type: ignore[operator]
    return (time.perf_counter() - start) / n


def main() -> None:
    n = 20_000
    assert gc.isenabled()
    ours = Runs().measure(5, n, make)  # every ticket kept (scale_file.KEEP)
    baseline = Runs().measure(3, 300, make_with_own_machine)
    ours_p50, base_p50 = percentiles(ours.latencies)[0], percentiles(baseline.latencies)[0]
    print(ours.line("create ticket (target ≤ 5 µs p50)", "tickets/s"))
    print(baseline.line("  baseline: a Machine per ticket", "tickets/s"))
    print(f"  ratio (p50) {base_p50 / ours_p50:6.1f}×  (target ≥ 50×)")

    gc.collect()
    tracemalloc.start()
    kept = [make(i) for i in range(10_000)]
    size = tracemalloc.get_traced_memory()[0] / len(kept)
    tracemalloc.stop()
    tracemalloc.start()
    kept_baseline = [make_with_own_machine(i) for i in range(300)]
    size_baseline = tracemalloc.get_traced_memory()[0] / len(kept_baseline)
    tracemalloc.stop()
    del kept, kept_baseline
    print(f"memory per ticket      : {size:7.0f} B   (target ≤ 2048 B)")
    print(f"Machine per ticket     : {size_baseline:7,.0f} B")

    tickets = [make(i) for i in range(n * 5)]
    at = T0 + timedelta(days=30)
    step = Runs().measure(5, n, lambda i: tickets[i].step("triage", AGENT, at))
    print(step.line("one transition + event (target ≤ 15 µs p50)", "steps/s"))

    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    many = []
    for i in range(100_000):
        t = make(i)
        t.step("triage", AGENT, at)
        many.append(t)
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"100,000 tickets+step   : {elapsed:7.2f} s   (target ≤ 2 s, traced: slower than untraced)")
    print(f"100,000 tickets memory : {peak / 2**20:7.1f} MB  (target ≤ 300 MB)")
    del many
    gc.collect()
    start = time.perf_counter()
    again = []
    for i in range(100_000):
        t = make(i)
        t.step("triage", AGENT, at)
        again.append(t)
    print(f"100,000 untraced       : {time.perf_counter() - start:7.2f} s")


if __name__ == "__main__":
    main()
