"""KPIs of the company's own agents (客服专员), one row per agent.

Seed 001 measures the after-sales specialists on satisfaction, resolution, response timeliness and
complaint handling (考核指标), appraised monthly; seed 003 on satisfaction, response speed, resolution
rate. An agent's tickets are the ones they registered (the ticket's first event was theirs, acting as
an agent), so an agent's row holds the outcome of the calls they took in, and the customers' own
<<<<<<< HEAD
requests (the portal) they were the first agent to act on (session 32). Seed 003 二 1 客服专员实行轮班制:
the agents work in shifts, so the call one agent took in at the end of a shift is answered, and called back
after the fix, by another. Two indicators judge those acts, not the intake, and count for the agent who did
them (session 36): the response (响应速度: its time, met or late) for the agent who made the first response,
the callback (回访及时率) for the agent who made it. A response or callback never made stays with the
ticket's agent, as does everything else of the ticket. Engineers have the
=======
requests (the portal) they were the first agent to act on (session 32), and the complaint a call they
took was handed over as (session 36: the call, counted once, whoever handed it over). Engineers have the
>>>>>>> s36-k
:attr:`~aftersales.ports.reporting.GroupBy.ENGINEER` grouping of :func:`~aftersales.reports.kpi.kpi_report`.

The figures are the very ones :func:`~aftersales.reports.kpi.kpi_report` computes: this module only
gives it the tickets keyed by agent (a scan of the period's tickets through the store's unit of work).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any, cast

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.complaint_handover import handed_over_to
from aftersales.domain.events import TicketEvent
from aftersales.domain.instants import micros, require_aware
from aftersales.domain.sla_reading import first_response, response_steps
from aftersales.domain.ticket import Ticket
from aftersales.errors import ConfigurationError
from aftersales.ports.queries import TicketFilter
from aftersales.ports.reporting import (
    ALL,
    CALLBACK_ACTION,
    SCHEDULE_CALLBACK_ACTION,
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
from aftersales.reports.sources import ReportDesk, read_at

__all__ = ["agent_kpis", "registered_by", "scoped_agent_kpis"]


_TARGETS = KpiTargets()
_COUNT_NAMES = tuple(a.name for a in attrs.fields(TicketCounts))


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


_CALLBACK_COUNTS = ("callbacks_due", "callbacks_done", "callbacks_on_time", "callbacks_pending")
"""The :class:`TicketCounts` of the callback made (回访及时率): the agent's who made it."""


@attrs.frozen
class _AgentCredit:
    """Whose each agent indicator of one ticket is: ``owner`` (:func:`registered_by`) holds the ticket, the
    resolution, the satisfaction and anything not done yet; ``responder`` made the first response,
    ``caller`` the callback the KPI judges (each the owner when no other agent did it)."""

    owner: str
    responder: str
    caller: str


def _agent_of(event: TicketEvent | None, owner: str) -> str:
    return event.actor.id if event is not None and event.actor.role is Role.AGENT else owner


def _current_callback(events: Sequence[TicketEvent]) -> TicketEvent | None:
    """The callback event the KPI judges (the one :func:`~aftersales.ports.reporting.current_callback_us`
    times): the first recorded after the last scheduling."""
    found: TicketEvent | None = None
    for event in events:
        if event.action == SCHEDULE_CALLBACK_ACTION:
            found = None
        elif event.action == CALLBACK_ACTION and found is None:
            found = event
    return found


def _credit(ticket: Ticket, owner: str) -> _AgentCredit:
    """Seed 003 二 1 轮班制 with 三 2 绩效考核 (响应速度): the response and the callback to the agents who
    made them. A response the engineer or the system gave, or a callback a dealer made, stays the
    owner's."""
    answer = first_response(ticket.events, response_steps(ticket))
    return _AgentCredit(owner, _agent_of(answer, owner), _agent_of(_current_callback(ticket.events), owner))


class _ByAgent:
    """The queries :func:`kpi_report` asks, each ticket's indicators keyed by the agent they count for."""

    def __init__(self, store: Callable[[], UnitOfWork]) -> None:
        self._store = store

    def _rows(self, period: Period) -> Iterator[tuple[Ticket, TicketFacts, _AgentCredit]]:
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
                facts = attrs.evolve(ticket_facts(ticket), assignee_id=agent)
                yield ticket, facts, _credit(ticket, agent)

    def ticket_counts(
        self, period: Period, group: GroupBy, *, satisfied_at: int = 4, as_of: datetime | None = None
    ) -> dict[str, TicketCounts]:
        until = period.end_us if as_of is None else micros(require_aware(as_of, "as_of"))
        totals: defaultdict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_COUNT_NAMES, 0))
        for _, facts, credit in self._rows(period):
            one = count_facts((facts,), GroupBy.ALL, satisfied_at, until)[ALL]
            totals[credit.responder]  # an agent who only answered has a row (its response figures)
            for name in _COUNT_NAMES:
                who = credit.caller if name in _CALLBACK_COUNTS else credit.owner
                totals[who][name] += getattr(one, name)
        return {who: TicketCounts(**named) for who, named in totals.items()}

    def timings(self, period: Period, group: GroupBy) -> Iterator[TicketTiming]:
        for ticket, f, credit in self._rows(period):
            timing = ticket_timing(credit.owner, ticket, f)
            if credit.responder == credit.owner:
                yield timing
                continue
            # Split in two: the response measured for its agent, the resolution for the owner; the other
            # half of each stops at the receipt with no due, so it is neither measured nor missed.
            start = timing.received_us
            yield attrs.evolve(timing, first_response_us=None, response_due_us=None, response_stop_us=start)
            yield attrs.evolve(
                timing, group=credit.responder, resolved_us=None, resolution_due_us=None,
                resolution_stop_us=start,
            )  # fmt: skip

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
    """The KPIs of the tickets each agent registered in ``period``: one row per agent id, the response
    and the callback counted for the agent who made them (the agents work in shifts, seed 003 二 1).

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
    at = read_at(desk, as_of)  # now, as the staff member's own figures (staff_figures) are read
    return agent_kpis(desk.store, period, calendar, targets=targets, as_of=at, sla=desk.policies.sla)
