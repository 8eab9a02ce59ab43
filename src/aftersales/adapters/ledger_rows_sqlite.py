"""Ledger records straight from SQLite: the indexed columns, the report side table, one JSON read.

One query per page: the ledger's own WHERE clause (:func:`~aftersales.adapters.sql_ledger.where`)
picks the page of ``tickets`` by (received_us, id); the instants come from the trigger-kept
``report_tickets`` facts, and the channel, assignee name and last fault record from one
``json_extract`` of the ticket document. No ticket object is built.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

import orjson

from aftersales.adapters.reporting_sqlite_schema import ensure_reporting_schema
from aftersales.adapters.sql_ledger import where
from aftersales.adapters.sqlite import SqliteStore
from aftersales.errors import StorageError, ValidationError
from aftersales.ports.ledger_rows import LedgerRecord
from aftersales.ports.queries import TicketFilter

__all__ = ["SqliteLedgerRows"]

_SELECT = (
    "SELECT t.id, t.kind, t.state, t.category, t.priority, t.received_us, t.customer_id, t.dealer_id, "
    "t.region, t.assignee_id, t.product_id, t.batch, t.description, r.response_due_us, t.resolution_due_us, "
    "r.resolved_us, r.closed_us, t.extra FROM (SELECT id, kind, state, category, priority, received_us, "
    "customer_id, dealer_id, region, assignee_id, product_id, batch, description, resolution_due_us, "
    # one JSON read per ticket, inside the page query so the document itself goes no further
    "json_extract(data, '$.channel', '$.assignee.name', '$.fault_records[#-1].symptom', "
    "'$.fault_records[#-1].cause', '$.fault_records[#-1].action') AS extra "
    "FROM tickets{where} ORDER BY received_us, id LIMIT ?) AS t "
    "LEFT JOIN report_tickets AS r ON r.id = t.id ORDER BY t.received_us, t.id"
)


class SqliteLedgerRows:
    """:class:`~aftersales.ports.ledger_rows.LedgerRows` of a :class:`SqliteStore`."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        conn = store.acquire()
        try:
            ensure_reporting_schema(conn)
        finally:
            store.release(conn)

    def pages(self, filter: TicketFilter, page_size: int) -> Iterator[Sequence[LedgerRecord]]:
        if not isinstance(page_size, int) or not 1 <= page_size <= 100_000:
            raise ValidationError("page_size is from 1 to 100,000", field="page_size")
        base, params = where(filter, "?", "LIKE")
        after: tuple[object, object] | None = None
        while True:
            parts = list(base)
            args = list(params)
            if after is not None:
                # a row value: the (received_us, id) index seeks straight to the next page
                parts.append("(received_us, id) > (?, ?)")
                args += [after[0], after[1]]
            sql = _SELECT.replace("{where}", " WHERE " + " AND ".join(parts) if parts else "")
            rows = self._read(sql, (*args, page_size))
            if not rows:
                return
            page: list[LedgerRecord] = []
            loads = orjson.loads
            for row in rows:
                channel, name, symptom, cause, action = loads(row[17])  # type: ignore[arg-type]
                page.append(
                    (row[0], row[1], row[2], row[3], row[4], channel, row[5], row[6], row[7], row[8],
                     name or row[9], row[10], row[11], row[12], row[13], row[14], row[15], row[16],
                     symptom, cause, action)
                )  # fmt: skip
            yield page
            if len(rows) < page_size:
                return
            after = (rows[-1][5], rows[-1][0])

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
