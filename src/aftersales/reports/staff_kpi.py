"""KPIs of the company's own agents (客服专员), one row per agent.

Seed 001 measures the after-sales specialists on satisfaction, resolution, response timeliness and
complaint handling (考核指标), appraised monthly; seed 003 on satisfaction, response speed, resolution
rate. An agent's tickets are the ones they registered (the ticket's first event was theirs, acting as
an agent), so an agent's row holds the outcome of the calls they took in, and the customers' own
requests (the portal) they were the first agent to act on (session 32), and the complaint a call they
took was handed over as (session 36: the call, counted once, whoever handed it over). Engineers have the
:attr:`~aftersales.ports.reporting.GroupBy.ENGINEER` grouping of :func:`~aftersales.reports.kpi.kpi_report`.

The figures are the very ones :func:`~aftersales.reports.kpi.kpi_report` computes: this module only
gives it the tickets keyed by agent (a scan of the period's tickets through the store's unit of work).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, cast

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.complaint_handover import handed_over_to
from aftersales.domain.instants import micros, require_aware
from aftersales.domain.ticket import Ticket
from aftersales.errors import ConfigurationError
from aftersales.ports.queries import TicketFilter
from aftersales.ports.reporting import (
    GroupBy,
    Period,
    ReportingQueries,
    TicketCounts,
    TicketFacts,
    TicketTiming,
    TimingColumns,
    count_facts,
    counts_as_call,
    ticket_facts,
    ticket_timing,
    timing_columns,
)
from aftersales.ports.repositories import every_ticket
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.reports.kpi import KpiReport, KpiTargets, kpi_report
from aftersales.reports.sources import ReportDesk

__all__ = ["agent_kpis", "registered_by", "scoped_agent_kpis"]


_TARGETS = KpiTargets()


def registered_by(ticket: Ticket) -> str | None:
    """The agent whose request ``ticket`` is: who registered it (its first event, recorded in the agent
    role); for a customer's own request (the portal: no agent took a call), the first agent who acted on
    it (assessed, referred, dispatched, answered it…); else ``None`` (a dealer's call, a planned visit).

    Seed 001 五(一)/六(二)3: 响应及时率 is the specialist's (售后专员应在[X]小时内做出响应) whichever way the
    request came in (三(一)1 在线客服平台 among the channels). Before session 32 a portal request counted for
    no agent, so the specialist who handled it, late or on time, was appraised without it."""
    if not ticket.events:
        return None
    first = ticket.events[0].actor
    if first.role is Role.AGENT:
        return first.id
    if first.role is not Role.CUSTOMER:
        return None
    return next((e.actor.id for e in ticket.events if e.actor.role is Role.AGENT), None)


class _ByAgent:
    """The queries :func:`kpi_report` asks, with each ticket's person key set to its agent."""

    def __init__(self, store: Callable[[], UnitOfWork]) -> None:
        self._store = store

    def _rows(self, period: Period) -> Iterator[tuple[Ticket, TicketFacts]]:
        query = TicketFilter(received_from=period.start, received_to=period.end)
        with self._store() as uow:
            tickets = list(every_ticket(uow.tickets, query))
        # A request handed over as a complaint is no call of its own (counts_as_call): the complaint,
        # received at the same instant, is that call and the agent's who took it, whoever handed it over.
        took = {handed_over_to(t): registered_by(t) for t in tickets if not counts_as_call(t)}
        for ticket in tickets:
            if not counts_as_call(ticket):
                continue
            agent = took[ticket.id] if ticket.id in took else registered_by(ticket)
            if agent is not None:
                yield ticket, attrs.evolve(ticket_facts(ticket), assignee_id=agent)

    def _facts(self, period: Period) -> Iterator[TicketFacts]:
        return (f for _, f in self._rows(period))

    def ticket_counts(
        self, period: Period, group: GroupBy, *, satisfied_at: int = 4, as_of: datetime | None = None
    ) -> dict[str, TicketCounts]:
        until = period.end_us if as_of is None else micros(require_aware(as_of, "as_of"))
        return count_facts(self._facts(period), GroupBy.ENGINEER, satisfied_at, until)

    def timings(self, period: Period, group: GroupBy) -> Iterator[TicketTiming]:
        for ticket, f in self._rows(period):
            yield ticket_timing(f.assignee_id or "", ticket, f)

    def timing_columns(self, period: Period, group: GroupBy) -> TimingColumns:
        return timing_columns(self.timings(period, group))


def agent_kpis(
    store: Callable[[], UnitOfWork],
    period: Period,
    calendar: BusinessCalendar,
    *,
    targets: KpiTargets = _TARGETS,
    as_of: datetime | None = None,
    sla: Any = None,
) -> KpiReport:
    """The KPIs of the tickets each agent registered in ``period``: one row per agent id.

    ``as_of`` is the instant a response, resolution or callback never given counts as missed by (default
    the period's end). Pass the instant the appraisal is read (seed 001: 每月進行一次考核評估, after the
    month), as to :func:`~aftersales.reports.kpi.kpi_report`: the tickets are read as they are now, so one
    still unresolved past its due time counts late beside those resolved since.

    A customer's own request (the portal) is the first agent's who acted on it; tickets no agent
    registered nor, for a customer's request, acted on (a dealer's call, a planned visit) are left out. The
    report's ``group`` says rows are per person (:attr:`GroupBy.ENGINEER`'s key column); the keys are
    the agents' ids. A ticket waiting for the customer is judged where the wait began, as in the KPI
    report (``sla``: the pack's SLA policy, for ``pause_on_parts``).

    Judges nobody (a host's batch job): people read :func:`scoped_agent_kpis`.
    """
    queries = cast(ReportingQueries, _ByAgent(store))  # kpi_report asks only these two queries
    return kpi_report(
        queries, period, calendar, group=GroupBy.ENGINEER, targets=targets, as_of=as_of, sla=sla
    )


def scoped_agent_kpis(
    desk: ReportDesk,
    actor: object,
    period: Period,
    *,
    targets: KpiTargets = _TARGETS,
    as_of: datetime | None = None,
) -> KpiReport:
    """:func:`agent_kpis` as ``actor`` may read it through ``desk``, on the desk's calendar and SLA policy:
    judged by the permission table's ``staff_kpi_report`` (``desk.reports.staff_kpi_scope``, before any
    ticket is read). Every agent's figures are the appraisers' — the heads and the auditor (seed 001
    六(三): 售後團隊成員的考核由售後經理負責，每月進行一次考核評估); anyone else is
    ``PermissionDenied``. A desk without a working calendar is a ``ConfigurationError`` (the KPIs
    measure working time)."""
    desk.reports.staff_kpi_scope(actor)
    calendar = desk.calendar
    if calendar is None:
        raise ConfigurationError(
            "the agents' KPIs measure working time: the desk has no calendar", key="calendar"
        )
    return agent_kpis(desk.store, period, calendar, targets=targets, as_of=as_of, sla=desk.policies.sla)
