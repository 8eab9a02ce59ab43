"""The KPI page people look at: HTML with its charts for one month over N stored tickets (≤ 3 s at 1 M).

Builds the SQLite file as ``bench_reports.py`` does (bulk rows in the adapter's schema), then times
the whole page: the KPI report per dealer, the names read from the store, the document with its
goals and the dealer comparison chart, the Jinja2 page. Baseline in the same run: the KPI report
alone (what the page costs beyond the figures), and the same page as XLSX. GC on, results kept alive;
median and p50/p90/p99 of several runs.

    python benchmarks/bench_report_pages.py            # N = 200,000
    python benchmarks/bench_report_pages.py --full     # N = 1,000,000 (the issue's target)
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_reports import CAL, MONTH, build

from aftersales.adapters.reporting_sqlite import SqliteReportingQueries
from aftersales.adapters.sqlite import SqliteStore
from aftersales.ports.reporting import GroupBy
from aftersales.reports import document_for, kpi_goals, kpi_report, report_labels, to_html, to_xlsx

TARGET_S = 3.0


def runs(fn: Callable[[], object], n: int) -> tuple[list[float], list[object]]:
    times: list[float] = []
    kept: list[object] = []  # results stay alive, as a host holding its pages would
    for _ in range(n):
        t0 = time.perf_counter()
        kept.append(fn())
        times.append(time.perf_counter() - t0)
    return times, kept


def summary(name: str, times: list[float]) -> str:
    q = statistics.quantiles(times, n=100, method="inclusive") if len(times) > 1 else times * 99
    return (f"{name:<34} median {statistics.median(times):7.3f} s   p50 {q[49]:.3f}  p90 {q[89]:.3f}  "
            f"p99 {q[98]:.3f}  ({len(times)} runs)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true", help="1,000,000 tickets (the issue's target)")
    parser.add_argument("-n", type=int, default=None)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    n = args.n or (1_000_000 if args.full else 200_000)
    goals = kpi_goals("sanitary_ware")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.db"
        t0 = time.perf_counter()
        build(path, n)
        print(f"built {n:,} stored tickets in {time.perf_counter() - t0:.1f} s")
        store = SqliteStore(f"sqlite:///{path}")
        queries = SqliteReportingQueries(store)
        names = {f"dealer-{i}": f"第{i + 1}特约承销商" for i in range(40)}

        def figures() -> object:
            return kpi_report(queries, MONTH, CAL, group=GroupBy.DEALER)

        def page() -> str:
            report = kpi_report(queries, MONTH, CAL, group=GroupBy.DEALER)
            doc = document_for(report, report_labels("zh_Hans", names), goals=goals)
            return to_html(doc)

        def workbook() -> bytes:
            report = kpi_report(queries, MONTH, CAL, group=GroupBy.DEALER)
            out = io.BytesIO()
            to_xlsx(report, out, "zh_Hans", names=names, goals=goals)
            return out.getvalue()

        page()  # catalogs, templates and the SQLite cache warm, as in a running host
        base, _ = runs(figures, args.runs)
        html, pages = runs(page, args.runs)
        xlsx, _ = runs(workbook, args.runs)
        month = figures().total.counts.tickets  # type: ignore[attr-defined]
        print(f"one month: {month:,} of {n:,} tickets, 40 dealers; page {len(pages[-1]) / 1024:.0f} KiB "  # type: ignore[arg-type]
              f"with {str(pages[-1]).count('<svg')} chart(s)")  # fmt: skip
        print(summary("baseline: KPI figures only", base))
        print(summary("KPI HTML page with charts", html))
        print(summary("same page as XLSX", xlsx))
        median = statistics.median(html)
        print(f"page beyond the figures: {median - statistics.median(base):+.3f} s; "
              f"target ≤ {TARGET_S} s at 1,000,000: {'met' if median <= TARGET_S else 'MISSED'}"
              f"{'' if n >= 1_000_000 else ' (run --full to measure it)'}")  # fmt: skip
        store.close()


if __name__ == "__main__":
    main()
