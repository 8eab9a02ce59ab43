"""One page of search hits as its reader may see them: full pages, and a cursor only when more is there.

The index holds what every reader's view does not: the staff's internal notes and the tags. A ticket a
reader reads without them (a customer's own, :func:`~aftersales.service.reader_view.as_seen_by`) is a
hit for that reader only if it matches without them. Dropping such hits from the index's page left a
short page, or an empty one, with the index's cursor after the dropped hit: a customer searching
"脾气急" with ``limit=1`` got no ticket and a cursor — so a hidden match existed — and the cursor encodes
the hidden hit's place (its received instant). So the page is filled from further index pages, each
asked for exactly what is still missing (every hit of it is returned or dropped, so the index's cursor
after it is the page's cursor), and a cursor is returned only when a hit the reader may see follows.
"""

from __future__ import annotations

from collections.abc import Callable

from aftersales.domain.actors import Role
from aftersales.ports.queries import Page, TicketFilter
from aftersales.ports.ticket_search import SearchQuery, SearchRequest, TicketSearchIndex
from aftersales.service.actors import Actor
from aftersales.service.views import TicketView

__all__ = ["reads_reduced", "search_page"]

_REDUCED = frozenset({Role.CUSTOMER, Role.DEALER_STAFF})
"""The roles that may read a ticket without all of it (as :func:`as_seen_by` decides)."""

_PEEK = 50
"""How many hits one look past a full page reads, to learn whether a visible one follows."""


def reads_reduced(actor: Actor) -> bool:
    """Whether ``actor`` may read some ticket without all of it (a customer, dealer staff, several roles)."""
    return bool(actor.extra_roles) or actor.role in _REDUCED


def search_page(
    index: TicketSearchIndex,
    query: SearchQuery,
    scoped: TicketFilter,
    request: SearchRequest,
    view: Callable[[str], TicketView | None],
    reduced: bool,
) -> Page[TicketView]:
    """``request``'s page of ``query`` in ``index`` within ``scoped``, each hit read through ``view``
    (``None``: not a hit for this reader). ``reduced``: the reader may drop hits, so the page is filled
    from further index pages and its cursor checked; otherwise the index's page is the reader's."""
    views: list[TicketView] = []
    cursor = request.cursor
    while True:
        found = index.search(query, scoped, SearchRequest(request.limit - len(views), cursor))
        for ticket_id in found.items:
            seen = view(ticket_id)
            if seen is not None:
                views.append(seen)
        cursor = found.next_cursor
        if cursor is None or len(views) == request.limit or not reduced:
            break
    if cursor is not None and reduced and not _visible_after(index, query, scoped, cursor, view):
        cursor = None
    return Page(tuple(views), cursor)


def _visible_after(
    index: TicketSearchIndex,
    query: SearchQuery,
    scoped: TicketFilter,
    cursor: str | None,
    view: Callable[[str], TicketView | None],
) -> bool:
    """Whether a hit the reader may see follows ``cursor``."""
    while cursor is not None:
        found = index.search(query, scoped, SearchRequest(_PEEK, cursor))
        if any(view(ticket_id) is not None for ticket_id in found.items):
            return True
        cursor = found.next_cursor
    return False
