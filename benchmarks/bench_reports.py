"""KPI report for one month over N stored tickets on SQLite (target: ≤ 2 s at 1,000,000).

Builds the file fast by bulk-inserting rows with sqlite3 in the adapter's schema (ticket rows and
their reporting facts; the triggers are recreated afterwards), then times ``kpi_report`` per dealer.
Baseline in the same run: on a smaller store of real tickets, the same report through the SQL
aggregates vs by loading every ticket into Python (the scanning implementation).

    python benchmarks/bench_reports.py            # N = 200,000
    python benchmarks/bench_reports.py --full     # N = 1,000,000
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from datetime import datetime
from datetime import time as clock_time
from pathlib import Path

from aftersales.adapters.reporting_memory import ScanningReportingQueries
from aftersales.adapters.reporting_sqlite import SqliteReportingQueries
from aftersales.adapters.sqlite import SqliteStore
from aftersales.domain.calendar import BusinessCalendar
from aftersales.ports.reporting import GroupBy, Period
from aftersales.ports.ticket_index import micros
from aftersales.reports.kpi import kpi_report

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "unit"))
from reporting_data import SH, tickets

TARGET_S = 2.0
CAL = BusinessCalendar("Asia/Shanghai", {d: [(clock_time(9), clock_time(18))] for d in range(5)})
YEAR = datetime(2025, 1, 1, tzinfo=SH)
MONTH = Period(datetime(2025, 6, 1, tzinfo=SH), datetime(2025, 7, 1, tzinfo=SH))
HOUR = 3_600_000_000


def build(path: Path, n: int) -> None:
    SqliteStore(f"sqlite:///{path}").close()
    conn = sqlite3.connect(path, isolation_level=None)
    rnd = random.Random(7)
    start = micros(YEAR)
    span = 365 * 24 * HOUR
    conn.execute("BEGIN")
    tickets_sql = (
        "INSERT INTO tickets (id, version, kind, state, is_open, unresolved, priority, urgency, category, "
        "customer_id, dealer_id, region, assignee_id, product_id, batch, received_us, resolution_due_us, "
        "due_key, description, data) VALUES (?, 1, 'service', ?, ?, ?, 'normal', 2, ?, ?, ?, ?, ?, ?, ?, ?, "
        "NULL, 4611686018427387904, 'bulk', '{}')"
    )
    facts_sql = "INSERT INTO report_tickets VALUES (" + ", ".join("?" * 22) + ")"
    batch_t: list[tuple[object, ...]] = []
    batch_f: list[tuple[object, ...]] = []
    for i in range(n):
        received = start + rnd.randrange(span)
        resolved = received + rnd.randrange(1, 60) * HOUR if i % 10 else None
        state = "closed" if resolved else "in_progress"
        dealer, region = f"dealer-{i % 40}", f"region-{i % 12}"
        category = ("repair", "installation", "maintenance", "complaint")[i % 4]
        batch_t.append((f"T{i:08d}", state, resolved is None, resolved is None, category, f"c{i % 50000}",
                        dealer, region, f"eng-{i % 300}", f"P{i % 25}", f"B{i % 400}", received))  # fmt: skip
        callback_due = resolved + 24 * HOUR if resolved else None
        batch_f.append((f"T{i:08d}", "service", category, state, dealer, region, f"eng-{i % 300}",
                        f"P{i % 25}",
                        f"B{i % 400}", f"A{i}", received, received + rnd.randrange(1, 8) * HOUR // 2, None,
                        resolved, None, resolved, 0, int(i % 17 == 0), 1, callback_due,
                        callback_due - HOUR if callback_due and i % 3 else None,
                        rnd.randint(1, 5) if i % 3 else None))  # fmt: skip
        if len(batch_t) == 50_000:
            conn.executemany(tickets_sql, batch_t)
            conn.executemany(facts_sql, batch_f)
            batch_t.clear()
            batch_f.clear()
    conn.executemany(tickets_sql, batch_t)
    conn.executemany(facts_sql, batch_f)
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.close()


def timed(fn: object) -> float:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="1,000,000 tickets (the issue's target)")
    parser.add_argument("-n", type=int, default=None)
    args = parser.parse_args()
    n = args.n or (1_000_000 if args.full else 200_000)
    with tempfile.TemporaryDirectory() as tmp:
        # Baseline: same report, SQL aggregates vs loading every ticket into Python.
        small_n = 3000
        store = SqliteStore(f"sqlite:///{Path(tmp) / 'small.db'}")
        real = tickets(small_n, datetime(2025, 1, 1, 9, tzinfo=SH))
        with store() as uow:
            for t in real:
                uow.tickets.add(t)
            uow.commit()
        whole = Period(datetime(2024, 12, 1, tzinfo=SH), datetime(2028, 1, 1, tzinfo=SH))
        sql_q, scan_q = SqliteReportingQueries(store), ScanningReportingQueries(store)
        assert kpi_report(sql_q, whole, CAL, group=GroupBy.DEALER) == kpi_report(
            scan_q, whole, CAL, group=GroupBy.DEALER
        )
        sql_s = timed(lambda: kpi_report(sql_q, whole, CAL, group=GroupBy.DEALER))
        scan_s = timed(lambda: kpi_report(scan_q, whole, CAL, group=GroupBy.DEALER))
        print(f"{small_n:,} real tickets, KPI per dealer: SQL aggregates {sql_s * 1000:.1f} ms, "
              f"loading every ticket {scan_s * 1000:.1f} ms  → {scan_s / sql_s:.0f}× faster")  # fmt: skip
        store.close()

        path = Path(tmp) / "big.db"
        t0 = time.perf_counter()
        build(path, n)
        print(
            f"built {n:,} stored tickets in {time.perf_counter() - t0:.1f} s "
            f"({path.stat().st_size / 1e6:.0f} MB)"
        )
        big = SqliteStore(f"sqlite:///{path}")
        queries = SqliteReportingQueries(big)
        report = kpi_report(queries, MONTH, CAL, group=GroupBy.DEALER)
        month_s = timed(lambda: kpi_report(queries, MONTH, CAL, group=GroupBy.DEALER))
        per_ticket_scan = scan_s / small_n
        print(f"KPI report for one month ({report.total.counts.tickets:,} tickets of {n:,}), per dealer: "
              f"{month_s:.3f} s (target ≤ {TARGET_S} s at 1,000,000: "
              f"{'met' if month_s <= TARGET_S else 'MISSED'})")  # fmt: skip
        print(f"  estimated by loading the month's tickets into Python: "
              f"{per_ticket_scan * report.total.counts.tickets:.1f} s "
              f"(ratio ≈ {per_ticket_scan * report.total.counts.tickets / month_s:.0f}×)")  # fmt: skip
        big.close()


if __name__ == "__main__":
    main()
