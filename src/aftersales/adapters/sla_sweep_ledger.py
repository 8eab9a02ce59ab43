"""The SQLite ledger's FROM clause where the sweep tables replace two of its indexes (issue 21).

``sla_due`` keeps the unresolved tickets by (due_key, id), ``sla_resolved`` the resolved ones not yet
closed by (received_us, id): the keys of the ledger's ``tickets_due`` and ``tickets_resolved_open``,
which schema step 33 drops once the tables are complete (:func:`~.sla_sweep_sqlite.drop_folded_indexes`).
A ledger query over those tickets then reads the table's range and looks up each row's ticket by id:
``<table> CROSS JOIN tickets USING (<key>, id, version, customer_id)``. ``USING`` the columns both hold
(equal by the triggers) lets the shared SQL (:mod:`.sql_ledger`) name them bare — they are the table's —
and ``CROSS JOIN`` keeps the table the outer loop (with sampled statistics SQLite scanned ``tickets``
and sorted).
"""

from __future__ import annotations

import sqlite3

import attrs

from aftersales.adapters.sla_sweep_sqlite import sweep_tables_ready
from aftersales.ports.queries import Sort, TicketFilter

__all__ = ["DUE_SOURCE", "RESOLVED_SOURCE", "TICKETS", "ledger_source"]

# A version is never negative: the term is always true. Its stated likelihood tells SQLite that the
# table's range yields a handful of rows, so it looks each ticket up rather than building a Bloom filter
# first by reading every ticket (which it did wherever the table's row estimate passed the tickets': an
# empty table has no statistics, and is guessed at a million rows). The subquery is flattened.
_FEW = "WHERE likelihood(version >= 0, 0.000001)"

TICKETS = "tickets"
DUE_SOURCE = (
    f"(SELECT * FROM sla_due {_FEW}) AS sla_due CROSS JOIN tickets USING (due_key, id, version, customer_id)"
)
RESOLVED_SOURCE = (
    f"(SELECT * FROM sla_resolved {_FEW}) AS sla_resolved"
    " CROSS JOIN tickets USING (received_us, id, version, customer_id)"
)

_NO_FILTER = TicketFilter()
_RESOLVED_OPEN = TicketFilter(is_open=True, unresolved=False)


def _nothing_else(f: TicketFilter) -> bool:
    """Whether ``f`` selects by the open/unresolved flags and due times alone (no other index leads)."""
    rest = attrs.evolve(f, is_open=None, unresolved=None, due_before=None, breached_at=None, parts_pause=None)
    return rest == _NO_FILTER


def ledger_source(conn: sqlite3.Connection, f: TicketFilter, sort: Sort | None) -> str:
    """The FROM clause of a ledger query of ``f`` in ``sort`` (None: a count).

    The unresolved tickets (``unresolved=True`` or the breached filter) read ``sla_due`` in due order,
    or counted when nothing else narrows them; the resolved open ones read ``sla_resolved`` when nothing
    else narrows them (another filter's index leads otherwise, as before). Only on a file whose sweep
    tables are complete: until then the indexes are there, and ``tickets`` is read.
    """
    unresolved = f.unresolved is True or f.breached_at is not None
    if unresolved and f.is_open is not False and (sort is Sort.DUE or _nothing_else(f)):
        source = DUE_SOURCE
    elif f.is_open is True and f.unresolved is False and f.breached_at is None and _nothing_else(f):
        source = RESOLVED_SOURCE
    else:
        return TICKETS
    return source if sweep_tables_ready(conn) else TICKETS
