"""Benchmark: the daily maintenance run over 1,000,000 units with plans on SQLite (target ≤ 10 s a day).

The file holds 1 M units of 20,000 customers, each unit on a 6-month plan whose due dates are spread
evenly over half a year, so about 5,500 plans become due each day. The units, customers and plans are
written through the store's unit of work in batches (the same rows ``register_asset`` and
``maintenance.create_plan`` write; writing 1 M plans one command at a time would take an hour before
anything is measured). Then the daily job runs for several consecutive days, as a host's scheduler
would run it: each run opens a ticket per due plan, triages it and dispatches it to the customer's
dealer. Printed per run: the plans generated and the seconds; then the median and p50/p90/p99 of the
runs.

Baseline, in the same run: reading the same day's plans with one indexed ``SELECT`` on the document
index (what the job cannot go below), and a full scan of every plan's row (what a job without the
date index would pay every day). Beside each run, timed apart and not part of the target: the other
daily job, the overdue reminder (one range of the visits' due-day index, however many visits are open).

``AFTERSALES_BENCH_UNITS`` sets the number of units (default 1,000,000); the file is rebuilt when the
number changes and kept in ``benchmarks/.data`` (or ``AFTERSALES_BENCH_DIR``) otherwise. Building
1 M units takes 5-15 minutes once; the daily runs then take a few minutes. ``AFTERSALES_BENCH_DAYS``
sets how many consecutive days run (default 10, at least 2): the visits of earlier days stay open, so
a daily run that grew with the open visits shows in the later days (printed apart: the first half of
the days and the second, and as the least-squares slope of the daily wall and CPU seconds)::

    AFTERSALES_BENCH_DIR=/tmp/bench python benchmarks/bench_maintenance.py

Each daily run is measured in wall-clock seconds (the target) and CPU seconds (what the machine's load
does not change); the summary gives median, p50, p90 and p99 of both, and of the baselines.
"""

from __future__ import annotations

import gc
import os
import shutil
import sqlite3
import statistics
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aftersales import Actor, Asset, Contact, Customer, Dealer, Product, ServiceDesk
from aftersales.adapters import ManualClock
from aftersales.domain.maintenance import MaintenancePlan

UNITS = int(os.environ.get("AFTERSALES_BENCH_UNITS", "1000000"))
CUSTOMERS = max(UNITS // 50, 1)
DAYS = int(os.environ.get("AFTERSALES_BENCH_DAYS", "10"))
TARGET_S = 10.0
TZ = ZoneInfo("Asia/Shanghai")
FIRST_DAY = date(2026, 3, 2)
DATA = Path(os.environ.get("AFTERSALES_BENCH_DIR", str(Path(__file__).parent / ".data")))
CHECKLIST = ("inspect", "clean", "test_function", "explain_care")


def build(path: Path) -> None:
    clock = ManualClock(datetime(2026, 3, 1, 8, 0, tzinfo=TZ))
    with ServiceDesk.open(f"sqlite:///{path}", pack="sanitary_ware", clock=clock) as desk:
        manager = Actor.manager("bench")
        for region in range(20):
            desk.register_dealer(
                manager,
                Dealer(f"d{region}", f"网点{region}", f"r{region}", frozenset({f"r{region}"}),
                       Contact(f"网点{region}", phone=f"139{region:08d}")),
            )  # fmt: skip
        desk.register_product(manager, Product("wc-100", "WC-100", "智能马桶", "toilet"))
        store = desk.context.store
        for start in range(0, CUSTOMERS, 10_000):
            with store() as uow:
                for c in range(start, min(start + 10_000, CUSTOMERS)):
                    region = c % 20
                    uow.customers.add(
                        Customer(f"c{c}", f"客户{c}", Contact(f"客户{c}", phone=f"138{c:08d}"),
                                 region=f"r{region}", dealer_id=f"d{region}")
                    )  # fmt: skip
                uow.commit()
        for start in range(0, UNITS, 10_000):
            with store() as uow:
                for u in range(start, min(start + 10_000, UNITS)):
                    c = u % CUSTOMERS
                    region = c % 20
                    uow.assets.add(
                        Asset(f"u{u}", "wc-100", f"SN-{u:08d}", customer_id=f"c{c}", dealer_id=f"d{region}")
                    )
                    due = FIRST_DAY + timedelta(days=14 + u % 182)
                    uow.documents.add(
                        MaintenancePlan(
                            id=f"MP-u{u}", asset_id=f"u{u}", customer_id=f"c{c}", product_id="wc-100",
                            interval_months=6, checklist=CHECKLIST,
                            next_due=due, region=f"r{region}", dealer_id=f"d{region}",
                        )
                    )  # fmt: skip
                uow.commit()
    path.with_suffix(".units").write_text(str(UNITS))


def baseline(path: Path, day: date) -> tuple[float, float]:
    conn = sqlite3.connect(path)
    t0 = time.perf_counter()
    rows = conn.execute(
        "SELECT d.data FROM document_index i JOIN documents d ON d.kind = i.kind AND d.id = i.id "
        "WHERE i.kind = 'maintenance_plan' AND i.field = 'generate_on' AND i.value = ?",
        (day.isoformat(),),
    ).fetchall()
    indexed = time.perf_counter() - t0
    t0 = time.perf_counter()
    # Every plan's row read and its date looked at: what the job would pay without the date index.
    scanned = conn.execute(
        "SELECT count(*) FROM documents WHERE kind = 'maintenance_plan' "
        "AND json_extract(data, '$.generate_on') = ?",
        (day.isoformat(),),
    ).fetchone()
    full = time.perf_counter() - t0
    conn.close()
    assert rows
    assert scanned[0] == len(rows)
    return indexed, full


def main() -> None:
    if DAYS < 2:
        raise SystemExit("AFTERSALES_BENCH_DAYS is at least 2 (the spread of one day says nothing)")
    DATA.mkdir(exist_ok=True)
    path = DATA / "maintenance.db"
    marker = path.with_suffix(".units")
    # The last day a run generated on this file: a reused file goes on from the day after, where plans
    # are still due (re-running days already done would time a job with nothing to do).
    done = path.with_suffix(".days")
    if not path.exists() or not marker.exists() or marker.read_text() != str(UNITS):
        done.unlink(missing_ok=True)
        for old in DATA.glob("maintenance.db*"):  # the file, its WAL, and the attachments folder beside it
            shutil.rmtree(old) if old.is_dir() else old.unlink()
        t0 = time.perf_counter()
        build(path)
        print(f"built {UNITS:,} units with plans in {time.perf_counter() - t0:.1f} s")
    gc.enable()
    start = date.fromisoformat(done.read_text().strip()) + timedelta(days=1) if done.exists() else FIRST_DAY
    clock = ManualClock(datetime.combine(start, datetime.min.time(), TZ).replace(hour=2))
    runs: list[float] = []
    cpus: list[float] = []
    indexed_runs: list[float] = []
    scan_runs: list[float] = []
    remind_runs: list[float] = []
    kept = []  # every report stays alive, as a host keeping them for its log would
    with ServiceDesk.open(f"sqlite:///{path}", pack="sanitary_ware", clock=clock) as desk:
        system = Actor.system()
        if start == FIRST_DAY:
            t0 = time.perf_counter()
            first = desk.maintenance.generate_due(system, FIRST_DAY - timedelta(days=1))  # the first run
            made = len(first.generated)
            print(f"first run ever, nothing due: {time.perf_counter() - t0:.2f} s ({made} made)")
        else:
            print(f"reusing the file: days from {start} on")
        for n in range(DAYS):
            day = start + timedelta(days=n)
            clock.set(datetime.combine(day, datetime.min.time(), TZ).replace(hour=2))
            t0, c0 = time.perf_counter(), time.process_time()
            report = desk.maintenance.generate_due(system)
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
            kept.append(report)
            runs.append(elapsed)
            cpus.append(cpu)
            count = len(report.generated)
            done.write_text(day.isoformat())
            if count == 0:
                raise SystemExit(f"no visit became due on {day}: delete {path} to build a fresh file")
            t0 = time.perf_counter()
            overdue = desk.maintenance.remind_overdue(system)  # the other daily job, timed apart
            reminder = time.perf_counter() - t0
            remind_runs.append(reminder)
            indexed, full = baseline(path, day + timedelta(days=14))
            indexed_runs.append(indexed)
            scan_runs.append(full)
            print(
                f"day {(day - FIRST_DAY).days + 1} ({day}): {count:,} visits generated and dispatched "
                f"in {elapsed:.2f} s "
                f"({cpu:.2f} s CPU, load average {os.getloadavg()[0]:.1f}) "
                f"({len(report.undispatched)} undispatched); baseline: that day's plans by index "
                f"{indexed * 1000:.1f} ms, a scan of all plans {full * 1000:.0f} ms; "
                f"overdue reminder ({len(overdue):,} overdue) {reminder * 1000:.0f} ms"
            )
    # Days numbered from the file's first generation day (a reused file goes on where it stopped).
    first = (start - FIRST_DAY).days + 1
    half = DAYS // 2
    for name, part, cpu_part in (
        (f"days {first}-{first + half - 1}", runs[:half], cpus[:half]),
        (f"days {first + half}-{first + DAYS - 1}", runs[half:], cpus[half:]),
        (f"all {DAYS} days", runs, cpus),
    ):
        median = statistics.median(part)
        print(
            f"daily run over {UNITS:,} units, {name}: {_spread(part)} "
            f"(target ≤ {TARGET_S:.0f} s: {'met' if median <= TARGET_S else 'MISSED'}); "
            f"CPU {_spread(cpu_part)}"
        )
    # The slope (least squares, seconds per day): a job that grew with the open visits of earlier days
    # shows a positive one however noisy the single days are.
    print(f"slope of the daily cost over {DAYS} days: wall {_slope(runs) * 1000:+.0f} ms/day, "
          f"CPU {_slope(cpus) * 1000:+.0f} ms/day (first day's CPU {cpus[0]:.2f} s)")  # fmt: skip
    print(f"baseline, that day's plans by index: {_spread(indexed_runs)}")
    print(f"baseline, a scan of all plans: {_spread(scan_runs)}")
    print(f"the overdue reminder (not part of the target): {_spread(remind_runs)}")
    print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")


def _slope(values: list[float]) -> float:
    """Least-squares slope of ``values`` against their day number (seconds per day)."""
    days = range(len(values))
    return statistics.linear_regression(days, values).slope


def _spread(values: list[float]) -> str:
    # One value (a half of very few days) is every percentile of itself.
    q = statistics.quantiles(values, n=100, method="inclusive") if len(values) > 1 else values * 99
    return (
        f"median {statistics.median(values):.3f} s, p50 {q[49]:.3f} s, p90 {q[89]:.3f} s, p99 {q[98]:.3f} s"
    )


if __name__ == "__main__":
    main()
