"""``aftersales report kpi|faults|dealers --db FILE --from DATE --to DATE [--format csv|md|html]``.

Exit codes: 0 done, 1 an aftersales error (e.g. storage), 2 usage (missing file, bad date, unknown
pack or locale), as argparse does for its own usage errors.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TextIO

from aftersales.errors import AftersalesError

__all__ = ["add_report_parser", "run_report"]

USAGE = 2


def add_report_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``report`` command to the CLI's subparsers."""
    p: argparse.ArgumentParser = subparsers.add_parser("report", help="KPIs, fault Pareto or dealer reports")
    p.add_argument("kind", choices=["kpi", "faults", "dealers"])
    p.add_argument("--db", required=True, help="the SQLite file of the service desk")
    p.add_argument("--from", dest="date_from", required=True, help="first day, YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", required=True, help="last day (inclusive), YYYY-MM-DD")
    p.add_argument("--format", default="md", choices=["csv", "md", "html"])
    p.add_argument("--locale", default="en", help="zh_Hans, zh_Hant or en")
    p.add_argument("--pack", default="sanitary_ware", help="policy pack of the desk")
    p.add_argument("--group", default="dealer", choices=["all", "dealer", "engineer", "product", "region"])
    p.add_argument("--dimension", default="symptom", choices=["product", "batch", "symptom", "cause"])
    p.add_argument("--timezone", default="Asia/Shanghai")
    return p


def _fail(err: TextIO, message: str) -> int:
    err.write(f"aftersales report: error: {message}\n")
    return USAGE


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def run_report(args: argparse.Namespace, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run ``report`` with parsed ``args``; returns the exit code."""
    from aftersales.domain.contact import zone
    from aftersales.i18n.locales import babel_locale
    from aftersales.policies.registry import resolve_policies

    db = Path(args.db)
    if not db.is_file():
        return _fail(err, f"no such database file: {db}")
    first, last = _day(args.date_from), _day(args.date_to)
    if first is None or last is None:
        bad = args.date_from if first is None else args.date_to
        return _fail(err, f"bad date {bad!r}: write YYYY-MM-DD")
    if last < first:
        return _fail(err, "--to is before --from")
    try:
        resolve_policies(args.pack, None)
    except AftersalesError as exc:
        return _fail(err, f"unknown pack {args.pack!r} ({exc})")
    try:
        babel_locale(args.locale)
        tz = zone(args.timezone)
    except Exception as exc:  # babel and zoneinfo raise their own error types
        return _fail(err, f"bad locale or time zone ({exc})")
    try:
        return _produce(args, db, first, last, tz, out)
    except AftersalesError as exc:
        err.write(f"aftersales report: error: {exc}\n")
        return 1


def _produce(args: argparse.Namespace, db: Path, first: date, last: date, tz: Any, out: TextIO) -> int:
    from aftersales.adapters.clock import ManualClock
    from aftersales.ports.reporting import Period
    from aftersales.service.desk import ServiceDesk

    period = Period(
        datetime.combine(first, time(), tz), datetime.combine(last + timedelta(days=1), time(), tz)
    )
    desk = ServiceDesk.open(f"sqlite:///{db}", pack=args.pack, clock=ManualClock(datetime.now(tz)))
    try:
        return _write(args, desk, period, first, out)
    finally:
        desk.shutdown()


def _write(args: argparse.Namespace, desk: Any, period: Any, first: date, out: TextIO) -> int:
    from aftersales.adapters.reporting import reporting_for
    from aftersales.ports.reporting import FaultDimension, GroupBy
    from aftersales.reports.dealer_monthly import dealer_monthly
    from aftersales.reports.faults import fault_pareto
    from aftersales.reports.kpi import kpi_report
    from aftersales.reports.render import to_csv, to_html, to_markdown

    queries = reporting_for(desk.store)
    report: object
    if args.kind == "kpi":
        if desk.calendar is None:
            raise AftersalesError("the desk has no working calendar")
        groups = {"all": GroupBy.ALL, "dealer": GroupBy.DEALER, "engineer": GroupBy.ENGINEER}
        groups |= {"product": GroupBy.PRODUCT, "region": GroupBy.REGION}
        report = kpi_report(queries, period, desk.calendar, group=groups[args.group])
    elif args.kind == "faults":
        report = fault_pareto(queries, period, FaultDimension[args.dimension.upper()])
    else:
        report = dealer_monthly(
            queries, desk.store, first.strftime("%Y-%m"), clock=desk.clock, timezone=args.timezone
        )
    if args.format == "csv":
        out.write(to_csv(report))
    elif args.format == "html":
        out.write(to_html(report, args.locale))
    else:
        out.write(to_markdown(report, args.locale))
    return 0
