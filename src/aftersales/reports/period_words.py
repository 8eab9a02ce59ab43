"""A report period in the reader's words: its first and last local day (shared by every report page)."""

from __future__ import annotations

from datetime import timedelta

from aftersales.ports.reporting import Period
from aftersales.reports.labels import ReportLabels

__all__ = ["period_text"]


def period_text(period: Period, labels: ReportLabels) -> str:
    """``period`` as its first and last day in ``labels``' zone (the end is exclusive, so the last day is
    the one holding the instant before it)."""
    tz = labels.timezone
    first = period.start.astimezone(tz).date()
    last = (period.end.astimezone(tz) - timedelta(microseconds=1)).date()
    return labels.text("report.period", start=labels.date(first), end=labels.date(last))
