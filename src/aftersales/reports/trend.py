"""KPIs month by month (the PDCA picture a service director shows): one total row per month.

Each month is one :func:`~aftersales.reports.kpi.kpi_report` over the tickets received in it (in the
market's time zone), so a month's figures here equal that month's KPI report total.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import attrs

from aftersales.domain.calendar import BusinessCalendar
from aftersales.ports.reporting import GroupBy, ReportingQueries
from aftersales.reports.kpi import KpiRow, KpiTargets, kpi_report
from aftersales.reports.months import MAX_MONTHS, checked_months, month_period

__all__ = ["MAX_MONTHS", "KpiTrend", "kpi_trend"]

_TARGETS = KpiTargets()


@attrs.frozen
class KpiTrend:
    """The total KPI row of each month, in order."""

    months: tuple[str, ...]
    rows: tuple[KpiRow, ...]
    timezone: str
    targets: KpiTargets


def kpi_trend(
    queries: ReportingQueries,
    months: Sequence[str],
    calendar: BusinessCalendar,
    *,
    timezone: str = "Asia/Shanghai",
    targets: KpiTargets = _TARGETS,
    as_of: datetime | None = None,
    sla: Any = None,
) -> KpiTrend:
    """The KPIs of each month of ``months`` (``"2026-03"``…, at most 36), measured in working time.

    ``as_of`` (default: each month's end) is the instant a response, resolution or callback never given
    counts as missed by, in every month: pass the instant the report is read. A month is not judged at
    its own end when an instant is given: its tickets resolved since count as they were resolved, so one
    still unresolved past its due time counts late too (judged at the month's end it would drop out of
    the on-time rate, and a month would read better than the tickets it holds). ``sla`` is the pack's SLA
    policy (``desk.policies.sla``), for whether awaiting parts pauses the clocks, as in the KPI report."""
    months = checked_months(months)
    periods = [month_period(m, timezone) for m in months]
    rows = tuple(
        kpi_report(
            queries, p, calendar, group=GroupBy.ALL, targets=targets,
            as_of=as_of, sla=sla,
        ).total
        for p in periods
    )  # fmt: skip
    return KpiTrend(tuple(months), rows, timezone, targets)
