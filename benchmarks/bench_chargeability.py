"""Benchmark: a chargeability decision with reasons (target ≤ 20 µs).

Measures, in one run:
- ``decide``: warranty phase (local date in the market zone, per-term end dates) + causes + reasons;
- ``decide_for_phase``: the same from a warranty decision already made (what a service reusing one does);
- baseline: a bare function computing the same four booleans from the same asset, with no reasons, no
  decision objects, no validation (date arithmetic + a set lookup) — the floor a rule engine cannot beat.
Prints, for each, the median of several runs and p50/p90/p99 of single calls (GC on, every result
kept alive), and the ratio to the baseline measured in the same run.
"""

from __future__ import annotations

import calendar
import os
import statistics
from datetime import date, datetime
from zoneinfo import ZoneInfo

from scale_file import Runs, verdict

from aftersales.domain.ids import AssetId, ProductId
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.policies.chargeability import (
    BUILTIN_CHARGEABLE_CAUSES,
    ChargeableWork,
    DefaultChargeabilityPolicy,
)

TARGET_US = 20.0
TZ = ZoneInfo("Asia/Shanghai")
PRODUCT = Product(
    ProductId("p1"),
    "VN-100",
    "One-piece toilet",
    "toilet",
    (WarrantyTerm(12), WarrantyTerm(60, "ceramic_body")),
    frozenset({"ceramic_body", "fittings"}),
)
ASSET = Asset(
    AssetId("a1"),
    ProductId("p1"),
    "SN1",
    purchase_date=date(2024, 3, 15),
    shipment_date=date(2024, 3, 1),
    installation_accepted_on=date(2024, 3, 18),
)
AT = datetime(2024, 9, 1, 10, 0, tzinfo=TZ)
CAUSES = ("unstable_power_supply",)
WORK = ChargeableWork(PRODUCT, component="fittings")


def baseline(at: datetime, causes: tuple[str, ...]) -> tuple[bool, bool, bool, bool]:
    local = at.astimezone(TZ).date()
    start = ASSET.purchase_date
    assert start is not None
    year, month0 = divmod(start.month - 1 + 12, 12)
    end = date(
        start.year + year, month0 + 1, min(start.day, calendar.monthrange(start.year + year, month0 + 1)[1])
    )
    charge = local > end or any(c in BUILTIN_CHARGEABLE_CAUSES for c in causes)
    return charge, charge, charge, charge


def main() -> None:
    policy = DefaultChargeabilityPolicy()
    warranty = policy.warranty.decide(ASSET, PRODUCT, AT, component="fittings")
    decision = policy.decide(WORK, ASSET, AT, CAUSES)
    assert decision.outcome.materials
    assert decision.reasons
    assert baseline(AT, CAUSES) == (True, True, True, True)

    # Several runs each, GC on and every result kept (scale_file.KEEP): median rate, p50/p90/p99 per call.
    runs, per_run = 7, 5_000
    base = Runs().measure(runs, per_run, lambda i: baseline(AT, CAUSES))
    full = Runs().measure(runs, per_run, lambda i: policy.decide(WORK, ASSET, AT, CAUSES))
    from_phase = Runs().measure(
        runs, per_run, lambda i: policy.decide_for_phase(warranty, WORK.visit, CAUSES)
    )

    def per_call(figures: Runs) -> float:
        return 1e6 / statistics.median(figures.rates)

    print(f"load average {os.getloadavg()[0]:.2f}; {runs} runs of {per_run:,} calls")
    print(base.line("baseline (bare booleans, no reasons)", "calls/s"))
    print(full.line("decide (warranty + causes, with reasons)", "calls/s"))
    print(from_phase.line("decide_for_phase (warranty given)", "calls/s"))
    mine = per_call(full)
    print(
        f"decide {mine:.2f} µs/decision (median run), x{mine / per_call(base):.1f} baseline; "
        f"decide_for_phase x{per_call(from_phase) / per_call(base):.1f} baseline; "
        f"target ≤ {TARGET_US:.0f} µs: {verdict(mine <= TARGET_US)}"
    )


if __name__ == "__main__":
    main()
