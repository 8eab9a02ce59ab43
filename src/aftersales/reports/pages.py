"""Build a :class:`ReportDocument` from a computed report: labelled tables, charts, targets, notes.

:func:`document_for` accepts a KPI report, a fault Pareto, a KPI trend (optionally with a fault
trend), an SLA breach report, a dealer monthly summary, the monthly feedback or the engineers' appraisal
(:mod:`aftersales.reports.engineer_page`); every word comes from
the catalogs of the ``labels``' locale, group keys become names, and each KPI rate with a goal carries
its pass/fail.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from aftersales.errors import ValidationError
from aftersales.ports.reporting import GroupBy
from aftersales.reports.charts import bar_chart, hbar_chart, line_chart, pareto_chart
from aftersales.reports.clock_notes import clock_column, clock_note
from aftersales.reports.dealer_monthly import DealerMonthlySummary
from aftersales.reports.document import (
    Chart,
    Column,
    ColumnKind,
    DocCell,
    Judged,
    ReportDocument,
    ReportTable,
)
from aftersales.reports.engineer_kpi import EngineerKpiReport
from aftersales.reports.engineer_page import engineer_document
from aftersales.reports.faults import FaultTrend, ParetoReport
from aftersales.reports.feedback_page import feedback_tables
from aftersales.reports.kpi import KpiReport, KpiRow, KpiTargets
from aftersales.reports.labels import ReportLabels
from aftersales.reports.monthly_feedback import MonthlyFeedback
from aftersales.reports.period_words import period_text
from aftersales.reports.sla import SlaCell, SlaReport
from aftersales.reports.targets import GOAL_RATES, KpiGoals, kpi_goals
from aftersales.reports.trend import KpiTrend

__all__ = ["KPI_COLUMNS", "document_for"]

K = ColumnKind
KPI_COLUMNS: tuple[tuple[str, ColumnKind], ...] = (
    ("group", K.TEXT), ("tickets", K.COUNT), ("resolution_rate", K.RATE), ("no_fault_found", K.COUNT),
    ("satisfaction_rate", K.RATE),
    ("mean_satisfaction", K.NUMBER), ("mean_attitude", K.NUMBER), ("response_on_time_rate", K.RATE),
    ("resolution_on_time_rate", K.RATE), ("first_time_fix_rate", K.RATE), ("rework_count", K.COUNT),
    ("complaint_resolution_rate", K.RATE), ("callback_on_time_rate", K.RATE), ("response_mean", K.DURATION),
    ("response_p90", K.DURATION), ("resolution_mean", K.DURATION), ("resolution_p90", K.DURATION),
    ("cost_per_ticket", K.MONEY), ("over_budget", K.FLAG),
)  # fmt: skip
"""The KPI table's columns (codes and kinds); the cost columns are left out when no costs were given.

``no_fault_found`` sits beside the resolution rate it qualifies (seed 002 叫修处理流程 故障是否属实 → 否: of
the resolved, how many found no fault); until session 33 the row held it but no export showed it."""

_CHART_RATES = ("response_on_time_rate", "resolution_on_time_rate", "satisfaction_rate")


def _kpi_value(row: KpiRow, code: str, labels: ReportLabels, group: GroupBy, goals: KpiGoals) -> DocCell:
    if code == "group":
        return labels.group(group, row.group)
    if code == "tickets":
        return row.counts.tickets
    if code in ("response_mean", "response_p90", "resolution_mean", "resolution_p90"):
        stats = row.response if code.startswith("response") else row.resolution
        return stats.mean if code.endswith("mean") else stats.p90
    value: DocCell = getattr(row, code)
    if code in GOAL_RATES:
        goal = goals.goal(code)
        if goal is not None:
            return Judged(value, goal, goals.passed(code, row))  # type: ignore[arg-type]
    return value


def _fallback_note(targets: KpiTargets, labels: ReportLabels) -> str:
    return labels.text(
        "report.target.fallback",
        response=labels.working_hours(targets.response),
        resolution=labels.working_hours(targets.resolution),
    )


def _duration_notes(report: KpiReport, labels: ReportLabels) -> tuple[str, ...]:
    """What the durations count and the fallback targets: working time, or clock hours for the times to
    resolve under seed 002's dealer contract (:func:`~aftersales.reports.kpi.resolution_clock`)."""
    note = clock_note(report.response_clock, report.resolution_clock, report.targets, labels)
    if note is not None:
        return (note,)
    targets = report.targets
    return _fallback_note(targets, labels), labels.text("report.note.working_time")


def _kpi(report: KpiReport, labels: ReportLabels, goals: KpiGoals, trend: KpiTrend | None) -> ReportDocument:
    every = (*report.rows, report.total)
    costs = any(r.cost_per_ticket is not None or r.over_budget is not None for r in every)
    columns = [(c, k) for c, k in KPI_COLUMNS if costs or c not in ("cost_per_ticket", "over_budget")]
    clocks = (report.response_clock, report.resolution_clock)  # the dues' clocks (clock_notes)
    cols = tuple(clock_column(c, k, labels, *clocks) for c, k in columns)

    def row(r: KpiRow, group: GroupBy) -> tuple[DocCell, ...]:
        return tuple(_kpi_value(r, c, labels, group, goals) for c, _ in columns)

    table = ReportTable(
        "kpi", labels.title("kpi"), cols, tuple(row(r, report.group) for r in report.rows),
        row(report.total, GroupBy.ALL),
    )  # fmt: skip
    goal_rows = tuple(
        (labels.column(rate), goal, getattr(report.total, rate), _verdict(goals, rate, report.total, labels))
        for rate, goal in goals.items()
    )
    tables = [table]
    if goal_rows:
        tables.append(
            ReportTable(
                "targets", labels.text("report.target.heading"),
                (Column("kpi", labels.text("report.target.kpi")),
                 Column("goal", labels.text("report.target.goal_column"), K.RATE),
                 Column("value", labels.text("report.target.actual"), K.RATE),
                 Column("verdict", labels.text("report.target.verdict"))),
                goal_rows,
            )
        )  # fmt: skip
    charts: list[Chart] = []
    if report.rows:
        title = labels.text(
            "report.chart.dealer_comparison"
            if report.group in (GroupBy.DEALER, GroupBy.SERVING_DEALER)
            else "report.chart.group_comparison"
        )
        names = [labels.group(report.group, r.group) for r in report.rows]
        series = [(labels.column(c), [getattr(r, c) for r in report.rows]) for c in _CHART_RATES]
        svg = hbar_chart(labels, names, series, title=title, x_label=labels.text("report.axis.rate"))
        charts.append(Chart("comparison", title, svg))
    if trend is not None:
        charts.append(_trend_chart(trend, labels))
    meta = (
        (labels.text("report.meta.period"), period_text(report.period, labels)),
        (labels.text("report.meta.group"), labels.text(f"report.group_by.{report.group.value}")),
    )
    notes = _duration_notes(report, labels)
    return ReportDocument(
        "kpi", labels.title("kpi"), labels, meta, _now(), tuple(tables), tuple(charts), notes
    )


def _verdict(goals: KpiGoals, rate: str, row: KpiRow, labels: ReportLabels) -> str:
    passed = goals.passed(rate, row)
    if passed is None:
        return "–"
    return labels.text("report.target.pass" if passed else "report.target.fail")


def _now() -> datetime:
    return datetime.now(UTC)


def _pareto(report: ParetoReport, labels: ReportLabels, top: int | None) -> ReportDocument:
    items = report.items if top is None else report.items[:top]
    names = [labels.dimension_value(report.dimension, i.key) for i in items]
    dim_label = labels.text(f"report.dimension.{report.dimension.value}")
    cols = (
        Column("key", dim_label), Column("count", labels.column("count"), K.COUNT),
        Column("share", labels.column("share"), K.RATE),
        Column("cumulative_share", labels.column("cumulative_share"), K.RATE),
        Column("vital", labels.column("vital"), K.FLAG),
    )  # fmt: skip
    rows = tuple(
        (n, i.count, i.share, i.cumulative_share, i.vital) for n, i in zip(names, items, strict=True)
    )
    total = (labels.text("report.meta.total"), report.total, Decimal(1) if report.total else None, None, None)
    table = ReportTable("faults", labels.title("faults"), cols, rows, total)
    title = labels.text("report.chart.pareto")
    svg = pareto_chart(
        labels, names, [i.count for i in items], [i.cumulative_share for i in items],
        title=title, x_label=dim_label, y_label=labels.text("report.axis.count"),
        y2_label=labels.text("report.axis.share"), line_label=labels.text("report.chart.line_80"),
        bar_label=labels.column("count"), cumulative_label=labels.text("report.chart.cumulative"),
    )  # fmt: skip
    meta = (
        (labels.text("report.meta.period"), period_text(report.period, labels)),
        (labels.text("report.meta.dimension"), dim_label),
    )
    notes = (labels.text("report.note.vital"),) if items else (labels.text("report.note.empty"),)
    return ReportDocument(
        "faults",
        labels.title("faults"),
        labels,
        meta,
        _now(),
        (table,),
        (Chart("pareto", title, svg),),
        notes,
    )


def _trend_chart(trend: KpiTrend, labels: ReportLabels) -> Chart:
    title = labels.text("report.chart.kpi_trend")
    series = [(labels.column(c), [getattr(r, c) for r in trend.rows]) for c in _CHART_RATES]
    svg = line_chart(labels, [labels.month(m) for m in trend.months], series, title=title,
                     x_label=labels.text("report.axis.month"), y_label=labels.text("report.axis.rate"),
                     code="kpi_trend")  # fmt: skip
    return Chart("kpi_trend", title, svg)


def _trend(
    trend: KpiTrend, faults: FaultTrend | None, labels: ReportLabels, goals: KpiGoals
) -> ReportDocument:
    codes = [(c, k) for c, k in KPI_COLUMNS if c not in ("group", "cost_per_ticket", "over_budget")]
    cols = (Column("month", labels.column("month")), *tuple(Column(c, labels.column(c), k) for c, k in codes))
    rows = tuple(
        (labels.month(m), *(_kpi_value(r, c, labels, GroupBy.ALL, goals) for c, _ in codes))
        for m, r in zip(trend.months, trend.rows, strict=True)
    )
    tables = [ReportTable("trend", labels.title("trend"), cols, rows)]
    charts = [_trend_chart(trend, labels)]
    if faults is not None:
        field = {"symptom": "symptom", "cause": "cause"}.get(faults.dimension.name.lower())
        keys = sorted(faults.series, key=lambda k: (-sum(faults.series[k]), k))

        def name(k: str) -> str:
            return labels.fault(field, k) if field else labels.name(k)

        dim = labels.text(f"report.dimension.{faults.dimension.value}")
        fcols = (Column("key", dim), *(Column(m, labels.month(m), K.COUNT) for m in faults.months))
        tables.append(ReportTable("fault_trend", labels.text("report.chart.fault_trend"), fcols,
                                  tuple((name(k), *faults.series[k]) for k in keys)))  # fmt: skip
        shown = keys[:6]
        series = [(name(k), list(faults.series[k])) for k in shown]
        rest = keys[6:]
        if rest:
            other = [sum(faults.series[k][i] for k in rest) for i in range(len(faults.months))]
            series.append(("…", other))
        title = labels.text("report.chart.fault_trend")
        months = [labels.month(m) for m in faults.months]
        svg = bar_chart(labels, months, series, title=title, x_label=labels.text("report.axis.month"),
                        y_label=labels.text("report.axis.count"), code="fault_trend")  # fmt: skip
        charts.append(Chart("fault_trend", title, svg))
    first, last = labels.month(trend.months[0]), labels.month(trend.months[-1])
    meta = ((labels.text("report.meta.period"), labels.text("report.period", start=first, end=last)),)
    notes = (_fallback_note(trend.targets, labels), labels.text("report.note.working_time"))
    return ReportDocument(
        "trend", labels.title("trend"), labels, meta, _now(), tuple(tables), tuple(charts), notes
    )


def _week_label(week: str, labels: ReportLabels) -> str:
    year, number = week.split("-W")
    return labels.text("report.week", year=year, week=str(int(number)))


def _sla(report: SlaReport, labels: ReportLabels) -> ReportDocument:
    codes = ("due", "response_breached", "resolution_breached", "open_breached", "breach_rate")
    cols = (
        Column("week", labels.column("week")),
        Column("priority", labels.column("priority")),
        *(Column(c, labels.column(c), K.RATE if c == "breach_rate" else K.COUNT) for c in codes),
    )

    def cells(c: SlaCell) -> tuple[DocCell, ...]:
        return (c.due, c.response_breached, c.resolution_breached, c.open_breached, c.breach_rate)

    rows = tuple(
        (_week_label(w, labels), labels.priority(p), *cells(report.cell(w, p)))
        for w in report.weeks
        for p in report.priorities
        if (w, p) in report.cells
    )
    total = (labels.text("report.meta.total"), "", *cells(report.total))
    table = ReportTable("sla", labels.title("sla"), cols, rows, total)
    title = labels.text("report.chart.sla_weeks")
    weeks = [_week_label(w, labels) for w in report.weeks]
    series = [
        (labels.priority(p), [report.cell(w, p).breached for w in report.weeks]) for p in report.priorities
    ]
    svg = bar_chart(labels, weeks, series, title=title, x_label=labels.text("report.axis.week"),
                    y_label=labels.text("report.axis.breaches"), code="sla_weeks")  # fmt: skip
    meta = (
        (labels.text("report.meta.period"), period_text(report.period, labels)),
        (labels.text("report.meta.as_of"), labels.datetime(report.as_of)),
    )
    return ReportDocument(
        "sla", labels.title("sla"), labels, meta, _now(), (table,), (Chart("sla_weeks", title, svg),)
    )


def _dealers(summary: DealerMonthlySummary, labels: ReportLabels, kpis: KpiReport | None,
             goals: KpiGoals) -> ReportDocument:  # fmt: skip
    codes = ("dealer", "installations", "repairs", "reported_installations", "reported_repairs", "status")
    cols = tuple(Column(c, labels.column(c), K.TEXT if c in ("dealer", "status") else K.COUNT) for c in codes)
    rows = tuple(
        (
            labels.group(GroupBy.DEALER, r.dealer_id), r.installations, r.repairs,
            r.submitted.installations if r.submitted else None, r.submitted.repairs if r.submitted else None,
            labels.text(f"report_status.{r.status.value}"),
        )
        for r in summary.rows
    )  # fmt: skip
    direct = (summary.direct_installations, summary.direct_repairs)
    if any(direct):  # the maker's own jobs (no report owed): the total is the month's whole figure
        rows += ((labels.maker_completions(), *direct, None, None, ""),)
    total = (labels.text("report.meta.total"), sum(r.installations for r in summary.rows) + direct[0],
             sum(r.repairs for r in summary.rows) + direct[1], None, None, "")  # fmt: skip
    tables = [ReportTable("dealers", labels.title("dealers"), cols, rows, total)]
    charts: tuple[Chart, ...] = ()
    if kpis is not None:
        kdoc = _kpi(kpis, labels, goals, None)
        tables.extend(kdoc.tables)
        charts = kdoc.charts
    meta = (
        (labels.text("report.column.month"), labels.month(summary.month)),
        (labels.text("report.meta.as_of"), labels.datetime(summary.as_of)),
    )
    return ReportDocument("dealers", labels.title("dealers"), labels, meta, _now(), tuple(tables), charts)


def _feedback(
    report: MonthlyFeedback, labels: ReportLabels, goals: KpiGoals, top: int | None
) -> ReportDocument:
    """The monthly feedback (seed 004 第五条 1(6)): its own tables, then the month's KPIs (judged against
    ``goals``) and its faults by cause, laid out as their own pages lay them out."""
    tables = feedback_tables(report, labels)
    charts: list[Chart] = []
    if report.kpi is not None:
        tables.extend(_kpi(report.kpi, labels, goals, None).tables)
    causes = _pareto(report.causes, labels, top)
    tables.extend(causes.tables)
    charts.extend(causes.charts)
    meta = (
        (labels.text("report.column.month"), labels.month(report.month)),
        (labels.text("report.meta.period"), period_text(report.period, labels)),
    )
    return ReportDocument(
        "feedback", labels.title("feedback"), labels, meta, _now(), tuple(tables), tuple(charts)
    )


_OPTIONS_OF: tuple[tuple[type, frozenset[str]], ...] = (
    (KpiReport, frozenset({"goals", "pack", "trend"})),
    (ParetoReport, frozenset({"top"})),
    (KpiTrend, frozenset({"goals", "pack", "faults"})),
    (SlaReport, frozenset()),
    (DealerMonthlySummary, frozenset({"goals", "pack", "kpis"})),
    (MonthlyFeedback, frozenset({"goals", "pack", "top"})),
    (EngineerKpiReport, frozenset({"goals", "pack"})),
)
"""The options each report uses (``generated_at`` aside, which every one does)."""

_OPTION_TYPES: dict[str, type] = {"trend": KpiTrend, "faults": FaultTrend, "kpis": KpiReport}


def _check_options(report: object, given: dict[str, object]) -> None:
    """Refuse an option the report does not use (it would be dropped without a word: ``faults=`` on a
    KPI page, ``goals=`` on a Pareto) or one of the wrong type (a ``trend`` that is no KpiTrend failed
    deep in the page with an AttributeError)."""
    used = next((names for kind, names in _OPTIONS_OF if isinstance(report, kind)), None)
    if used is None:
        raise ValidationError(f"cannot render {type(report).__name__}", field="report")
    for name, value in given.items():
        if value is None:
            continue
        if name not in used:
            takers = [kind.__name__ for kind, names in _OPTIONS_OF if name in names]
            raise ValidationError(
                f"{name} is an option of {' and '.join(takers)}, not of {type(report).__name__}", field=name
            )
        wanted = _OPTION_TYPES.get(name)
        if wanted is not None and not isinstance(value, wanted):
            raise ValidationError(
                f"{name} must be a {wanted.__name__}, got {type(value).__name__}", field=name
            )


def document_for(
    report: object,
    labels: ReportLabels,
    *,
    goals: KpiGoals | None = None,
    pack: str | None = None,
    generated_at: datetime | None = None,
    trend: KpiTrend | None = None,
    faults: FaultTrend | None = None,
    kpis: KpiReport | None = None,
    top: int | None = None,
) -> ReportDocument:
    """The document of ``report`` in ``labels``' locale.

    ``goals`` (or the goals of ``pack``; default: none) marks each KPI rate pass/fail; ``trend``
    adds the monthly KPI chart to a KPI page; ``faults`` adds the fault trend to a trend page;
    ``kpis`` (per dealer) adds the dealer comparison to the dealer page; ``top`` keeps the first
    items of a Pareto. ``generated_at`` defaults to now.
    """
    if isinstance(report, ReportDocument):
        return report
    _check_options(
        report, {"goals": goals, "pack": pack, "trend": trend, "faults": faults, "kpis": kpis, "top": top}
    )
    if pack is not None:
        if goals is not None:
            raise ValidationError("pass goals or pack, not both", field="goals")
        goals = kpi_goals(pack)
    goals = goals if goals is not None else KpiGoals()
    if not isinstance(goals, KpiGoals):
        raise ValidationError("goals must be KpiGoals", field="goals")
    if top is not None and (not isinstance(top, int) or isinstance(top, bool) or top < 1):
        raise ValidationError("top is a positive number of items", field="top")
    doc: ReportDocument
    if isinstance(report, KpiReport):
        doc = _kpi(report, labels, goals, trend)
    elif isinstance(report, ParetoReport):
        doc = _pareto(report, labels, top)
    elif isinstance(report, KpiTrend):
        doc = _trend(report, faults, labels, goals)
    elif isinstance(report, SlaReport):
        doc = _sla(report, labels)
    elif isinstance(report, DealerMonthlySummary):
        doc = _dealers(report, labels, kpis, goals)
    elif isinstance(report, MonthlyFeedback):
        doc = _feedback(report, labels, goals, top)
    elif isinstance(report, EngineerKpiReport):
        doc = engineer_document(report, labels, goals)
    else:
        raise ValidationError(f"cannot render {type(report).__name__}", field="report")
    if generated_at is not None:
        from aftersales.domain.instants import require_aware

        require_aware(generated_at, "generated_at")
        return ReportDocument(doc.kind, doc.title, doc.labels, doc.meta, generated_at, doc.tables, doc.charts,
                              doc.notes)  # fmt: skip
    return doc
