"""The engineers' appraisal page: :class:`~aftersales.reports.engineer_kpi.EngineerKpiReport` as a document.

Seed 003 三 2 (绩效考核: 客户满意度、响应速度、问题解决率, tied to pay and promotion) and seed 001 六 (考核 by
the after-sales manager): the manager reads one row per engineer, each figure credited to the engineer
whose work it judges, with the counts behind each rate and, where the pack's KPI goals name a rate, its
pass/fail. The total is the desk's (each ticket once); the rows need not add up to it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from fractions import Fraction

from aftersales.ports.reporting import GroupBy
from aftersales.reports.clock_notes import clock_column, clock_note
from aftersales.reports.document import ColumnKind, DocCell, Judged, ReportDocument, ReportTable
from aftersales.reports.engineer_kpi import EngineerKpiReport, EngineerKpiRow
from aftersales.reports.kpi import KpiRow, exact_rate
from aftersales.reports.labels import ReportLabels
from aftersales.reports.period_words import period_text
from aftersales.reports.targets import GOAL_RATES, KpiGoals

__all__ = ["ENGINEER_COLUMNS", "engineer_document"]

K = ColumnKind
ENGINEER_COLUMNS: tuple[tuple[str, ColumnKind], ...] = (
    ("appraised_engineer", K.TEXT), ("tickets", K.COUNT), ("resolved", K.COUNT), ("resolution_rate", K.RATE),
    ("response_met", K.COUNT), ("response_missed", K.COUNT), ("response_on_time_rate", K.RATE),
    ("resolution_met", K.COUNT), ("resolution_missed", K.COUNT), ("resolution_on_time_rate", K.RATE),
    ("first_repairs", K.COUNT), ("first_time_fixed", K.COUNT), ("first_time_fix_rate", K.RATE),
    ("rework_count", K.COUNT), ("rated", K.COUNT), ("satisfied", K.COUNT), ("satisfaction_rate", K.RATE),
    ("mean_satisfaction", K.NUMBER), ("mean_attitude", K.NUMBER), ("response_mean", K.DURATION),
    ("resolution_mean", K.DURATION),
)  # fmt: skip
"""The engineers' table: codes and kinds (labels ``report.column.<code>``)."""


def _exact(row: EngineerKpiRow, rate: str) -> Fraction | None:
    """The unrounded rate of ``row`` (a goal is judged on it, as the KPI page judges a ``KpiRow``)."""
    if rate == "resolution_rate":
        return exact_rate(row.resolved, row.tickets - row.cancelled)
    if rate == "response_on_time_rate":
        return exact_rate(row.response_met, row.response.count + row.response_missed)
    if rate == "resolution_on_time_rate":
        return exact_rate(row.resolution_met, row.resolution.count + row.resolution_missed)
    if rate == "first_time_fix_rate":
        return exact_rate(row.first_time_fixed, row.first_repairs)
    return exact_rate(row.satisfied, row.rated)  # satisfaction_rate, the last rate of the table


def _judged(code: str, value: DocCell, goals: KpiGoals, exact: Fraction | KpiRow | None) -> DocCell:
    goal = goals.goal(code) if code in GOAL_RATES else None
    if goal is None:
        return value
    return Judged(value, goal, goals.passed(code, exact))  # type: ignore[arg-type]


def _engineer_cells(row: EngineerKpiRow, labels: ReportLabels, goals: KpiGoals) -> tuple[DocCell, ...]:
    cells: list[DocCell] = []
    for code, kind in ENGINEER_COLUMNS:
        if code == "appraised_engineer":
            cells.append(labels.group(GroupBy.ENGINEER, row.engineer_id))
        elif code in ("response_mean", "resolution_mean"):
            cells.append((row.response if code == "response_mean" else row.resolution).mean)
        elif code == "rework_count":
            cells.append(row.reworks)
        elif kind is K.RATE:
            cells.append(_judged(code, getattr(row, code), goals, _exact(row, code)))
        else:
            cells.append(getattr(row, code))
    return tuple(cells)


def _total_cells(total: KpiRow, labels: ReportLabels, goals: KpiGoals) -> tuple[DocCell, ...]:
    """The desk's total, each ticket once. Its first repairs are its resolved tickets: each resolved
    ticket's first repair is someone's (the rows' ``first_repairs`` add up to it), and the desk's first-time
    fix rate is ``first_time_fixed`` over them — the count beside the rate, as every other rate shows."""
    c = total.counts
    counts: dict[str, DocCell] = {
        "appraised_engineer": labels.text("report.meta.total"), "tickets": c.tickets, "resolved": c.resolved,
        "first_repairs": c.resolved, "first_time_fixed": c.first_time_fixed, "rated": c.rated,
        "satisfied": c.satisfied, "response_mean": total.response.mean,
        "resolution_mean": total.resolution.mean,
    }  # fmt: skip
    cells: list[DocCell] = []
    for code, kind in ENGINEER_COLUMNS:
        if code in counts:
            cells.append(counts[code])
        elif kind is K.RATE:
            cells.append(_judged(code, getattr(total, code), goals, total))
        else:
            cells.append(getattr(total, code))
    return tuple(cells)


def engineer_document(report: EngineerKpiReport, labels: ReportLabels, goals: KpiGoals) -> ReportDocument:
    """The page of ``report`` in ``labels``' locale: a row per engineer and the desk's total, each rate
    with a goal in ``goals`` judged pass/fail; a period without tickets says so."""
    clocks = (report.response_clock, report.resolution_clock)  # the dues' clocks (clock_notes)
    cols = tuple(clock_column(c, k, labels, *clocks) for c, k in ENGINEER_COLUMNS)
    rows = tuple(_engineer_cells(r, labels, goals) for r in report.rows)
    table = ReportTable(
        "engineers", labels.title("engineers"), cols, rows, _total_cells(report.total, labels, goals)
    )
    meta = ((labels.text("report.meta.period"), period_text(report.period, labels)),)
    clock = clock_note(*clocks, report.targets, labels)
    notes = [labels.text("report.note.engineer_credit"), clock or labels.text("report.note.working_time")]
    if not report.rows:
        notes.insert(0, labels.text("report.note.empty"))
    return ReportDocument(
        "engineers", labels.title("engineers"), labels, meta, datetime.now(UTC), (table,), (), tuple(notes)
    )
