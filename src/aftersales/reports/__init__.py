"""aftersales.reports: KPIs, dealer monthly reports, fault statistics, batch incidents, RATER.

Data first (attrs objects computed through the storage's reporting queries), then rendering
(CSV, Markdown, HTML, localised). Get the queries for a store with
``aftersales.adapters.reporting.reporting_for(desk.store)``.
"""

from aftersales.reports.dealer_monthly import DealerMonthlyReport, dealer_monthly
from aftersales.reports.faults import detect_batch_incidents, fault_pareto, fault_trend
from aftersales.reports.kpi import KpiReport, KpiRow, KpiTargets, kpi_report
from aftersales.reports.rater import RaterIndex, rater_index
from aftersales.reports.render import to_csv, to_html, to_markdown

__all__ = [
    "DealerMonthlyReport",
    "KpiReport",
    "KpiRow",
    "KpiTargets",
    "RaterIndex",
    "dealer_monthly",
    "detect_batch_incidents",
    "fault_pareto",
    "fault_trend",
    "kpi_report",
    "rater_index",
    "to_csv",
    "to_html",
    "to_markdown",
]
