"""SQL for ledger queries, shared by the SQLite and PostgreSQL adapters (placeholders differ).

Both stores keep :class:`~aftersales.ports.ticket_index.TicketRow` as columns of ``tickets`` and
evaluate a :class:`TicketFilter` with the same WHERE clause, sorted by the same keyset.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import attrs

from aftersales.domain.teams import MEMBER_LABEL
from aftersales.ports.queries import CountField, PageRequest, Sort, TicketFilter, decode_cursor
from aftersales.ports.ticket_index import (
    COUNT_COLUMNS,
    EQUALITY_FILTERS,
    NO_DUE,
    SORT_ARITY,
    TicketRow,
    micros,
)

__all__ = ["ROW_COLUMNS", "arm_pages", "count_query", "keyset", "page_query", "where", "where_arms"]

R = TypeVar("R")

ROW_COLUMNS: tuple[str, ...] = tuple(a.name for a in attrs.fields(TicketRow))
"""The indexed ticket columns, in :class:`TicketRow` order (``id`` first)."""

_ORDER = {
    Sort.RECEIVED_ASC: ("received_us, id", ("received_us", "id"), ">"),
    Sort.RECEIVED_DESC: ("received_us DESC, id DESC", ("received_us", "id"), "<"),
    Sort.PRIORITY: ("urgency, received_us, id", ("urgency", "received_us", "id"), ">"),
    Sort.DUE: ("due_key, id", ("due_key", "id"), ">"),
}


def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def where(
    f: TicketFilter, ph: str, like: str, true: str = "1", false: str = "0", *, gap_column: str = "late_gap"
) -> tuple[list[str], list[object]]:
    """Conditions (to AND) and parameters for ``f``; ``ph`` is the placeholder, ``like`` the operator,
    ``true``/``false`` the dialect's boolean literals.

    The flags the partial indexes are defined on (``is_open``, ``unresolved``) are written as literals,
    never bound: a planner can use a partial index only when it sees its condition in the query text.
    Due times compare ``due_key`` (the due time, or a far-future key when there is none), the column
    the due index is on, so the sweep and the breached filter are index ranges; the breached filter
    also adds ``late_gap`` (how long after the due an answer still counts on time) on that range's rows,
    read as ``gap_column`` (SQLite: the document's rule for rows its back-fill has not reached yet).
    """
    parts: list[str] = []
    params: list[object] = []

    def any_of(column: str, values: tuple[str, ...]) -> None:
        parts.append(f"{column} IN ({', '.join([ph] * len(values))})")
        params.extend(values)

    if f.states:
        any_of("state", f.states)
    if f.priorities:
        any_of("priority", tuple(p.value for p in f.priorities))
    if f.categories:
        any_of("category", f.categories)
    if f.kind is not None:
        parts.append(f"kind = {ph}")
        params.append(f.kind.value)
    for name, column in EQUALITY_FILTERS:
        value = getattr(f, name)
        if value is not None:
            parts.append(f"{column} = {ph}")
            params.append(value)
    if f.received_from is not None:
        parts.append(f"received_us >= {ph}")
        params.append(micros(f.received_from))
    if f.received_to is not None:
        parts.append(f"received_us < {ph}")
        params.append(micros(f.received_to))
    if f.is_open is not None:
        parts.append(f"is_open = {true if f.is_open else false}")
    if f.unresolved is not None or f.breached_at is not None:
        parts.append(f"unresolved = {true if f.unresolved is not False else false}")
    if f.due_before is not None:
        parts.append(f"due_key < {ph}")
        params.append(min(micros(f.due_before), NO_DUE))
    if f.breached_at is not None:
        if f.unresolved is False:
            parts.append(f"{false} = {true}")  # breached tickets are unresolved
        # Late after the late-after instant (desk.sla(), the sweep and the reports judge so), which is
        # never before the due: the due index's range holds every breached ticket, read in its order;
        # most rows have no gap (a planner estimating the second test alone would sort them instead).
        at = min(micros(f.breached_at), NO_DUE)
        # A negative gap marks a ticket waiting for parts since before it was late (ports.ticket_index.
        # parts_gap): paused where the pack pauses on parts, else late after -1 - gap.
        g = gap_column
        gap = (
            f"{g} > 0 AND due_key + {g}"
            if f.parts_pause
            else f"due_key + CASE WHEN {g} < 0 THEN -1 - {g} ELSE {g} END"
        )
        parts += [f"due_key < {ph}", f"({g} = 0 OR ({gap} < {ph}))"]
        params += [at, at]
    if f.text:
        parts.append(f"description {like} {ph} ESCAPE '\\'")
        params.append(_like_pattern(f.text))
    for label in f.labels:  # tags and custom field values (issue 23): the ticket_labels table
        parts.append(f"tickets.id IN (SELECT ticket_id FROM ticket_labels WHERE label = {ph})")
        params.append(label)
    if f.worked_by is not None:  # issue 20: assigned, or added to the team (a member label)
        parts.append(
            f"(tickets.assignee_id = {ph} OR tickets.id IN"
            f" (SELECT ticket_id FROM ticket_labels WHERE label = {ph}))"
        )
        params += (f.worked_by, MEMBER_LABEL + f.worked_by)
    if f.dealer_scope is not None:  # the dealer's own tickets and those dispatched to it
        parts.append(f"(tickets.dealer_id = {ph} OR tickets.dispatched_dealer = {ph})")
        params += (f.dealer_scope, f.dealer_scope)
    return parts, params


def where_arms(
    f: TicketFilter, ph: str, like: str, true: str = "1", false: str = "0", *, gap_column: str = "late_gap"
) -> list[tuple[list[str], list[object]]]:
    """:func:`where` of ``f`` as disjoint arms whose union is ``f``, each one index range: one arm, or
    for a dealer's scope its own tickets (``dealer_id``) and those dispatched to it that are not its
    own (``dispatched_dealer``). An ``OR`` of the two columns would be read whole and sorted for every
    page; a page merges the arms, each in the page's order (:func:`page_query`, :func:`arm_pages`)."""
    if f.dealer_scope is None:
        return [where(f, ph, like, true, false, gap_column=gap_column)]
    dealer = f.dealer_scope
    parts, params = where(attrs.evolve(f, dealer_scope=None), ph, like, true, false, gap_column=gap_column)
    own = f"tickets.dealer_id = {ph}"
    dispatched = [
        f"tickets.dispatched_dealer = {ph}",
        f"(tickets.dealer_id IS NULL OR tickets.dealer_id <> {ph})",
    ]
    return [([*parts, own], [*params, dealer]), ([*parts, *dispatched], [*params, dealer, dealer])]


def arm_pages(
    arms: Sequence[tuple[list[str], list[object]]],
    read: Callable[[list[str], list[object]], Iterable[Sequence[R]]],
    key: Callable[[R], Any],
    size: int,
) -> Iterator[Sequence[R]]:
    """The pages of :func:`where_arms`' ``arms``, each arm's pages got from ``read(where, params)``
    (ordered by ``key``): one arm's as read; a dealer's scope, its own tickets and those dispatched to
    it, merged in order into pages of ``size`` rows, every arm read once, page by page, as far as the
    merged pages need it."""
    if len(arms) == 1:
        yield from read(*arms[0])
        return
    rows = heapq.merge(*((row for page in read(*arm) for row in page) for arm in arms), key=key)
    page: list[R] = []
    for row in rows:
        page.append(row)
        if len(page) == size:
            yield page
            page = []
    if page:
        yield page


def keyset(sort: Sort, cursor: str | None, ph: str) -> tuple[str, str | None, list[object], tuple[str, ...]]:
    """(ORDER BY text, the "after the cursor" condition or None, its parameters, the key columns)."""
    order, columns, op = _ORDER[sort]
    if cursor is None:
        return order, None, [], columns
    key = decode_cursor(sort, cursor, SORT_ARITY[sort])
    row = ", ".join(columns)
    marks = ", ".join([ph] * len(columns))
    return order, f"({row}) {op} ({marks})", list(key), columns


def page_query(
    f: TicketFilter,
    page: PageRequest,
    data: str,
    ph: str,
    like: str,
    true: str = "1",
    false: str = "0",
    *,
    paged_arms: bool = False,
    gap_column: str = "late_gap",
    source: str = "tickets",
) -> tuple[str, list[object]]:
    """The ``SELECT version, <data>, <key columns>`` of one page of ``f`` in ``page``'s order, one row
    beyond the page (to tell whether another follows), with its parameters; ``data`` is the dialect's
    expression for the stored document. ``paged_arms``: see :func:`_dealer_page_query` (PostgreSQL);
    ``gap_column``: see :func:`where`; ``source``: the FROM clause, ``tickets`` or a join naming it
    ``tickets`` whose shared columns are ``USING`` ones (SQLite's unresolved tickets: ``sla_due``)."""
    if f.dealer_scope is not None:
        return _dealer_page_query(f, page, data, ph, like, true, false, paged_arms, gap_column, source)
    parts, params = where(f, ph, like, true, false, gap_column=gap_column)
    order, after, after_params, columns = keyset(page.sort, page.cursor, ph)
    if after is not None:
        parts.append(after)
        params.extend(after_params)
    sql = (
        f"SELECT version, {data}, {', '.join(columns)} FROM {source}"
        f"{' WHERE ' + ' AND '.join(parts) if parts else ''} ORDER BY {order} LIMIT {ph}"
    )
    return sql, [*params, page.limit + 1]


def _dealer_page_query(
    f: TicketFilter,
    page: PageRequest,
    data: str,
    ph: str,
    like: str,
    true: str,
    false: str,
    paged_arms: bool,
    gap_column: str = "late_gap",
    source: str = "tickets",
) -> tuple[str, list[object]]:
    """A page of a dealer's scope as two disjoint index ranges merged in order: its own tickets (the
    dealer index), and those dispatched to it that are not its own (the dispatched-dealer index).

    One ``OR`` over the two columns reads both ranges whole and sorts them (a temporary B-tree in
    SQLite, a Sort in PostgreSQL). Here each arm is one index range already in the page's order and
    ``UNION ALL … ORDER BY`` merges them, stopping at the page's end: SQLite merges plain arms
    (``MERGE (UNION ALL)``); PostgreSQL merges ordered arms only when each is a page of its own
    (``paged_arms``: ``ORDER BY … LIMIT`` per arm, then ``Merge Append``) — SQLite would sort such
    sub-pages again.
    """
    order, after, after_params, columns = keyset(page.sort, page.cursor, ph)
    keys = ", ".join(f"{column} AS k{i}" for i, column in enumerate(columns))
    selects: list[str] = []
    values: list[object] = []
    for n, (parts, params) in enumerate(where_arms(f, ph, like, true, false, gap_column=gap_column)):
        conditions = " AND ".join([*parts, *([after] if after is not None else [])])
        select = f"SELECT version, {data}, {keys} FROM {source} WHERE {conditions}"
        values += [*params, *after_params]
        if paged_arms:
            select = f"SELECT * FROM ({select} ORDER BY {order} LIMIT {ph}) AS arm{n}"
            values.append(page.limit + 1)
        selects.append(select)
    descending = order.endswith("DESC")
    merged = ", ".join(f"k{i}{' DESC' if descending else ''}" for i in range(len(columns)))
    return f"{' UNION ALL '.join(selects)} ORDER BY {merged} LIMIT {ph}", [*values, page.limit + 1]


def count_query(
    field: CountField,
    f: TicketFilter,
    ph: str,
    like: str,
    true: str = "1",
    false: str = "0",
    *,
    prefix_range: bool = True,
    gap_column: str = "late_gap",
    source: str = "tickets",
) -> tuple[str, list[object]]:
    """``SELECT <value>, count(*) … GROUP BY`` of the tickets matching ``f``, grouped on ``field``.

    ``CountField.MEMBER`` groups on the member labels (engineers added to a ticket's team, issue 20),
    leaving out the assignee's own label. With ``prefix_range`` (byte-wise text, SQLite) the labels are
    one range of the label index; otherwise (PostgreSQL's collations) they are read per ticket.
    ``gap_column``, ``source`` (not for the member labels, whose range leads): see :func:`page_query`.
    """
    parts, params = where(f, ph, like, true, false, gap_column=gap_column)
    if CountField(field) is not CountField.MEMBER:
        column = COUNT_COLUMNS[CountField(field)]
        sql = f"SELECT {column}, count(*) FROM {source}{' WHERE ' + ' AND '.join(parts) if parts else ''}"
        return f"{sql} GROUP BY {column}", params
    size = len(MEMBER_LABEL)
    if prefix_range:
        # CROSS JOIN: SQLite keeps the (few) member labels the outer loop, not every open ticket.
        join = "CROSS JOIN"
        label = (
            f"l.label >= '{MEMBER_LABEL}' AND l.label < '{MEMBER_LABEL[:-1]}{chr(ord(MEMBER_LABEL[-1]) + 1)}'"
        )
    else:
        join = "JOIN"
        label = f"substr(l.label, 1, {size}) = '{MEMBER_LABEL}'"
    conditions = [
        label,
        f"(tickets.assignee_id IS NULL OR l.label <> '{MEMBER_LABEL}' || tickets.assignee_id)",
    ]
    sql = (
        f"SELECT substr(l.label, {size + 1}), count(*) FROM ticket_labels l"
        f" {join} tickets ON tickets.id = l.ticket_id WHERE {' AND '.join([*conditions, *parts])}"
        " GROUP BY l.label"
    )
    return sql, params
