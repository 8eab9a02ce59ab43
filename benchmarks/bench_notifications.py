"""Rendering one notification (target ≤ 20 µs, issue 8), against an uncached baseline.

The baseline renders the same notification the straightforward way: ``babel.Locale.parse`` on
every call, Babel's public ``format_datetime`` (which re-reads the CLDR patterns each time) and the
templates parsed per call. The measured path uses :class:`aftersales.i18n.Renderer`, which keeps
each locale's ``Locale``, compiled patterns and parsed templates. Figures: the median of ``--runs``
runs and p50/p90/p99 of every single render (GC on, every result kept alive until the end).
Run: ``python benchmarks/bench_notifications.py [--runs 5] [--n 4000]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from scale_file import Runs, percentiles, verdict

from aftersales.i18n import Renderer, Term, catalog_for, resolve_locale
from aftersales.i18n.templates import Template

AT = datetime(2024, 5, 1, 1, 30, tzinfo=ZoneInfo("UTC"))
VALUES: dict[str, object] = {
    "ticket_id": "T-0001",
    "received_at": AT,
    "response_due_at": AT + timedelta(hours=4),
}
ZONE = ZoneInfo("Asia/Shanghai")
ZONE_NAME = "Asia/Shanghai"
TARGET_US = 20.0


def baseline(locale: str) -> tuple[str, str]:
    babel = Locale.parse(resolve_locale(locale))
    catalog = catalog_for(locale)
    text = {
        "ticket_id": str(VALUES["ticket_id"]),
        "received_at": format_datetime(VALUES["received_at"], "short", tzinfo=ZONE, locale=babel),  # type: ignore[arg-type]
        "response_due_at": format_datetime(VALUES["response_due_at"], "short", tzinfo=ZONE, locale=babel),  # type: ignore[arg-type]
    }
    subject = Template.parse(catalog.text("notification.ticket_received.subject")).substitute(text)
    body = Template.parse(catalog.text("notification.ticket_received.body")).substitute(text)
    return subject, body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--n", type=int, default=4000, help="renders per run")
    args = parser.parse_args()
    renderer = Renderer()
    renderer.check()
    sla = {
        "ticket_id": "T-1",
        "target": Term("sla_target.response"),
        "due_at": AT,
        "remaining": timedelta(minutes=200),
    }
    print(
        f"rendering one notification (target ≤ {TARGET_US:.0f} µs), {args.runs} runs × {args.n} renders; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    for locale in ("zh_CN", "zh_TW", "en_US"):
        fast = Runs().measure(
            args.runs,
            args.n,
            lambda _, loc=locale: renderer.render("ticket_received", loc, "Asia/Shanghai", VALUES),
        )
        warn = Runs().measure(
            args.runs, args.n, lambda _, loc=locale: renderer.render("sla_warning", loc, ZONE_NAME, sla)
        )
        slow = Runs().measure(args.runs, max(1, args.n // 10), lambda _, loc=locale: baseline(loc))
        print(fast.line(f"{locale} ticket_received", "renders/s"))
        print(warn.line(f"{locale} sla_warning", "renders/s"))
        print(slow.line(f"{locale} baseline (Locale.parse per call)", "renders/s"))
        fast_p50, warn_p50, slow_p50 = (percentiles(r.latencies)[0] * 1e6 for r in (fast, warn, slow))
        print(
            f"  {locale}: p50 {fast_p50:.1f} µs and {warn_p50:.1f} µs per render (run medians "
            f"{1e6 / statistics.median(fast.rates):.1f} and {1e6 / statistics.median(warn.rates):.1f} µs "
            f"with waits for a core); baseline p50 {slow_p50:.1f} µs (ratio {slow_p50 / fast_p50:.1f}×); "
            f"target (p50): {verdict(max(fast_p50, warn_p50) <= TARGET_US)}"
        )


if __name__ == "__main__":
    main()
