"""Each engineer's KPIs for the appraisal, indicator by indicator (seed 003 三 2; seed 001 六 考核).

Seed 003 appraises the service staff on 客户满意度、响应速度、问题解决率、服务规范性 and ties the result
to pay and promotion; seed 001 六 appraises them monthly. The KPI report grouped by assignee
(:attr:`~aftersales.ports.reporting.GroupBy.ENGINEER`) is the workload of whoever holds each ticket now: it
gave a junior's late response, or the repair the senior had to redo, to the senior. Here each indicator
of a ticket counts for the engineer whose work it judges (:mod:`aftersales.reports.engineer_credit`), and
:meth:`EngineerKpiReport.tickets` lists, per engineer and indicator, the tickets behind each figure (the
drill-down): every figure of a row is counted from those lists, so the two always agree.

The judgements are the KPI report's own: each ticket is measured by :func:`~aftersales.reports.kpi.kpi_report`
(its response and resolution against the judged due times, paused where the SLA pauses, missed when the
clock ran past the due unanswered), only the crediting is new. The total is the desk's, each ticket once
(the same as :func:`~aftersales.reports.kpi.kpi_report` of the whole period); the rows need not add up
to it (a reworked ticket is in the junior's first-time fix and the senior's resolution). The callback
rate (the agents' calls) and the complaint resolution rate are the centre's, in the total only; a complaint
ticket counts in its holder's row like any ticket (usually nobody's: ``""``). Service conduct is
:func:`~aftersales.reports.conduct.service_conduct`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast

import attrs

from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.instants import micros, require_aware
from aftersales.domain.ticket import Ticket
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.ports.no_fault_counts import resolved_without_fault
from aftersales.ports.queries import TicketFilter
from aftersales.ports.reporting import (
    ALL,
    GroupBy,
    Period,
    ReportingQueries,
    TicketCounts,
    TicketFacts,
    TimingColumns,
    count_facts,
    counts_as_call,
    ticket_facts,
    ticket_timing,
    timing_columns,
)
from aftersales.ports.repositories import every_ticket
from aftersales.ports.unit_of_work import StoreFactory, reader_of
from aftersales.reports.engineer_credit import Credit, credit_of
from aftersales.reports.kpi import DurationStats, KpiRow, KpiTargets, kpi_report
from aftersales.reports.rounding import rate
from aftersales.reports.sources import ReportDesk, read_at

__all__ = ["EngineerKpiReport", "EngineerKpiRow", "EngineerTickets", "engineer_kpis", "scoped_engineer_kpis"]

_TARGETS = KpiTargets()
_MICRO = timedelta(microseconds=1)
_NAMES = (
    "tickets", "resolved", "cancelled", "response_met", "response_late", "response_missed",
    "resolution_met", "resolution_late", "resolution_missed", "first_repairs", "first_time_fixed",
    "reworks", "rated", "satisfied", "attitude_rated",
)  # fmt: skip


@attrs.frozen
class EngineerTickets:
    """The drill-down of one engineer: the tickets behind each figure of its row, by indicator."""

    engineer_id: str
    tickets: tuple[str, ...] = ()
    """Tickets whose outcome it holds (resolved by it, or with it now): the resolution rate's."""
    resolved: tuple[str, ...] = ()
    cancelled: tuple[str, ...] = ()
    response_met: tuple[str, ...] = ()
    """Answered in time while it held them."""
    response_late: tuple[str, ...] = ()
    """Answered late, the due time having passed while it held them."""
    response_missed: tuple[str, ...] = ()
    """Never answered, the due time having passed while it held them."""
    resolution_met: tuple[str, ...] = ()
    resolution_late: tuple[str, ...] = ()
    resolution_missed: tuple[str, ...] = ()
    first_repairs: tuple[str, ...] = ()
    """Resolved tickets whose first repair was its."""
    first_time_fixed: tuple[str, ...] = ()
    """Of those, fixed the first time (no rework, at most one visit)."""
    reworks: tuple[str, ...] = ()
    """One entry per rework that sent its work back (a ticket twice when sent back twice)."""
    rated: tuple[str, ...] = ()
    """Tickets scored at a callback made while it held them."""
    satisfied: tuple[str, ...] = ()
    attitude_rated: tuple[str, ...] = ()


@attrs.frozen
class EngineerKpiRow:
    """One engineer's appraisal figures, each counted from :class:`EngineerTickets`."""

    engineer_id: str
    tickets: int
    resolved: int
    cancelled: int
    resolution_rate: Decimal | None
    response: DurationStats
    response_met: int
    response_missed: int
    response_on_time_rate: Decimal | None
    resolution: DurationStats
    resolution_met: int
    resolution_missed: int
    resolution_on_time_rate: Decimal | None
    first_repairs: int
    first_time_fixed: int
    first_time_fix_rate: Decimal | None
    reworks: int
    rated: int
    satisfied: int
    satisfaction_rate: Decimal | None
    mean_satisfaction: Decimal | None
    attitude_rated: int
    mean_attitude: Decimal | None


@attrs.frozen
class EngineerKpiReport:
    """The period's appraisal: a row per engineer (sorted by id), the desk's total (each ticket once) and
    the drill-down behind each row."""

    period: Period
    rows: tuple[EngineerKpiRow, ...]
    total: KpiRow
    targets: KpiTargets
    drill_down: Mapping[str, EngineerTickets]
    response_clock: str = "working"
    """The clock the times to first response are counted on (``KpiReport.response_clock``)."""
    resolution_clock: str = "working"
    """The clock the times to resolve are counted on (``KpiReport.resolution_clock``)."""

    def tickets(self, engineer_id: str) -> EngineerTickets:
        """The tickets behind ``engineer_id``'s figures (none for an engineer without any)."""
        if not isinstance(engineer_id, str):
            raise ValidationError("engineer_id is an assignee's id (text)", field="engineer_id")
        return self.drill_down.get(engineer_id, EngineerTickets(engineer_id))


class _Period:
    """The queries :func:`kpi_report` asks, over the period's tickets read once; by ``ENGINEER`` each
    ticket is its own group (its id), so every ticket's measurements come back apart."""

    def __init__(self, tickets: list[Ticket]) -> None:
        self._facts = [(t, ticket_facts(t)) for t in tickets]

    def _keyed(self, group: GroupBy) -> Iterator[tuple[Ticket, TicketFacts]]:
        for ticket, facts in self._facts:
            key = ticket.id if group is GroupBy.ENGINEER else ALL
            yield ticket, attrs.evolve(facts, assignee_id=key)

    def facts(self) -> dict[str, TicketFacts]:
        return {t.id: f for t, f in self._facts}

    def ticket_counts(
        self, period: Period, group: GroupBy, *, satisfied_at: int = 4, as_of: datetime | None = None
    ) -> dict[str, TicketCounts]:
        until = period.end_us if as_of is None else micros(require_aware(as_of, "as_of"))
        rows = (f for _, f in self._keyed(group))
        return count_facts(rows, group, satisfied_at, until)

    def timing_columns(self, period: Period, group: GroupBy) -> TimingColumns:
        return timing_columns(ticket_timing(f.assignee_id or "", t, f) for t, f in self._keyed(group))

    def resolved_no_fault_counts(self, period: Period, group: GroupBy) -> dict[str, int]:
        """The period's tickets resolved with no fault found, by group key (how
        :attr:`KpiRow.no_fault_found` is read, :mod:`aftersales.ports.no_fault_counts`): the appraisal's
        total says what the KPI report's does, not "unknown"."""
        counted: defaultdict[str, int] = defaultdict(int)
        for ticket, facts in self._keyed(group):
            if resolved_without_fault(ticket):
                counted[facts.assignee_id or ""] += 1
        return dict(counted)


def _period_tickets(store: StoreFactory, period: Period) -> list[Ticket]:
    """The calls received in ``period``: a request handed over as a complaint is that complaint
    (:func:`~aftersales.ports.reporting.counts_as_call`), as in the KPI report."""
    with reader_of(store) as uow:
        found = every_ticket(uow.tickets, TicketFilter(received_from=period.start, received_to=period.end))
        return [ticket for ticket in found if counts_as_call(ticket)]


class _Lists:
    """The drill-down being collected: per engineer, per indicator, the ticket ids."""

    def __init__(self) -> None:
        self.lists: defaultdict[str, defaultdict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        self.took: dict[tuple[str, str], int] = {}  # (clock, ticket) -> µs measured, on the due's clock

    def add(self, who: str, name: str, ticket_id: str) -> None:
        self.lists[who][name].append(ticket_id)

    def clock(
        self, prefix: str, row: KpiRow, credit: Credit, done: str | None, due_us: int | None, until: int
    ) -> None:
        """One clock (``response`` or ``resolution``) of one ticket: the verdict to whoever held it when it
        was settled — at the answer when in time, else when the due time passed."""
        stats: DurationStats = getattr(row, prefix)
        met = getattr(row, f"{prefix}_met")
        missed = getattr(row, f"{prefix}_missed")
        late_holder = credit.at(due_us) if due_us is not None else None
        if stats.count and stats.mean is not None:  # measured: one duration, its mean
            who = done if met or late_holder is None else late_holder
            who = who if who is not None else credit.outcome
            self.add(who, f"{prefix}_met" if met else f"{prefix}_late", row.group)
            self.took[(prefix, row.group)] = stats.mean // _MICRO
        elif missed:
            who = late_holder if late_holder is not None else credit.at(until)
            self.add(who, f"{prefix}_missed", row.group)


def engineer_kpis(
    store: StoreFactory,
    period: Period,
    calendar: BusinessCalendar,
    *,
    targets: KpiTargets = _TARGETS,
    as_of: datetime | None = None,
    sla: Any = None,
) -> EngineerKpiReport:
    """Each engineer's KPIs over the tickets received in ``period``, each indicator credited to the engineer
    whose work it judges (module doc), with the drill-down; ``as_of``, ``sla`` and ``targets`` as for
    :func:`~aftersales.reports.kpi.kpi_report` (``as_of``: the instant clocks still running are judged at,
    default the period's end — pass the instant the appraisal is read).

    ``store`` is the desk's store factory (``desk.store``). Judges nobody (a host's batch job): people read
    :func:`scoped_engineer_kpis`."""
    if not callable(store):
        raise ValidationError("store is the desk's store factory (desk.store)", field="store")
    if not isinstance(period, Period):
        raise ValidationError("period is a Period (or month_period('2026-03'))", field="period")
    if as_of is not None:
        require_aware(as_of, "as_of")
    tickets = _period_tickets(store, period)
    source = _Period(tickets)
    queries = cast(ReportingQueries, source)  # kpi_report asks only these three queries
    options: dict[str, Any] = {"targets": targets, "as_of": as_of, "sla": sla}
    whole = kpi_report(queries, period, calendar, group=GroupBy.ALL, **options)
    total = whole.total
    per_ticket = {
        r.group: r for r in kpi_report(queries, period, calendar, group=GroupBy.ENGINEER, **options).rows
    }
    facts = source.facts()
    until = period.end_us if as_of is None else micros(as_of)
    lists = _Lists()
    scores: dict[str, tuple[int, int]] = {}
    for ticket in tickets:
        tid, credit, row, f = ticket.id, credit_of(ticket), per_ticket[ticket.id], facts[ticket.id]
        c = row.counts
        lists.add(credit.outcome, "tickets", tid)
        if c.cancelled:
            lists.add(credit.outcome, "cancelled", tid)
        if c.resolved:
            lists.add(credit.outcome, "resolved", tid)
            first = credit.first_repair if credit.first_repair is not None else credit.outcome
            lists.add(first, "first_repairs", tid)
            if c.first_time_fixed:
                lists.add(first, "first_time_fixed", tid)
        lists.clock("response", row, credit, credit.response_done, f.response_due_us, until)
        lists.clock("resolution", row, credit, credit.resolution_done, f.resolution_due_us, until)
        for who in credit.reworked:
            lists.add(who, "reworks", tid)
        if c.rated:
            who = credit.scored if credit.scored is not None else credit.outcome
            lists.add(who, "rated", tid)
            if c.satisfied:
                lists.add(who, "satisfied", tid)
        if c.attitude_rated:
            lists.add(
                credit.attitude_scored if credit.attitude_scored is not None else credit.outcome,
                "attitude_rated",
                tid,
            )
        scores[tid] = (f.satisfaction or 0, f.attitude or 0)
    drill = {
        who: EngineerTickets(who, **{name: tuple(ids) for name, ids in named.items()})
        for who, named in lists.lists.items()
    }
    rows = tuple(_row(drill[who], lists.took, scores) for who in sorted(drill))
    return EngineerKpiReport(
        period, rows, total, targets, drill, whole.response_clock, whole.resolution_clock
    )


def _mean(total: int, count: int) -> Decimal | None:
    return (Decimal(total) / count).quantize(Decimal("0.01")) if count else None


def _row(
    d: EngineerTickets, took: Mapping[tuple[str, str], int], scores: Mapping[str, tuple[int, int]]
) -> EngineerKpiRow:
    """The figures of ``d``, each a count (or the durations, or the scores) of its lists."""

    def clock(prefix: str) -> tuple[DurationStats, int, int, Decimal | None]:
        met: tuple[str, ...] = getattr(d, f"{prefix}_met")
        late: tuple[str, ...] = getattr(d, f"{prefix}_late")
        missed: tuple[str, ...] = getattr(d, f"{prefix}_missed")
        stats = DurationStats.of_us([took[(prefix, t)] for t in met + late])
        return stats, len(met), len(missed), rate(len(met), stats.count + len(missed))

    response, response_met, response_missed, response_rate = clock("response")
    resolution, resolution_met, resolution_missed, resolution_rate = clock("resolution")
    return EngineerKpiRow(
        engineer_id=d.engineer_id,
        tickets=len(d.tickets),
        resolved=len(d.resolved),
        cancelled=len(d.cancelled),
        resolution_rate=rate(len(d.resolved), len(d.tickets) - len(d.cancelled)),
        response=response,
        response_met=response_met,
        response_missed=response_missed,
        response_on_time_rate=response_rate,
        resolution=resolution,
        resolution_met=resolution_met,
        resolution_missed=resolution_missed,
        resolution_on_time_rate=resolution_rate,
        first_repairs=len(d.first_repairs),
        first_time_fixed=len(d.first_time_fixed),
        first_time_fix_rate=rate(len(d.first_time_fixed), len(d.first_repairs)),
        reworks=len(d.reworks),
        rated=len(d.rated),
        satisfied=len(d.satisfied),
        satisfaction_rate=rate(len(d.satisfied), len(d.rated)),
        mean_satisfaction=_mean(sum(scores[t][0] for t in d.rated), len(d.rated)),
        attitude_rated=len(d.attitude_rated),
        mean_attitude=_mean(sum(scores[t][1] for t in d.attitude_rated), len(d.attitude_rated)),
    )


def scoped_engineer_kpis(
    desk: ReportDesk,
    actor: object,
    period: Period,
    *,
    targets: KpiTargets = _TARGETS,
    as_of: datetime | None = None,
) -> EngineerKpiReport:
    """:func:`engineer_kpis` as ``actor`` may read it through ``desk``, on the desk's calendar and SLA policy:
    judged by the permission table's ``staff_kpi_report`` (``desk.reports.staff_kpi_scope``, before any
    ticket is read) — the staff's appraisal is the appraisers' (seed 001 六(三): 售後團隊成員的考核由售後經理
    負責; seed 003 三 2); anyone else is ``PermissionDenied``. A desk without a working calendar is a
    ``ConfigurationError`` (the KPIs measure working time)."""
    desk.reports.staff_kpi_scope(actor)
    calendar = desk.calendar
    if calendar is None:
        raise ConfigurationError(
            "the engineers' KPIs measure working time: the desk has no calendar", key="calendar"
        )
    at = read_at(desk, as_of)  # now, as the staff member's own figures (staff_figures) are read
    return engineer_kpis(desk.store, period, calendar, targets=targets, as_of=at, sla=desk.policies.sla)
