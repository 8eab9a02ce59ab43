"""The KPI page people look at: HTML with its charts for one month over 1 M stored tickets (≤ 3 s).

The file is the shared 1 M-ticket file written through a desk's import with reporting on
(:mod:`scale_file`, built once and reused). Each run builds the whole page: the KPI report per dealer,
the document with its goals and the dealer comparison chart, the Jinja2 page with inline SVG.
Baselines in the same run: the KPI figures alone (what the page costs beyond them) and the raw SQL
fetch of the month's rows; the same page as XLSX for comparison. GC on, results kept alive; median
and p50/p90/p99 of several runs, with the CPU time of each run beside the wall time (8 developers
share this machine's 2 cores).

    python benchmarks/bench_report_pages.py                    # the 1 M file
    python benchmarks/bench_report_pages.py --tickets 100000   # a quick look
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time
from collections.abc import Callable
from datetime import timedelta

from scale_file import DEALERS, START, Runs, percentiles, scale_file, verdict

from aftersales.adapters.reporting_sqlite import SqliteReportingQueries
from aftersales.adapters.sqlite import SqliteStore
from aftersales.ports.calendars import open_calendar
from aftersales.ports.reporting import GroupBy, Period
from aftersales.reports import document_for, kpi_goals, kpi_report, report_labels, to_html, to_xlsx

TARGET_S = 3.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    n = args.tickets
    path, _ = scale_file(n)
    store = SqliteStore(f"sqlite:///{path}")
    queries = SqliteReportingQueries(store)
    span = timedelta(seconds=30 * n)
    first = START + max(timedelta(0), span / 2 - timedelta(days=15))
    month = Period(first, min(first + timedelta(days=31), START + span))
    calendar = open_calendar("china_mainland")
    goals = kpi_goals("sanitary_ware")
    names = {f"D{i}": f"第{i + 1}特约承销商" for i in range(DEALERS)}
    cpu: dict[str, list[float]] = {}

    def timed(label: str, fn: Callable[[], object]) -> Callable[[int], object]:
        def run(_: int) -> object:
            began = time.process_time()
            result = fn()
            cpu.setdefault(label, []).append(time.process_time() - began)
            return result

        return run

    def figures() -> object:
        return kpi_report(queries, month, calendar, group=GroupBy.DEALER)

    def page() -> str:
        report = kpi_report(queries, month, calendar, group=GroupBy.DEALER)
        return to_html(document_for(report, report_labels("zh_Hans", names), goals=goals))

    def workbook() -> bytes:
        report = kpi_report(queries, month, calendar, group=GroupBy.DEALER)
        out = io.BytesIO()
        to_xlsx(report, out, "zh_Hans", names=names, goals=goals)
        return out.getvalue()

    def raw_fetch() -> object:
        conn = store.acquire()
        try:
            return conn.execute(
                "SELECT dealer_id, received_us, first_response_us, response_due_us, resolved_us, "
                "resolution_due_us FROM report_tickets WHERE received_us >= ? AND received_us < ?",
                (month.start_us, month.end_us),
            ).fetchall()
        finally:
            store.release(conn)

    html_text = page()  # catalogs, templates and the SQLite cache warm, as in a running host
    html = Runs().measure(args.runs, 1, timed("page", page))
    base = Runs().measure(args.runs, 1, timed("figures", figures))
    raw = Runs().measure(args.runs, 1, timed("raw", raw_fetch))
    xlsx = Runs().measure(max(3, args.runs // 2), 1, timed("xlsx", workbook))
    tickets = kpi_report(queries, month, calendar, group=GroupBy.DEALER).total.counts.tickets
    print(f"one month: {tickets:,} of {n:,} tickets, {DEALERS} dealers; page {len(html_text) / 1024:.0f} KiB "
          f"with {html_text.count('<svg')} chart(s); load average {os.getloadavg()}")  # fmt: skip
    for label, runs, key in (
        ("KPI HTML page with charts", html, "page"),
        ("  baseline: KPI figures only", base, "figures"),
        ("  baseline: raw SQL fetch of the rows", raw, "raw"),
        ("  the same page as XLSX", xlsx, "xlsx"),
    ):
        print(runs.line(label, "pages/s") + f"  CPU median {statistics.median(cpu[key]):.3f} s")
    p50 = percentiles(html.latencies)[0]
    beyond = p50 - percentiles(base.latencies)[0]
    scale = "" if n >= 1_000_000 else " (not at 1 M: run without --tickets)"
    print(f"page beyond the figures: {beyond:+.3f} s; target ≤ {TARGET_S} s at 1,000,000: "
          f"{verdict(p50 <= TARGET_S)}{scale}")  # fmt: skip
    store.close()


if __name__ == "__main__":
    main()
