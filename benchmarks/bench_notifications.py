"""Rendering one notification (target ≤ 20 µs, issue 8), against an uncached baseline.

The baseline renders the same notification the straightforward way: ``babel.Locale.parse`` on
every call, Babel's public ``format_datetime`` (which re-reads the CLDR patterns each time) and the
templates parsed per call. The measured path uses :class:`aftersales.i18n.Renderer`, which keeps
each locale's ``Locale``, compiled patterns and parsed templates.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime

from aftersales.i18n import Renderer, Term, catalog_for, resolve_locale
from aftersales.i18n.templates import Template

AT = datetime(2024, 5, 1, 1, 30, tzinfo=ZoneInfo("UTC"))
VALUES: dict[str, object] = {
    "ticket_id": "T-0001",
    "received_at": AT,
    "response_due_at": AT + timedelta(hours=4),
}
ZONE = ZoneInfo("Asia/Shanghai")


def per_call(fn: Callable[[], object], seconds: float = 1.5) -> float:
    """Best-of-5 microseconds per call."""
    fn()
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - start > seconds / 10:
            break
        n *= 2
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, time.perf_counter() - start)
    return best / n * 1e6


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
    renderer = Renderer()
    renderer.check()
    sla = {
        "ticket_id": "T-1",
        "target": Term("sla_target.response"),
        "due_at": AT,
        "remaining": timedelta(minutes=200),
    }
    print("rendering one notification (target ≤ 20 µs)")
    for locale in ("zh_CN", "zh_TW", "en_US"):
        fast = per_call(lambda loc=locale: renderer.render("ticket_received", loc, "Asia/Shanghai", VALUES))  # type: ignore[misc]
        slow = per_call(lambda loc=locale: baseline(loc))  # type: ignore[misc]
        warn = per_call(lambda loc=locale: renderer.render("sla_warning", loc, "Asia/Shanghai", sla))  # type: ignore[misc]
        verdict = "ok" if max(fast, warn) <= 20 else "OVER TARGET"
        print(
            f"  {locale:6} ticket_received {fast:6.2f} µs | baseline (Locale.parse per call) {slow:6.2f} µs"
            f" | ratio {slow / fast:5.1f}x | sla_warning {warn:6.2f} µs | {verdict}"
        )


if __name__ == "__main__":
    main()
