"""Benchmark: triage decision (target ≤ 20 µs) and dispatch among 1,000 engineers (target ≤ 1 ms).

The dispatch baseline is a naive full scan of the roster (filter + score every engineer), measured in the
same run; the ratio shows what the skill/region index buys. Every figure is the median throughput of
several runs and the p50/p90/p99 of every single call (GC on, results kept alive: ``scale_file.Runs``).
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_file import Runs, percentiles

from aftersales.domain.classification import Category, Severity
from aftersales.domain.ids import EngineerId
from aftersales.domain.parties import CustomerTier, Engineer, EngineerLevel
from aftersales.policies.dispatch import DefaultDispatch, DispatchRequest, Roster
from aftersales.policies.engineer_index import EngineerIndex
from aftersales.policies.triage import DefaultPriority, TriageFacts

AT = datetime(2024, 5, 6, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


RUNS = 5


class ScanIndex(EngineerIndex):
    """The same roster, but candidates found by scanning every engineer (the baseline)."""

    __slots__ = ()

    def candidates(self, skill: str | None, region: str | None) -> set[EngineerId]:  # type: ignore[override]
        return {
            e.id
            for e in self._engineers.values()
            if (skill is None or skill in e.skills) and e.region == region and self._load[e.id] < e.max_load
        }


def naive(engineers: list[Engineer], loads: dict[str, int], skill: str, region: str) -> str | None:
    best: tuple[float, int, str] | None = None
    for e in engineers:
        load = loads[e.id]
        if skill in e.skills and e.region == region and load < e.max_load:
            score = (
                4.0 + 3.0 + 2.0 * (1 - load / e.max_load) + (1.0 if e.level is EngineerLevel.JUNIOR else 0.0)
            )
            key = (-score, load, e.id)
            if best is None or key < best:
                best = key
    return best[2] if best else None


def main() -> None:
    policy = DefaultPriority()
    facts = TriageFacts(
        Category.REPAIR, CustomerTier.VIP, urgent=True, severity=Severity.HIGH, units_affected=4
    )
    triage = Runs().measure(RUNS, 10_000, lambda i: policy.decide(facts))
    print(triage.line("triage decision (target ≤ 20 µs)", "decisions/s"))

    rng = random.Random(1)
    regions = [f"r{i}" for i in range(20)]
    skills = [f"s{i}" for i in range(10)]
    levels = [EngineerLevel.JUNIOR, EngineerLevel.SENIOR]
    engineers = [
        Engineer(
            EngineerId(f"e{i}"),
            f"E{i}",
            level=rng.choice(levels),
            skills=frozenset(rng.sample(skills, 3)),
            region=rng.choice(regions),
            active_load=rng.randrange(0, 8),
        )
        for i in range(1000)
    ]
    loads = {e.id: e.active_load for e in engineers}
    start = time.perf_counter()
    index = EngineerIndex(engineers)
    build = time.perf_counter() - start
    roster = Roster(index)
    dispatch = DefaultDispatch()
    requests = [DispatchRequest(AT, rng.choice(regions), rng.choice(skills)) for _ in range(2000)]
    scan_roster = Roster(ScanIndex(engineers))

    def request(i: int) -> DispatchRequest:
        return requests[i % len(requests)]

    print(f"index build (1,000 engineers): {build * 1e3:.2f} ms")
    scan = Runs().measure(RUNS, 400, lambda i: dispatch.decide(request(i), scan_roster))
    bare = Runs().measure(
        RUNS, 400, lambda i: naive(engineers, loads, request(i).skill or "", request(i).region or "")
    )
    fast = Runs().measure(RUNS, 4_000, lambda i: dispatch.decide(request(i), roster))
    print(scan.line("baseline: same policy, candidates by full scan", "dispatches/s"))
    print(bare.line("baseline: bare scan, best id only, no reasons", "dispatches/s"))
    print(fast.line("dispatch among 1,000 engineers, indexed", "dispatches/s"))
    p50 = percentiles(fast.latencies)[0]
    ratio = statistics.median(fast.rates) / statistics.median(scan.rates)
    verdict = "met" if p50 <= 1e-3 else "MISSED"
    print(f"target ≤ 1 ms per dispatch (p50): {verdict}; throughput indexed / scan: {ratio:.1f}×")


if __name__ == "__main__":
    main()
