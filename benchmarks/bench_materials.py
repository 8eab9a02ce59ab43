"""Benchmark: a party's loan ledger with 10,000 lines — balance and overdue list (target ≤ 50 ms).

Baseline, measured in the same run: the naive recomputation a report would do without the ledger's
running figures — every issue line's outstanding quantity summed again from the whole entry log,
producing the same balance and the same overdue items. Also printed: loading the stored document.
Each figure is the median and p50/p90/p99 of several runs, with the garbage collector on and every
result kept alive.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from scale_file import KEEP, fmt, percentiles

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.loan_ledger import EntryKind, LoanLedger, OverdueItem
from aftersales.domain.materials import MaterialsLine, PartyRef
from aftersales.serialization import dumps, loads

TARGET_MS = 50.0
RUNS = 30
CLERK = ActorRef("clerk", Role.AGENT)
START = datetime(2025, 1, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def build(lines: int) -> LoanLedger:
    """7,000 issue lines and 3,000 returns against them: 10,000 ledger lines."""
    ledger = LoanLedger.for_party(PartyRef.dealer("D1"))
    issues = lines * 7 // 10
    for n in range(issues):
        at = START + timedelta(hours=n)
        part = f"part_{n % 200}"
        ledger.issue(f"MR-{n}", [MaterialsLine(part, 2)], chargeable=False, at=at, by=CLERK,
                     due_at=at + timedelta(days=30))  # fmt: skip
    for n in range(lines - issues):
        ledger.record_return(
            f"RT-{n}", f"MR-{n * 2}", f"part_{(n * 2) % 200}", 1, START + timedelta(days=400), CLERK
        )
    return ledger


def naive(ledger: LoanLedger, at: datetime) -> tuple[dict[str, int], list[OverdueItem]]:
    issues = [e for e in ledger.entries if e.kind is EntryKind.ISSUED]
    settled: dict[str, int] = {}
    for entry in ledger.entries:  # one pass per query: what the ledger avoids by keeping running figures
        if entry.issue_key is not None:
            settled[entry.issue_key] = settled.get(entry.issue_key, 0) + entry.quantity
    balance: dict[str, int] = {}
    overdue: list[OverdueItem] = []
    for issue in sorted(issues, key=lambda e: (e.due_at or at, e.key)):
        left = issue.quantity - settled.get(issue.key, 0)
        balance[issue.part] = balance.get(issue.part, 0) + left
        if left and issue.due_at is not None and issue.due_at <= at:  # due_at: the first late instant
            overdue.append(OverdueItem(issue.key, issue.request_id, issue.part, left, issue.due_at))
    return {p: q for p, q in balance.items() if q}, overdue


def sample(fn: Callable[[], object], runs: int) -> list[float]:
    """``runs`` timings of ``fn`` in seconds, the garbage collector on and every result kept alive."""
    assert gc.isenabled()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        KEEP.append(fn())
        times.append(time.perf_counter() - t0)
    return times


def summary(label: str, times: list[float]) -> str:
    p50, p90, p99 = percentiles(times)
    return (
        f"{label:<50} median {fmt(statistics.median(times))}  p50 {fmt(p50)}  p90 {fmt(p90)}  p99 {fmt(p99)}"
    )


def main() -> None:
    ledger = build(10_000)
    at = START + timedelta(days=300)
    fast = ledger.balance(), ledger.overdue(at)
    assert fast == naive(ledger, at), "the running figures disagree with the recomputation"
    print(
        f"ledger lines: {len(ledger.entries)}, overdue lines at {at.date()}: {len(fast[1])}, {RUNS} runs each"
    )
    ours = sample(lambda: (ledger.balance(), ledger.overdue(at)), RUNS)
    base = sample(lambda: naive(ledger, at), RUNS)
    print(summary("balance + overdue list", ours))
    print(summary("baseline: naive recomputation", base))
    median = statistics.median(ours)
    print(
        f"target median ≤ {TARGET_MS:.0f} ms: {'met' if median * 1000 <= TARGET_MS else 'MISSED'}; "
        f"baseline/ours = {statistics.median(base) / median:.1f}× (medians)"
    )
    text = dumps(ledger)
    loaded = sample(lambda: loads(text, LoanLedger).overdue(at), max(RUNS // 3, 5))
    print(summary(f"load the stored document ({len(text) // 1024} KiB) + overdue", loaded))
    print(f"  ratio to the in-memory query (medians): {statistics.median(loaded) / median:.0f}×")


if __name__ == "__main__":
    main()
