"""Ledger export to CSV over 1 M tickets on SQLite (issue 24 target: ≥ 50,000 tickets/s).

The file is the shared 1 M-ticket file written through a desk's import with reporting on
(:mod:`scale_file`, built once and reused). The whole ledger is exported as a manager would, in
Chinese with a BOM, to a file on disk, several times: median and p50/p90/p99 throughput. Baselines in
the same run: the raw SQL fetch of the same rows page by page (what the export costs beyond reading),
and the ticket path (whole tickets through the repository, as a store without the fast path is read)
on the first 20,000 tickets. GC on.

    python benchmarks/bench_ledger_export.py                 # the 1 M file
    python benchmarks/bench_ledger_export.py --tickets 100000
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from datetime import timedelta
from typing import Any

from scale_file import START, Runs, data_dir, scale_file, verdict

from aftersales.adapters.ledger_rows_sqlite import _SELECT
from aftersales.ports.queries import PageRequest, TicketFilter
from aftersales.ports.unit_of_work import StoreFactory
from aftersales.reports import export_ledger, report_labels
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk

TARGET = 50_000


class TicketPath:
    """The desk through a store without ``ledger_rows``: the export reads whole tickets."""

    def __init__(self, desk: ServiceDesk) -> None:
        self.desk = desk

    @property
    def store(self) -> StoreFactory:
        factory = self.desk.store
        return lambda: factory()

    def ledger(self, actor: Any, filters: TicketFilter | None = None, page: PageRequest | None = None) -> Any:
        return self.desk.ledger(actor, filters, page)

    def ledger_scope(self, actor: Any, filters: TicketFilter | None = None) -> TicketFilter:
        return self.desk.ledger_scope(actor, filters)


def raw_fetch(store: Any, page: int = 1000) -> int:
    """The export's rows fetched page by page with sqlite3 and nothing else done with them."""
    conn = store.acquire()
    try:
        first = _SELECT.replace("{where}", "")
        after = _SELECT.replace("{where}", " WHERE (received_us, tickets.id) > (?, ?)")
        rows = conn.execute(first, (page,)).fetchall()
        n = len(rows)
        while len(rows) == page:
            rows = conn.execute(after, (rows[-1][6], rows[-1][0], page)).fetchall()
            n += len(rows)
        return n
    finally:
        store.release(conn)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path, _ = scale_file(args.tickets)
    desk = ServiceDesk.open(f"sqlite:///{path}", pack="sanitary_ware")
    store: Any = desk.store
    began = time.perf_counter()
    done = store.backfill_reporting().tickets  # a file from before the ledger columns: once
    if done:
        print(f"  back-filled the report rows of {done:,} tickets in {time.perf_counter() - began:.0f} s")
    manager = Actor.manager("mgr", "王经理")
    report_labels("zh_Hans")  # catalogs loaded once per process, as in a running host
    out = data_dir() / "ledger.csv"
    sizes: list[int] = []

    def export(_: int) -> int:
        rows = export_ledger(desk, manager, out, format="csv", locale="zh_Hans")
        sizes.append(os.path.getsize(out))
        return rows

    exported = Runs()
    cpu: list[float] = []
    for _ in range(args.runs):  # one run = the whole ledger: throughput is rows / seconds
        t0, c0 = time.perf_counter(), time.process_time()
        rows = export(0)
        took = time.perf_counter() - t0
        cpu.append(rows / (time.process_time() - c0))
        exported.rates.append(rows / took)
        exported.latencies.append(took)
    raw = Runs()
    for _ in range(args.runs):
        t0 = time.perf_counter()
        rows = raw_fetch(store)
        took = time.perf_counter() - t0
        raw.rates.append(rows / took)
        raw.latencies.append(took)
    limit = min(20_000, args.tickets)
    first = TicketFilter(received_to=START + timedelta(seconds=30 * limit))
    slow = Runs()
    for _ in range(args.runs):
        t0 = time.perf_counter()
        rows = export_ledger(TicketPath(desk), manager, out, format="csv", filters=first)
        slow.rates.append(rows / (time.perf_counter() - t0))
        slow.latencies.append(time.perf_counter() - t0)
    print(f"{args.tickets:,} tickets, CSV {sizes[-1] / 1e6:.0f} MB, load average {os.getloadavg()}")
    print(exported.line("  CSV export of the whole ledger (per run)", "tickets/s")
          + f"  target ≥ {TARGET:,}/s: {verdict(statistics.median(exported.rates) >= TARGET)}")  # fmt: skip
    print(f"  {'(per CPU second: without the waits of a shared machine)':<46} median "
          f"{statistics.median(cpu):>9,.0f} tickets/s (runs {min(cpu):,.0f}–{max(cpu):,.0f})")  # fmt: skip
    print(raw.line("  baseline: raw SQL fetch of the same rows", "tickets/s"))
    print(slow.line(f"  baseline: ticket path, first {limit:,} tickets", "tickets/s"))
    out.unlink(missing_ok=True)
    desk.shutdown()


if __name__ == "__main__":
    main()
