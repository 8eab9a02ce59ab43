"""aftersales.reports: KPIs, dealer monthly reports, fault statistics, batch incidents, RATER.

Data first (attrs objects computed through the storage's reporting queries), then rendering
(text, Markdown, CSV, complete HTML pages with SVG charts, XLSX; localised). Get the queries for a
store with ``aftersales.adapters.reporting.reporting_for(desk.store)``.
"""

from aftersales.domain.quality_reports import BatchIncident
from aftersales.reports.budgets import BudgetReport, BudgetRow, budget_report, scoped_budget_report
from aftersales.reports.charge_documents import ChargedTicket
from aftersales.reports.conduct import ConductReport, ConductRow, service_conduct
from aftersales.reports.dealer_monthly import (
    DealerMonthlyReport,
    DealerMonthlySummary,
    DealerMonthRow,
    ReportStatus,
    dealer_monthly,
)
from aftersales.reports.document import ReportDocument
from aftersales.reports.faults import (
    FaultTrend,
    ParetoItem,
    ParetoReport,
    detect_batch_incidents,
    fault_pareto,
    fault_trend,
)
from aftersales.reports.kpi import (
    KpiReport,
    KpiRow,
    KpiTargets,
    kpi_report,
    pack_kpi_report,
    scoped_kpi_report,
)
from aftersales.reports.labels import ReportLabels, report_labels
from aftersales.reports.ledger_export import LEDGER_COLUMNS, export_ledger, iter_ledger
from aftersales.reports.money import MonthMoney, TicketMoney, month_money, scoped_month_money
from aftersales.reports.monthly_feedback import (
    FeedbackDesk,
    FeedbackReader,
    MonthlyFeedback,
    monthly_feedback,
)
from aftersales.reports.names import group_names
from aftersales.reports.pages import document_for
from aftersales.reports.rater import RaterIndex, rater_index
from aftersales.reports.render import render, to_csv, to_html, to_markdown, to_text, to_xlsx
from aftersales.reports.sla import SlaReport, sla_breaches
from aftersales.reports.sources import (
    BudgetDesk,
    BudgetReader,
    KpiDesk,
    KpiScope,
    LedgerDesk,
    MoneyDesk,
    RevenueReader,
)
from aftersales.reports.targets import PACK_GOALS, KpiGoals, kpi_goals
from aftersales.reports.trend import KpiTrend, kpi_trend

__all__ = [
    "LEDGER_COLUMNS",
    "PACK_GOALS",
    "BatchIncident",
    "BudgetDesk",
    "BudgetReader",
    "BudgetReport",
    "BudgetRow",
    "ChargedTicket",
    "ConductReport",
    "ConductRow",
    "DealerMonthRow",
    "DealerMonthlyReport",
    "DealerMonthlySummary",
    "FaultTrend",
    "FeedbackDesk",
    "FeedbackReader",
    "KpiDesk",
    "KpiGoals",
    "KpiReport",
    "KpiRow",
    "KpiScope",
    "KpiTargets",
    "KpiTrend",
    "LedgerDesk",
    "MoneyDesk",
    "MonthMoney",
    "MonthlyFeedback",
    "ParetoItem",
    "ParetoReport",
    "RaterIndex",
    "ReportDocument",
    "ReportLabels",
    "ReportStatus",
    "RevenueReader",
    "SlaReport",
    "TicketMoney",
    "budget_report",
    "dealer_monthly",
    "detect_batch_incidents",
    "document_for",
    "export_ledger",
    "fault_pareto",
    "fault_trend",
    "group_names",
    "iter_ledger",
    "kpi_goals",
    "kpi_report",
    "kpi_trend",
    "month_money",
    "monthly_feedback",
    "pack_kpi_report",
    "rater_index",
    "render",
    "report_labels",
    "scoped_budget_report",
    "scoped_kpi_report",
    "scoped_month_money",
    "service_conduct",
    "sla_breaches",
    "to_csv",
    "to_html",
    "to_markdown",
    "to_text",
    "to_xlsx",
]
