"""Flat ledger rows for exports: a few codes and instants per ticket, without loading whole tickets.

An export of the ledger (售后问题台账) reads hundreds of thousands of tickets; building each
:class:`~aftersales.domain.ticket.Ticket` (its event log, visits, fault records) costs far more
than writing its line. A store may offer :class:`LedgerRows` (``store.ledger_rows()``): pages of
plain tuples in :data:`LEDGER_FIELDS` order, filtered exactly as the ledger query and ordered by
receipt (oldest first). :func:`ticket_record` is the reference semantics every implementation
matches; stores without their own are read through their ticket repository.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Final, Protocol, runtime_checkable

from aftersales.domain.ticket import Ticket
from aftersales.ports.queries import TicketFilter
from aftersales.ports.ticket_index import claimed_urgent, micros

__all__ = ["LEDGER_FIELDS", "LedgerRecord", "LedgerRows", "received_order", "ticket_record"]

LEDGER_FIELDS: Final = (
    "id", "kind", "state", "category", "priority", "channel", "received_us", "customer", "dealer",
    "region", "engineer", "product", "batch", "description", "response_due_us", "resolution_due_us",
    "resolved_us", "closed_us", "symptom", "cause", "action", "outcome", "expected_by_us", "expected_at_us",
    "urgent_claimed",
)  # fmt: skip
"""The fields of a ledger record; ``*_us`` are epoch microseconds (UTC) or None. ``engineer`` is the
assignee's name (its id when it has none); symptom, cause and action are the last fault record's;
``outcome`` is the handling result (:attr:`~aftersales.domain.ticket.Ticket.outcome`, 处理结果: seed 001's
ledger records 问题描述、处理措施、处理时间、处理结果 for each problem). ``expected_by_us`` is when the
customer asked to have it solved and ``expected_at_us`` the visit or solution time they were last told
(seed 003: 期望解决时间, 告知预计上门或解决时间), so the ledger shows the promise beside the result.
``urgent_claimed`` is whether the customer's own request said it was urgent (seed 001 三(二)2: the
specialist marks it; :func:`~aftersales.ports.ticket_index.claimed_urgent`), last so that a reader of the
older columns by position reads them where they were. A store may give it as 0 or 1."""

LedgerRecord = tuple[object, ...]
"""One ticket's fields in :data:`LEDGER_FIELDS` order."""

_RECEIVED = LEDGER_FIELDS.index("received_us")


def received_order(record: Sequence[object]) -> tuple[object, object]:
    """A record's place in the export: received, then id (the order of every page of records)."""
    return record[_RECEIVED], record[0]


@runtime_checkable
class LedgerRows(Protocol):
    """Pages of ledger records matching a filter, oldest received first (ties by id)."""

    def pages(self, filter: TicketFilter, page_size: int) -> Iterator[Sequence[LedgerRecord]]:
        """Every matching record, ``page_size`` at a time (one consistent read per page)."""
        ...


def ticket_record(ticket: Ticket) -> LedgerRecord:
    """The reference record of ``ticket``."""
    fault = ticket.fault_records[-1] if ticket.fault_records else None
    assignee = ticket.assignee

    def us(at: object) -> int | None:
        return micros(at) if at is not None else None  # type: ignore[arg-type]

    return (
        ticket.id, ticket.kind.value, ticket.state, ticket.category.code,
        ticket.priority.value if ticket.priority is not None else None, ticket.channel.value,
        micros(ticket.received_at), ticket.customer_id, ticket.dealer_id, ticket.region,
        (assignee.name or assignee.id) if assignee is not None else None, ticket.product_id, ticket.batch,
        ticket.description, us(ticket.response_due_at), us(ticket.resolution_due_at), us(ticket.resolved_at),
        us(ticket.closed_at), fault.symptom if fault else None, fault.cause if fault else None,
        fault.action if fault else None, ticket.outcome, us(ticket.expected_by), us(ticket.told_expected_at),
        claimed_urgent(ticket),
    )  # fmt: skip
