"""The calls a period closed with no fault found (故障不属实), per group, for the KPI report.

Seed 002's 叫修处理流程 asks on site whether the reported fault is real (故障是否属实); a visit that finds
it is not closes the call without a repair. The stores keep each completion with the category it counts
under (:func:`~aftersales.ports.reporting.completion_facts`), and such a completion's is
:data:`~aftersales.domain.no_fault.NO_FAULT_FOUND`: one read of the completions the stores already index.
"""

from __future__ import annotations

from aftersales.domain.no_fault import NO_FAULT_FOUND
from aftersales.ports.reporting import GroupBy, Period, ReportingQueries

__all__ = ["no_fault_completions"]


def no_fault_completions(queries: ReportingQueries, period: Period, group: GroupBy) -> dict[str, int] | None:
    """The completions in ``period`` whose finding was no fault, per group key of ``group``; ``None``
    when ``queries`` (a host's, written before completions were asked of it) cannot tell: the report
    then says it does not know, not that there were none."""
    read = getattr(queries, "completed_category_counts", None)
    if read is None:
        return None
    counts: dict[tuple[str, str], int] = read(period, group)
    return {key: n for (key, category), n in counts.items() if category == NO_FAULT_FOUND}
