"""The SLA sweep's candidate page in SQL (SQLite and PostgreSQL): the ledger's keyset page of the same
filter and order, selecting the row's version and due time and the customer's tier, parsing no ticket."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aftersales.adapters.sql_ledger import page_query
from aftersales.ports.queries import Page, PageRequest, TicketFilter, encode_cursor
from aftersales.ports.sla_candidates import SlaCandidate, tier_named

__all__ = ["POSTGRES_TIER", "SQLITE_TIER", "candidate_page", "candidate_query"]

SQLITE_TIER = "json_extract(c.data, '$.tier')"
POSTGRES_TIER = "c.data->>'tier'"


def candidate_query(
    f: TicketFilter, page: PageRequest, ph: str, like: str, tier: str, true: str = "1", false: str = "0"
) -> tuple[str, list[object]]:
    """The SELECT of :func:`candidate_page`'s rows: ``version, resolution_due_us, <tier>, <key…>, id``.

    The tier is one primary-key lookup per row in the entities table (``tier`` is the dialect's
    expression reading it from the customer document ``c``).
    """
    customer = f"(SELECT {tier} FROM entities c WHERE c.kind = 'customer' AND c.id = tickets.customer_id)"
    return page_query(f, page, f"resolution_due_us, {customer}", ph, like, true, false)


def candidate_page(rows: Sequence[Sequence[Any]], page: PageRequest) -> Page[SlaCandidate]:
    """The candidates of ``rows`` (one beyond the page tells that another follows)."""
    items = [SlaCandidate(row[-1], row[0], tier_named(row[2]), row[1]) for row in rows[: page.limit]]
    more = len(rows) > page.limit
    cursor = encode_cursor(page.sort, tuple(rows[page.limit - 1][3:])) if more else None
    return Page(items, cursor)
