"""Ticket search on PostgreSQL: ``pg_trgm`` GIN indexes over the text and the identifiers, exact
keys for the score, labels for tag/field filters.

Same tables and semantics as :mod:`aftersales.adapters.ticket_search_sqlite`, written in the unit of
work's transaction: a term occurs in the text, or begins or ends an identifier (``idents`` holds
each identifier between two field separators, so ``LIKE '%<sep>term%'`` is "begins with"), every
condition a ``LIKE`` that ``pg_trgm`` serves. ``pg_trgm`` is created in schema ``public`` (once per
database) so that stores in other schemas share it; the operator class is named with its schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from aftersales.adapters.late_gap_postgres import pg_filter_gap_column
from aftersales.adapters.postgres_import import COPY_SEARCH
from aftersales.adapters.search_fold_step import (
    pending_fold_postgres,
    term_translation,
    unfolded_forms,
    window_forms,
)
from aftersales.adapters.sql_ledger import where
from aftersales.adapters.text_index_postgres import TEXT_INDEX_MIGRATION
from aftersales.errors import ValidationError
from aftersales.ports.queries import Page, TicketFilter
from aftersales.ports.text_search import FIELD_SEPARATOR
from aftersales.ports.ticket_search import (
    SLOTS,
    SearchDocument,
    SearchQuery,
    SearchRequest,
    merge_pages,
    position_base,
)

__all__ = ["SEARCH_MIGRATION", "SEARCH_NOTES_STEP", "PostgresTicketSearch"]

SEARCH_MIGRATION: tuple[str, ...] = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public",
    """CREATE TABLE ticket_search (
        pos BIGINT PRIMARY KEY, ticket_id TEXT NOT NULL UNIQUE, text TEXT NOT NULL, idents TEXT NOT NULL)""",
    "CREATE INDEX ticket_search_text ON ticket_search USING gin (text public.gin_trgm_ops)",
    "CREATE INDEX ticket_search_idents ON ticket_search USING gin (idents public.gin_trgm_ops)",
    "CREATE TABLE ticket_search_keys (key TEXT NOT NULL, pos BIGINT NOT NULL, PRIMARY KEY (key, pos))",
    "CREATE INDEX ticket_search_keys_pos ON ticket_search_keys (pos)",
    "CREATE TABLE ticket_labels ("
    "label TEXT NOT NULL, ticket_id TEXT NOT NULL, PRIMARY KEY (label, ticket_id))",
    "CREATE INDEX ticket_labels_ticket ON ticket_labels (ticket_id)",
    *TEXT_INDEX_MIGRATION,
)
"""The tables of ticket search and labels (appended to the PostgreSQL migrations)."""

SEARCH_NOTES_STEP: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS ticket_search_notes (pos BIGINT NOT NULL,"
    " n BIGINT GENERATED ALWAYS AS IDENTITY, text TEXT NOT NULL, PRIMARY KEY (pos, n))",
    "CREATE INDEX IF NOT EXISTS ticket_search_notes_text ON ticket_search_notes"
    " USING gin (text public.gin_trgm_ops)",
)
"""Session 32 (issue 21): the texts of notes added since a ticket's search row was last written, a row
each (:meth:`PostgresTicketSearch.append_text`). Appended to the row itself, a note re-indexed the
row's whole text and identifiers in both trigram indexes (a row's update is never HOT when an indexed
column changes): about 150 µs of server time per note on the development server, against about 20 µs
for a row of its own, whose index learns the note's trigrams alone. A re-index of the ticket writes
the document's text, notes included, and drops them. Nothing to back-fill: notes appended before are
in their rows' text."""


class _Runner(Protocol):
    def run(self, sql: str, params: Sequence[Any] = ()) -> Any: ...

    def copy_rows(self, statement: str, rows: Iterable[Sequence[Any]]) -> None: ...

    def defer(self, sql: str, params: Sequence[Any], *, prepare: bool = False) -> None: ...


Known = int
"""A ticket's search row as its command read it: its position."""


_IN_ROW = "(s.text LIKE %s OR s.idents LIKE %s OR s.idents LIKE %s)"
_DROP_NOTES = "DELETE FROM ticket_search_notes WHERE pos = %s::bigint"
_TRIGRAM = 3
"""Characters a term needs for ``pg_trgm`` to serve ``LIKE '%term%'`` from an index."""
"""Drop a search row's notes kept apart: its text has them now (a re-index), or it goes."""


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _patterns(term: str) -> list[str]:
    """A term's three patterns: in the text or an identifier, at an identifier's start, at its end."""
    return [_like(term), _like(FIELD_SEPARATOR + term), _like(term + FIELD_SEPARATOR)]


def _in_row(term: str, pending: int | None) -> tuple[str, list[object]]:
    """A term's condition on a search row, and its values. Past a pending fold's position a row may
    still hold the term's traditional spellings: each is looked for too (the trigram indexes serve
    them), or, for a term of more spellings than
    :data:`~aftersales.adapters.search_fold_step.UNFOLDED_FORMS`, the row is read folded."""
    like: list[object] = list(_patterns(term))
    if pending is None:
        return _IN_ROW, like
    forms = unfolded_forms(term)
    if forms == (term,):  # no traditional spelling: the rows hold it as it is
        return _IN_ROW, like
    if forms is not None:
        values: list[object] = [*like, pending]
        for form in forms[1:]:
            values += _patterns(form)
        spelled = " OR ".join([_IN_ROW] * (len(forms) - 1))
        return f"({_IN_ROW} OR (s.pos > %s AND ({spelled})))", values
    # Too many spellings: the rows holding a spelling of a part of it (the indexes find them), read
    # through translate() with the fold of the term's characters.
    window = window_forms(term)
    narrowed = " OR ".join(["s.text LIKE %s OR s.idents LIKE %s"] * len(window))
    source, target = term_translation(term)
    folded = (
        "(translate(s.text, %s, %s) LIKE %s OR translate(s.idents, %s, %s) LIKE %s"
        " OR translate(s.idents, %s, %s) LIKE %s)"
    )
    values = [*like, pending]
    for part in window:
        values += [_like(part), _like(part)]
    for pattern in like:
        values += [source, target, pattern]
    return f"({_IN_ROW} OR (s.pos > %s AND ({narrowed}) AND {folded}))", values


def _in_note(term: str, pending: int | None, pos: str | None = None) -> tuple[str, list[object]]:
    """A term's condition on a note row ``n`` (of the row at ``pos``, when given), and its values;
    past a pending fold's position as :func:`_in_row`."""
    at = f"n.pos = {pos} AND " if pos else ""
    forms = None if pending is None else unfolded_forms(term)
    if pending is None or forms == (term,):
        return f"{at}n.text LIKE %s", [_like(term)]
    if forms is not None:
        spelled = " OR ".join(["n.text LIKE %s"] * (len(forms) - 1))
        return f"{at}(n.text LIKE %s OR (n.pos > %s AND ({spelled})))", [
            _like(term),
            pending,
            *map(_like, forms[1:]),
        ]
    window = window_forms(term)
    narrowed = " OR ".join(["n.text LIKE %s"] * len(window))
    source, target = term_translation(term)
    sql = f"{at}(n.text LIKE %s OR (n.pos > %s AND ({narrowed}) AND translate(n.text, %s, %s) LIKE %s))"
    return sql, [_like(term), pending, *map(_like, window), source, target, _like(term)]


class PostgresTicketSearch:
    """The :class:`~aftersales.ports.ticket_search.TicketSearchIndex` of one PostgreSQL unit of work."""

    def __init__(self, uow: _Runner) -> None:
        self._uow = uow
        self.known: dict[str, Known | None] = {}
        """Search rows read with their ticket in this transaction (``None``: not indexed yet), so a
        put compares without reading; the writes wait for the command's commit."""

    def _slot(self, received_us: int) -> int:
        base = position_base(received_us)
        found = self._uow.run(
            "SELECT max(pos) FROM ticket_search WHERE pos BETWEEN %s AND %s", (base, base + SLOTS - 1)
        ).fetchone()[0]
        pos = base if found is None else int(found) + 1
        if pos >= base + SLOTS:
            raise ValidationError(
                f"more than {SLOTS} tickets received in the same millisecond", field="received_at"
            )
        return pos

    def _insert(self, pos: int, doc: SearchDocument) -> None:
        defer = self._uow.defer
        defer(
            "INSERT INTO ticket_search (pos, ticket_id, text, idents) VALUES (%s, %s, %s, %s)",
            (pos, doc.ticket_id, doc.text, doc.idents),
        )
        self._keys(pos, doc)
        self._labels(doc)

    def _insert_new(self, doc: SearchDocument) -> None:
        """Index a ticket that has no search row, its position taken by the statement itself (no
        round trip: sent with the command's commit). More than :data:`SLOTS` tickets received in one
        millisecond leave it no position: the write fails (``StorageError``)."""
        base = position_base(doc.received_us)
        defer = self._uow.defer
        # Typed and prepared once per connection (every intake sent them as text, parsed and planned).
        defer(
            "INSERT INTO ticket_search (pos, ticket_id, text, idents)"
            " SELECT CASE WHEN max(pos) IS NULL THEN %s::bigint"
            " WHEN max(pos) < %s::bigint THEN max(pos) + 1 END, %s::text, %s::text, %s::text"
            " FROM ticket_search WHERE pos BETWEEN %s::bigint AND %s::bigint",
            (base, base + SLOTS - 1, doc.ticket_id, doc.text, doc.idents, base, base + SLOTS - 1),
            prepare=True,
        )
        if doc.keys:
            defer(
                "INSERT INTO ticket_search_keys (key, pos) SELECT unnest(%s::text[]), pos"
                " FROM ticket_search WHERE ticket_id = %s::text ON CONFLICT DO NOTHING",
                (sorted(doc.keys), doc.ticket_id),
                prepare=True,
            )
        self._labels(doc)

    def _keys(self, pos: int, doc: SearchDocument) -> None:
        if doc.keys:
            self._uow.defer(
                "INSERT INTO ticket_search_keys (key, pos) SELECT unnest(%s::text[]), %s::bigint"
                " ON CONFLICT DO NOTHING",
                (sorted(doc.keys), pos),
                prepare=True,
            )

    def _labels(self, doc: SearchDocument) -> None:
        if doc.labels:
            self._uow.defer(
                "INSERT INTO ticket_labels (label, ticket_id) SELECT unnest(%s::text[]), %s::text"
                " ON CONFLICT DO NOTHING",
                (sorted(doc.labels), doc.ticket_id),
                prepare=True,
            )

    def _delete(self, pos: int, ticket_id: str) -> None:
        defer = self._uow.defer
        defer("DELETE FROM ticket_search_keys WHERE pos = %s", (pos,))
        defer("DELETE FROM ticket_labels WHERE ticket_id = %s", (ticket_id,))
        defer(_DROP_NOTES, (pos,), prepare=True)
        defer("DELETE FROM ticket_search WHERE pos = %s", (pos,))

    def _update(self, known: Known, doc: SearchDocument) -> None:
        """Rewrite what changed of the row a command read with its ticket (it keeps its position).

        Only its position was read: the texts are rewritten only where they differ (compared in the
        server), and each set of keys and labels is made equal to the document's by a ``DELETE`` of
        those not in it and an ``INSERT`` of those missing; none of them writes anything when equal."""
        pos = known
        defer = self._uow.defer
        defer(
            "UPDATE ticket_search SET text = d.text, idents = d.idents"
            " FROM (SELECT %s::text AS text, %s::text AS idents) d WHERE ticket_search.pos = %s::bigint"
            " AND (ticket_search.text <> d.text OR ticket_search.idents <> d.idents)",
            (doc.text, doc.idents, pos),
            prepare=True,
        )
        defer(_DROP_NOTES, (pos,), prepare=True)  # the text written has them (the document's own)
        keys, labels = sorted(doc.keys), sorted(doc.labels)
        defer(
            "DELETE FROM ticket_search_keys WHERE pos = %s AND NOT key = ANY(%s::text[])",
            (pos, keys),
            prepare=True,
        )
        self._keys(pos, doc)
        defer(
            "DELETE FROM ticket_labels WHERE ticket_id = %s AND NOT label = ANY(%s::text[])",
            (doc.ticket_id, labels),
            prepare=True,
        )
        self._labels(doc)

    def append_text(self, ticket_id: str, texts: Sequence[str]) -> bool:
        """Add normalised ``texts`` (a note's) to the searched text of a ticket whose search row its
        command read with it: one ``INSERT`` of a row of their own in ``ticket_search_notes`` (see
        :data:`SEARCH_NOTES_STEP`), sent with the commit; no document rebuilt (the customer, unit and
        dealer are not looked at, the identifiers not sent) and the search row left as it is, so its
        trigram indexes learn the note's text alone. Returns False (nothing written) when the row was
        not read in this transaction or the ticket is not indexed yet; the caller then re-indexes it
        with :meth:`put`.

        A term never spans two fields, so a search finds a term in the row's text, its identifiers or
        any of its notes (:meth:`search`), the same tickets as in the document's own text (as on
        SQLite); a later :meth:`put` writes the document's own text, notes included, and drops the
        rows of its notes. The row keeps its position: a put later in this transaction rewrites it."""
        known = self.known.get(ticket_id)
        if known is None:  # not read with its ticket, or known absent: a put inserts the row
            return False
        added = FIELD_SEPARATOR.join(t for t in texts if t)
        if not added:
            return True
        self._uow.defer(
            "INSERT INTO ticket_search_notes (pos, text) VALUES (%s::bigint, %s::text)",
            (known, added),
            prepare=True,
        )
        return True

    def put(self, doc: SearchDocument) -> None:
        """Index ``doc``; an unchanged document costs one lookup (none after its command's read), a
        changed one keeps its position."""
        if doc.ticket_id in self.known:
            known = self.known.pop(doc.ticket_id)
            if known is not None:
                self._update(known, doc)
            else:  # known absent (read with its ticket, or just added): no lookup, slot found by the write
                self._insert_new(doc)
            return
        found = self._uow.run(
            "SELECT pos, text, idents, (SELECT array_agg(key) FROM ticket_search_keys k WHERE k.pos = s.pos),"
            " (SELECT array_agg(label) FROM ticket_labels l WHERE l.ticket_id = s.ticket_id)"
            " FROM ticket_search s WHERE ticket_id = %s",
            (doc.ticket_id,),
        ).fetchone()
        if found is None:
            self._insert(self._slot(doc.received_us), doc)
            return
        pos, text, idents, keys, labels = int(found[0]), found[1], found[2], found[3] or [], found[4] or []
        same = text == doc.text and idents == doc.idents
        if same and frozenset(keys) == doc.keys and frozenset(labels) == doc.labels:
            return
        self._delete(pos, doc.ticket_id)
        self._insert(pos, doc)

    def put_many(self, docs: Iterable[SearchDocument]) -> None:
        """Index many tickets (a bulk import): three statements for a batch none of whose tickets is
        indexed yet, each taking its rows as arrays (``unnest``), instead of two round trips per ticket.

        Positions are assigned here as :meth:`put` assigns them one by one: each millisecond's next
        after its last taken position (one query for all of the batch's milliseconds); more than
        :data:`SLOTS` in one millisecond is the same ``ValidationError``. A batch naming a ticket
        already indexed, read in this transaction, or twice goes through :meth:`put` each."""
        batch = list(docs)
        if not batch:
            return
        ids = [doc.ticket_id for doc in batch]
        run = self._uow.run
        if (
            len(set(ids)) != len(ids)
            or any(ticket_id in self.known for ticket_id in ids)
            or run("SELECT 1 FROM ticket_search WHERE ticket_id = ANY(%s) LIMIT 1", (ids,)).fetchone()
        ):
            for doc in batch:
                self.put(doc)
            return
        bases = sorted({position_base(doc.received_us) for doc in batch})
        last: dict[int, int | None] = {
            int(base): (None if top is None else int(top))
            for base, top in run(
                "SELECT b, (SELECT max(pos) FROM ticket_search WHERE pos BETWEEN b AND b + %s)"
                " FROM unnest(%s::bigint[]) AS b",
                (SLOTS - 1, bases),
            ).fetchall()
        }
        positions: list[int] = []
        key_rows: tuple[list[str], list[int]] = ([], [])
        label_rows: tuple[list[str], list[str]] = ([], [])
        for doc in batch:
            base = position_base(doc.received_us)
            found = last[base]
            pos = base if found is None else found + 1
            if pos >= base + SLOTS:
                raise ValidationError(
                    f"more than {SLOTS} tickets received in the same millisecond", field="received_at"
                )
            last[base] = pos
            positions.append(pos)
            for key in sorted(doc.keys):
                key_rows[0].append(key)
                key_rows[1].append(pos)
            for label in sorted(doc.labels):
                label_rows[0].append(label)
                label_rows[1].append(doc.ticket_id)
        # By COPY (postgres_import): psycopg wrote each array of an unnest element by element in Python.
        self._uow.copy_rows(
            COPY_SEARCH,
            [(pos, doc.ticket_id, doc.text, doc.idents) for pos, doc in zip(positions, batch, strict=True)],
        )
        if key_rows[0]:
            run(
                "INSERT INTO ticket_search_keys (key, pos) SELECT * FROM unnest(%s::text[], %s::bigint[])"
                " ON CONFLICT DO NOTHING",
                key_rows,
            )
        if label_rows[0]:
            run(
                "INSERT INTO ticket_labels (label, ticket_id) SELECT * FROM unnest(%s::text[], %s::text[])"
                " ON CONFLICT DO NOTHING",
                label_rows,
            )

    def remove(self, ticket_id: str) -> None:
        """Forget ``ticket_id``."""
        self.known.pop(ticket_id, None)
        found = self._uow.run("SELECT pos FROM ticket_search WHERE ticket_id = %s", (ticket_id,)).fetchone()
        if found is not None:
            self._delete(int(found[0]), ticket_id)

    def search(self, query: SearchQuery, filter: TicketFilter, request: SearchRequest) -> Page[str]:
        """One page of matching ticket ids: exact-key hits first, then the rest newest first."""
        # PostgreSQL's boolean literals (the flags are boolean columns), and late_gap read as the
        # ledger reads it (an upgrade's back-fill may be pending)
        gap = pg_filter_gap_column(self._uow, filter)
        parts, params = where(filter, "%s", "ILIKE", "TRUE", "FALSE", gap_column=gap)
        terms = query.terms
        # Per term, in the row (its text or an identifier) — the trigram indexes serve these — or, for
        # every term, also in one of its notes kept apart (SEARCH_NOTES_STEP).
        # An upgrade's fold may be pending (search_fold_step): rows past its position are read folded
        # by translate(), so the search is right meanwhile; the fold runs in upkeep, not here.
        pending = pending_fold_postgres(self._uow)
        conditions, values = list(parts), list(params)
        either, either_values = list(parts), list(params)
        for term in terms:
            in_row, row_values = _in_row(term, pending)
            in_note, note_values = _in_note(term, pending, "s.pos")
            conditions.append(in_row)
            values += row_values
            either.append(f"({in_row} OR EXISTS (SELECT 1 FROM ticket_search_notes n WHERE {in_note}))")
            either_values += [*row_values, *note_values]
        head = "SELECT s.pos, s.ticket_id FROM ticket_search s JOIN tickets ON tickets.id = s.ticket_id"

        scores: dict[int, int] = {}
        for pos, hits in self._keyed(terms, pending):
            scores[pos] = scores.get(pos, 0) + hits
        keyed: list[tuple[int, int, str]] = []
        if scores:
            sql = f"{head} WHERE s.pos = ANY(%s) AND {' AND '.join(either)}"
            for pos, ticket_id in self._uow.run(sql, (list(scores), *either_values)).fetchall():
                keyed.append((scores[int(pos)], int(pos), str(ticket_id)))

        def stream(before: int | None, limit: int) -> list[tuple[int, str]]:
            extra = ["s.pos < %s"] if before is not None else []
            after = [before] if before is not None else []
            in_rows = f"{head} WHERE {' AND '.join(conditions + extra)} ORDER BY s.pos DESC LIMIT %s"
            if not terms:
                rows = self._uow.run(in_rows, (*values, *after, limit)).fetchall()
                return [(int(pos), str(tid)) for pos, tid in rows]
            if all(len(term) < _TRIGRAM for term in terms):
                # No term long enough for a trigram: the indexes cannot serve them, and the plan is a
                # backward scan that stops at the page's last hit, as before notes were kept apart; a
                # row's notes are looked up (their primary key) only where its own text misses a term.
                sql = f"{head} WHERE {' AND '.join(either + extra)} ORDER BY s.pos DESC LIMIT %s"
                args: tuple[object, ...] = (*either_values, *after, limit)
                rows = self._uow.run(sql, args).fetchall()
                return [(int(pos), str(tid)) for pos, tid in rows]
            # Two arms, each planned on its own: every term in the row (the trigram indexes, as before
            # notes were kept apart), or some term in a note of the ticket and every term in its row or
            # its notes (driven by the notes' own index). Together: every term in the row or a note.
            noted_parts = [_in_note(t, pending) for t in terms]
            noted = " OR ".join(sql for sql, _ in noted_parts)
            with_notes = (
                f"{head} WHERE s.pos IN (SELECT n.pos FROM ticket_search_notes n WHERE {noted})"
                f" AND {' AND '.join(either + extra)} ORDER BY s.pos DESC LIMIT %s"
            )
            sql = (
                f"SELECT pos, ticket_id FROM (({in_rows}) UNION ({with_notes})) m ORDER BY pos DESC LIMIT %s"
            )
            noted_values = [v for _, part in noted_parts for v in part]
            args = (*values, *after, limit, *noted_values, *either_values, *after, limit, limit)
            rows = self._uow.run(sql, args).fetchall()
            return [(int(pos), str(tid)) for pos, tid in rows]

        return merge_pages(keyed, stream, request)

    def _keyed(self, terms: Sequence[str], pending: int | None) -> list[tuple[int, int]]:
        """(position, terms it holds as an exact key) of the rows a term is a key of; past a pending
        fold's position, a key may be a term's traditional spelling (no folded key holds one)."""
        found = self._uow.run("SELECT pos FROM ticket_search_keys WHERE key = ANY(%s)", (list(terms),))
        hits = [(int(pos), 1) for (pos,) in found]
        if pending is None:
            return hits
        spelled: list[str] = []
        unbounded: list[str] = []
        for term in terms:
            forms = unfolded_forms(term)
            if forms is None:
                unbounded.append(term)
            else:
                spelled += forms[1:]
        if spelled:
            tail = self._uow.run(
                "SELECT pos FROM ticket_search_keys WHERE key = ANY(%s) AND pos > %s", (spelled, pending)
            )
            hits += [(int(pos), 1) for (pos,) in tail]
        for term in unbounded:
            source, target = term_translation(term)
            tail = self._uow.run(
                "SELECT pos FROM ticket_search_keys WHERE pos > %s AND key LIKE ANY(%s)"
                " AND translate(key, %s, %s) = %s AND key <> %s",
                (pending, [_like(part) for part in window_forms(term)], source, target, term, term),
            )
            hits += [(int(pos), 1) for (pos,) in tail]
        return hits
