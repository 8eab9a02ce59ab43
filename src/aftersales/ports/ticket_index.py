"""The queryable facts of a ticket, as every store indexes them, and the reference semantics of a filter.

SQL adapters store :class:`TicketRow` as columns (with indexes) beside the ticket's JSON; the memory
adapter and a host's own adapter can evaluate :func:`matches` and :func:`sort_key` directly. Instants
are integers (microseconds since the Unix epoch, UTC) so every store compares them the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from aftersales.domain.classification import Priority
from aftersales.domain.instants import micros
from aftersales.domain.sla_late import late_after
from aftersales.domain.sla_solution import solution_given_us
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.ports.queries import CountField, Sort, TicketFilter

__all__ = [
    "COUNT_COLUMNS",
    "EQUALITY_FILTERS",
    "NO_DUE",
    "SORT_ARITY",
    "TicketRow",
    "claimed_urgent",
    "matches",
    "micros",
    "parts_gap",
    "row_values",
    "sort_key",
    "ticket_row",
    "ticket_row_of",
]


NO_DUE = 2**62
"""The due key of a ticket without a resolution due time: after every real one."""

_URGENCY = {Priority.CRITICAL: 0, Priority.EXPEDITED: 1, Priority.NORMAL: 2}
_UNTRIAGED = 3

SORT_ARITY = {Sort.RECEIVED_ASC: 2, Sort.RECEIVED_DESC: 2, Sort.PRIORITY: 3, Sort.DUE: 2}
"""How many values a sort key (and so a cursor) holds, the ticket id last."""


@attrs.frozen
class TicketRow:
    """The indexed columns of one ticket."""

    id: str
    version: int
    kind: str
    state: str
    is_open: bool
    unresolved: bool
    priority: str | None
    urgency: int
    category: str
    customer_id: str
    dealer_id: str | None
    region: str | None
    assignee_id: str | None
    product_id: str | None
    batch: str | None
    received_us: int
    resolution_due_us: int | None
    due_key: int
    description: str
    dispatched_dealer: str | None = None
    """The assignee's id when the ticket is dispatched to a dealer (``AssigneeKind.DEALER``) other than
    its own (``dealer_id``), else None: with ``dealer_id``, what :attr:`TicketFilter.dealer_scope` reads
    (a dispatch to the ticket's own dealer adds nothing to its scope, so it is not stored twice)."""
    late_gap: int = 0
    """How long after the due (microseconds) the resolution still counts on time: from the due to its
    late-after instant (:func:`~aftersales.domain.sla_late.late_after` of the due and
    ``Ticket.resolution_late_after``), 0 for most tickets (late the instant after the due) and without a
    due. What :attr:`TicketFilter.breached_at` adds to the due, as ``desk.sla()``, the sweep and the
    reports judge; a gap, not an instant, so the breached filter stays one range of the due index and a
    planner sees most rows pass (``late_gap = 0``). A ticket waiting for the customer since before it was
    late has a gap reaching :data:`NO_DUE`; one waiting for parts so has ``-1 - gap``
    (:func:`parts_gap`: paused only where the pack pauses on parts, ``TicketFilter.parts_pause``)."""
    urgent_claimed: bool = False
    """Whether the customer's own request said it was urgent and nobody has marked it so yet
    (:func:`claimed_urgent`; seed 001 三(二)2): what the specialist triaging the new calls looks for."""


_AWAITING_CUSTOMER = frozenset({TicketState.AWAITING_CUSTOMER.value})
"""The state that always pauses the SLA clocks."""
_AWAITING_PARTS = _AWAITING_CUSTOMER | {TicketState.AWAITING_PARTS.value}
"""The states that pause them where the pack says ``pause_on_parts`` (which the index does not know)."""


def _waiting_since(ticket: Ticket, states: frozenset[str]) -> int | None:
    """Where the ticket's current wait in ``states`` began (µs), ``None`` when it is not in one: the first
    event of the latest unbroken run, as the SLA and the reports read the pause
    (``ports.reporting.pause_starts``)."""
    since = None
    for event in reversed(ticket.events):
        if event.to_state not in states:
            break
        since = micros(event.at)
    return since


def parts_gap(late_gap: int, due_us: int, parts_pause: bool) -> int:
    """The gap a row's ``late_gap`` stands for: a negative one marks a ticket waiting for parts since
    before it was late (``-1 - gap``), which is paused (no due to be late against) where the pack pauses
    on parts, else late after ``gap`` as any other."""
    if late_gap >= 0:
        return late_gap
    return NO_DUE - due_us if parts_pause else -1 - late_gap


def claimed_urgent(ticket: Ticket) -> bool:
    """Whether ``ticket``'s customer said its request was urgent (``urgent_claimed`` on its ``opened``
    event), a claim that grades nothing until the specialist marks the ticket urgent (seed 001 三(二)2,
    ``triage(urgent=True)``); ``False`` once it is marked: nothing left to decide."""
    events = ticket.events
    if ticket.urgent or not events or events[0].action != "opened":
        return False
    return events[0].payload.get("urgent_claimed") is True


def row_values(ticket: Ticket, version: int | None = None) -> tuple[object, ...]:
    """The indexed columns of ``ticket`` as a plain tuple in :class:`TicketRow` order.

    SQL adapters bind this directly (no intermediate object); ``version`` overrides the ticket's.
    """
    due = ticket.resolution_due_at
    due_us = micros(due) if due is not None else None
    late = late_after(due, ticket.resolution_late_after)  # the one rule the reports judge by
    gap = micros(late) - due_us if late is not due and late is not None and due_us is not None else 0
    if due_us is not None and ticket.state in _AWAITING_PARTS:
        waiting = _waiting_since(ticket, _AWAITING_CUSTOMER)
        if waiting is not None and waiting <= due_us + gap:
            gap = NO_DUE - due_us  # its clock stands since before its due: not late while it waits
        elif (waiting := _waiting_since(ticket, _AWAITING_PARTS)) is not None and waiting <= due_us + gap:
            gap = -1 - gap  # the same where the pack pauses on parts: the filter decides (parts_gap)
    if due_us is not None and ticket.resolution_steps:
        # Seed 003 二 5: a complaint met by its solution given in time is not late while its result is
        # carried out (domain.sla_solution), as desk.sla() and the reports judge it.
        solved = solution_given_us(ticket.events, ticket.resolution_steps)
        if solved is not None and solved <= due_us + gap:
            gap = NO_DUE - due_us
    is_open = ticket.is_open
    priority = ticket.priority
    assignee = ticket.assignee
    dispatched = ticket.dispatched_dealer
    if dispatched is not None and dispatched == ticket.dealer_id:
        # Its own dealer's already (dealer_id): an index entry of its own would only cost the dispatch's
        # save a WAL page or so (issue 21, session 38), and the scope reads dealer_id first.
        dispatched = None
    return (
        ticket.id,
        ticket.version if version is None else version,
        ticket.kind._value_,  # the member's own attribute: no enum property descriptor per row
        ticket.state,
        is_open,
        is_open and ticket.resolved_at is None,
        priority._value_ if priority is not None else None,
        _URGENCY[priority] if priority is not None else _UNTRIAGED,
        ticket.category.code,
        ticket.customer_id,
        ticket.dealer_id,
        ticket.region,
        assignee.id if assignee is not None else None,
        ticket.product_id,
        ticket.batch,
        micros(ticket.received_at),
        due_us,
        due_us if due_us is not None else NO_DUE,
        ticket.description,
        dispatched,
        gap,
        claimed_urgent(ticket),
    )


def ticket_row(ticket: Ticket) -> TicketRow:
    """The indexed columns of ``ticket``."""
    return TicketRow(*row_values(ticket))  # type: ignore[arg-type]


def ticket_row_of(values: Sequence[Any]) -> TicketRow:
    """A :class:`TicketRow` from stored column values in its field order (flags stored as 0/1 or
    booleans: both give booleans)."""
    row = list(values)
    row[4] = bool(row[4])
    row[5] = bool(row[5])
    if len(row) > _DISPATCHED and row[_DISPATCHED] is not None and row[_DISPATCHED] == row[_DEALER]:
        row[_DISPATCHED] = None  # written before session 38 (row_values): its own dealer's, as now
    if len(row) > _CLAIMED:
        row[_CLAIMED] = bool(row[_CLAIMED])
    return TicketRow(*row)


_CLAIMED = 21
"""The position of ``urgent_claimed`` among the row's columns."""
_DEALER = 10
_DISPATCHED = 19
"""The positions of ``dealer_id`` and ``dispatched_dealer`` among the row's columns."""


EQUALITY_FILTERS = (
    ("customer_id", "customer_id"),
    ("dealer_id", "dealer_id"),
    ("region", "region"),
    ("engineer_id", "assignee_id"),
    ("product_id", "product_id"),
    ("batch", "batch"),
)
"""Filter fields matched by equality, and the row column each one reads."""


COUNT_COLUMNS: dict[CountField, str] = {
    CountField.STATE: "state",
    CountField.PRIORITY: "priority",
    CountField.CATEGORY: "category",
    CountField.DEALER_ID: "dealer_id",
    CountField.REGION: "region",
    CountField.PRODUCT_ID: "product_id",
    CountField.BATCH: "batch",
    CountField.ASSIGNEE_ID: "assignee_id",
    CountField.MEMBER: "member",
}
"""The row column each :class:`CountField` groups on (``member``: the member labels, not a column)."""


def matches(row: TicketRow, f: TicketFilter) -> bool:
    """True when ``row`` satisfies every condition of ``f`` (the reference semantics)."""
    if f.states and row.state not in f.states:
        return False
    if f.priorities and row.priority not in f.priorities:
        return False
    if f.categories and row.category not in f.categories:
        return False
    if f.kind is not None and row.kind != f.kind.value:
        return False
    for name, column in EQUALITY_FILTERS:
        wanted = getattr(f, name)
        if wanted is not None and getattr(row, column) != wanted:
            return False
    if f.received_from is not None and row.received_us < micros(f.received_from):
        return False
    if f.received_to is not None and row.received_us >= micros(f.received_to):
        return False
    if f.due_before is not None and (
        row.resolution_due_us is None or row.resolution_due_us >= micros(f.due_before)
    ):
        return False
    if f.breached_at is not None and (
        not row.unresolved
        or row.resolution_due_us is None
        or row.resolution_due_us + parts_gap(row.late_gap, row.resolution_due_us, f.parts_pause is True)
        >= micros(f.breached_at)
    ):
        return False
    if f.dealer_scope is not None and f.dealer_scope not in (row.dealer_id, row.dispatched_dealer):
        return False
    if f.is_open is not None and row.is_open != f.is_open:
        return False
    if f.unresolved is not None and row.unresolved != f.unresolved:
        return False
    return not (f.text and f.text.lower() not in row.description.lower())


def sort_key(row: TicketRow, sort: Sort) -> tuple[int | str, ...]:
    """The key ``row`` sorts by in ``sort`` (ascending, except ``RECEIVED_DESC`` which is descending)."""
    if sort is Sort.PRIORITY:
        return (row.urgency, row.received_us, row.id)
    if sort is Sort.DUE:
        return (row.due_key, row.id)
    return (row.received_us, row.id)
