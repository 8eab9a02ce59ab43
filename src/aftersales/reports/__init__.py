"""aftersales.reports: KPIs, dealer monthly reports, fault statistics, batch incidents, RATER.

Data first (attrs objects computed through the storage's reporting queries), then rendering
(text, Markdown, CSV, complete HTML pages with SVG charts, XLSX; localised). Get the queries for a
store with ``aftersales.adapters.reporting.reporting_for(desk.store)``.
"""

from aftersales.domain.quality_reports import BatchIncident
from aftersales.reports.budgets import BudgetReport, BudgetRow, budget_report, scoped_budget_report
from aftersales.reports.charge_documents import ChargedTicket
from aftersales.reports.conduct import (
    ConductReport,
    ConductRow,
    scoped_service_conduct,
    service_conduct,
)
from aftersales.reports.dealer_monthly import (
    DealerMonthlyReport,
    DealerMonthlySummary,
    DealerMonthRow,
    ReportStatus,
    dealer_monthly,
    scoped_dealer_monthly,
)
from aftersales.reports.document import ReportDocument
from aftersales.reports.due_unit_visits import due_unit_visits, scoped_due_unit_visits
from aftersales.reports.engineer_export import FiguresScope, StaffFiguresDesk, staff_figures
from aftersales.reports.engineer_kpi import (
    EngineerKpiReport,
    EngineerKpiRow,
    EngineerTickets,
    engineer_kpis,
    scoped_engineer_kpis,
)
from aftersales.reports.faults import (
    FaultTrend,
    ParetoItem,
    ParetoReport,
    detect_batch_incidents,
    fault_pareto,
    fault_trend,
    scoped_batch_incidents,
    scoped_fault_pareto,
    scoped_fault_trend,
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
from aftersales.reports.maintenance import (
    ComplianceRow,
    ContractFigures,
    RecurringFault,
    contract_figures,
    due_visits,
    plan_compliance,
    recurring_faults,
    scoped_contract_figures,
    scoped_due_visits,
    scoped_plan_compliance,
    scoped_recurring_faults,
)
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
    ReportDesk,
    ReportScope,
    RevenueReader,
)
from aftersales.reports.staff_kpi import agent_kpis, scoped_agent_kpis
from aftersales.reports.targets import PACK_GOALS, KpiGoals, inherited_goals, kpi_goals
from aftersales.reports.trend import KpiTrend, kpi_trend, scoped_kpi_trend

__all__ = [
    "LEDGER_COLUMNS",
    "PACK_GOALS",
    "BatchIncident",
    "BudgetDesk",
    "BudgetReader",
    "BudgetReport",
    "BudgetRow",
    "ChargedTicket",
    "ComplianceRow",
    "ConductReport",
    "ConductRow",
    "ContractFigures",
    "DealerMonthRow",
    "DealerMonthlyReport",
    "DealerMonthlySummary",
    "EngineerKpiReport",
    "EngineerKpiRow",
    "EngineerTickets",
    "FaultTrend",
    "FeedbackDesk",
    "FeedbackReader",
    "FiguresScope",
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
    "RecurringFault",
    "ReportDesk",
    "ReportDocument",
    "ReportLabels",
    "ReportScope",
    "ReportStatus",
    "RevenueReader",
    "SlaReport",
    "StaffFiguresDesk",
    "TicketMoney",
    "agent_kpis",
    "budget_report",
    "contract_figures",
    "dealer_monthly",
    "detect_batch_incidents",
    "document_for",
    "due_unit_visits",
    "due_visits",
    "engineer_kpis",
    "export_ledger",
    "fault_pareto",
    "fault_trend",
    "group_names",
    "inherited_goals",
    "iter_ledger",
    "kpi_goals",
    "kpi_report",
    "kpi_trend",
    "month_money",
    "monthly_feedback",
    "pack_kpi_report",
    "plan_compliance",
    "rater_index",
    "recurring_faults",
    "render",
    "report_labels",
    "scoped_agent_kpis",
    "scoped_batch_incidents",
    "scoped_budget_report",
    "scoped_contract_figures",
    "scoped_dealer_monthly",
    "scoped_due_unit_visits",
    "scoped_due_visits",
    "scoped_engineer_kpis",
    "scoped_fault_pareto",
    "scoped_fault_trend",
    "scoped_kpi_report",
    "scoped_kpi_trend",
    "scoped_month_money",
    "scoped_plan_compliance",
    "scoped_recurring_faults",
    "scoped_service_conduct",
    "service_conduct",
    "sla_breaches",
    "staff_figures",
    "to_csv",
    "to_html",
    "to_markdown",
    "to_text",
    "to_xlsx",
]
