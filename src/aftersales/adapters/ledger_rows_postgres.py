"""Ledger records straight from PostgreSQL: the ledger columns and a few ``jsonb`` paths per ticket.

One query per page, in its own read transaction: the ledger's WHERE clause
(:func:`~aftersales.adapters.sql_ledger.where`) with a (received_us, id) keyset on the ledger index;
the indexed columns come as they are, and the channel, the engineer's name, the due and done instants
and the last fault record are read from the stored document with ``jsonb`` operators inside the
server, so no document crosses the wire and no ticket is rebuilt. Instants are turned into epoch
microseconds there too (``extract(epoch …)`` is exact ``numeric`` since PostgreSQL 14), so the
records equal :func:`~aftersales.ports.ledger_rows.ticket_record` field by field.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from aftersales.adapters.late_gap_postgres import backfill_late_gap_postgres
from aftersales.adapters.sql_ledger import arm_pages, where_arms
from aftersales.adapters.urgent_claim_step import backfill_urgent_claims_postgres
from aftersales.errors import ValidationError
from aftersales.ports.ledger_rows import LedgerRecord, received_order
from aftersales.ports.queries import TicketFilter

if TYPE_CHECKING:
    from aftersales.adapters.postgres import PostgresStore

__all__ = ["PostgresLedgerRows"]


def _instant(path: str) -> str:
    # Stored as ISO 8601 with the offset and, for zoneinfo times, the zone's name in brackets.
    text = f"split_part(data->>'{path}', '[', 1)::timestamptz"
    return f"(extract(epoch FROM {text}) * 1000000)::bigint"


_FAULT = "data->'fault_records'->-1"
# Ticket.outcome in SQL: the note of the last resolve/cancel/withdraw unless a reject or reopen came after.
_OUTCOME = (
    "(SELECT CASE WHEN e->>'action' IN ('resolve', 'cancel', 'withdraw') THEN nullif(e->>'reason', '') END"
    " FROM jsonb_array_elements(data->'events') WITH ORDINALITY AS x(e, n)"
    " WHERE e->>'action' IN ('resolve', 'cancel', 'withdraw', 'reject', 'reopen') ORDER BY n DESC LIMIT 1)"
)
# Ticket.told_expected_at in SQL: the expected_at of the latest contact that named one.
_TOLD = (
    "(SELECT (extract(epoch FROM split_part(e#>>'{payload,expected_at}', '[', 1)::timestamptz)"
    " * 1000000)::bigint"
    " FROM jsonb_array_elements(data->'events') WITH ORDINALITY AS x(e, n)"
    " WHERE e->>'action' = 'contact_customer' AND e#>>'{payload,expected_at}' IS NOT NULL"
    " ORDER BY n DESC LIMIT 1)"
)
_SELECT = (
    "SELECT id, kind, state, category, priority, data->>'channel', received_us, customer_id, dealer_id, "
    "region, coalesce(nullif(data#>>'{assignee,name}', ''), data#>>'{assignee,id}'), product_id, batch, "
    f"description, {_instant('response_due_at')}, resolution_due_us, {_instant('resolved_at')}, "
    f"{_instant('closed_at')}, {_FAULT}->>'symptom', {_FAULT}->>'cause', {_FAULT}->>'action', {_OUTCOME}, "
    f"{_instant('expected_by')}, {_TOLD}, urgent_claimed "
    "FROM tickets{where} ORDER BY received_us, id LIMIT %s"
)


class PostgresLedgerRows:
    """:class:`~aftersales.ports.ledger_rows.LedgerRows` of a :class:`PostgresStore`."""

    def __init__(self, store: PostgresStore) -> None:
        self._store = store
        backfill_late_gap_postgres(store)  # the breached filter's gaps of an upgraded database (once)
        backfill_urgent_claims_postgres(store)  # the customers' own "urgent" of an upgraded one (once)

    def pages(self, filter: TicketFilter, page_size: int) -> Iterator[Sequence[LedgerRecord]]:
        if not isinstance(page_size, int) or not 1 <= page_size <= 100_000:
            raise ValidationError("page_size is from 1 to 100,000", field="page_size")
        arms = where_arms(filter, "%s", "ILIKE", "TRUE", "FALSE")
        yield from arm_pages(
            arms, lambda where, params: self._arm(where, params, page_size), received_order, page_size
        )

    def _arm(self, base: list[str], params: list[object], page_size: int) -> Iterator[list[LedgerRecord]]:
        after: tuple[object, object] | None = None
        while True:
            parts = list(base)
            args = list(params)
            if after is not None:
                parts.append("(received_us, id) > (%s, %s)")  # a row value: the index seeks to the page
                args += [after[0], after[1]]
            sql = _SELECT.replace("{where}", " WHERE " + " AND ".join(parts) if parts else "")
            with self._store() as uow:
                rows: list[LedgerRecord] = uow.run(sql, (*args, page_size)).fetchall()
            if not rows:
                return
            yield rows
            if len(rows) < page_size:
                return
            after = (rows[-1][6], rows[-1][0])
