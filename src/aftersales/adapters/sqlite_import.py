"""Bulk writes of the SQLite store: a batch of new tickets and their search documents (issue 21).

Every value is derived once and handed to SQLite in bulk, inside the caller's transaction. The ticket
rows go in statements of up to :data:`ROWS_PER_STATEMENT` rows each (a multi-row ``VALUES``,
:func:`insert_rows`), not one ``executemany`` execution per row: the tickets table has ``AFTER INSERT``
triggers (the SLA sweep's tables), so every statement that inserts a row opens a statement journal
holding the first copy of each page it changes (the row's leaf and one leaf per ledger index, ~60 KB)
and SQLite spills it to a temporary file: that was 30 of the 50 µs of CPU a ticket row cost (session
33). A statement of 500 rows journals each page once for all of them. The rows stored, and their
order, are the same. The other tables take one ``executemany`` each:

- :func:`insert_tickets`: the ``tickets`` rows (the ledger columns and the whole JSON, events inside:
  an imported ticket's first save moves them to the log, :mod:`~.sqlite_ticket_events`; one ``orjson``
  call on the ticket's plain structure), the ``report_tickets`` rows (computed beside the ledger columns,
  sharing their instants) and the ``report_faults`` rows. Every batch goes into the ledger's indexes
  in place: the file is live, so its schema is never changed by an import (session 26).
- :func:`party_words`: the few texts of customers, dealers and units that the search documents read
  (and each customer's tier, which the import's close check reads), selected with ``json_extract`` or
  one ``orjson`` parse instead of building each record.

Durability is the store's own (WAL, ``synchronous = NORMAL``): an import is as safe as a command.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import orjson

from aftersales.adapters.reporting_rows import (
    INSERT_COMPLETION,
    INSERT_FAULT,
    UPSERT_FACTS,
    completion_values,
    event_facts,
    expected_values,
    fault_values,
    later_facts,
    ledger_dues,
)
from aftersales.adapters.sql_ledger import ROW_COLUMNS
from aftersales.domain.complaint_handover import handed_over_to
from aftersales.domain.instants import micros
from aftersales.domain.parties import CustomerTier
from aftersales.domain.sla_reading import response_steps
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.ports.batch_search import CustomerWords, PartyWords
from aftersales.ports.reporting import judged_dues, solution_us, timing_stops
from aftersales.ports.ticket_index import row_values
from aftersales.serialization import ticket_json_utf8

__all__ = [
    "INSERT_TICKET",
    "ROWS_PER_STATEMENT",
    "insert_tickets",
    "party_words",
    "ticket_values",
]

# The store's own ``add`` and the bulk import write a ticket with this one statement. The JSON is bound
# as UTF-8 bytes and cast to TEXT: the same stored text without a Python decode per write (a BLOB would
# be read as JSONB by SQLite's JSON functions, hence the cast); then the unit column ('' for none; see
# the schema's step 13), and the event log list (NULL: the events are in the JSON; step 14).
INSERT_TICKET = (
    f"INSERT INTO tickets ({', '.join(ROW_COLUMNS)}, data, unit, events) "
    f"VALUES ({', '.join('?' * len(ROW_COLUMNS))}, CAST(? AS TEXT), ?, NULL)"
)

_CANCELLED = TicketState.CANCELLED.value

ROWS_PER_STATEMENT = 500
"""Rows per multi-row ``INSERT`` of a bulk write (fewer when the connection's limit on bound values is
lower): past a few hundred rows the statement journal's saving is spent, and the statement's text
(cached once per table) stays small."""


def _split_values(statement: str) -> tuple[str, str, str]:
    """``statement`` (an ``INSERT … VALUES (…) [tail]`` of this package) as its head, one row's
    placeholders and its tail (an ``ON CONFLICT`` clause or nothing)."""
    head, rest = statement.split(" VALUES ", 1)
    depth = 0
    for at, char in enumerate(rest):  # the row's closing parenthesis (a CAST(…) nests one)
        depth += (char == "(") - (char == ")")
        if depth == 0:
            return head, rest[: at + 1], rest[at + 1 :]
    raise ValueError(f"no row of values in {statement!r}")


@functools.cache
def _many_rows_sql(statement: str, rows: int) -> str:
    """``statement`` with ``rows`` rows of placeholders (each text made once: the sqlite3 module's
    statement cache then finds the prepared statement by the same string object)."""
    head, row, tail = _split_values(statement)
    return f"{head} VALUES {', '.join([row] * rows)}{tail}"


def insert_rows(conn: sqlite3.Connection, statement: str, rows: Iterable[Sequence[object]]) -> None:
    """Run ``statement`` (one row's ``INSERT … VALUES (…)``) for each of ``rows``, in order, as
    statements of up to :data:`ROWS_PER_STATEMENT` rows: the rows stored are those ``executemany``
    would store (the same order, so the same rowids and trigger firings), with one statement journal
    per chunk instead of one per row. An error aborts the chunk's statement, as it aborts
    ``executemany``'s; the caller's savepoint rolls back the earlier chunks."""
    per: int | None = None
    params: list[object] = []
    count = 0
    for row in rows:
        if per is None:
            limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
            per = max(1, min(ROWS_PER_STATEMENT, limit // max(1, len(row))))
        params += row
        count += 1
        if count == per:
            conn.execute(_many_rows_sql(statement, count), params)
            params = []
            count = 0
    if count:
        conn.execute(_many_rows_sql(statement, count), params)


def ticket_values(ticket: Ticket) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """The ledger row (:func:`~aftersales.ports.ticket_index.row_values`, then the JSON and the unit)
    and the reporting row (:func:`~aftersales.adapters.reporting_rows.fact_values`) of ``ticket``, derived
    together: the instants and values both read are computed once. Tests hold them equal to those two."""
    row = row_values(ticket)
    # row: id, version, kind, state, is_open, unresolved, priority, urgency, category, customer,
    # dealer, region, assignee, product, batch, received_us, due_us, due_key, description.
    events = ticket.events
    reworks, callback_us, satisfaction, response_us, attitude = event_facts(events, response_steps(ticket))
    assignee = ticket.assignee
    records = ticket.fault_records
    fault = records[-1] if records else None
    # judged over every cycle, as fact_values does (a reopened ticket's earlier miss stays a miss)
    response_due_us, resolution_due_us = judged_dues(ticket, response_us)
    resolved = ticket.resolved_at
    closed = ticket.closed_at
    callback_due = ticket.callback_due_at
    facts = (
        row[0],
        row[2],
        row[8],
        row[3],
        row[10],
        row[11],
        row[12],
        row[13],
        row[14],
        ticket.asset_id,
        row[15],
        response_us,
        response_due_us,
        micros(resolved) if resolved is not None else None,
        resolution_due_us,
        micros(closed) if closed is not None else None,
        row[3] == _CANCELLED,
        reworks,
        len(ticket.visits),
        micros(callback_due) if callback_due is not None else None,
        callback_us,
        satisfaction,
        row[6],
        ticket.channel.value,
        row[9],
        (assignee.name or assignee.id) if assignee is not None else None,
        row[18],
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
    return (*row, ticket_json_utf8(ticket), ticket.asset_id or ""), facts


def insert_tickets(conn: sqlite3.Connection, batch: Sequence[Ticket]) -> None:
    """Insert ``batch`` (distinct new ids) and its reporting rows: the tickets by :func:`insert_rows`,
    the reporting rows by one ``executemany`` per table.

    Runs in the caller's transaction; an error leaves partial rows for the caller's savepoint to roll
    back. The reporting rows wait in a list of flat tuples (the JSON does not: it goes straight from
    the generator to SQLite).
    """
    facts: list[tuple[object, ...]] = []
    faults: list[tuple[object, ...]] = []
    completions: list[tuple[object, ...]] = []
    keep_facts = facts.append

    def rows() -> Iterator[tuple[object, ...]]:
        for ticket in batch:
            row, fact = ticket_values(ticket)
            keep_facts(fact)
            if ticket.fault_records:
                faults.extend(fault_values(ticket))
            completions.extend(completion_values(ticket))
            yield row

    # The ledger indexes take the rows in place: the file is live (other connections, their prepared
    # statements); dropping and rebuilding them saved ~1 % of an import in 10,000-ticket batches.
    insert_rows(conn, INSERT_TICKET, rows())
    # The reporting tables have no triggers: executemany is as fast, and the upsert 30 % faster than in
    # multi-row statements (9 against 12 µs a row, session 33).
    conn.executemany(UPSERT_FACTS, facts)
    if faults:
        conn.executemany(INSERT_FAULT, faults)
    if completions:
        conn.executemany(INSERT_COMPLETION, completions)


_PARTY_SQL = {
    "customer": "data",
    "dealer": "json_extract(data, '$.name')",
    "asset": "json_extract(data, '$.serial')",
}
_TIERS = {tier.value: tier for tier in CustomerTier}


def _select(conn: sqlite3.Connection, kind: str, ids: Iterable[str]) -> Iterator[Any]:
    wanted = list(dict.fromkeys(ids))
    columns = _PARTY_SQL[kind]
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        sql = f"SELECT id, {columns} FROM entities WHERE kind = ? AND id IN ({', '.join('?' * len(chunk))})"
        yield from conn.execute(sql, (kind, *chunk))


def _customer_words(data: str) -> CustomerWords:
    # One orjson parse of the record (SQLite 3.40's json_extract parsed it once per path, four times).
    record = orjson.loads(data)
    contact = record.get("contact") or {}
    return CustomerWords(
        record.get("name"), contact.get("name"), contact.get("phone"), _TIERS.get(record.get("tier"))
    )


def party_words(
    conn: sqlite3.Connection,
    customer_ids: Iterable[str],
    dealer_ids: Iterable[str],
    asset_ids: Iterable[str],
) -> PartyWords:
    """The searchable words (and tiers) of the stored customers, dealers and units among these ids."""
    return PartyWords(
        {row[0]: _customer_words(row[1]) for row in _select(conn, "customer", customer_ids)},
        {row[0]: row[1] for row in _select(conn, "dealer", dealer_ids)},
        {row[0]: row[1] for row in _select(conn, "asset", asset_ids)},
    )
