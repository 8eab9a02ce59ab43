"""The resolved calls that found no fault (故障不属实), per group, for the KPI report.

Seed 002's 叫修处理流程 asks on site whether the reported fault is real (故障是否属实); a visit that finds
it is not closes the call without a repair. The KPI report counts the tickets received in its period,
and this count is of those same tickets: resolved, their finding no fault
(:mod:`aftersales.ports.no_fault_counts`), so it qualifies the row's resolved count and never exceeds it.
"""

from __future__ import annotations

from aftersales.ports.no_fault_counts import RESOLVED_NO_FAULT_QUERY
from aftersales.ports.reporting import GroupBy, Period, ReportingQueries

__all__ = ["no_fault_resolved"]


def no_fault_resolved(queries: ReportingQueries, period: Period, group: GroupBy) -> dict[str, int] | None:
    """The tickets received in ``period``, resolved, whose finding was no fault, per group key of
    ``group``; ``None`` when ``queries`` (a host's, written before this was asked of it) cannot tell: the
    report then says it does not know, not that there were none."""
    read = getattr(queries, RESOLVED_NO_FAULT_QUERY, None)
    if read is None:
        return None
    counts: dict[str, int] = read(period, group)
    return counts
