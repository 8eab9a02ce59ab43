"""Benchmark: a party's loan ledger with 10,000 lines — balance and overdue list (target ≤ 50 ms).

Baseline, measured in the same run: the naive recomputation a report would do without the ledger's
running figures — every issue line's outstanding quantity summed again from the whole entry log,
producing the same balance and the same overdue items. Also printed: loading the stored document.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.loan_ledger import EntryKind, LoanLedger, OverdueItem
from aftersales.domain.materials import MaterialsLine, PartyRef
from aftersales.serialization import dumps, loads

TARGET_MS = 50.0
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


def best(fn: Callable[[], object], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times) * 1000


def main() -> None:
    ledger = build(10_000)
    at = START + timedelta(days=300)
    fast = ledger.balance(), ledger.overdue(at)
    assert fast == naive(ledger, at), "the running figures disagree with the recomputation"
    print(f"ledger lines: {len(ledger.entries)}, overdue lines at {at.date()}: {len(fast[1])}")
    ours = best(lambda: (ledger.balance(), ledger.overdue(at)))
    base = best(lambda: naive(ledger, at))
    print(f"balance + overdue list: {ours:.2f} ms (target ≤ {TARGET_MS:.0f} ms) "
          f"{'OK' if ours <= TARGET_MS else 'MISSED'}")  # fmt: skip
    print(f"naive recomputation baseline: {base:.2f} ms; ratio baseline/ours = {base / ours:.1f}×")
    text = dumps(ledger)
    loaded = best(lambda: loads(text, LoanLedger).overdue(at), repeat=3)
    print(f"load from the stored document ({len(text) // 1024} KiB) + overdue list: {loaded:.1f} ms "
          f"(ratio to the in-memory query: {loaded / ours:.0f}×)")  # fmt: skip


if __name__ == "__main__":
    main()
