"""Which of a period's resolved tickets closed with no fault found (故障不属实), as the KPI report counts.

Seed 002's 叫修处理流程 asks on site whether the reported fault is real (故障是否属实); a visit that finds
it is not closes the call without a repair. The KPI report shows how many of a group's resolved calls were
so beside its 问题解决率, and every figure of that report counts the tickets received in its period (seed
003's KPIs; :mod:`aftersales.reports.kpi`): so this count is of the same tickets — received in the period,
resolved now (the resolution rate's numerator), whose resolution's finding was no fault — and never exceeds
the resolved count it qualifies. (Until session 33 it counted the completions in the period, whenever the
tickets were received: a call of March closed in April counted in April's no-fault figure and March's
resolved ones.) A dealer's month still counts completions by the month they happened in (分工 10): that is
its own period, :meth:`~aftersales.ports.reporting.ReportingQueries.completed_category_counts`.

The stores answer ``resolved_no_fault_counts(period, group) -> dict[str, int]`` (per group key, as
``ticket_counts`` keys them); a host's reporting queries without it make the report say it does not know.
"""

from __future__ import annotations

from aftersales.domain.no_fault import NO_FAULT_FOUND
from aftersales.domain.ticket import Ticket
from aftersales.ports.reporting import completion_facts

__all__ = ["RESOLVED_NO_FAULT_QUERY", "resolved_without_fault"]

RESOLVED_NO_FAULT_QUERY = "resolved_no_fault_counts"
"""The name of the optional reporting query (hosts' queries written before it lack it)."""


def resolved_without_fault(ticket: Ticket) -> bool:
    """``ticket`` is resolved and its current resolution was completed under :data:`NO_FAULT_FOUND` (the
    last fault record by then found the reported fault not real): the category the store keeps with that
    completion (:func:`~aftersales.ports.reporting.completion_facts`), so every store reads the same."""
    if ticket.resolved_at is None:
        return False
    done = completion_facts(ticket)
    return bool(done) and done[-1][2] == NO_FAULT_FOUND
