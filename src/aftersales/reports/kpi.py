"""Service KPIs for a period (seed 003: 客户满意度, 响应速度, 问题解决率…), overall and per group.

Everything countable is one aggregate query (:meth:`ReportingQueries.ticket_counts`); response and
resolution times are measured in working time with the :class:`BusinessCalendar` passed in, from a
few integers per ticket (:meth:`ReportingQueries.timings`). A ticket counts in the period it was
received in. Rates are fractions (``Decimal``, 4 places) and ``None`` when nothing was measured.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import attrs

from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.money import Money
from aftersales.errors import ValidationError
from aftersales.ports.reporting import ALL, GroupBy, Period, ReportingQueries, TicketCounts, TicketTiming
from aftersales.reports.money import stored_costs

__all__ = ["CostTotals", "DurationStats", "KpiReport", "KpiRow", "KpiTargets", "kpi_report", "rate"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_PLACES = Decimal("0.0001")
_CENT = Decimal("0.01")


def rate(part: int, whole: int) -> Decimal | None:
    """``part / whole`` to 4 places, or ``None`` when ``whole`` is 0."""
    if whole <= 0:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(_PLACES)


def _at(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


@attrs.frozen
class KpiTargets:
    """Targets for tickets without stored due times, in working time; and what counts as satisfied.

    Defaults follow seed 002: repairs solved within 24 hours (48 at most); first response within 2
    working hours; a rating of 4 or 5 out of 5 is satisfied.
    """

    response: timedelta = timedelta(hours=2)
    resolution: timedelta = timedelta(hours=24)
    satisfied_at: int = 4


@attrs.frozen
class DurationStats:
    """Mean and 90th percentile (nearest rank) of measured working durations."""

    count: int
    mean: timedelta | None
    p90: timedelta | None

    @classmethod
    def of(cls, values: list[timedelta]) -> DurationStats:
        """Statistics of ``values`` (any order)."""
        if not values:
            return cls(0, None, None)
        ordered = sorted(values)
        total = sum(ordered, timedelta())
        mean = timedelta(microseconds=round(total / timedelta(microseconds=1) / len(ordered)))
        return cls(len(ordered), mean, ordered[math.ceil(0.9 * len(ordered)) - 1])


@attrs.frozen
class CostTotals:
    """Service cost of a group of tickets (materials, labour, travel), in one currency."""

    materials: Money
    labour: Money
    travel: Money

    @property
    def total(self) -> Money:
        """Materials + labour + travel."""
        return self.materials + self.labour + self.travel

    def per_ticket(self, tickets: int) -> Money | None:
        """The total spread over ``tickets`` (rounded to minor units), or ``None`` for none."""
        if tickets <= 0:
            return None
        return Money(self.total.amount / tickets, self.total.currency)


@attrs.frozen
class KpiRow:
    """The KPIs of one group (a dealer, an engineer, a product, a region, or ``all``)."""

    group: str
    counts: TicketCounts
    satisfaction_rate: Decimal | None
    mean_satisfaction: Decimal | None
    resolution_rate: Decimal | None
    response_on_time_rate: Decimal | None
    resolution_on_time_rate: Decimal | None
    first_time_fix_rate: Decimal | None
    rework_count: int
    complaint_resolution_rate: Decimal | None
    callback_on_time_rate: Decimal | None
    response: DurationStats
    resolution: DurationStats
    cost: CostTotals | None = None
    cost_per_ticket: Money | None = None
    over_budget: bool | None = None


@attrs.frozen
class KpiReport:
    """KPIs of a period: one row per group (sorted by key) and the total."""

    period: Period
    group: GroupBy
    rows: tuple[KpiRow, ...]
    total: KpiRow
    targets: KpiTargets
    budget_per_ticket: Money | None


def _sum_counts(counts: Iterable[TicketCounts]) -> TicketCounts:
    names = [a.name for a in attrs.fields(TicketCounts)]
    sums = dict.fromkeys(names, 0)
    for c in counts:
        for name in names:
            sums[name] += getattr(c, name)
    return TicketCounts(**sums)


class _Measured:
    __slots__ = ("resolution", "resolution_on_time", "response", "response_on_time")

    def __init__(self) -> None:
        self.response: list[timedelta] = []
        self.resolution: list[timedelta] = []
        self.response_on_time = 0
        self.resolution_on_time = 0

    def add(self, t: TicketTiming, calendar: BusinessCalendar, targets: KpiTargets) -> None:
        received = _at(t.received_us)
        if t.first_response_us is not None:
            took = calendar.between(received, _at(t.first_response_us))
            self.response.append(took)
            due = t.response_due_us
            self.response_on_time += (
                (t.first_response_us <= due) if due is not None else took <= targets.response
            )
        if t.resolved_us is not None:
            took = calendar.between(received, _at(t.resolved_us))
            self.resolution.append(took)
            due = t.resolution_due_us
            self.resolution_on_time += (
                (t.resolved_us <= due) if due is not None else took <= targets.resolution
            )


def _row(
    group: str,
    c: TicketCounts,
    m: _Measured,
    cost: CostTotals | None,
    budget: Money | None,
) -> KpiRow:
    per_ticket = cost.per_ticket(c.tickets) if cost is not None else None
    return KpiRow(
        group=group,
        counts=c,
        satisfaction_rate=rate(c.satisfied, c.rated),
        mean_satisfaction=(Decimal(c.satisfaction_sum) / c.rated).quantize(Decimal("0.01"))
        if c.rated
        else None,
        resolution_rate=rate(c.resolved, c.tickets - c.cancelled),
        response_on_time_rate=rate(m.response_on_time, len(m.response)),
        resolution_on_time_rate=rate(m.resolution_on_time, len(m.resolution)),
        first_time_fix_rate=rate(c.first_time_fixed, c.resolved),
        rework_count=c.rework_events,
        complaint_resolution_rate=rate(c.complaints_resolved, c.complaints),
        callback_on_time_rate=rate(c.callbacks_on_time, c.callbacks_due),
        response=DurationStats.of(m.response),
        resolution=DurationStats.of(m.resolution),
        cost=cost,
        cost_per_ticket=per_ticket,
        over_budget=(per_ticket > budget) if per_ticket is not None and budget is not None else None,
    )


def kpi_report(
    queries: ReportingQueries,
    period: Period,
    calendar: BusinessCalendar,
    *,
    group: GroupBy = GroupBy.ALL,
    targets: KpiTargets = KpiTargets(),
    costs: Mapping[str, CostTotals] | None = None,
    budget_per_ticket: Money | None = None,
    documents: Any = None,
    currency: str = "CNY",
) -> KpiReport:
    """The KPIs of tickets received in ``period``, per ``group`` and in total.

    ``costs`` (per group key, plus ``"all"`` for the total if you have it) come from the charge
    sheets; each row compares its cost per ticket with ``budget_per_ticket`` (seed 000: 费用预算).
    Given a unit of work's ``documents`` instead, the total's cost is read from the stored fee slips and
    free issues of the period's months (:func:`aftersales.reports.money.slip_cost_totals`).
    """
    if costs is None and documents is not None:
        costs = {ALL: stored_costs(documents, period, currency)}
    if not isinstance(calendar, BusinessCalendar):
        raise ValidationError("a KPI report measures working time: pass a BusinessCalendar", field="calendar")
    group = GroupBy(group)
    counts = queries.ticket_counts(period, group, satisfied_at=targets.satisfied_at)
    measured: dict[str, _Measured] = {}
    whole = _Measured()
    for timing in queries.timings(period, group):
        measured.setdefault(timing.group, _Measured()).add(timing, calendar, targets)
        if group is not GroupBy.ALL:
            whole.add(timing, calendar, targets)
    costs = costs or {}
    rows = tuple(
        _row(key, counts[key], measured.get(key, _Measured()), costs.get(key), budget_per_ticket)
        for key in sorted(counts)
    )
    if group is GroupBy.ALL:
        total = rows[0] if rows else _row(ALL, TicketCounts(), _Measured(), costs.get(ALL), budget_per_ticket)
        rows = ()
    else:
        total_cost = costs.get(ALL)
        if total_cost is None and costs:
            values = list(costs.values())
            total_cost = CostTotals(
                Money.total([v.materials for v in values], values[0].materials.currency),
                Money.total([v.labour for v in values], values[0].labour.currency),
                Money.total([v.travel for v in values], values[0].travel.currency),
            )
        total = _row(ALL, _sum_counts(counts.values()), whole, total_cost, budget_per_ticket)
    return KpiReport(period, group, rows, total, targets, budget_per_ticket)
