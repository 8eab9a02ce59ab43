"""Benchmark: a chargeability decision with reasons (target ≤ 20 µs).

Measures, in one run:
- ``decide``: warranty phase (local date in the market zone, per-term end dates) + causes + reasons;
- ``decide_for_phase``: the same from a warranty decision already made (what a service reusing one does);
- baseline: a bare function computing the same four booleans from the same asset, with no reasons, no
  decision objects, no validation (date arithmetic + a set lookup) — the floor a rule engine cannot beat.
Prints each figure and its ratio to the baseline.
"""

from __future__ import annotations

import calendar
import timeit
from datetime import date, datetime
from zoneinfo import ZoneInfo

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


def per_call_us(fn: object, number: int) -> float:
    timer = timeit.Timer(fn)  # type: ignore[arg-type]
    best = min(timer.repeat(repeat=5, number=number))
    return best / number * 1e6


def main() -> None:
    policy = DefaultChargeabilityPolicy()
    warranty = policy.warranty.decide(ASSET, PRODUCT, AT, component="fittings")
    decision = policy.decide(WORK, ASSET, AT, CAUSES)
    assert decision.outcome.materials
    assert decision.reasons
    assert baseline(AT, CAUSES) == (True, True, True, True)

    n = 20_000
    base = per_call_us(lambda: baseline(AT, CAUSES), n)
    full = per_call_us(lambda: policy.decide(WORK, ASSET, AT, CAUSES), n)
    from_phase = per_call_us(lambda: policy.decide_for_phase(warranty, WORK.visit, CAUSES), n)

    print(f"baseline (bare booleans, no reasons):      {base:7.2f} µs/decision")
    verdict = "met" if full <= TARGET_US else "MISSED"
    print(
        f"decide (warranty + causes, with reasons):  {full:7.2f} µs/decision  "
        f"x{full / base:.1f} baseline  target ≤ {TARGET_US:.0f} µs: {verdict}"
    )
    print(
        f"decide_for_phase (warranty given):         {from_phase:7.2f} µs/decision  "
        f"x{from_phase / base:.1f} baseline"
    )


if __name__ == "__main__":
    main()
