"""The reporting rows of a ticket, computed in Python beside its ledger columns.

The SQLite store writes them with the ticket in the same transaction (no trigger parses the JSON
again inside SQLite): one ``report_tickets`` row of :class:`~aftersales.ports.reporting.TicketFacts`
and one ``report_faults`` row per fault occurrence (:class:`~aftersales.ports.reporting.FaultFacts`).
The reference definitions in :mod:`aftersales.ports.reporting` are the only source, so every store
reports the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

import attrs

from aftersales.domain.complaint_handover import handed_over_to
from aftersales.domain.events import TicketEvent
from aftersales.domain.instants import micros
from aftersales.domain.sla_reading import answered_at, answers, response_steps
from aftersales.domain.sla_targets import RESPONSE_ACTIONS
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.ports.reporting import (
    CALLBACK_ACTION,
    REWORK_ACTIONS,
    SCHEDULE_CALLBACK_ACTION,
    FaultFacts,
    TicketFacts,
    completion_facts,
    fault_facts,
    judged_dues,
    pause_starts,
    serving_dealer,
    solution_us,
    timing_stops,
)

_CANCELLED = TicketState.CANCELLED.value

__all__ = [
    "ATTITUDE_COLUMNS",
    "DELETE_COMPLETIONS",
    "DELETE_FAULTS",
    "EXPECTED_COLUMNS",
    "FACT_COLUMNS",
    "FAULT_COLUMNS",
    "HANDOVER_COLUMNS",
    "INSERT_COMPLETION",
    "INSERT_FAULT",
    "LATER_FACT_COLUMNS",
    "LEDGER_COLUMNS",
    "LEDGER_DUE_COLUMNS",
    "REPORT_COLUMNS",
    "TIMING_COLUMNS",
    "UPSERT_FACTS",
    "EventsRead",
    "completion_values",
    "event_facts",
    "expected_values",
    "fact_values",
    "fact_values_after",
    "fault_values",
    "later_facts",
    "ledger_dues",
]

FACT_COLUMNS: tuple[str, ...] = tuple(a.name for a in attrs.fields(TicketFacts))
LATER_FACT_COLUMNS: tuple[str, ...] = ("serving_dealer_id", "paused_us", "paused_parts_us")
EXPECTED_COLUMNS: tuple[str, ...] = ("expected_by_us", "expected_at_us")
"""The ledger's promised times (session 20): when the customer asked to have it solved and the time they
were last told, the table's last columns, as the migration step appends them
(:data:`~aftersales.adapters.reporting_sqlite_schema.EXPECTED_REPORT_STEP`)."""
"""The facts added after the ledger and timing columns (session 16): the last columns of the table, as
the migration step appends them
(:data:`~aftersales.adapters.reporting_sqlite_schema.SERVING_PAUSE_REPORT_STEP`)."""
ATTITUDE_COLUMNS: tuple[str, ...] = ("attitude",)
"""The last fact (session 21): the callback's evaluation of the team's service attitude (seed 001 三(七)2),
which the KPI averages beside the satisfaction; the table's last column, as the migration step appends it
(:data:`~aftersales.adapters.reporting_sqlite_schema.ATTITUDE_REPORT_STEP`)."""
LEDGER_DUE_COLUMNS: tuple[str, ...] = ("ledger_response_due_us", "ledger_resolution_due_us")
"""The due times the ledger export shows (session 22): the ticket's own, as ``ticket_record`` reads them
(the memory and PostgreSQL exports too). ``response_due_us`` and ``resolution_due_us`` are the due times
the KPI judges a reopened ticket against (:func:`~aftersales.ports.reporting.judged_dues`: an earlier
cycle's), which the export showed instead. The table's last columns, as the migration step appends them
(:data:`~aftersales.adapters.reporting_sqlite_schema.LEDGER_DUES_REPORT_STEP`)."""
SOLUTION_COLUMNS: tuple[str, ...] = ("solution_us",)
"""Where a complaint's resolution was met by its solution given (session 35, seed 003 二 5:
:func:`~aftersales.ports.reporting.solution_us`; NULL for every other ticket): the KPI's time to resolve
runs to it before ``resolved_us``. The table's last column, as the migration step appends it
(:data:`~aftersales.adapters.reporting_sqlite_schema.SOLUTION_REPORT_STEP`)."""
HANDOVER_COLUMNS: tuple[str, ...] = ("handed_over",)
"""Whether the ticket is a request handed over as a complaint (session 36, seed 004 第七条 3:
:func:`~aftersales.domain.complaint_handover.handed_over_to`): the complaint is that call, so the KPI's
counts and times leave the request out. The table's last column, as the migration step appends it
(:data:`~aftersales.adapters.reporting_sqlite_schema.HANDOVER_REPORT_STEP`)."""
_FIRST_FACT_COLUMNS = FACT_COLUMNS[: len(FACT_COLUMNS) - len(LATER_FACT_COLUMNS) - len(ATTITUDE_COLUMNS)]
FAULT_COLUMNS: tuple[str, ...] = tuple(a.name for a in attrs.fields(FaultFacts))
LEDGER_COLUMNS: tuple[str, ...] = (
    "priority", "channel", "customer_id", "engineer", "description", "symptom", "cause", "action",
    "outcome",
)  # fmt: skip
"""What the ledger export reads beside the facts (``ports.ledger_rows``): with them a page of the
export is the ledger index and this row, and never touches the ticket's document. ``engineer`` is the
assignee's name (its id when it has none); symptom, cause and action are the last fault record's;
``outcome`` the handling result (``Ticket.outcome``)."""
TIMING_COLUMNS: tuple[str, ...] = ("response_stop_us",)
"""What the KPI's on-time rates read beside the facts: where an unanswered ticket's response clock stopped
(:func:`~aftersales.ports.reporting.timing_stops`)."""
REPORT_COLUMNS: tuple[str, ...] = (
    _FIRST_FACT_COLUMNS
    + LEDGER_COLUMNS
    + TIMING_COLUMNS
    + LATER_FACT_COLUMNS
    + EXPECTED_COLUMNS
    + ATTITUDE_COLUMNS
    + LEDGER_DUE_COLUMNS
    + SOLUTION_COLUMNS
    + HANDOVER_COLUMNS
)
"""The ``report_tickets`` columns in table order: the first facts, the ledger's, the timing's, the later
facts, the promised times, the attitude, the ledger's due times."""

# An upsert updates the row in place: the received-time index is only touched when that changes
# (INSERT OR REPLACE would delete and re-insert every index entry on each save).
UPSERT_FACTS = (
    f"INSERT INTO report_tickets ({', '.join(REPORT_COLUMNS)}) "
    f"VALUES ({', '.join('?' * len(REPORT_COLUMNS))}) "
    f"ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in REPORT_COLUMNS[1:])}"
)
INSERT_FAULT = (
    f"INSERT INTO report_faults ({', '.join(FAULT_COLUMNS)}) VALUES ({', '.join('?' * len(FAULT_COLUMNS))})"
)
DELETE_FAULTS = "DELETE FROM report_faults WHERE ticket_id = ?"
INSERT_COMPLETION = (
    "INSERT INTO report_completions (ticket_id, seq, completed_us, serving_dealer_id, category)"
    " VALUES (?, ?, ?, ?, ?)"
)
DELETE_COMPLETIONS = "DELETE FROM report_completions WHERE ticket_id = ?"


def _us(at: datetime | None) -> int | None:
    return micros(at) if at is not None else None


_Fold = tuple[int, int | None, int | None, int | None, int | None, bool]
"""What :func:`event_facts` has read of some first events: its five facts so far and whether it is still
in the first cycle."""
_START: _Fold = (0, None, None, None, None, True)


def event_facts(
    events: Sequence[TicketEvent], responses: frozenset[str] = RESPONSE_ACTIONS
) -> tuple[int, int | None, int | None, int | None, int | None]:
    """What the report reads from a ticket's history, in one pass: how many reworks, when the callback
    of the current due time was made (µs, :func:`~aftersales.ports.reporting.current_callback_us`), the
    last satisfaction score it recorded, when the customer was first answered in the first cycle (µs,
    :func:`~aftersales.domain.sla_reading.first_response`: the earliest contact by when it was made, by the
    ticket's own ``responses`` steps), and
    the last evaluation of the team's service attitude a callback recorded."""
    return _read(events, responses, _START)[:5]


def _read(events: Iterable[TicketEvent], responses: frozenset[str], state: _Fold) -> _Fold:
    """:func:`event_facts` of ``events`` following the earlier events read as ``state`` (a fold: the
    facts of the first n events and the next ones give the facts of them all)."""
    reworks, callback_us, satisfaction, response_us, attitude, first_cycle = state
    for event in events:
        action = event.action
        # a contact, or the work marked done before any (session 34: answered then)
        if first_cycle and (action in responses or action == "resolve") and answers(event, responses):
            made = micros(answered_at(event))  # a contact recorded later: when it was made, the earliest
            response_us = made if response_us is None else min(response_us, made)
        if action == "reopen":
            first_cycle = False  # the response is the first cycle's (a reopened cycle has no response target)
        if action in REWORK_ACTIONS:
            reworks += 1
        elif action == SCHEDULE_CALLBACK_ACTION:
            callback_us = None  # the callback judged is the one made after the current was scheduled
        elif action == CALLBACK_ACTION:
            if callback_us is None:
                callback_us = micros(event.at)
            value = event.payload.get("satisfaction")
            if isinstance(value, int) and not isinstance(value, bool):
                satisfaction = value
            value = event.payload.get("attitude")
            if isinstance(value, int) and not isinstance(value, bool):
                attitude = value
    return reworks, callback_us, satisfaction, response_us, attitude, first_cycle


@attrs.frozen
class EventsRead:
    """What :func:`fact_values_after` read of a ticket's events: the first ``count`` of them (the last
    numbered ``last_seq``) by the ticket's response steps ``responses``, and what they gave."""

    count: int
    last_seq: int
    responses: frozenset[str]
    state: _Fold

    def continues(self, events: Sequence[TicketEvent], responses: frozenset[str]) -> bool:
        """Whether ``events`` begin with the events read (the same count and last step, the test a save
        makes before it appends to their stored text) and are read by the same steps."""
        count = self.count
        if not 0 < count <= len(events) or events[count - 1].seq != self.last_seq:
            return False
        return responses == self.responses


def fact_values(ticket: Ticket) -> tuple[object, ...]:
    """The ``report_tickets`` row of ``ticket`` (in :data:`REPORT_COLUMNS` order).

    The facts are the same values as ``attrs.astuple(ticket_facts(ticket))`` (the later facts last) and the
    ledger columns
    those of ``ticket_record`` (unit tests hold them equal), built directly: this runs on every save
    and for every ticket of a bulk import.
    """
    return fact_values_after(ticket, None)[0]


def fact_values_after(ticket: Ticket, read: EventsRead | None) -> tuple[tuple[object, ...], EventsRead]:
    """:func:`fact_values`, reading only the events past ``read`` (what an earlier call read of this
    very ticket's events, or of the ticket it is a copy of; ignored if the events do not begin with
    them), and what it read now, for the next save.

    Why: the history is read once per save, and a ticket's saves add an event or two to it, so a long-
    lived ticket's 40th save read all 40 events again (issue 21, session 28: ~0.4 µs an event).
    """
    events = ticket.events
    responses = response_steps(ticket)
    if read is not None and read.continues(events, responses):
        state = _read(events[read.count :], responses, read.state)
    else:
        state = _read(events, responses, _START)
    now = EventsRead(len(events), events[-1].seq if events else -1, responses, state)
    reworks, callback_us, satisfaction, response_us, attitude = state[:5]
    assignee = ticket.assignee
    records = ticket.fault_records
    fault = records[-1] if records else None
    judged = judged_dues(ticket, response_us)  # an earlier cycle's miss stays a miss
    facts = (
        ticket.id,
        ticket.kind._value_,  # the member's own attribute: `.value` is a property (~0.35 µs)
        ticket.category.code,
        ticket.state,
        ticket.dealer_id,
        ticket.region,
        assignee.id if assignee is not None else None,
        ticket.product_id,
        ticket.batch,
        ticket.asset_id,
        micros(ticket.received_at),
        response_us,
        judged[0],
        _us(ticket.resolved_at),
        judged[1],
        _us(ticket.closed_at),
        ticket.state == _CANCELLED,
        reworks,
        len(ticket.visits),
        _us(ticket.callback_due_at),
        callback_us,
        satisfaction,
        ticket.priority._value_ if ticket.priority is not None else None,
        ticket.channel._value_,
        ticket.customer_id,
        (assignee.name or assignee.id) if assignee is not None else None,
        ticket.description,
        fault.symptom if fault is not None else None,
        fault.cause if fault is not None else None,
        fault.action if fault is not None else None,
        ticket.outcome,
        timing_stops(ticket)[0],
        *later_facts(ticket),
        *expected_values(ticket),
        attitude,
        *ledger_dues(ticket),
        solution_us(ticket),
        handed_over_to(ticket) is not None,
    )
    return facts, now


def ledger_dues(ticket: Ticket) -> tuple[int | None, int | None]:
    """The :data:`LEDGER_DUE_COLUMNS` of ``ticket`` (µs): its response and resolution due times."""
    return _us(ticket.response_due_at), _us(ticket.resolution_due_at)


def expected_values(ticket: Ticket) -> tuple[int | None, int | None]:
    """The :data:`EXPECTED_COLUMNS` of ``ticket`` (µs): the customer's expected time and the time told."""
    return _us(ticket.expected_by), _us(ticket.told_expected_at)


def later_facts(ticket: Ticket) -> tuple[str | None, int | None, int | None]:
    """The :data:`LATER_FACT_COLUMNS` of ``ticket``: the dealer doing the job and where its current wait
    began (:func:`~aftersales.ports.reporting.serving_dealer`,
    :func:`~aftersales.ports.reporting.pause_starts`)."""
    return (serving_dealer(ticket), *pause_starts(ticket.events))


def fault_values(ticket: Ticket) -> list[tuple[object, ...]]:
    """The ``report_faults`` rows of ``ticket``, one per fault occurrence (none for most tickets)."""
    if not ticket.fault_records:
        return []
    return [attrs.astuple(f, recurse=False) for f in fault_facts(ticket)]


def completion_values(ticket: Ticket) -> list[tuple[object, ...]]:
    """The ``report_completions`` rows of ``ticket``: one per completion of its work
    (:func:`~aftersales.ports.reporting.completion_facts`: its instant, the dealer who did that work and
    the category it was completed under; none for a ticket not yet accepted)."""
    return [(ticket.id, seq, *done) for seq, done in enumerate(completion_facts(ticket))]
