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
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.ports.reporting import GroupBy, ReportingQueries
from aftersales.reports.kpi import KpiRow, KpiTargets, kpi_report, scoped_kpi_report
from aftersales.reports.months import MAX_MONTHS, checked_months, month_period
from aftersales.reports.sources import ReportDesk, read_at

__all__ = ["MAX_MONTHS", "KpiTrend", "kpi_trend", "scoped_kpi_trend"]

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
    timezone: str | None = None,
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
    policy (``desk.policies.sla``), for whether awaiting parts pauses the clocks, as in the KPI report.

    The months are cut in ``timezone``, by default the calendar's (the zone its working hours are in):
    until session 39 they were Asia/Shanghai's whatever the calendar, so a host in Berlin counting on
    its Berlin calendar had its months start at 17:00 the evening before without a word.

    Judges nobody (a host's batch job): people read :func:`scoped_kpi_trend`."""
    if timezone is None:
        if not isinstance(calendar, BusinessCalendar):
            raise ValidationError(
                f"calendar is a BusinessCalendar, got {type(calendar).__name__}",
                field="calendar",
                rule="wrong_type",
                rule_params={"expected": "BusinessCalendar"},
            )
        timezone = calendar.timezone
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


def scoped_kpi_trend(
    desk: ReportDesk,
    actor: object,
    queries: ReportingQueries,
    months: Sequence[str],
    *,
    targets: KpiTargets = _TARGETS,
    as_of: datetime | None = None,
) -> KpiTrend:
    """:func:`kpi_trend` as ``actor`` may read it through ``desk``: the months of the desk's zone
    (``desk.reports.timezone``), its calendar and SLA policy.

    Judged by the permission table's ``kpi_report`` (``desk.reports.kpi_scope``, before any figure is
    read), as :func:`~aftersales.reports.kpi.scoped_kpi_report`: the heads and the auditor read the
    network's total of each month; dealer staff their own dealer's total of each month (each month's
    figure equals that month's scoped KPI report, both read at ``as_of``, default the desk's clock);
    anyone else is ``PermissionDenied``. A desk without a
    working calendar is a ``ConfigurationError``."""
    dealer = desk.reports.kpi_scope(actor)
    calendar = desk.calendar
    if calendar is None:
        raise ConfigurationError(
            "the KPI trend measures working time: the desk has no calendar", key="calendar"
        )
    months = checked_months(months)
    as_of = read_at(desk, as_of)  # each month read now, as its own scoped KPI report is
    zone_name = desk.reports.timezone
    if dealer is None:
        return kpi_trend(
            queries, months, calendar, timezone=zone_name, targets=targets, as_of=as_of,
            sla=desk.policies.sla,
        )  # fmt: skip
    rows = tuple(
        scoped_kpi_report(
            desk, actor, queries, month_period(m, zone_name), targets=targets, as_of=as_of
        ).total
        for m in months
    )
    return KpiTrend(tuple(months), rows, zone_name, targets)
