"""The service centre's monthly feedback to the general manager (seed 004 第五条 1(6)), as a report.

"负责收集、建全产品销售信息及外部质量信息及用户意见，每月反馈给总经理及相关部门". :func:`monthly_feedback`
puts together, for one month, what the desk already reads — nothing is counted anew here:

- the service centre's facts (``desk.feedback.facts``: quality incidents, problems found by warranty
  phase, complaints, callbacks with an opinion, units sold), judged by the one permission table's
  ``monthly_feedback`` before anything is read;
- the month's KPIs as the desk's pack sets them (:func:`~aftersales.reports.kpi.pack_kpi_report`;
  ``None`` on a desk without a working calendar: they measure working time);
- the month's faults by cause (:func:`~aftersales.reports.faults.fault_pareto`), the quality analysis.

:func:`aftersales.reports.pages.document_for` makes its page (text, Markdown, CSV, HTML, XLSX), and
``aftersales report feedback --month YYYY-MM`` prints it. The ``monthly_feedback`` job sends its
headline figures to the general manager and the related departments each month.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any, Protocol, runtime_checkable

import attrs

from aftersales.domain.text import checked_month
from aftersales.errors import ValidationError
from aftersales.ports.reporting import FaultDimension, Period, ReportingQueries
from aftersales.reports.faults import ParetoReport, fault_pareto
from aftersales.reports.kpi import KpiReport, pack_kpi_report
from aftersales.reports.sources import KpiDesk

__all__ = ["FeedbackDesk", "FeedbackReader", "MonthlyFeedback", "monthly_feedback"]


@runtime_checkable
class FeedbackReader(Protocol):
    """The desk's gathering of a month's feedback (``ServiceDesk.feedback``), judged by the one
    permission table: it refuses whoever may not read it, and a malformed month."""

    def facts(self, actor: Any, month: str) -> Any:
        """The month's feedback facts as ``actor`` may read them."""
        ...


@runtime_checkable
class FeedbackDesk(KpiDesk, Protocol):
    """A desk whose monthly feedback an actor reads: its KPIs' sources and its feedback."""

    @property
    def feedback(self) -> FeedbackReader:
        """The desk's monthly feedback."""
        ...

    @property
    def zone(self) -> Any:
        """The desk's local zone (the month's days are its days)."""
        ...


@attrs.frozen
class MonthlyFeedback:
    """The month's feedback: the service centre's facts, the KPIs (``None`` without a working calendar)
    and the faults by cause."""

    month: str
    period: Period
    facts: Any
    """The desk's facts (:class:`aftersales.service.monthly_feedback.FeedbackFacts`)."""
    kpi: KpiReport | None
    causes: ParetoReport


def monthly_feedback(
    desk: FeedbackDesk,
    actor: object,
    queries: ReportingQueries,
    month: str,
    *,
    as_of: datetime | None = None,
) -> MonthlyFeedback:
    """The feedback of ``month`` (``YYYY-MM``) as ``actor`` may read it through ``desk`` (``queries``:
    the desk store's, ``aftersales.adapters.reporting.reporting_for(desk.store)``).

    Whoever the permission table's ``monthly_feedback`` does not list is ``PermissionDenied`` before any
    figure is read; a malformed month is a ``ValidationError`` naming ``month``. ``as_of`` is the instant
    the KPIs judge clocks still running at (default: the month's end).
    """
    if not isinstance(desk, FeedbackDesk):
        raise ValidationError("desk is a ServiceDesk (its feedback, store and calendar)", field="desk")
    checked_month(month)
    facts = desk.feedback.facts(actor, month)
    zone = desk.zone
    period = Period(datetime.combine(facts.start, time(), zone), datetime.combine(facts.end, time(), zone))
    kpi = pack_kpi_report(desk, queries, period, as_of=as_of) if desk.calendar is not None else None
    causes = fault_pareto(queries, period, FaultDimension.CAUSE)
    return MonthlyFeedback(month, period, facts, kpi, causes)
