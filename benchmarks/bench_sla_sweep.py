"""Benchmark: the SLA sweep over 100,000 open tickets on SQLite, against a full scan in the same run.

Target (issue 18): ``desk.sla_watch.sweep`` with 100,000 open tickets in the store ≤ 1 s. The tickets are
written the way a desk writes them (opened, triaged, dispatched; due times derived by the SLA service) for
5,000 registered customers, spread over the last 30 days of a China mainland calendar, so a realistic share
is due soon, in warning or breached. The baseline, measured in the same run on the same store, is the naive
sweep: load every open ticket and compute its SLA status. Several runs of each (``scale_file.Runs``: GC
on, every report kept alive); median and p50/p90/p99 are printed. The first sweep announces every warning
and breach there is (its time is printed apart); each later one finds nothing new but still reads every
unsettled candidate, as a sweep run every few minutes does: its page rows (``tickets.sla_candidates``: id,
version, customer tier, due), loading a ticket only when one changed since the last sweep or reached an
instant at which something may be announced.

``--alerts N`` instead measures ``desk.sla_alerts`` (issue 21, session 29): N alerts announced on one UTC
day (the shape of a 1 M-ticket file's first sweep: some 461,647), the catch-up run as the daily jobs run it,
then the first page and the next of an open window, CPU time per page beside the wall clock; the baseline
is the day's alerts read by their day index in the same run.

Run: python benchmarks/bench_sla_sweep.py [--tickets N] [--runs R] [--alerts N [--alerts-file PATH]]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).parent))

from scale_file import Runs, fmt, percentiles

from aftersales.adapters.clock import ManualClock
from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel, Plan, Priority, Severity
from aftersales.domain.contact import Contact
from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.parties import Customer, CustomerTier
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import Assessment, Assignee, AssigneeKind
from aftersales.ports.queries import PageRequest, TicketFilter
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 31, 15, 0, tzinfo=SH)
AGENT = ActorRef("agent-1", Role.AGENT)
OPEN = ("new", "triaged", "assigned", "in_progress", "awaiting_parts", "awaiting_customer", "rework",
        "resolved", "accepted")  # fmt: skip


def make(desk: ServiceDesk, n: int, count: int) -> Ticket:
    received = NOW - timedelta(days=30) + timedelta(seconds=30 * 86_400 * n / count)
    ticket = Ticket.open(
        id=TicketId(f"SR-{n:07d}"),
        customer_id=CustomerId(f"C{n % 5000}"),
        channel=Channel.PHONE,
        category=Category.REPAIR,
        description=f"漏水 unit {n}",
        received_at=received,
        taken_by=AGENT,
        region=f"r{n % 30}",
    )
    at = received + timedelta(minutes=10)
    ticket.triage(AGENT, at, Assessment("leak", Severity.MEDIUM, plan=Plan.ON_SITE), Priority.NORMAL)
    ticket.assign(AGENT, at, Assignee(AssigneeKind.ENGINEER, f"e{n % 200}"))
    desk.sla_service.derive(ticket, CustomerTier.REGULAR, NOW)
    return ticket


def full_scan(desk: ServiceDesk) -> int:
    """The naive sweep: every open ticket's status, page by page."""
    found = 0
    with desk.store() as uow:
        cursor: str | None = None
        while True:
            page = uow.tickets.query(TicketFilter(states=OPEN), PageRequest(500, cursor))
            for ticket in page.items:
                status = desk.sla_service.status(ticket, CustomerTier.REGULAR, NOW)
                found += status.warning or status.breached
            cursor = page.next_cursor
            if cursor is None:
                return found


def line(label: str, runs: Runs) -> str:
    p50, p90, p99 = percentiles(runs.latencies)
    median = statistics.median(runs.latencies)
    return f"  {label:<44} median {fmt(median)}  p50 {fmt(p50)}  p90 {fmt(p90)}  p99 {fmt(p99)}"


def alert_pages(path: Path, count: int, runs: int) -> None:
    """``desk.sla_alerts`` first and next page over ``count`` alerts of one day (kept in ``path``)."""
    from aftersales.service.sla_watch import SlaAlert

    day = datetime(2026, 3, 31, 8, 30, tzinfo=SH)  # 00:30 UTC: the alerts below fall on one UTC day
    clock = ManualClock(day + timedelta(hours=14))
    desk = ServiceDesk.open(f"sqlite:///{path}", pack="office_equipment", clock=clock)
    with desk.store() as uow:
        stored = len(uow.documents.versions(SlaAlert, day=day.date().isoformat()))
    started = time.perf_counter()
    for start in range(stored, count, 20_000):
        with desk.store() as uow:
            for n in range(start, min(count, start + 20_000)):
                at = day + timedelta(microseconds=n * 80_000 // 1000 * 1000)  # shared instants
                uow.documents.add(SlaAlert(f"SR-{n:07d}:resolution:sla_breach", f"SR-{n:07d}", "resolution",
                                           "sla_breach", at, due_at=day))  # fmt: skip
            uow.commit()
    if stored < count:
        print(f"{count - stored:,} alerts written in {time.perf_counter() - started:.1f} s")
    manager = Actor.manager("mgr-1", "王经理")
    began = time.perf_counter()
    while desk.jobs.marks.index_marks(manager, limit=100_000):
        pass
    caught = fmt(time.perf_counter() - began)
    print(f"{count:,} alerts on one day; catch-up (index_marks until none left) {caught}")
    cpu: dict[str, list[float]] = {"first": [], "next": [], "day": []}

    def page(kind: str, cursor: str | None) -> str | None:
        began = time.process_time()
        found = desk.sla_alerts(manager, limit=50, cursor=cursor)
        cpu[kind].append(time.process_time() - began)
        return found.next_cursor

    cursor = page("first", None)
    firsts = Runs().measure(runs, 1, lambda _i: page("first", None))
    nexts = Runs().measure(runs, 1, lambda _i: page("next", cursor))

    def whole_day(_i: int) -> object:
        began = time.process_time()
        with desk.store() as uow:
            found = uow.documents.query(SlaAlert, day=day.date().isoformat())
        cpu["day"].append(time.process_time() - began)
        return found

    days = Runs().measure(max(1, runs // 2), 1, whole_day)
    print(line("desk.sla_alerts, first page of 50", firsts))
    print(f"  {'  its CPU time':<44} median {fmt(statistics.median(cpu['first'][1:]))}")
    print(line("desk.sla_alerts, the next page", nexts))
    print(f"  {'  its CPU time':<44} median {fmt(statistics.median(cpu['next']))}")
    print(line("baseline: the day's alerts by their day index", days))
    print(f"  {'  its CPU time':<44} median {fmt(statistics.median(cpu['day']))}")
    desk.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--alerts", type=int, default=0, help="measure the alert list over N alerts of a day")
    parser.add_argument("--alerts-file", type=Path, default=None, help="keep the alerts' file here (reused)")
    args = parser.parse_args()
    if args.alerts:
        if args.alerts_file is not None:
            alert_pages(args.alerts_file, args.alerts, args.runs)
            return
        with tempfile.TemporaryDirectory() as tmp:
            alert_pages(Path(tmp) / "alerts.db", args.alerts, args.runs)
        return
    with tempfile.TemporaryDirectory() as tmp:
        desk = ServiceDesk.open(
            f"sqlite:///{Path(tmp) / 'sweep.db'}", pack="office_equipment", clock=ManualClock(NOW)
        )
        with desk.store() as uow:
            for c in range(5000):
                name = f"客户 {c}"
                uow.customers.add(Customer(CustomerId(f"C{c}"), name, Contact(name), region=f"r{c % 30}"))
            uow.commit()
        started = time.perf_counter()
        tickets = [make(desk, n, args.tickets) for n in range(args.tickets)]
        with desk.store() as uow:
            uow.tickets.add_many(tickets)
            uow.commit()
        del tickets
        print(f"{args.tickets:,} open tickets written in {time.perf_counter() - started:.1f} s")
        system = Actor.system()
        began = time.perf_counter()
        first = desk.sla_watch.sweep(system)
        found = f"{len(first.warnings):,} warnings, {len(first.breaches):,} breaches announced"
        print(f"first sweep: {first.checked:,} checked, {found}, in {fmt(time.perf_counter() - began)}")
        checked: list[int] = []
        cpu: dict[str, list[float]] = {"sweep": [], "scan": []}

        def timed(kind: str, run: Callable[[], object]) -> object:
            # CPU time beside the wall clock: on a shared machine the wall clock also counts the time
            # the process waited for a core.
            began = time.process_time()
            result = run()
            cpu[kind].append(time.process_time() - began)
            return result

        def sweep() -> object:
            report = desk.sla_watch.sweep(system)
            checked.append(report.checked)
            return report

        sweeps = Runs().measure(args.runs, 1, lambda _i: timed("sweep", sweep))
        print(line(f"desk.sla_watch.sweep ({checked[-1]:,} candidates)", sweeps) + "  target ≤ 1 s")
        print(f"  {'  its CPU time':<44} median {fmt(statistics.median(cpu['sweep']))}")
        scans = Runs().measure(max(1, args.runs // 2), 1, lambda _i: timed("scan", lambda: full_scan(desk)))
        print(line("baseline: full scan of every open ticket", scans))
        print(f"  {'  its CPU time':<44} median {fmt(statistics.median(cpu['scan']))}")
        ratio = statistics.median(scans.latencies) / statistics.median(sweeps.latencies)
        print(f"  ratio (scan / sweep, medians): {ratio:.1f}×")
        desk.shutdown()


if __name__ == "__main__":
    main()
