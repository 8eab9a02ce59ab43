# mypy: disable-error-code="arg-type"
"""Benchmark: a ticket's charge assessment with 10 lines (target ≤ 50 µs of policy work).

Policy work is what ``desk.charges.assess`` computes once it has read the ticket: warranty on the
received-at local date per component (three here: the whole product, the ceramic body with its own
term, the flush valve), the five-cause chargeability, and one priced line per part (7 parts), labour,
travel and fee — ``assess_charges`` in ``aftersales.policies.charge_assessment``. Storage is the rest
of the same command through ``ServiceDesk`` on SQLite (load and lock the ticket, read the unit, the
product and the extensions, save the sheet with its event, outbox, commit), measured on live tickets
in the same run, so the two are printed side by side. Baseline, same run: what a host glued by hand
before (issue 19) — one full ``DefaultChargeabilityPolicy.decide`` (warranty + causes) per line, then
``fees.draft_quote``. Both cycle through 512 distinct tickets (``TICKETS``: each its own unit and
day of the call), so each call decides fresh dates rather than repeating one input.

Every figure: the median of several runs (operations per second) and p50/p90/p99 of single
operations, GC on, every result kept alive (``scale_file.KEEP``). On a shared machine the wall-clock
figures include waiting for a CPU, so the policy work is also given in CPU time (``process_time``).
Also printed: the objects the garbage collector tracks per kept assessment (each one is walked again by
every later full collection, and they set how often one runs), the full collections during the runs,
and the objects it tracks per charge sheet read back as the stores read it (the sheets the SQLite runs
stored, each decoded from its JSON text by ``aftersales.serialization``; amounts and charge lines are
shared with the sheets read before, as on a desk reading many sheets priced from one list, so they count
once, not per sheet — reasons, which carry each ticket's dates, count per sheet).

Run: python benchmarks/bench_charges.py [--runs 7] [--per-run 2000]
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
from scale_file import KEEP, Runs, fmt, verdict

from aftersales.adapters.clock import ManualClock
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.charges import ChargeSheet, QuoteId
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, DealerId, ProductId, TicketId
from aftersales.domain.parties import Customer, Dealer
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
from aftersales.serialization import dumps, loads
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

TARGET_US = 50.0
SH = ZoneInfo("Asia/Shanghai")
PARTS = [f"WN-CB-{n:02d}" for n in range(7)]
PRODUCT = Product(
    ProductId("wc-100"), "WC-100", "智能马桶", "toilet",
    (WarrantyTerm(36), WarrantyTerm(60, component="ceramic_body")),
    frozenset({"ceramic_body", "flush_valve"}),
)  # fmt: skip
ASSET = Asset(
    AssetId("u1"), ProductId("wc-100"), "SN-1", customer_id="c1", purchase_date=date(2024, 1, 10),
    installation_accepted_on=date(2024, 1, 11), dealer_id="dealer-sh",
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
NOW = datetime(2026, 4, 3, 15, 0, tzinfo=SH)  # after every call of the pool
FACTS = ChargeFacts(
    ASSET, PRODUCT, RECEIVED, ("flush_valve_worn", "misuse_against_manual"), VisitKind.SERVICE,
    {p: (1, "ceramic_body" if n % 2 else "flush_valve") for n, p in enumerate(PARTS)},
    DealerId("dealer-sh"), "repair", None, "pudong", None, True,
)  # fmt: skip
POOL = 512
"""Distinct tickets the runs cycle through: each its own unit (bought on another day of 2024) and its
own call (another day and hour of March 2026), so every assessment decides fresh dates, as on a desk,
and nothing keyed on one ticket's values can answer the runs from memory. All stay in warranty with
three components and ten lines: the same work per call."""


def _facts(n: int) -> ChargeFacts:
    bought = date(2024, 1, 1) + timedelta(days=n % 360)
    unit = attrs.evolve(
        ASSET, id=AssetId(f"u{n}"), serial=f"SN-{n}", purchase_date=bought,
        installation_accepted_on=bought + timedelta(days=1),
    )  # fmt: skip
    received = RECEIVED + timedelta(days=n % 28, minutes=7 * n)
    return attrs.evolve(FACTS, asset=unit, received_at=received)


TICKETS = [_facts(n) for n in range(POOL)]
HANDLER = ActorRef("a1", Role.AGENT)
MANAGER = Actor.manager("mgr-1")
AGENT = Actor.agent("agent-1")
DEALER = Actor.dealer_staff("sh-1", "dealer-sh", {"SH"})


def ours(i: int = 0) -> object:
    facts = TICKETS[i % POOL]
    result = assess_charges(facts, warranty=WARRANTY, chargeability=CHARGEABILITY, fees=FEES, now=NOW)
    assert len(result.lines) == 10
    return result


def by_hand(i: int = 0) -> object:
    # One full decision per line, as a host calling decide() per part did, then a quote per decision.
    facts = TICKETS[i % POOL]
    quotes = []
    for n, part in enumerate(PARTS):
        work = ChargeableWork(PRODUCT, VisitKind.SERVICE, "ceramic_body" if n % 2 else "flush_valve")
        decision = CHARGEABILITY.decide(work, facts.asset, facts.received_at, facts.causes)
        quotes.append(
            FEES.draft_quote(
                quote_id=QuoteId(f"Q-{n}"), ticket_id=TicketId("T-1"), dealer_id=DealerId("dealer-sh"),
                handler=HANDLER, decision=decision, at=NOW,
                request=QuoteRequest(parts={part: 1}, service_fee=False),
            )
        )  # fmt: skip
    whole = CHARGEABILITY.decide(ChargeableWork(PRODUCT), facts.asset, facts.received_at, facts.causes)
    quotes.append(
        FEES.draft_quote(
            quote_id=QuoteId("Q-w"), ticket_id=TicketId("T-1"), dealer_id=DealerId("dealer-sh"),
            handler=HANDLER, decision=whole, at=NOW,
            request=QuoteRequest(job_type="repair", travel_zone="pudong"),
        )
    )  # fmt: skip
    return quotes


def cpu_us(function: Callable[[int], object], runs: int, per_run: int) -> list[float]:
    """CPU microseconds per call, one figure per run (what the work costs, not the wait for a core)."""
    out = []
    for _ in range(runs):
        began = time.process_time()
        for i in range(per_run):
            KEEP.append(function(i))
        out.append((time.process_time() - began) / per_run * 1e6)
    return out


def kept_objects(function: Callable[[int], object], samples: int = 200) -> float:
    """Objects the collector tracks per kept result: what every later full collection walks again."""
    gc.collect()
    before = len(gc.get_objects())
    sample = [function(i) for i in range(samples)]
    gc.collect()
    after = len(gc.get_objects())
    del sample
    return (after - before - 1) / samples  # less the sample list itself


def _desk(folder: Path, tickets: int) -> tuple[ServiceDesk, list[str]]:
    """A SQLite desk with ``tickets`` live repairs, each with 7 fault records naming the parts."""
    clock = ManualClock(RECEIVED)
    desk = ServiceDesk.open(
        f"sqlite:///{folder / 'charges.db'}", pack="sanitary_ware", overrides={"fees": FEES}, clock=clock
    )
    dealer = Dealer(
        DealerId("dealer-sh"),
        "浦东特约承销商",
        "SH",
        frozenset({"SH"}),
        Contact("陈店长", phone="13900000001"),
    )
    desk.register_dealer(MANAGER, dealer)
    customer = Customer(CustomerId("c1"), "客户", Contact("客户", phone="13912345678"), region="SH")
    desk.register_customer(MANAGER, customer)
    desk.register_product(MANAGER, PRODUCT)
    ids = []
    for n in range(tickets):
        unit = Asset(
            AssetId(f"u{n}"), PRODUCT.id, f"SN-{n}", customer_id="c1", purchase_date=date(2024, 1, 10),
            installation_accepted_on=date(2024, 1, 11), dealer_id="dealer-sh",
        )  # fmt: skip
        desk.register_asset(MANAGER, unit)
        ticket_id = desk.open_ticket(
            AGENT, customer_id="c1", description="马桶漏水", asset_id=unit.id
        ).ticket.id
        desk.triage(AGENT, ticket_id, nature="repair", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(AGENT, ticket_id, dealer_id="dealer-sh")
        desk.start_work(DEALER, ticket_id)
        for k, part in enumerate(PARTS):
            desk.add_fault_record(
                DEALER, ticket_id, symptom="leak", cause="misuse_against_manual" if k == 0 else "worn",
                action="replace", part=part, component="ceramic_body" if k % 2 else "flush_valve",
            )  # fmt: skip
        ids.append(ticket_id)
        clock.advance(timedelta(minutes=1))
    return desk, ids


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--per-run", type=int, default=2000)
    parser.add_argument("--tickets", type=int, default=200)
    args = parser.parse_args()
    runs, per_run = args.runs, args.per_run
    ours(), by_hand()  # warm up: imports, the chargeability's reason table

    full_before = gc.get_stats()[2]["collections"]
    policy = Runs().measure(runs, per_run, ours)
    full_collections = gc.get_stats()[2]["collections"] - full_before
    baseline = Runs().measure(runs, max(1, per_run // 4), by_hand)
    cpu = cpu_us(ours, runs, per_run)
    cpu_base = cpu_us(by_hand, runs, max(1, per_run // 4))

    folder = Path(os.environ.get("AFTERSALES_BENCH_DIR") or tempfile.mkdtemp(prefix="bench-charges-"))
    folder.mkdir(parents=True, exist_ok=True)
    desk, ids = _desk(folder, args.tickets)
    try:
        commands = max(1, min(per_run, 3 * len(ids)) // 4)
        whole = Runs().measure(
            runs, commands, lambda i: desk.charges.assess(DEALER, ids[i % len(ids)], travel_zone="pudong")
        )
        stored = [dumps(desk.charges.sheet(DEALER, ticket_id)) for ticket_id in ids]
    finally:
        desk.shutdown()
        shutil.rmtree(folder, ignore_errors=True)

    policy_us = 1e6 / statistics.median(policy.rates)
    command_us = 1e6 / statistics.median(whole.rates)
    print(f"assess with 10 lines; {runs} runs; load average {os.getloadavg()[0]:.2f}")
    print(policy.line("policy work: assess_charges", "assessments/s"))
    print(baseline.line("baseline: decide per line + quotes", "assessments/s"))
    print(whole.line("desk.charges.assess on SQLite (all)", "commands/s"))
    print(
        f"policy work {fmt(policy_us * 1e-6)} of {fmt(command_us * 1e-6)} per command; storage and the "
        f"command path {fmt(max(0.0, command_us - policy_us) * 1e-6)}"
    )
    print(
        f"kept per assessment: {kept_objects(ours):.1f} GC-tracked objects (baseline "
        f"{kept_objects(by_hand, 50):.1f}); full collections in the {runs} policy runs: {full_collections}"
    )
    loads(stored[0], ChargeSheet)  # warm up: the converter builds its hooks on first use
    read_back = kept_objects(lambda i: loads(stored[i % len(stored)], ChargeSheet), min(200, len(stored)))
    print(f"kept per charge sheet read back from its stored text: {read_back:.1f} GC-tracked objects")
    mine, base = statistics.median(cpu), statistics.median(cpu_base)
    print(
        f"CPU time per assessment: median {mine:.1f} µs (runs {min(cpu):.1f}–{max(cpu):.1f}); "
        f"baseline {base:.1f} µs; ratio baseline/ours {base / mine:.1f}x"
    )
    print(
        f"target ≤ {TARGET_US:.0f} µs of policy work: wall {verdict(policy_us <= TARGET_US)} "
        f"({policy_us:.1f} µs), CPU {verdict(mine <= TARGET_US)} ({mine:.1f} µs)"
    )


if __name__ == "__main__":
    main()
