"""The reporting rows of a ticket, computed in Python beside its ledger columns.

The SQLite store writes them with the ticket in the same transaction (no trigger parses the JSON
again inside SQLite): one ``report_tickets`` row of :class:`~aftersales.ports.reporting.TicketFacts`
and one ``report_faults`` row per fault record (:class:`~aftersales.ports.reporting.FaultFacts`).
The reference definitions in :mod:`aftersales.ports.reporting` are the only source, so every store
reports the same numbers.
"""

from __future__ import annotations

import attrs

from aftersales.domain.ticket import Ticket
from aftersales.ports.reporting import FaultFacts, TicketFacts, fault_facts, ticket_facts

__all__ = [
    "DELETE_FAULTS",
    "FACT_COLUMNS",
    "FAULT_COLUMNS",
    "INSERT_FAULT",
    "UPSERT_FACTS",
    "fact_values",
    "fault_values",
]

FACT_COLUMNS: tuple[str, ...] = tuple(a.name for a in attrs.fields(TicketFacts))
FAULT_COLUMNS: tuple[str, ...] = tuple(a.name for a in attrs.fields(FaultFacts))

# An upsert updates the row in place: the received-time index is only touched when that changes
# (INSERT OR REPLACE would delete and re-insert every index entry on each save).
UPSERT_FACTS = (
    f"INSERT INTO report_tickets ({', '.join(FACT_COLUMNS)}) VALUES ({', '.join('?' * len(FACT_COLUMNS))}) "
    f"ON CONFLICT (id) DO UPDATE SET {', '.join(f'{c} = excluded.{c}' for c in FACT_COLUMNS[1:])}"
)
INSERT_FAULT = (
    f"INSERT INTO report_faults ({', '.join(FAULT_COLUMNS)}) VALUES ({', '.join('?' * len(FAULT_COLUMNS))})"
)
DELETE_FAULTS = "DELETE FROM report_faults WHERE ticket_id = ?"


def fact_values(ticket: Ticket) -> tuple[object, ...]:
    """The ``report_tickets`` row of ``ticket`` (in :data:`FACT_COLUMNS` order)."""
    return attrs.astuple(ticket_facts(ticket), recurse=False)


def fault_values(ticket: Ticket) -> list[tuple[object, ...]]:
    """The ``report_faults`` rows of ``ticket``, one per fault record (none for most tickets)."""
    if not ticket.fault_records:
        return []
    return [attrs.astuple(f, recurse=False) for f in fault_facts(ticket)]
