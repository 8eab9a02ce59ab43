"""Ledger records straight from SQLite: the indexed columns and the report row written with the ticket.

One query per page: the ledger's own WHERE clause (:func:`~aftersales.adapters.sql_ledger.where`)
picks the page of ``tickets`` by (received_us, id) and the ``report_tickets`` row the store wrote
with each ticket supplies every other field: codes, instants, the engineer's name, the last fault record
(:data:`~aftersales.adapters.reporting_rows.LEDGER_COLUMNS`); the tickets table gives only the id and
the receipt time, from the index the page is a range of. The columns come out in
:data:`~aftersales.ports.ledger_rows.LEDGER_FIELDS` order, so a fetched row is the record: no
ticket document is read, parsed or rebuilt.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

from aftersales.adapters.late_gap_backfill import backfill_late_gap
from aftersales.adapters.ledger_state_arms import export_arms
from aftersales.adapters.reporting_sqlite_schema import ensure_reporting_schema
from aftersales.adapters.sql_ledger import arm_pages
from aftersales.adapters.sqlite import SqliteStore
from aftersales.adapters.urgent_claim_step import backfill_urgent_claims
from aftersales.errors import StorageError, ValidationError
from aftersales.ports.ledger_rows import LedgerRecord, received_order
from aftersales.ports.queries import TicketFilter

__all__ = ["SqliteLedgerRows"]

# The report row joins as a projection with its own column names (SQLite flattens it into a primary
# key lookup per ticket), so the ledger's WHERE clause, written for ``tickets`` alone, means what it
# means for the ledger. Only the id and receipt time come from ``tickets``: a page is a range of the
# ledger index covering them (no sort, no read of the ticket row and its document) and one lookup of
# the small report row per ticket. The due times are the ticket's own (``ledger_*``), as ``ticket_record``
# reads them, not the KPI's judged ones.
_REPORT = (
    "kind", "state", "category", "priority", "channel", "customer_id", "dealer_id", "region", "engineer",
    "product_id", "batch", "description", "ledger_response_due_us", "ledger_resolution_due_us",
    "resolved_us", "closed_us", "symptom", "cause", "action", "outcome", "expected_by_us", "expected_at_us",
)  # fmt: skip
_SELECT = (
    "SELECT tickets.id, r_kind, r_state, r_category, r_priority, r_channel, received_us, "
    "r_customer_id, r_dealer_id, r_region, r_engineer, r_product_id, r_batch, r_description, "
    "r_ledger_response_due_us, r_ledger_resolution_due_us, r_resolved_us, r_closed_us, r_symptom, "
    "r_cause, r_action, r_outcome, r_expected_by_us, r_expected_at_us, tickets.urgent_claimed "
    f"FROM tickets LEFT JOIN (SELECT id AS r_id, {', '.join(f'{c} AS r_{c}' for c in _REPORT)} "
    "FROM report_tickets) ON r_id = tickets.id{where} ORDER BY received_us, tickets.id LIMIT ?"
)


class SqliteLedgerRows:
    """:class:`~aftersales.ports.ledger_rows.LedgerRows` of a :class:`SqliteStore`."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        conn = store.acquire()
        try:
            ensure_reporting_schema(conn)
            backfill_late_gap(conn)  # the breached filter's gaps of an upgraded file (a no-op once done)
            backfill_urgent_claims(conn)  # the customers' own "urgent" of an upgraded file (once)
        finally:
            store.release(conn)

    def pages(self, filter: TicketFilter, page_size: int) -> Iterator[Sequence[LedgerRecord]]:
        if not isinstance(page_size, int) or not 1 <= page_size <= 100_000:
            raise ValidationError("page_size is from 1 to 100,000", field="page_size")
        arms = export_arms(filter)  # a breached filter: one arm per open state (ledger_state_arms)
        yield from arm_pages(
            arms, lambda where, params: self._arm(where, params, page_size), received_order, page_size
        )

    def _arm(self, base: list[str], params: list[object], page_size: int) -> Iterator[list[LedgerRecord]]:
        after: tuple[object, object] | None = None
        while True:
            parts = list(base)
            args = list(params)
            if after is not None:
                # a row value: the (received_us, id) index seeks straight to the next page
                parts.append("(received_us, tickets.id) > (?, ?)")
                args += [after[0], after[1]]
            sql = _SELECT.replace("{where}", " WHERE " + " AND ".join(parts) if parts else "")
            rows = self._read(sql, (*args, page_size))
            if not rows:
                return
            yield rows
            if len(rows) < page_size:
                return
            after = (rows[-1][6], rows[-1][0])

    def _read(self, sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
        conn = self._store.acquire()
        try:
            rows: list[tuple[object, ...]] = conn.execute(sql, params).fetchall()
            return rows
        except sqlite3.Error as exc:
            raise StorageError(f"ledger export on {self._store.path}: {exc}") from exc
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            self._store.release(conn)
