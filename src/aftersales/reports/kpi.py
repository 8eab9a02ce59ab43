"""Service KPIs for a period (seed 003: 客户满意度, 响应速度, 问题解决率…), overall and per group.

Everything countable is one aggregate query (:meth:`ReportingQueries.ticket_counts`); response and
resolution times are measured in working time with the :class:`BusinessCalendar` passed in, from a
few integers per ticket (:meth:`ReportingQueries.timings`). A ticket counts in the period it was
received in. Rates are fractions (``Decimal``, 4 places, rounded half up as every share a report shows:
:mod:`aftersales.reports.rounding`) and ``None`` when nothing was measured.

The 4 places are for display: whether a rate meets its goal is judged on the exact fraction
(:meth:`KpiRow.exact`, a :class:`~fractions.Fraction` of the row's own counts), so 8 999 of 10 000
(89.99 %) misses a 90 % goal however the figure is rounded. A cost per ticket is over the budget when
the exact total exceeds budget × tickets, not when its rounding to fen does.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import compress
from operator import sub
from typing import Any

import attrs

from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.call_shape import host_factories
from aftersales.domain.instants import micros, require_aware
from aftersales.domain.money import Money
from aftersales.domain.typed_init import refused_typed
from aftersales.domain.validation import LONGEST_DURATION, enum_code
from aftersales.errors import ConfigurationError, CurrencyMismatch, ValidationError
from aftersales.policies.fees_currency import fees_currency
from aftersales.ports.reporting import ALL, GroupBy, Period, ReportingQueries, TicketCounts, TimingColumns
from aftersales.ports.unit_of_work import reader_of
from aftersales.reports.kpi_clock import response_clock
from aftersales.reports.money import pack_budget_per_ticket, stored_costs
from aftersales.reports.no_fault import no_fault_resolved
from aftersales.reports.rounding import rate
from aftersales.reports.sources import KpiDesk, read_at

__all__ = [
    "CostTotals",
    "DurationStats",
    "KpiReport",
    "KpiRow",
    "KpiTargets",
    "exact_rate",
    "kpi_report",
    "pack_kpi_report",
    "pauses_on_parts",
    "rate",
    "resolution_clock",
    "scoped_kpi_report",
]

_CENT = Decimal("0.01")


def exact_rate(part: int, whole: int) -> Fraction | None:
    """``part / whole`` exactly (what a goal is judged on), or ``None`` when ``whole`` is 0."""
    if whole <= 0:
        return None
    return Fraction(part, whole)


_MICROSECOND = timedelta(microseconds=1)


def pauses_on_parts(sla: Any) -> bool:
    """Whether the pack's SLA policy (``desk.policies.sla``; ``None``: the default) pauses the clocks while
    awaiting parts (``pause_on_parts``); awaiting the customer always pauses them."""
    if sla is None:
        return False
    value = getattr(getattr(sla, "params", None), "pause_on_parts", None)
    if not isinstance(value, bool):
        raise ValidationError("sla must be the pack's SLA policy (desk.policies.sla)", field="sla")
    return value


def resolution_clock(sla: Any) -> str:
    """How the KPI counts the time to resolve under the pack's SLA policy (``desk.policies.sla``):
    ``"wall"`` under seed 002's dealer contract (分工 6: 乙方接到用户的叫修…后,必须保证在24小时之内给用户解决
    问题 — hours of the clock, as its due and breach count them: a repair done 23 wall-clock hours after
    the call met the contract, and its time to resolve reads 23 hours, not the 5 working hours in them),
    else ``"working"`` (working time on the desk's calendar)."""
    if sla is None:
        return "working"
    value = getattr(getattr(sla, "params", None), "dealer_contract", None)
    if not isinstance(value, bool):
        raise ValidationError("sla must be the pack's SLA policy (desk.policies.sla)", field="sla")
    return "wall" if value else "working"


def _positive_duration(instance: object, attribute: attrs.Attribute[timedelta], value: object) -> None:
    # At most the library's longest duration, as every other duration a host sets (session 39): a
    # target of timedelta.max was taken, and no ticket without a stored due time was ever late.
    if not isinstance(value, timedelta) or not timedelta(0) < value <= LONGEST_DURATION:
        raise ValidationError(
            f"{attribute.name} is a target of some working time (a positive timedelta of at most 100 "
            f"years), got {value!r:.40}",
            field=attribute.name,
        )


def _score(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
        raise ValidationError(
            f"{attribute.name} is a rating of the 1-5 scale (4: a 4 or a 5 is satisfied), got {value!r:.40}",
            field=attribute.name,
            rule="whole_number",
            rule_params={"least": 1, "most": 5},
        )


@refused_typed
@attrs.frozen
class KpiTargets:
    """Targets for tickets without stored due times, in working time; and what counts as satisfied.

    Defaults follow seed 002: repairs solved within 24 hours (48 at most); first response within 2
    working hours; a rating of 4 or 5 out of 5 is satisfied. A target of no time, or a threshold off
    the survey's 1-5 scale, would make every rate meaningless: ``ValidationError`` naming it.
    """

    response: timedelta = attrs.field(default=timedelta(hours=2), validator=_positive_duration)
    resolution: timedelta = attrs.field(default=timedelta(hours=24), validator=_positive_duration)
    satisfied_at: int = attrs.field(default=4, validator=_score)


@host_factories
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

    @classmethod
    def of_us(cls, values: list[int]) -> DurationStats:
        """:meth:`of` durations given in integer microseconds (the same statistics, no timedelta each)."""
        if not values:
            return cls(0, None, None)
        ordered = sorted(values)
        mean = timedelta(microseconds=round(sum(ordered) / len(ordered)))
        return cls(len(ordered), mean, timedelta(microseconds=ordered[math.ceil(0.9 * len(ordered)) - 1]))


@attrs.frozen
class CostTotals:
    """Service cost of a group of tickets (materials, labour, travel), in one currency."""

    materials: Money
    labour: Money
    travel: Money
    tickets: int | None = None
    """The tickets this cost was spent on (those with a slip or a free issue, as
    :attr:`~aftersales.reports.money.MonthMoney.cost_per_ticket` counts them), when known: a row's cost per
    ticket is spread over them, else over the group's tickets."""

    @property
    def total(self) -> Money:
        """Materials + labour + travel."""
        return self.materials + self.labour + self.travel

    def per_ticket(self, tickets: int) -> Money | None:
        """The total spread over ``tickets`` (rounded to minor units), or ``None`` for none."""
        if tickets <= 0:
            return None
        return Money(self.total.amount / tickets, self.total.currency)

    def over(self, budget: Money, tickets: int) -> bool | None:
        """Whether the exact cost per ticket exceeds ``budget`` (total > budget × tickets); ``None``
        for no tickets. Judged before rounding: 100.00 over 3 tickets (33.333…) is over 33.33."""
        total = self.total
        if total.currency != budget.currency:
            raise CurrencyMismatch(total.currency, budget.currency)
        if tickets <= 0:
            return None
        return total.amount > budget.amount * tickets


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
    response_met: int = 0
    """Responses that met their target (the numerator of :attr:`response_on_time_rate`)."""
    resolution_met: int = 0
    """Resolutions that met their target (the numerator of :attr:`resolution_on_time_rate`)."""
    response_missed: int = 0
    """Tickets never answered whose response clock ran past the due time (still running at the report's
    instant, or stopped after it by a cancellation or the work marked done, as the SLA stops it): late,
    in the denominator of :attr:`response_on_time_rate` beside the measured ones."""
    resolution_missed: int = 0
    """Tickets not resolved whose resolution clock ran past the due time (still running at the report's
    instant, or cancelled or closed unaccepted after it): late, in the denominator of
    :attr:`resolution_on_time_rate`."""
    mean_attitude: Decimal | None = None
    """The mean evaluation (1-5) of the team's service attitude the callbacks recorded, beside
    :attr:`mean_satisfaction` (seed 001 三(七)2-3: the survey asks the result's satisfaction and the
    attitude, and the specialist analyses why customers are dissatisfied); ``None`` when none was."""
    no_fault_found: int | None = 0
    """Of the group's resolved tickets (received in the period, as every figure of the row), those whose
    visit found the reported fault not real (seed 002 叫修处理流程: 故障是否属实 → 否;
    :mod:`aftersales.ports.no_fault_counts`), beside :attr:`resolution_rate`: such a call is handled — the
    customer accepted the visit's finding — and counts resolved there, though no problem was solved; this
    count says how many of the resolved were so (never more than ``counts.resolved``). Session 33: it
    counted the period's completions, whenever the tickets came in. ``None`` when the reporting queries
    given cannot count them (a host's of an older release)."""

    def exact(self, name: str) -> Fraction | None:
        """The exact value of the rate or mean called ``name`` (``None`` where nothing was measured).

        What a goal is judged on: the displayed rates are rounded to 4 places, ``mean_satisfaction``
        to 2; this is the same quotient of the row's counts without rounding.
        """
        c = self.counts
        parts: dict[str, tuple[int, int]] = {
            "satisfaction_rate": (c.satisfied, c.rated),
            "mean_satisfaction": (c.satisfaction_sum, c.rated),
            "mean_attitude": (c.attitude_sum, c.attitude_rated),
            "resolution_rate": (c.resolved, c.tickets - c.cancelled),
            "response_on_time_rate": (self.response_met, self.response.count + self.response_missed),
            "resolution_on_time_rate": (self.resolution_met, self.resolution.count + self.resolution_missed),
            "first_time_fix_rate": (c.first_time_fixed, c.resolved),
            "complaint_resolution_rate": (c.complaints_resolved, c.complaints - c.complaints_cancelled),
            "callback_on_time_rate": (c.callbacks_on_time, c.callbacks_due - c.callbacks_pending),
        }
        if name not in parts:
            raise ValidationError(f"no exact value for {name!r}: use one of {', '.join(parts)}", field="name")
        return exact_rate(*parts[name])


@attrs.frozen
class KpiReport:
    """KPIs of a period: one row per group (sorted by key) and the total."""

    period: Period
    group: GroupBy
    rows: tuple[KpiRow, ...]
    total: KpiRow
    targets: KpiTargets
    budget_per_ticket: Money | None
    resolution_clock: str = "working"
    """How the times to resolve (and the fallback resolution target) are counted
    (:func:`resolution_clock`): ``working`` time on the calendar, or ``wall`` clock hours."""
    response_clock: str = "working"
    """How the times to first response (and the fallback response target) are counted
    (:func:`~aftersales.reports.kpi_clock.response_clock`): the clock the pack's response dues count on."""


def _sum_counts(counts: Iterable[TicketCounts]) -> TicketCounts:
    names = [a.name for a in attrs.fields(TicketCounts)]
    sums = dict.fromkeys(names, 0)
    for c in counts:
        for name in names:
            sums[name] += getattr(c, name)
    return TicketCounts(**sums)


class _Measured:
    """Working durations (integer µs) of one group, how many met their target, and how many were due by
    the report's instant and never came (missed: late by definition)."""

    __slots__ = (
        "resolution",
        "resolution_missed",
        "resolution_on_time",
        "response",
        "response_missed",
        "response_on_time",
    )

    def __init__(
        self,
        response: list[int] | None = None,
        response_on_time: int = 0,
        resolution: list[int] | None = None,
        resolution_on_time: int = 0,
        response_missed: int = 0,
        resolution_missed: int = 0,
    ) -> None:
        self.response: list[int] = response if response is not None else []
        self.resolution: list[int] = resolution if resolution is not None else []
        self.response_on_time = response_on_time
        self.resolution_on_time = resolution_on_time
        self.response_missed = response_missed
        self.resolution_missed = resolution_missed


class _Durations:
    """One measured column (response or resolution) over all tickets: the working duration of each
    ticket measured, whether it met its target, and its group key; and the group of each ticket that
    never got it although its clock ran past the due time (stopped after it, or still running at the
    report's instant)."""

    __slots__ = ("groups", "missed", "on_time", "took")

    def __init__(
        self,
        done_us: Sequence[int | None],
        due_us: Sequence[int | None],
        received: list[int],
        columns: TimingColumns,
        calendar: BusinessCalendar,
        target: int,
        as_of: tuple[int, int],
        stops_us: Sequence[int | None],
        paused_us: Sequence[int | None] = (),
        wall: bool = False,
    ) -> None:
        # Missed: never done, its clock stopped (cancelled; for a response also the work marked done) or
        # still running at ``as_of``, after the due time: the stored one, else the fallback target in
        # working time. 响应及时率 is the share of problems answered in time; one never answered whose
        # clock ran past the due time was not answered in time, as the SLA counts it breached. A ticket
        # waiting in a pausing state (awaiting the customer) has its clock standing since the wait began:
        # it is judged there, as the live SLA judges it (paused, not breached unless it ran out before).
        as_of_us, as_of_offset = as_of
        unmet = [i for i, done in enumerate(done_us) if done is None]
        stops: list[int | None] = list(map(stops_us.__getitem__, unmet)) if stops_us else [None] * len(unmet)
        # Where each unmet clock stopped running: where it stopped, else where its current pause began
        # when that is before as_of; None while it still runs (inline: a call a ticket cost 5 % of a month)
        if paused_us:
            pauses = map(paused_us.__getitem__, unmet)
            ends = [
                s if s is not None else (p if p is not None and p < as_of_us else None)
                for s, p in zip(stops, pauses, strict=True)
            ]
        else:
            ends = stops
        dues = list(map(due_us.__getitem__, unmet))
        # Working-time offsets of the stops judged by the fallback target alone (no stored due), in the
        # loop's order: each ticket takes its own (a stop with a due took none, and the next one's).
        fallback = [e for e, due in zip(ends, dues, strict=True) if due is None and e is not None]
        # On the wall clock (``wall``: ``received`` and ``as_of`` are plain instants too) an instant is its
        # own offset.
        stop_offsets: Iterator[int] = iter(
            fallback if wall else calendar.offsets_us(fallback) if fallback else []
        )
        self.missed: list[str] = []
        for i, end, due in zip(unmet, ends, dues, strict=True):
            if due is not None:
                late = (end if end is not None else as_of_us) > due
            else:  # the fallback target, in working time from the receipt
                late = (next(stop_offsets) if end is not None else as_of_offset) - received[i] > target
            if late:
                self.missed.append(columns.group[i])
        positions = [i for i, done in enumerate(done_us) if done is not None]
        done = [done_us[i] for i in positions]
        offsets = done if wall else calendar.offsets_us(done)  # type: ignore[arg-type]
        self.groups = list(map(columns.group.__getitem__, positions))
        self.took: list[int] = list(map(sub, offsets, map(received.__getitem__, positions)))
        # Met: done by the stored due time; without one, within the fallback target in working time.
        self.on_time = [
            at <= due if due is not None else took <= target  # type: ignore[operator]
            for at, due, took in zip(done, map(due_us.__getitem__, positions), self.took, strict=True)
        ]

    def by_group(self) -> tuple[dict[str, list[int]], Counter[str], Counter[str]]:
        """Each group's durations, on-time count and missed count."""
        took: defaultdict[str, list[int]] = defaultdict(list)
        for key, value in zip(self.groups, self.took, strict=True):
            took[key].append(value)
        return took, Counter(compress(self.groups, self.on_time)), Counter(self.missed)


def _measure(
    columns: TimingColumns,
    calendar: BusinessCalendar,
    targets: KpiTargets,
    as_of_us: int,
    pause_on_parts: bool = False,
    wall_resolution: bool = False,
    wall_response: bool = False,
) -> tuple[dict[str, _Measured], _Measured]:
    """Each group's measurements, and the whole period's.

    Every instant becomes a working-time offset once, in three ``offsets_us`` calls over integer
    columns (no datetime, no object per ticket); a duration is a difference of two. The total is
    measured on the whole columns and each group's durations are collected in one pass: no ticket
    is measured twice.
    """
    received = calendar.offsets_us(columns.received_us)
    c = columns
    as_of = (as_of_us, calendar.offsets_us([as_of_us])[0])
    paused = c.paused_parts_us if pause_on_parts else c.paused_us

    def durations(
        done: Sequence[int | None],
        due: Sequence[int | None],
        target: timedelta,
        stop: Sequence[int | None],
        wall: bool,
    ) -> _Durations:
        # On the clock an instant is its own offset (seed 001 五(一)1's [X]小时: kpi_clock.response_clock;
        # seed 002's 24 hours: resolution_clock).
        starts, now = (list(c.received_us), (as_of_us, as_of_us)) if wall else (received, as_of)
        return _Durations(
            done, due, starts, c, calendar, target // _MICROSECOND, now, stop, paused, wall=wall
        )

    response = durations(
        c.first_response_us, c.response_due_us, targets.response, c.response_stop_us, wall_response
    )
    resolution = durations(
        c.resolved_us, c.resolution_due_us, targets.resolution, c.resolution_stop_us, wall_resolution
    )
    response_took, response_on_time, response_missed = response.by_group()
    resolution_took, resolution_on_time, resolution_missed = resolution.by_group()
    measured = {
        key: _Measured(
            response_took.get(key),
            response_on_time[key],
            resolution_took.get(key),
            resolution_on_time[key],
            response_missed[key],
            resolution_missed[key],
        )
        for key in set(columns.group)
    }
    whole = _Measured(
        response.took,
        sum(response.on_time),
        resolution.took,
        sum(resolution.on_time),
        len(response.missed),
        len(resolution.missed),
    )
    return measured, whole


def _row(
    group: str,
    c: TicketCounts,
    m: _Measured,
    cost: CostTotals | None,
    budget: Money | None,
) -> KpiRow:
    # One rule with the money report: the cost over the tickets it was spent on, when the cost says
    spread = c.tickets if cost is None or cost.tickets is None else cost.tickets
    per_ticket = cost.per_ticket(spread) if cost is not None else None
    return KpiRow(
        group=group,
        counts=c,
        satisfaction_rate=rate(c.satisfied, c.rated),
        mean_satisfaction=(Decimal(c.satisfaction_sum) / c.rated).quantize(Decimal("0.01"))
        if c.rated
        else None,
        resolution_rate=rate(c.resolved, c.tickets - c.cancelled),
        response_on_time_rate=rate(m.response_on_time, len(m.response) + m.response_missed),
        resolution_on_time_rate=rate(m.resolution_on_time, len(m.resolution) + m.resolution_missed),
        first_time_fix_rate=rate(c.first_time_fixed, c.resolved),
        rework_count=c.rework_events,
        complaint_resolution_rate=rate(c.complaints_resolved, c.complaints - c.complaints_cancelled),
        callback_on_time_rate=rate(c.callbacks_on_time, c.callbacks_due - c.callbacks_pending),
        response=DurationStats.of_us(m.response),
        resolution=DurationStats.of_us(m.resolution),
        cost=cost,
        cost_per_ticket=per_ticket,
        over_budget=cost.over(budget, spread) if cost is not None and budget is not None else None,
        response_met=m.response_on_time,
        resolution_met=m.resolution_on_time,
        response_missed=m.response_missed,
        resolution_missed=m.resolution_missed,
        mean_attitude=(Decimal(c.attitude_sum) / c.attitude_rated).quantize(Decimal("0.01"))
        if c.attitude_rated
        else None,
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
    fees: Any = None,
    as_of: datetime | None = None,
    sla: Any = None,
) -> KpiReport:
    """The KPIs of tickets received in ``period``, per ``group`` and in total.

    The on-time rates count, beside the responses and resolutions measured, those never given although
    their clock ran past the due time — stopped after it, or still running at ``as_of`` (default the
    period's end; pass the instant the report is read: the tickets are read as they are now, resolved
    since the period's end or not, so one still unresolved past its due time must count late beside
    them): a ticket nobody answered is not answered in time. A response clock stops unmet at a
    cancellation or when the work is marked done, a resolution clock at a cancellation (or the closing
    of a resolved ticket unaccepted, its customer's data erased), as the SLA stops them. A ticket
    waiting in a state that pauses its clocks (awaiting the customer; awaiting parts too when the pack's
    SLA policy, passed as ``sla`` — ``desk.policies.sla`` —, says ``pause_on_parts``) is
    judged where the wait began, as its own SLA status is: paused, it is late only if its clock ran out
    before.
    A callback not yet due at ``as_of`` and not made is not counted against the callback rate, and
    cancelled or withdrawn complaints are not in the complaint resolution rate (as cancelled tickets are
    not in the resolution rate).

    ``costs`` (per group key, plus ``"all"`` for the total if you have it) come from the charge
    sheets; each row compares its cost per ticket with ``budget_per_ticket`` (seed 000: 费用预算).
    Given a unit of work's ``documents`` instead, the total's cost is read from the stored fee slips and
    free issues of the period's months (:func:`aftersales.reports.money.slip_cost_totals`); given the
    pack's ``fees`` policy, the budget per ticket is the pack's ``fees.budget_per_ticket``.
    """
    if not isinstance(period, Period):
        raise ValidationError("period is a Period (or month_period('2026-03'))", field="period")
    if costs is not None and (
        not isinstance(costs, Mapping) or not all(isinstance(c, CostTotals) for c in costs.values())
    ):
        raise ValidationError("costs map group keys to CostTotals", field="costs")
    if costs is None and documents is not None:
        costs = {ALL: stored_costs(documents, period, currency)}
    if budget_per_ticket is None and fees is not None:
        budget_per_ticket = pack_budget_per_ticket(fees)
    if not isinstance(calendar, BusinessCalendar):
        raise ValidationError("a KPI report measures working time: pass a BusinessCalendar", field="calendar")
    # Checked before the store is asked: a bad argument is a typed error naming it, never a store's
    # ValueError or TypeError (seed 001 六(二): the indicators are read every month).
    group = enum_code(GroupBy, group, "group")
    if not isinstance(targets, KpiTargets):
        raise ValidationError("targets must be KpiTargets", field="targets")
    if as_of is not None:
        require_aware(as_of, "as_of")
    if as_of is None:  # the store counts as of the period's end (a host's queries may not take as_of)
        counts = queries.ticket_counts(period, group, satisfied_at=targets.satisfied_at)
    else:
        counts = queries.ticket_counts(period, group, satisfied_at=targets.satisfied_at, as_of=as_of)
    until = period.end_us if as_of is None else micros(require_aware(as_of, "as_of"))
    clock = resolution_clock(sla)
    answer = response_clock(sla)
    measured, whole = _measure(
        queries.timing_columns(period, group), calendar, targets, until, pauses_on_parts(sla),
        clock == "wall", answer == "wall",
    )  # fmt: skip
    costs = costs or {}
    no_fault = no_fault_resolved(queries, period, group)
    rows = tuple(
        attrs.evolve(
            _row(key, counts[key], measured.get(key, _Measured()), costs.get(key), budget_per_ticket),
            no_fault_found=None if no_fault is None else no_fault.get(key, 0),
        )
        for key in sorted(counts)
    )
    if group is GroupBy.ALL:
        total = rows[0] if rows else _row(ALL, TicketCounts(), _Measured(), costs.get(ALL), budget_per_ticket)
        total = attrs.evolve(total, no_fault_found=None if no_fault is None else no_fault.get(ALL, 0))
        rows = ()
    else:
        total_cost = costs.get(ALL)
        if total_cost is None and costs:
            values = list(costs.values())
            total_cost = CostTotals(
                Money.total([v.materials for v in values], values[0].materials.currency),
                Money.total([v.labour for v in values], values[0].labour.currency),
                Money.total([v.travel for v in values], values[0].travel.currency),
                # the groups' tickets are distinct: their sum, when every group's is known
                None if any(v.tickets is None for v in values) else sum(v.tickets or 0 for v in values),
            )
        total = _row(ALL, _sum_counts(counts.values()), whole, total_cost, budget_per_ticket)
        total = attrs.evolve(total, no_fault_found=None if no_fault is None else sum(no_fault.values()))
    return KpiReport(period, group, rows, total, targets, budget_per_ticket, clock, answer)


def pack_kpi_report(
    desk: KpiDesk,
    queries: ReportingQueries,
    period: Period,
    *,
    group: GroupBy = GroupBy.ALL,
    targets: KpiTargets = KpiTargets(),
    as_of: datetime | None = None,
) -> KpiReport:
    """:func:`kpi_report` as ``desk``'s pack sets it, judging nobody (a host's batch job, the CLI): the
    desk's calendar and SLA policy, the cost per ticket from the stored fee slips against the pack's
    ``[fees] budget_per_ticket`` in its currency (seed 000: 费用预算), read at ``as_of`` (default: the
    desk's clock, as every report read through a desk: :func:`~aftersales.reports.sources.read_at`).
    People read :func:`scoped_kpi_report`."""
    as_of = read_at(desk, as_of)
    fees = desk.policies.fees
    currency = fees_currency(fees)
    with reader_of(desk.store) as uow:  # reads only: no write lock
        return kpi_report(
            queries, period, desk.calendar, group=group, targets=targets, as_of=as_of,
            documents=uow.documents, fees=fees, currency=currency, sla=desk.policies.sla,
        )  # fmt: skip


def scoped_kpi_report(
    desk: KpiDesk,
    actor: object,
    queries: ReportingQueries,
    period: Period,
    *,
    group: GroupBy = GroupBy.ALL,
    targets: KpiTargets = KpiTargets(),
    as_of: datetime | None = None,
) -> KpiReport:
    """:func:`kpi_report` as ``actor`` may read it through ``desk`` (``queries``: the desk store's, e.g.
    ``aftersales.adapters.reporting.reporting_for(desk.store)``), with the desk's calendar, SLA and fees.

    Whoever the permission table lets read the KPI report (``desk.reports.kpi_scope``, judged before any
    figure is read): the heads and the auditor read every group, with the period's costs against the
    pack's budget per ticket; dealer staff read their own dealer's total only (the jobs it did, as
    :attr:`GroupBy.SERVING_DEALER` groups them: the row the maker judges it by, seed 002 分工 12; no
    costs: the maker's slips are not theirs), so ``group`` other than ``ALL`` is a ``ValidationError`` for
    them. Session 30: they read their customers' calls (:attr:`GroupBy.DEALER`), so a call the maker's
    engineer repaired or the office solved by phone weighed on the dealer's own figures. Others are
    ``PermissionDenied``. A desk without a working calendar is a ``ConfigurationError`` (the KPIs measure
    working time).

    Read at ``as_of``, by default the desk's clock (session 38: it was the period's end, so the current
    month judged a call not yet due as late — the ledger and ``desk.sla`` said it was running — and a
    past month left out the calls still unanswered past their due time).
    """
    dealer = desk.reports.kpi_scope(actor)
    as_of = read_at(desk, as_of)
    group = enum_code(GroupBy, group, "group")
    calendar = desk.calendar
    if calendar is None:
        raise ConfigurationError(
            "the KPI report measures working time: the desk has no calendar", key="calendar"
        )
    if dealer is None:
        return pack_kpi_report(desk, queries, period, group=group, targets=targets, as_of=as_of)
    if group is not GroupBy.ALL:
        raise ValidationError(
            f"dealer staff read their own dealer's KPIs as one total: group must be 'all', "
            f"not {group.value!r}",
            field="group",
        )
    by_dealer = kpi_report(
        queries, period, calendar, group=GroupBy.SERVING_DEALER, targets=targets, as_of=as_of,
        sla=desk.policies.sla,
    )  # fmt: skip
    own = next((row for row in by_dealer.rows if row.group == dealer), None)
    if own is None:  # no job of its in the period
        own = _row(dealer, TicketCounts(), _Measured(), None, None)
    return KpiReport(
        period, GroupBy.ALL, (), own, targets, None, by_dealer.resolution_clock, by_dealer.response_clock
    )
