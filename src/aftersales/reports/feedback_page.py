"""The page of the monthly feedback (seed 004 第五条 1(6)): its tables in the reader's words.

:func:`aftersales.reports.pages.document_for` calls :func:`feedback_tables` for a
:class:`~aftersales.reports.monthly_feedback.MonthlyFeedback` and adds the KPI and cause tables the
other pages already lay out, so each figure is shown one way everywhere.
"""

from __future__ import annotations

from typing import Protocol

from aftersales.reports.document import Column, ColumnKind, DocCell, ReportTable
from aftersales.reports.labels import FAULT_FIELDS, ReportLabels
from aftersales.reports.monthly_feedback import MonthlyFeedback

__all__ = ["HEADLINE", "feedback_tables"]

K = ColumnKind

HEADLINE = (
    "incidents", "problems", "complaints", "major_complaints", "callbacks", "low_scores", "unsatisfied",
    "grievances", "units_sold",
)  # fmt: skip
"""The headline figures, in the order the page and the monthly notice give them."""


def _table(
    code: str,
    labels: ReportLabels,
    columns: tuple[tuple[str, ColumnKind], ...],
    rows: list[tuple[DocCell, ...]],
) -> ReportTable:
    cols = tuple(Column(c, labels.column(c), k) for c, k in columns)
    return ReportTable(code, labels.text(f"report.feedback.{code}"), cols, tuple(rows))


def _problem(problem: str, dimension: str | None, labels: ReportLabels) -> str:
    """A batch incident's problem in words: a symptom or cause code as the faults report labels it (a
    line without its dimension, as written)."""
    if dimension in FAULT_FIELDS:
        return labels.fault(dimension, problem)
    return problem


def _phase(code: str, labels: ReportLabels) -> str:
    """A warranty phase in words; ``unknown`` when no unit or no phase could be judged."""
    return labels.text("report.feedback.phase_unknown" if code == "unknown" else f"warranty_phase.{code}")


class _Said(Protocol):
    """What a callback line of the facts says of grievances (reports do not import the service)."""

    @property
    def grievances(self) -> tuple[str, ...]: ...

    @property
    def other_complaints(self) -> str: ...


def _grievances(line: _Said, labels: ReportLabels) -> str:
    """The grievances said at a callback in the reader's words; another grievance in the customer's own."""
    said = [
        line.other_complaints.strip() if g == "other_complaints" and line.other_complaints.strip()
        else labels.text(f"grievances.{g}")
        for g in line.grievances
    ]  # fmt: skip
    return labels.text("report.separator.sentences").join(said)  # "；" in Chinese, "; " in English


def feedback_tables(report: MonthlyFeedback, labels: ReportLabels) -> list[ReportTable]:
    """The headline, quality (incidents, problems by phase), opinions (complaints, callbacks) and sales
    tables of ``report``; a table with no rows is kept, so the reader sees that nothing happened."""
    facts = report.facts
    # The notice's figures, and the not-satisfied callbacks the page lists (the notice's words predate them).
    figures = {**facts.headline(), "unsatisfied": facts.unsatisfied}
    headline = _table(
        # "number", not the Pareto's "count" (its words read "faults"): the figures count incidents,
        # complaints, callbacks and units sold.
        "headline", labels, (("figure", K.TEXT), ("number", K.COUNT)),
        [(labels.text(f"report.feedback.figure.{name}"), figures[name]) for name in HEADLINE],
    )  # fmt: skip
    incidents = _table(
        "incidents", labels,
        (("id", K.TEXT), ("batch", K.TEXT), ("product", K.TEXT), ("problem", K.TEXT), ("units", K.COUNT),
         ("state", K.TEXT)),
        [(i.incident_id, i.batch, labels.name(i.product_id), _problem(i.problem, i.dimension, labels),
          i.units, labels.state(i.state, "quality_incident"))
         for i in facts.incidents],
    )  # fmt: skip
    phases = _table(
        "phases", labels,
        (("phase", K.TEXT), ("problems", K.COUNT), ("fault_recorded", K.COUNT), ("design_hazards", K.COUNT),
         ("reports_missing", K.COUNT), ("symptom", K.TEXT)),
        [(_phase(p.phase, labels), p.problems, p.fault_recorded, p.design_hazards,
          p.reports_missing,
          labels.text("report.separator.items").join(labels.fault("symptom", s) for s, _ in p.symptoms[:3]))
         for p in facts.phases.phases],
    )  # fmt: skip
    complaints = _table(
        "complaints", labels,
        (("id", K.TEXT), ("received_at", K.DATETIME), ("severity", K.TEXT), ("state", K.TEXT),
         ("product", K.TEXT), ("outcome", K.TEXT), ("registered_late", K.FLAG)),
        [(c.complaint_id, c.received_at, labels.text(f"complaint_severity.{c.severity.value}"),
          labels.state(c.state, "complaint"), c.product, c.outcome, c.late) for c in facts.complaints],
    )  # fmt: skip
    opinions = _table(
        "opinions", labels,
        (("id", K.TEXT), ("received_at", K.DATETIME), ("score", K.COUNT), ("attitude", K.COUNT),
         ("low_score", K.FLAG), ("unsatisfied", K.FLAG), ("problem_back", K.FLAG), ("grievances", K.TEXT),
         ("comment", K.TEXT)),
        [(o.ticket_id, o.at, o.score, o.attitude, o.low, o.unsatisfied, o.problem_back,
          _grievances(o, labels), o.comment)
         for o in facts.opinions],
    )  # fmt: skip
    sold = _table(
        "sold", labels, (("product", K.TEXT), ("units", K.COUNT)),
        [(labels.name(s.product_id), s.units) for s in facts.sold],
    )  # fmt: skip
    return [headline, incidents, phases, complaints, opinions, sold]
