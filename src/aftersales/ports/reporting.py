"""The reporting queries: aggregates the reports need, answered by the store (SQL where it can).

Reports never load whole tickets. A store answers in terms of per-ticket *facts* (a few integers
and codes per ticket, :class:`TicketFacts`) and per-fault-record facts (:class:`FaultFacts`); the
functions :func:`ticket_facts`, :func:`fault_facts` and :func:`count_facts` here are the reference
semantics every implementation must match (the memory adapter evaluates them directly; the SQLite
adapter keeps the same facts in side tables and aggregates them in SQL).

Instants are integer microseconds since the epoch (UTC), as in :mod:`aftersales.ports.ticket_index`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any, Protocol, runtime_checkable

import attrs

from aftersales.domain.call_shape import host_factories
from aftersales.domain.classification import TicketKind
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.complaint_handover import handed_over_to
from aftersales.domain.instants import require_aware
from aftersales.domain.no_fault import NO_FAULT_FOUND, found_no_fault
from aftersales.domain.products import Asset
from aftersales.domain.sla_late import late_after
from aftersales.domain.sla_reading import (
    TAKEN_BY_DEALER_KEY,
    answered_at,
    dealer_of,
    first_response,
    response_steps,
    response_stopped,
)
from aftersales.domain.sla_solution import solution_given_us
from aftersales.domain.ticket import ENDED_CYCLE_KEY, Ticket, ended_cycles
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import ValidationError
from aftersales.ports.feedback_response import owes_response
from aftersales.ports.queries import UNSET
from aftersales.ports.ticket_index import micros

__all__ = [
    "ALL",
    "PER_VALUE_DIMENSIONS",
    "REWORK_ACTIONS",
    "FaultDimension",
    "FaultFacts",
    "GroupBy",
    "Period",
    "ReportingQueries",
    "TicketCounts",
    "TicketFacts",
    "TicketTiming",
    "TimingColumns",
    "batch_dimension",
    "completion_facts",
    "completions",
    "completions_us",
    "count_facts",
    "count_faults",
    "counts_as_call",
    "current_callback_us",
    "doing_dealer",
    "ended_unresolved",
    "fault_evidence",
    "fault_facts",
    "is_fault_evidence",
    "judged_dues",
    "pause_starts",
    "reported_in_service",
    "serving_dealer",
    "solution_us",
    "ticket_facts",
    "ticket_timing",
    "timing_stops",
]

ALL = "all"
"""The group key of the whole period when a report is not grouped."""

REWORK_ACTIONS = frozenset({"reject", "reopen"})
"""Events that send finished work back (返工): the customer rejects it, or the problem comes back."""

CALLBACK_ACTION = "record_callback"
SCHEDULE_CALLBACK_ACTION = "schedule_callback"
"""Plans the callback the ticket's ``callback_due_at`` holds: the callback judged against that due time is
the first one recorded after the last such event (a reopened ticket's earlier callback answered an
earlier cycle's)."""


class GroupBy(CodedEnum):
    """What a report groups tickets by; the value is the facts column."""

    ALL = "all"
    DEALER = "dealer_id"
    SERVING_DEALER = "serving_dealer_id"
    """The dealer doing the job (:func:`serving_dealer`, :func:`doing_dealer`), ``""`` for the maker's own
    work: what a dealer's month counts and its KPI row judges (seed 002 分工 9/10/12)."""
    ENGINEER = "assignee_id"
    PRODUCT = "product_id"
    REGION = "region"
    BATCH = "batch"
    CATEGORY = "category"


class FaultDimension(CodedEnum):
    """What a fault Pareto counts by."""

    PRODUCT = "product_id"
    BATCH = "batch"
    SYMPTOM = "symptom"
    CAUSE = "cause"


PAUSED_STATES = frozenset({TicketState.AWAITING_CUSTOMER.value})
"""The states that always pause the SLA clocks (``SlaTargets.pause_states`` by default)."""
PAUSED_WITH_PARTS = PAUSED_STATES | {TicketState.AWAITING_PARTS.value}
"""The states that pause them when the pack's SLA policy says ``pause_on_parts``."""


@attrs.frozen
class Period:
    """A half-open span of time ``[start, end)`` with aware bounds."""

    start: datetime
    end: datetime

    def __attrs_post_init__(self) -> None:
        require_aware(self.start, "start")
        require_aware(self.end, "end")
        if self.end <= self.start:
            raise ValidationError("a period ends after it starts", field="end")

    @property
    def start_us(self) -> int:
        """The start in epoch microseconds."""
        return micros(self.start)

    @property
    def end_us(self) -> int:
        """The (exclusive) end in epoch microseconds."""
        return micros(self.end)


@attrs.frozen
class TicketFacts:
    """What the reports read of one ticket.

    ``first_response_us`` is the first customer-facing contact by staff
    (:func:`~aftersales.domain.sla_reading.first_response`: a call or message to the customer, a
    visible note, a planned visit), the very instant the SLA's response target is met: seed 003's 响应
    is contacting the customer and telling them when (告知预计上门或解决时间); triage is internal and
    does not count. ``resolved_us`` the current resolution (cleared by rework);
    ``reworks`` counts reject/reopen events; ``callback_us`` is the first callback recorded after the
    current one was scheduled (:data:`SCHEDULE_CALLBACK_ACTION`) and
    ``satisfaction`` the last integer ``satisfaction`` a callback recorded, ``attitude`` the last
    evaluation of the team's service attitude one recorded (seed 001 三(七)2: the survey asks both).

    ``response_due_us`` and ``resolution_due_us`` are the instants :func:`judged_dues` judges against:
    the last instant each answer still counts on time (the due, or past a working-time due at a window's
    end, the next working instant), not the due shown to people (the ticket's own ``*_due_at``).

    ``serving_dealer_id`` is the dealer doing the job (:func:`serving_dealer`); ``paused_us`` and
    ``paused_parts_us`` where the wait the ticket is in now began (:func:`pause_starts`): its SLA clocks
    stand still from there, so a report judges an unanswered or unresolved ticket at that instant.
    """

    id: str
    kind: str
    category: str
    state: str
    dealer_id: str | None
    region: str | None
    assignee_id: str | None
    product_id: str | None
    batch: str | None
    asset_id: str | None
    received_us: int
    first_response_us: int | None
    response_due_us: int | None
    resolved_us: int | None
    resolution_due_us: int | None
    closed_us: int | None
    cancelled: bool
    reworks: int
    visits: int
    callback_due_us: int | None
    callback_us: int | None
    satisfaction: int | None
    serving_dealer_id: str | None = None
    paused_us: int | None = None
    paused_parts_us: int | None = None
    attitude: int | None = None

    @property
    def complaint(self) -> bool:
        """A complaint ticket (kind or category)."""
        return self.kind == TicketKind.COMPLAINT.value or self.category == "complaint"


@attrs.frozen
class FaultFacts:
    """One fault occurrence (symptom → cause, :func:`fault_facts`) with where it happened."""

    ticket_id: str
    seq: int
    asset_id: str | None
    product_id: str | None
    batch: str | None
    received_us: int
    symptom: str
    cause: str


@attrs.frozen
class TicketCounts:
    """Counts of one group of tickets received in a period (the numerators and denominators of KPIs)."""

    tickets: int = 0
    resolved: int = 0
    cancelled: int = 0
    first_time_fixed: int = 0
    rework_tickets: int = 0
    rework_events: int = 0
    callbacks_due: int = 0
    callbacks_done: int = 0
    callbacks_on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    satisfaction_sum: int = 0
    complaints: int = 0
    complaints_resolved: int = 0
    complaints_cancelled: int = 0
    """Complaints cancelled or withdrawn: not in the denominator of the complaint resolution rate."""
    callbacks_pending: int = 0
    """Callbacks not made whose due time is not yet past at the report's instant: not late (yet)."""
    attitude_rated: int = 0
    """Tickets whose callback evaluated the team's service attitude (seed 001 三(七)2)."""
    attitude_sum: int = 0
    """The sum of those evaluations (1-5): over :attr:`attitude_rated`, the mean attitude."""


@attrs.frozen
class TicketTiming:
    """The instants one ticket's response and resolution times are measured from (epoch µs)."""

    group: str
    id: str
    received_us: int
    first_response_us: int | None
    response_due_us: int | None
    resolved_us: int | None
    resolution_due_us: int | None
    """``response_due_us`` and this: the last instants an answer counts on time (:func:`judged_dues`)."""
    response_stop_us: int | None = None
    """Where the response clock stopped unanswered
    (:func:`~aftersales.domain.sla_reading.response_stopped`); the receipt, with no response and no due,
    for a ticket that answers no customer's feedback (a planned visit,
    :func:`~aftersales.ports.feedback_response.owes_response`): stopped before it ran, neither measured
    nor missed."""
    resolution_stop_us: int | None = None
    """Where the resolution clock stopped unresolved: the cancellation (``None``: it was not cancelled)."""
    paused_us: int | None = None
    """Where the clocks stand still since: the start of the customer wait the ticket is in now
    (:func:`pause_starts`)."""
    paused_parts_us: int | None = None
    """The same when awaiting parts pauses too (the pack's ``pause_on_parts``)."""


@host_factories
@attrs.frozen
class TimingColumns:
    """The :class:`TicketTiming` of a period as columns: one value per ticket in each, aligned.

    ``group`` holds each ticket's group key. A report measures a whole column in one pass, with no
    object per ticket.
    """

    group: Sequence[str]
    received_us: Sequence[int]
    first_response_us: Sequence[int | None]
    response_due_us: Sequence[int | None]
    resolved_us: Sequence[int | None]
    resolution_due_us: Sequence[int | None]
    response_stop_us: Sequence[int | None] = ()
    """Each ticket's :attr:`TicketTiming.response_stop_us`; empty when no clock stopped unmet."""
    resolution_stop_us: Sequence[int | None] = ()
    """Each ticket's :attr:`TicketTiming.resolution_stop_us`; empty when none was cancelled."""
    paused_us: Sequence[int | None] = ()
    """Each ticket's :attr:`TicketTiming.paused_us`; empty when none is paused."""
    paused_parts_us: Sequence[int | None] = ()
    """Each ticket's :attr:`TicketTiming.paused_parts_us`; empty when none is paused."""

    @classmethod
    def of_rows(cls, rows: Sequence[Sequence[Any]]) -> TimingColumns:
        """Columns of ``rows`` of (group, received, first response, response due, resolved, resolution
        due[, response stop, resolution stop[, paused, paused with parts]])."""
        # a map of itemgetter per column: far cheaper than zip(*rows) over 100k argument tuples
        width = len(rows[0]) if rows else 6
        group, received, first, response_due, resolved, resolution_due, *rest = (
            list(map(itemgetter(i), rows)) for i in range(width)
        )
        extra: list[Sequence[Any]] = [*rest, *([()] * (4 - len(rest)))]
        return cls(group, received, first, response_due, resolved, resolution_due, *extra)


def timing_columns(timings: Iterable[TicketTiming]) -> TimingColumns:
    """The reference :class:`TimingColumns` of ``timings``."""
    rows = [
        (
            t.group,
            t.received_us,
            t.first_response_us,
            t.response_due_us,
            t.resolved_us,
            t.resolution_due_us,
            t.response_stop_us,
            t.resolution_stop_us,
            t.paused_us,
            t.paused_parts_us,
        )
        for t in timings
    ]
    return TimingColumns.of_rows(rows)


def _us(at: datetime | None) -> int | None:
    return micros(at) if at is not None else None


def judged_dues(ticket: Ticket, response_us: int | None) -> tuple[int | None, int | None]:
    """The (response, resolution) instants (µs) a report judges ``ticket`` against, over all its
    cycles: the last instant each still counts on time (:func:`~aftersales.domain.sla_late.late_after`:
    the due, or for a working-time due at a window's end the next working instant, as the live SLA
    judges it). The first response against the cycle it belongs to (the first, unless it came after the
    first reopen), and the resolution against the earliest a cycle ended by a reopen missed (resolved
    after it), else the current cycle's. A reopened ticket resolved late and then on time is late in the
    KPI as in the breach report. Reopens recorded without their cycle
    (:data:`~aftersales.domain.ticket.ENDED_CYCLE_KEY`) leave the current ones. A ticket that owes no
    response (:func:`~aftersales.ports.feedback_response.owes_response`) is judged on none."""
    # A planned visit owes no response: none, even where a row stored before session 31 keeps one.
    owed = owes_response(ticket)
    response_due = late_after(ticket.response_due_at, ticket.response_late_after) if owed else None
    resolution_due = late_after(ticket.resolution_due_at, ticket.resolution_late_after)
    cycles = ended_cycles(ticket.events)
    if cycles:
        reopened_at, first = cycles[0]
        if owed and (response_us is None or response_us <= micros(reopened_at)):
            response_due = late_after(first["response_due_at"], first["response_late_after"])
        missed = [
            until
            for _, cycle in cycles
            if (until := late_after(cycle["resolution_due_at"], cycle["resolution_late_after"])) is not None
            and (done := cycle["resolved_at"]) is not None
            and done > until
        ]
        if missed:
            resolution_due = min(missed)
    return (
        micros(response_due) if response_due is not None else None,
        micros(resolution_due) if resolution_due is not None else None,
    )


def current_callback_us(events: Sequence[Any]) -> int | None:
    """When the callback of the current ``callback_due_at`` was made (µs): the first callback recorded
    after the last :data:`SCHEDULE_CALLBACK_ACTION` (the first of all when none was scheduled), else
    ``None``. Seed 003: 客服专员在24小时内对客户进行回访 after each service; a reopened ticket's next
    callback is due after its next acceptance, and the callback that found the problem back is not it."""
    found: int | None = None
    for event in events:
        action = event.action
        if action == SCHEDULE_CALLBACK_ACTION:
            found = None
        elif action == CALLBACK_ACTION and found is None:
            found = micros(event.at)
    return found


def serving_dealer(ticket: Ticket) -> str | None:
    """The dealer serving the ticket, as the KPIs by dealer group it (:attr:`GroupBy.SERVING_DEALER`):
    the dealer doing the job (:func:`doing_dealer`), ``None`` for the maker's own work.

    Seed 002 分工 12 甲方有权对乙方的服务情况进行抽查和指导: a dealer is judged by the service it gave, and
    its KPI row stands beside its month's counts (分工 9/10), which count the jobs it did. Session 30: this
    fell back to the ticket's own dealer, so a call the maker's engineer repaired, or the office solved by
    phone or had not passed on yet, was judged as the customer's dealer's (its times, its satisfaction
    score), in a row counting tickets the dealer's month did not. The customer's dealer still groups its
    customers' calls by :attr:`GroupBy.DEALER`; dealer staff read their own KPIs by this one (session 30).
    """
    return doing_dealer(ticket)


def doing_dealer(ticket: Ticket) -> str | None:
    """The dealer who did the job, as a dealer's month counts it: the dealer holding the ticket (the one it
    is dispatched to, or whose own engineer it is assigned to), else the dealer whose own staff took the
    call (乙方接到用户的叫修) while nobody was assigned; ``None`` for a job the maker's people did — its own
    engineer, or the office solving the call by phone.

    Seed 002: each dealer reports monthly the installations and repairs it did (9/10: 对所安装调试情况 /
    所维修情况进行一次统计并报至甲方). Session 29: the month fell back to the ticket's own dealer, so the
    maker's jobs for a dealer's customers were that dealer's repairs and its true report stopped
    matching. The fee rule (``service.scope.purchasing_dealer``) keeps the ticket's own dealer as its
    fallback: whose fee schedule prices a call, not who did the work.
    """
    held: str | None = None
    # A complaint is no call a dealer takes (乙方接到用户的叫修): the centre handles it (seed 004 第八条
    # 2(1)) whoever registered it. Complaints a dealer's staff registered before session 34 were stamped
    # as taken by the dealer; the stamp is not read for them (session 35).
    taken = ticket.kind is not TicketKind.COMPLAINT
    for event in ticket.events:
        if taken or event.action != "opened":
            held = _dealer_at(event, held)
    return held


def _dealer_at(event: Any, held: str | None) -> str | None:
    """The dealer doing the job after ``event``, ``held`` before it."""
    action = event.action
    if action in ("assign", "reassign") and event.payload:
        return dealer_of(event.payload)
    if action == "opened" and event.payload:
        taken = event.payload.get(TAKEN_BY_DEALER_KEY)
        return taken if isinstance(taken, str) else None
    return held


def pause_starts(events: Sequence[Any]) -> tuple[int | None, int | None]:
    """Where the wait the ticket is in now began (µs): with awaiting the customer pausing (always), and
    with awaiting parts pausing too (the pack's ``pause_on_parts``); ``None`` when it is not waiting.

    The SLA clocks stand still from the first event of the latest unbroken run of pausing states
    (:func:`~aftersales.domain.sla_reading.read_cycle` reads the gaps the same way); a report judges an
    unanswered or unresolved ticket there, not at its own instant, as the live SLA does.
    """
    return _run_start(events, PAUSED_STATES), _run_start(events, PAUSED_WITH_PARTS)


def _run_start(events: Sequence[Any], states: frozenset[str]) -> int | None:
    start: int | None = None
    for event in reversed(events):
        if event.to_state not in states:
            break
        start = micros(event.at)
    return start


def _instant(raw: object) -> datetime | None:
    """An aware ISO instant kept in a payload, or ``None``."""
    if not isinstance(raw, str):
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def completions_us(ticket: Ticket) -> list[int]:
    """Each completion of ``ticket``'s work, in order (µs): the instants of :func:`completions`."""
    return [at for at, _dealer in completions(ticket)]


def completions(ticket: Ticket) -> list[tuple[int, str | None]]:
    """Each completion of ``ticket``'s work, in order: its instant (µs) and the dealer who did that work
    (:func:`doing_dealer` as it stood then). The completions are the resolution each reopen ended (kept
    in the reopen's ended cycle) and the current one (``resolved_at``: a service ticket's acceptance by
    the customer, a complaint's handling). A dealer's month counts each in the month it happened, for the
    dealer who did it (seed 002 分工 7: 每次维修完毕后…经客户确认后汇总; 10: 每月对所维修情况进行一次统计;
    档案 b: each sales unit reports its own last month): a repair accepted is history — a later reopen,
    the rework passed to another dealer or the rework cancelled does not move it — and a reopen's rework
    accepted again is another repair, counted again in its own month, for the dealer who did it."""
    return [(at, dealer) for at, dealer, _category in completion_facts(ticket)]


def completion_facts(ticket: Ticket) -> list[tuple[int, str | None, str]]:
    """:func:`completions` with the category code each was completed under: a reclassification after
    the acceptance (a correction of a closed month's repair) does not move a completion to another
    category of a month already reported (seed 002 分工 10: 每月对所维修情况进行一次统计).

    Work whose finding was no fault (故障不属实: the last fault record by its completion has the cause
    :data:`~aftersales.domain.no_fault.NO_FAULT_FOUND`) is completed under that code, not its category:
    the visit repaired nothing, so it is no repair (nor installation) of the dealer's month, and the KPI
    report counts these completions apart (:attr:`~aftersales.reports.kpi.KpiRow.no_fault_found`)."""
    return [
        (at, dealer, NO_FAULT_FOUND if found_no_fault(ticket.fault_records, at) else category)
        for at, dealer, category in _completion_facts(ticket)
    ]


def _completion_facts(ticket: Ticket) -> list[tuple[int, str | None, str]]:
    found: list[tuple[int, str | None, str]] = []
    done: datetime | None = None  # the cycle's completion as its events give it
    accepting = ticket.needs_acceptance
    held: str | None = None  # the dealer holding the ticket after the events read so far
    category = _first_category(ticket)  # the category after the events read so far
    done_category = category  # the category the cycle's completion was under
    taken = ticket.kind is not TicketKind.COMPLAINT  # a complaint is no dealer's call (doing_dealer)
    for event in ticket.events:
        action = event.action
        if taken or action != "opened":
            held = _dealer_at(event, held)
        if action == "reclassify" and event.payload and "complaint_id" not in event.payload:
            to = event.payload.get("to")
            category = to if isinstance(to, str) else category
        elif action == "reopen":
            ended = event.payload.get(ENDED_CYCLE_KEY) if event.payload else None
            # The reopen's record of the cycle it ended; one by a release before it was kept: the events.
            at = _instant(ended.get("resolved_at")) if isinstance(ended, dict) else done
            if at is not None:
                found.append((micros(at), held, done_category if done is not None else category))
            done = None
        elif action == "confirm" or (action == "resolve" and not accepting):
            done, done_category = event.at, category
        elif action == "reject":
            done = None
    if ticket.resolved_at is not None:
        last = done_category if done is not None else ticket.category.code
        found.append((micros(ticket.resolved_at), held, last))  # held after every event: doing_dealer
    return found


def _first_category(ticket: Ticket) -> str:
    """The category code ``ticket`` was opened under: the first reclassification's ``from``, else its own."""
    for event in ticket.events:
        if event.action == "reclassify" and event.payload and "complaint_id" not in event.payload:
            first = event.payload.get("from")
            if isinstance(first, str):
                return first
    return ticket.category.code


def ticket_facts(ticket: Ticket) -> TicketFacts:
    """The reference facts of ``ticket``."""
    events = ticket.events
    callbacks = [e for e in events if e.action == CALLBACK_ACTION]
    satisfaction: int | None = None
    attitude: int | None = None
    for event in callbacks:
        value = event.payload.get("satisfaction")
        if isinstance(value, int) and not isinstance(value, bool):
            satisfaction = value
        value = event.payload.get("attitude")
        if isinstance(value, int) and not isinstance(value, bool):
            attitude = value
    answer = first_response(events, response_steps(ticket))
    response_us = micros(answered_at(answer)) if answer is not None else None
    response_due_us, resolution_due_us = judged_dues(ticket, response_us)
    paused, paused_parts = pause_starts(events)
    return TicketFacts(
        id=ticket.id,
        kind=ticket.kind.value,
        category=ticket.category.code,
        state=ticket.state,
        dealer_id=ticket.dealer_id,
        region=ticket.region,
        assignee_id=ticket.assignee.id if ticket.assignee is not None else None,
        product_id=ticket.product_id,
        batch=ticket.batch,
        asset_id=ticket.asset_id,
        received_us=micros(ticket.received_at),
        first_response_us=response_us,
        response_due_us=response_due_us,
        resolved_us=_us(ticket.resolved_at),
        resolution_due_us=resolution_due_us,
        closed_us=_us(ticket.closed_at),
        cancelled=ticket.state == TicketState.CANCELLED.value,
        reworks=sum(1 for e in events if e.action in REWORK_ACTIONS),
        visits=len(ticket.visits),
        callback_due_us=_us(ticket.callback_due_at),
        callback_us=current_callback_us(events),
        satisfaction=satisfaction,
        serving_dealer_id=serving_dealer(ticket),
        paused_us=paused,
        paused_parts_us=paused_parts,
        attitude=attitude,
    )


def solution_us(ticket: Any) -> int | None:
    """Where ``ticket``'s resolution was met by its solution given, when its SLA times it so (seed 003 二
    5, :attr:`Ticket.resolution_steps`; :func:`~aftersales.domain.sla_solution.solution_given`), in µs;
    ``None`` otherwise. The KPI's time to resolve runs to it, else to the resolution (``resolved_us``), as
    the live SLA meets the target; the resolved count and the complaint resolution rate keep the
    feedback (the complaint handled)."""
    steps = ticket.resolution_steps
    return solution_given_us(ticket.events, steps) if steps else None


def ticket_timing(group: str, ticket: Ticket, facts: TicketFacts) -> TicketTiming:
    """The instants ``ticket``'s times are measured from, under the group key ``group`` (``facts`` are its
    :func:`ticket_facts`, already made by the caller). The resolution is met where its SLA meets it
    (:func:`solution_us`, else the resolution)."""
    f = facts
    solved = solution_us(ticket)
    if solved is not None:
        f = attrs.evolve(f, resolved_us=solved)
    response_stop, resolution_stop = timing_stops(ticket)
    if not owes_response(ticket):  # no customer's feedback to answer: the response clock never ran
        return TicketTiming(
            group, f.id, f.received_us, None, None, f.resolved_us, f.resolution_due_us, f.received_us,
            resolution_stop, f.paused_us, f.paused_parts_us,
        )  # fmt: skip
    return TicketTiming(
        group, f.id, f.received_us, f.first_response_us, f.response_due_us, f.resolved_us,
        f.resolution_due_us, response_stop, resolution_stop, f.paused_us, f.paused_parts_us,
    )  # fmt: skip


def timing_stops(ticket: Ticket) -> tuple[int | None, int | None]:
    """(:attr:`TicketTiming.response_stop_us`, :attr:`TicketTiming.resolution_stop_us`) of ``ticket``."""
    stopped = response_stopped(ticket.events, response_steps(ticket))
    return (
        micros(stopped.at) if stopped is not None else None,
        micros(ticket.closed_at) if ended_unresolved(ticket) else None,  # type: ignore[arg-type]
    )


def ended_unresolved(ticket: Ticket) -> bool:
    """Whether ``ticket`` ended without being resolved, its resolution clock stopped there unmet: it was
    cancelled (or withdrawn), or closed unaccepted (``close_unaccepted``: its customer's data erased). A
    ticket closed otherwise was resolved first (a service ticket's close needs the acceptance, a
    complaint's the handling), so "closed and not resolved" is the closing unaccepted; SQLite's report
    reads the same rule from the row (``reporting_sqlite``)."""
    if ticket.closed_at is None:
        return False
    state = ticket.state
    return state == TicketState.CANCELLED.value or (
        state == TicketState.CLOSED.value and ticket.resolved_at is None
    )


def fault_facts(ticket: Ticket) -> list[FaultFacts]:
    """The reference fault facts of ``ticket``: one per fault occurrence, in order.

    A fault occurrence is a problem as seed 002 records it, 故障描述 → 故障原因 (symptom and cause); the
    处理措施 (action) is what was done about it. A record repeating a symptom and cause the ticket already
    has is the same fault handled again — a reopened ticket (the problem came back, 004 回访) resolved a
    second time, a rework — and is not counted again; ``seq`` is the first record's position. A visit
    that found the reported fault not real (故障不属实, :data:`~aftersales.domain.no_fault.NO_FAULT_FOUND`)
    found no fault occurrence: it counts in no fault statistic nor batch incident.
    """
    received = micros(ticket.received_at)
    seen: set[tuple[str, str]] = set()
    found: list[FaultFacts] = []
    for i, r in enumerate(ticket.fault_records):
        key = (r.symptom, r.cause)
        if key in seen or r.cause == NO_FAULT_FOUND:
            continue
        seen.add(key)
        found.append(
            FaultFacts(
                ticket.id, i, ticket.asset_id, ticket.product_id, ticket.batch, received, r.symptom, r.cause
            )
        )
    return found


def fault_evidence(ticket: Ticket) -> list[FaultFacts]:
    """The fault occurrences ``ticket`` gives the fault statistics: its :func:`fault_facts`, none when it
    was cancelled.

    A call cancelled (called off, logged in error, a duplicate, its customer's data erased) is no fault
    evidence (seed 002 反馈信息的处理: 分类统计和分析 of the problems found; seed 004 quality feedback), as
    it is no installation or repair of a dealer's month unless a repair was accepted before a reopen
    (:meth:`ReportingQueries.completed_category_counts` counts that acceptance) and the KPI report does
    not count it resolved or late. The Pareto, the trend and the batch-incident report leave it out on
    every store, and so do the desk's batch-incident detectors."""
    if not is_fault_evidence(ticket):
        return []
    return fault_facts(ticket)


def is_fault_evidence(ticket: Ticket) -> bool:
    """Whether ``ticket``'s fault records count as evidence of the product's faults: not once the call was
    cancelled (:func:`fault_evidence`). The reports and the desk's batch-incident detectors ask this one
    rule."""
    return ticket.state != TicketState.CANCELLED.value


def counts_as_call(ticket: Ticket) -> bool:
    """Whether ``ticket`` is a call of its own in the KPI's counts and times: not a request handed over as
    a complaint (:func:`~aftersales.domain.complaint_handover.handed_over_to`, seed 004 第七条 3).

    The complaint is that very call — received at its time, carrying its calls back
    (:mod:`~aftersales.domain.handover_contacts`) — so it stands for it in every figure: the volumes, the
    response and resolution times and rates, per agent, per dealer. Counting the cancelled request beside
    it read one call as two tickets, and its one call back as two responses met. The request stays in
    the ledger and the customer's archive, as it happened. SQLite reads the same rule from the row's
    ``handed_over`` column (``reporting_sqlite``)."""
    return handed_over_to(ticket) is None


def reported_in_service(ticket: Ticket, asset: Asset | None) -> bool:
    """Whether ``ticket``'s faults were reported after its unit's installation was completed — the faults a
    batch quality incident counts (seed 004 第七条 5(2): 工程完工后出现的同一质量问题). ``True`` when the
    library does not know the completion (no unit, or no ``installation_accepted_on``:
    :meth:`~aftersales.domain.products.Asset.completed_by`). The call's time is when the fault was reported.
    The desk's detectors and the batch-incident report ask this one rule."""
    return asset is None or asset.completed_by(ticket.received_at)


PER_VALUE_DIMENSIONS = frozenset({"symptom", "cause"})
"""The fault dimensions a ticket counts once per value of: :func:`count_faults`."""


def count_faults(facts: Iterable[FaultFacts], dimension: FaultDimension) -> dict[str, int]:
    """The reference fault count per value of ``dimension`` (``""`` for a missing product or batch).

    By product and batch every fault occurrence counts (:func:`fault_facts`: a symptom and its cause).
    By symptom or cause a ticket counts once per value: 故障描述 is the problem as perceived, so a
    leak whose check found two causes (seed 002: 这些原因其实还可以往下再细分 — causes subdivide the
    symptom, they do not multiply it), or that came back after a reopen and was traced to another cause,
    is one leak; likewise one worn seal behind two symptoms of one unit is one cause.
    """
    column = FaultDimension(dimension).value
    counts: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()
    for fault in facts:
        value: str = getattr(fault, column) or ""
        if column in PER_VALUE_DIMENSIONS:
            if (fault.ticket_id, value) in seen:
                continue
            seen.add((fault.ticket_id, value))
        counts[value] = counts.get(value, 0) + 1
    return counts


def group_key(facts: TicketFacts, group: GroupBy) -> str:
    """The key ``facts`` falls under in ``group`` (``UNSET`` for a missing value)."""
    if group is GroupBy.ALL:
        return ALL
    value: str | None = getattr(facts, group.value)
    return value or UNSET


def _on_time(done: int | None, due: int | None) -> bool:
    return done is not None and due is not None and done <= due


def count_facts(
    facts: Iterable[TicketFacts], group: GroupBy, satisfied_at: int, as_of_us: int | None = None
) -> dict[str, TicketCounts]:
    """The reference aggregation: :class:`TicketCounts` per group key.

    First-time fix: resolved with no rework and at most one visit. A callback is on time when it was
    recorded no later than it was due; one not made whose due time is at or after ``as_of_us`` (the
    report's instant; ``None``: none is) is pending. ``satisfied`` counts ratings of at least
    ``satisfied_at``.
    """
    totals: dict[str, list[int]] = {}
    for f in facts:
        row = totals.setdefault(group_key(f, group), [0] * 18)
        resolved = f.resolved_us is not None
        values = (
            1,
            resolved,
            f.cancelled,
            resolved and f.reworks == 0 and f.visits <= 1,
            f.reworks > 0,
            f.reworks,
            f.callback_due_us is not None,
            f.callback_us is not None,
            f.callback_us is not None
            and f.callback_due_us is not None
            and f.callback_us <= f.callback_due_us,
            f.satisfaction is not None,
            f.satisfaction is not None and f.satisfaction >= satisfied_at,
            f.satisfaction or 0,
            f.complaint,
            f.complaint and resolved,
            f.complaint and f.cancelled,
            f.callback_due_us is not None
            and f.callback_us is None
            and as_of_us is not None
            and f.callback_due_us >= as_of_us,
            f.attitude is not None,
            f.attitude or 0,
        )
        for i, v in enumerate(values):
            row[i] += int(v)
    return {key: TicketCounts(*row) for key, row in totals.items()}


@runtime_checkable
class ReportingQueries(Protocol):
    """The aggregates reports ask a store for. Tickets belong to a period by when they were received."""

    def ticket_counts(
        self, period: Period, group: GroupBy, *, satisfied_at: int = 4, as_of: datetime | None = None
    ) -> dict[str, TicketCounts]:
        """:class:`TicketCounts` per group key of the tickets received in ``period`` that count as calls
        (:func:`counts_as_call`: not a request handed over as a complaint); callbacks pending are those
        not made and not yet due at ``as_of`` (default: the period's end)."""
        ...

    def timings(self, period: Period, group: GroupBy) -> Iterator[TicketTiming]:
        """One :class:`TicketTiming` per ticket received in ``period`` that counts as a call
        (:func:`counts_as_call`), a few integers each."""
        ...

    def timing_columns(self, period: Period, group: GroupBy) -> TimingColumns:
        """The same timings as :meth:`timings`, as :class:`TimingColumns` (what the KPI report reads)."""
        ...

    def category_counts(self, period: Period, group: GroupBy) -> dict[tuple[str, str], int]:
        """Tickets received in ``period`` and not cancelled per ``(group key, category)``: the calls that
        were served (a duplicate or a call registered by mistake, cancelled, is no installation or
        repair of the dealer's month, seed 002)."""
        ...

    def completed_category_counts(self, period: Period, group: GroupBy) -> dict[tuple[str, str], int]:
        """Completions of the work in ``period`` (:func:`completions`: a service ticket's acceptance by
        the customer, a complaint's handling, each cycle's) per ``(group key, category)``, whenever the
        tickets were received: the installations and repairs a dealer did that month (seed 002 分工 7/10:
        每次维修完毕后…经客户确认后汇总; 每月对所维修情况进行一次统计). A month already reported does not
        change: a reopen does not take an acceptance out of its month, nor does cancelling the rework
        afterwards (a call cancelled before any acceptance has none); by ``SERVING_DEALER`` each
        completion counts for the dealer who did that work, so passing the rework to another dealer
        leaves the first dealer's repair with it. The rework accepted again counts in its own month."""
        ...

    def fault_counts(self, period: Period, dimension: FaultDimension) -> dict[str, int]:
        """Fault occurrences (:func:`fault_facts`) of tickets received in ``period`` and not cancelled
        (:func:`fault_evidence`) per value of ``dimension``, counted as :func:`count_faults` counts them
        (by symptom or cause, a ticket once per value)."""
        ...

    def batch_symptom_units(self, until: datetime) -> dict[tuple[str, str, str], int]:
        """Distinct units (assets, else tickets) per ``(product, batch, symptom)``.

        Counts every ticket received before ``until`` and not cancelled (:func:`fault_evidence`) whose
        product and batch are known.
        """
        ...

    def batch_sizes(self) -> dict[tuple[str, str], int]:
        """Registered units (assets) per ``(product, batch)``."""
        ...

    def batch_fault_units(
        self, until: datetime, dimension: str, excluded_causes: Collection[str] = ()
    ) -> dict[tuple[str, str, str], int]:
        """Distinct units (assets) per ``(product, batch, cause or symptom)`` — the batch-incident count.

        ``dimension`` is ``"cause"`` or ``"symptom"``; tickets received before ``until``, not cancelled
        (:func:`fault_evidence`), whose unit, product and batch are known count (the desk's detector
        counts the same units). Fault records whose cause is one of ``excluded_causes`` (no design or
        production fault, the complaint policy's ``batch_excluded_causes``) do not count.
        """
        ...


def batch_dimension(dimension: str) -> str:
    """The fault column a batch incident groups by: ``"cause"`` or ``"symptom"``, else ``ValidationError``."""
    if dimension not in ("cause", "symptom"):
        raise ValidationError(
            f'a batch dimension is "cause" or "symptom", got {dimension!r}', field="dimension"
        )
    return dimension


def as_mapping(counts: TicketCounts) -> Mapping[str, int]:
    """``counts`` as a plain mapping (for rendering)."""
    return attrs.asdict(counts)
