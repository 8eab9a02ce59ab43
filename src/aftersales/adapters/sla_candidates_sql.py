"""The SLA sweep's candidate page in SQL (SQLite and PostgreSQL): the ledger's keyset page of the same
filter and order, selecting the row's version and due time and the customer's tier, parsing no ticket.

On SQLite the sweep's own queries (unresolved tickets due before an instant, in due order; resolved
tickets not yet closed, in the order received) read the sweep's tables instead once they are complete
(:func:`sqlite_sweep_query`, :mod:`~aftersales.adapters.sla_sweep_sqlite`): no ticket row and no
customer document is read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aftersales.adapters.sql_ledger import keyset, page_query
from aftersales.domain.parties import CustomerTier
from aftersales.ports.queries import Page, PageRequest, Sort, TicketFilter, encode_cursor
from aftersales.ports.sla_candidates import TIERS, SlaCandidate, tier_named
from aftersales.ports.ticket_index import NO_DUE, micros

__all__ = [
    "POSTGRES_TIER",
    "SQLITE_TIER",
    "candidate_page",
    "candidate_query",
    "sqlite_sweep_query",
    "sweep_page",
]

SQLITE_TIER = "json_extract(c.data, '$.tier')"
POSTGRES_TIER = "c.data->>'tier'"


def candidate_query(
    f: TicketFilter,
    page: PageRequest,
    ph: str,
    like: str,
    tier: str,
    true: str = "1",
    false: str = "0",
    *,
    gap_column: str = "late_gap",
    source: str = "tickets",
) -> tuple[str, list[object]]:
    """The SELECT of :func:`candidate_page`'s rows: ``version, resolution_due_us, <tier>, <key…>, id``.

    The tier is one primary-key lookup per row in the entities table (``tier`` is the dialect's
    expression reading it from the customer document ``c``). ``gap_column`` is how the breached filter
    reads ``late_gap`` (the store's, as its ledger reads it while an upgrade's back-fill is not complete);
    ``source`` the FROM clause (:func:`~aftersales.adapters.sql_ledger.page_query`).
    """
    customer = f"(SELECT {tier} FROM entities c WHERE c.kind = 'customer' AND c.id = tickets.customer_id)"
    data = f"resolution_due_us, {customer}"
    return page_query(f, page, data, ph, like, true, false, gap_column=gap_column, source=source)


_RESOLVED_OPEN = TicketFilter(is_open=True, unresolved=False)


def sqlite_sweep_query(f: TicketFilter, page: PageRequest) -> tuple[str, list[object]] | None:
    """The SELECT of :func:`sweep_page`'s rows from the sweep's tables, or None when ``f`` and
    ``page`` are neither of the sweep's shapes; the caller checks that the tables are complete.

    The shapes: unresolved tickets (optionally due before an instant) in due order, from ``sla_due``
    (its ``due_key`` is the due time, or a far-future key for none, as the ledger's); the resolved
    tickets not yet closed in the order received, from ``sla_resolved``. One range of the table's
    key, and one key lookup in ``customer_tiers`` per row.
    """
    parts: list[str] = []
    params: list[object] = []
    if page.sort is Sort.DUE and f == TicketFilter(unresolved=True, due_before=f.due_before):
        table, key, due = "sla_due", "due_key", f"CASE WHEN s.due_key < {NO_DUE} THEN s.due_key END"
        if f.due_before is not None:
            parts.append("s.due_key < ?")
            params.append(min(micros(f.due_before), NO_DUE))
    elif page.sort is Sort.RECEIVED_ASC and f == _RESOLVED_OPEN:
        table, key, due = "sla_resolved", "received_us", "s.due_us"
    else:
        return None
    _, after, after_params, _ = keyset(page.sort, page.cursor, "?")
    if after is not None:
        parts.append(after.replace(f"({key}, id)", f"(s.{key}, s.id)"))
        params.extend(after_params)
    sql = (
        f"SELECT s.id, s.version, c.tier, {due}, s.{key}"
        f" FROM {table} s LEFT JOIN customer_tiers c ON c.id = s.customer_id"
        f"{' WHERE ' + ' AND '.join(parts) if parts else ''} ORDER BY s.{key}, s.id LIMIT ?"
    )
    return sql, [*params, page.limit + 1]


def sweep_page(rows: Sequence[Sequence[Any]], page: PageRequest) -> Page[SlaCandidate]:
    """The candidates of :func:`sqlite_sweep_query`'s ``rows``: ``id, version, tier, due_us, key``.

    The tier is NULL for a regular customer (``customer_tiers`` lists the others), as for an
    unregistered one: most are, and Python gets the one ``None`` instead of a new string per row.
    """
    tiers, regular, new = TIERS.get, CustomerTier.REGULAR, tuple.__new__
    # tuple.__new__ directly: the named tuple's own __new__ is a Python function, a third of the
    # page's Python time over the ~190k candidates of a 1 M file (the same tuple either way).
    items = [
        new(SlaCandidate, (id_, version, regular if tier is None else tiers(tier, regular), due))
        for id_, version, tier, due, _ in rows[: page.limit]
    ]
    more = len(rows) > page.limit
    cursor = encode_cursor(page.sort, (rows[page.limit - 1][4], rows[page.limit - 1][0])) if more else None
    return Page(items, cursor)


def candidate_page(rows: Sequence[Sequence[Any]], page: PageRequest) -> Page[SlaCandidate]:
    """The candidates of ``rows`` (one beyond the page tells that another follows)."""
    items = [SlaCandidate(row[-1], row[0], tier_named(row[2]), row[1]) for row in rows[: page.limit]]
    more = len(rows) > page.limit
    cursor = encode_cursor(page.sort, tuple(rows[page.limit - 1][3:])) if more else None
    return Page(items, cursor)
