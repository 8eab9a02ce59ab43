"""Benchmark: critical dispatch to a team among 1,000 engineers, and quality detection per fault record.

Targets (issue 20): team dispatch among 1,000 engineers ≤ 1 ms; detection on each fault record ≤ 50 µs
at 1 M stored fault records — measured on SQLite by ``bench_incidents.py``; this script measures the
whole add_fault_record command, detector included, on the in-memory store at ``--units`` stored fault
units, beside the same command with the detector's hook removed, in the same run.

Team dispatch is measured twice: the whole ``dispatch_critical`` command (with the command path every
command pays: idempotency, SLA, history, outbox, commit), beside the pack's own dispatch, and the team
dispatch's own work in one transaction, beside the same work parsing the team document every time.

Every line: the median throughput of several runs and p50/p90/p99 of every call (``scale_file.Runs``).

Run: python benchmarks/bench_teams.py [--units 20000]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_file import Runs

from aftersales.adapters.clock import ManualClock
from aftersales.domain.classification import Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import AssetId, CustomerId, EngineerId, ProductId
from aftersales.domain.parties import Customer, CustomerTier, Engineer, EngineerLevel
from aftersales.domain.products import Asset, Product, WarrantyTerm
from aftersales.domain.quality_incidents import BatchFaultUnit, incident_key
from aftersales.domain.teams import OnCallShift, Team, TeamKind
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.team_roster import TeamRoster

SH = ZoneInfo("Asia/Shanghai")
SATURDAY_NIGHT = datetime(2026, 3, 7, 23, 0, tzinfo=SH)
MANAGER, AGENT, ENGINEER = Actor.manager("m1"), Actor.agent("a1"), Actor.engineer("e0")


RUNS = 5


def runs(label: str, function: Callable[[], object], n: int) -> None:
    """``RUNS`` runs of ``n // RUNS`` calls; prints median throughput and p50/p90/p99 latency."""
    print(Runs().measure(RUNS, max(1, n // RUNS), lambda i: function()).line(label, "calls/s"))


def team_dispatch(n: int, url: str) -> None:
    print(f"team dispatch on {url}")
    desk = ServiceDesk.open(url, pack="service_centre", clock=ManualClock(SATURDAY_NIGHT))
    ids = [f"e{i}" for i in range(1000)]
    for eid in ids:
        desk.register_engineer(
            MANAGER, Engineer(EngineerId(eid), eid, EngineerLevel.SENIOR, emergency_team=True)
        )
    contact = Contact("VIP", phone="13800000000")
    desk.register_customer(MANAGER, Customer(CustomerId("vip"), "VIP", contact, CustomerTier.VIP))
    month_ago = SATURDAY_NIGHT - timedelta(days=30)
    shifts = [
        OnCallShift(
            ids[i % 12], month_ago + timedelta(hours=12 * i), month_ago + timedelta(hours=12 * (i + 1))
        )
        for i in range(120)
    ]
    desk.teams.save_team(MANAGER, Team("emergency", "应急小组", TeamKind.EMERGENCY, "e0", ids[:12]))
    desk.teams.set_roster(MANAGER, "emergency", shifts)
    tickets = []
    for _ in range(2 * n):
        tid = desk.open_ticket(AGENT, customer_id="vip", description="停产").ticket.id
        desk.triage(AGENT, tid, nature="down", severity=Severity.SEVERE, production_stopped=True)
        tickets.append(tid)
    team_queue, pack_queue = iter(tickets[:n]), iter(tickets[n:])
    runs("baseline: pack dispatch (desk.dispatch)", lambda: desk.dispatch(AGENT, next(pack_queue)), n)
    runs(
        "team dispatch, 12 of 1,000 engineers, on call",
        lambda: desk.teams.dispatch_critical(AGENT, next(team_queue)),
        n,
    )
    team = desk.teams.team(MANAGER, "emergency")
    runs("on-call lookup alone (Team.on_call)", lambda: team.on_call(SATURDAY_NIGHT), 1000)
    # The team dispatch's own work inside one transaction (rolled back), without the command path
    # every command pays (idempotency, SLA, history, outbox, commit): the team read (kept parsed,
    # its stored version checked), VIP tier, on-call, the assignment, the members' notices. Beside it,
    # the same work reading the team document afresh each time (what a dispatch did before).
    now = SATURDAY_NIGHT
    with desk.store() as uow:
        ticket = uow.tickets.get(tickets[0])

        def decide(fresh: bool) -> object:
            subject = ticket.copy()
            subject.assignee = None
            if fresh:
                desk.teams.roster = TeamRoster()
            return desk.teams._to_team(uow, AGENT, subject, None, now)

        runs("baseline: team decision, team parsed every call", lambda: decide(True), n)
        runs("team dispatch decision alone (kept team)", lambda: decide(False), n)
    print(f"load average (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


def detection(units: int, n: int) -> None:
    desk = ServiceDesk.open("memory://", pack="service_centre", clock=ManualClock(SATURDAY_NIGHT))
    desk.register_product(MANAGER, Product(ProductId("P"), "P", "P", "toilet", (WarrantyTerm(12),)))
    desk.register_engineer(MANAGER, Engineer(EngineerId("e0"), "e0"))
    desk.register_customer(MANAGER, Customer(CustomerId("c"), "c", Contact("c", phone="13800000000")))
    for i in range(3 * n):
        asset = Asset(
            AssetId(f"A-{i}"),
            ProductId("P"),
            f"S{i}",
            CustomerId("c"),
            batch="BIG",
            purchase_date=date(2025, 1, 1),
        )
        desk.register_asset(MANAGER, asset)
    with desk.store() as uow:  # stored fault units of other batches, as a long-running desk has them
        for i in range(units):
            key = incident_key(f"B{i % 5000}", "cause", "seal")
            uow.documents.add(BatchFaultUnit(f"{key}|X{i}", key, f"X{i}", "T", "c", SATURDAY_NIGHT))
        uow.commit()
    tickets = []
    for i in range(3 * n):
        tid = desk.open_ticket(AGENT, customer_id="c", description="漏水", asset_id=f"A-{i}").ticket.id
        desk.triage(AGENT, tid, nature="leak", severity=Severity.MEDIUM)
        desk.dispatch(AGENT, tid, engineer_id="e0")
        desk.start_work(ENGINEER, tid)
        tickets.append(tid)
    with_hook, without, spread = iter(tickets[:n]), iter(tickets[n : 2 * n]), iter(tickets[2 * n :])

    def record(queue: object) -> None:
        desk.add_fault_record(
            ENGINEER, next(queue), symptom="leak", cause=f"c{len(str(queue))}", action="fix"
        )  # type: ignore[call-overload]

    kept = desk.runner._ticket_hooks  # a tuple: set again, never changed in place
    desk.runner._ticket_hooks = tuple(
        h for h in kept if "detect_on_fault" not in getattr(h[0], "__qualname__", "")
    )
    runs("baseline: add_fault_record without detector", lambda: record(without), n)
    desk.runner._ticket_hooks = kept
    causes = iter(range(n))
    runs(
        f"with detector, below threshold ({units:,} units)",
        lambda: desk.add_fault_record(
            ENGINEER, next(spread), symptom="leak", cause=f"c{next(causes)}", action="fix"
        ),
        n,
    )
    runs(f"with detector, incident joined ({units:,} units)", lambda: record(with_hook), n)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument(
        "--store",
        default="sqlite",
        choices=["sqlite", "memory"],
        help="team dispatch's store (the memory store scans every record on a document query)",
    )
    args = parser.parse_args()
    gc.enable()
    if args.store == "sqlite":
        folder = Path(os.environ.get("AFTERSALES_BENCH_DIR", "/tmp/bench-20"))
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "teams.db"
        for stale in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
            stale.unlink(missing_ok=True)
        team_dispatch(args.n, f"sqlite:///{db}")
    else:
        team_dispatch(args.n, "memory://")
    detection(args.units, args.n)


if __name__ == "__main__":
    main()
