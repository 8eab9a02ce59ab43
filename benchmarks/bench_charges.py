"""Benchmark: a ticket's charge assessment with 10 lines (target ≤ 50 µs of policy work).

What ``desk.charges.assess`` computes once it has read the ticket: warranty on the received-at local date
per component (two components here), the five-cause chargeability, and one priced line per part (7 parts),
labour, travel and fee — ``assess_charges`` in ``aftersales.policies.charge_assessment``, GC on, the facts
kept alive. Baseline, same run: what a host glued by hand before (issue 19) — one full
``DefaultChargeabilityPolicy.decide`` (warranty + causes) per line, then ``fees.draft_quote``.
Prints median and p50/p90/p99 over several runs, and the ratio to the baseline.

Run: python benchmarks/bench_charges.py
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.charges import QuoteId
from aftersales.domain.ids import AssetId, DealerId, ProductId, TicketId
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.domain.work import VisitKind
from aftersales.policies.charge_assessment import ChargeFacts, assess_charges
from aftersales.policies.chargeability import ChargeableWork, DefaultChargeabilityPolicy
from aftersales.policies.fees import (
    DealerFeeSchedule,
    DefaultFeesPolicy,
    FeesParams,
    PartPriceEntry,
    QuoteRequest,
)
from aftersales.policies.warranty import DefaultWarrantyPolicy

TARGET_US = 50.0
SH = ZoneInfo("Asia/Shanghai")
PARTS = [f"WN-CB-{n:02d}" for n in range(7)]
PRODUCT = Product(
    ProductId("wc-100"), "WC-100", "智能马桶", "toilet",
    (WarrantyTerm(36), WarrantyTerm(60, component="ceramic_body")),
    frozenset({"ceramic_body", "flush_valve"}),
)  # fmt: skip
ASSET = Asset(
    AssetId("u1"), ProductId("wc-100"), "SN-1", purchase_date=date(2022, 1, 10),
    installation_accepted_on=date(2022, 1, 11),
)  # fmt: skip
FEES = DefaultFeesPolicy(
    FeesParams(
        parts={p: PartPriceEntry(cost="75.00", retail="120.00") for p in PARTS},
        dealer_schedules={
            "dealer-sh": DealerFeeSchedule(
                labour={"repair": "80"}, travel_zones={"pudong": "30"}, service_fee="20"
            )
        },
    )
)
WARRANTY = DefaultWarrantyPolicy()
CHARGEABILITY = DefaultChargeabilityPolicy(warranty=WARRANTY)
RECEIVED = datetime(2026, 3, 2, 9, 30, tzinfo=SH)
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=SH)
FACTS = ChargeFacts(
    ASSET, PRODUCT, RECEIVED, ("flush_valve_worn", "misuse_against_manual"), VisitKind.SERVICE,
    {p: (1, "ceramic_body" if n % 2 else "flush_valve") for n, p in enumerate(PARTS)},
    DealerId("dealer-sh"), "repair", None, "pudong", None, True,
)  # fmt: skip
HANDLER = ActorRef("a1", Role.AGENT)


def ours() -> object:
    result = assess_charges(FACTS, warranty=WARRANTY, chargeability=CHARGEABILITY, fees=FEES, now=NOW)
    assert len(result.lines) == 10
    return result


def by_hand() -> object:
    # One full decision per line, as a host calling decide() per part did, then a quote per decision.
    quotes = []
    for n, part in enumerate(PARTS):
        work = ChargeableWork(PRODUCT, VisitKind.SERVICE, "ceramic_body" if n % 2 else "flush_valve")
        decision = CHARGEABILITY.decide(work, ASSET, RECEIVED, FACTS.causes)
        quotes.append(
            FEES.draft_quote(
                quote_id=QuoteId(f"Q-{n}"), ticket_id=TicketId("T-1"), dealer_id=DealerId("dealer-sh"),
                handler=HANDLER, decision=decision, at=NOW,
                request=QuoteRequest(parts={part: 1}, service_fee=False),
            )
        )  # fmt: skip
    whole = CHARGEABILITY.decide(ChargeableWork(PRODUCT), ASSET, RECEIVED, FACTS.causes)
    quotes.append(
        FEES.draft_quote(
            quote_id=QuoteId("Q-w"), ticket_id=TicketId("T-1"), dealer_id=DealerId("dealer-sh"),
            handler=HANDLER, decision=whole, at=NOW,
            request=QuoteRequest(job_type="repair", travel_zone="pudong"),
        )
    )  # fmt: skip
    return quotes


def runs(function: Callable[[], object], repeat: int = 15, number: int = 400) -> list[float]:
    """Microseconds per call for each of ``repeat`` runs of ``number`` calls (GC on, results kept)."""
    function()
    out = []
    for _ in range(repeat):
        kept = []
        started = time.perf_counter()
        for _ in range(number):
            kept.append(function())
        out.append((time.perf_counter() - started) / number * 1e6)
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    for name, function in (
        ("assess_charges (10 lines)", ours),
        ("baseline: decide per line + quotes", by_hand),
    ):
        values = runs(function)
        print(
            f"{name:38} median {statistics.median(values):7.1f} µs  p50 {pct(values, 0.5):7.1f}"
            f"  p90 {pct(values, 0.9):7.1f}  p99 {pct(values, 0.99):7.1f}"
        )
        if function is ours:
            mine = statistics.median(values)
        else:
            print(f"ratio baseline/ours: {statistics.median(values) / mine:.1f}x; target ≤ {TARGET_US} µs: "
                  f"{'met' if mine <= TARGET_US else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
