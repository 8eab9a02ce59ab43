"""Ticket search on SQLite: FTS5 trigram for terms of three characters or more, word bigrams for shorter.

Written in the unit of work's own transaction, so a ticket and its index entry commit (or roll back)
together. Tables (migration :data:`SEARCH_MIGRATION`):

- ``ticket_search``: one row per ticket, ``pos`` (its rank key, see
  :mod:`aftersales.ports.ticket_search`) as the rowid, the ticket id and its normalised text;
- ``ticket_search_tri``: contentless FTS5 ``trigram`` index of that text: any substring of three
  characters or more ("不出水", "sn-2024", "13812345678") is a phrase ``MATCH``;
- ``ticket_search_bi``: contentless FTS5 ``unicode61`` index of the text's two-character tokens
  (:func:`~aftersales.ports.ticket_search.bigram_tokens`): "漏水" is one token, a one-character term
  a prefix — what the trigram index cannot find without scanning;
- ``ticket_search_keys``: exact keys (number, serial, phone, name) for the score;
- ``ticket_labels``: ``tag:…`` and ``field:name=value`` labels for the ledger's tag and field filters.

Hits stream from the FTS index in ``pos`` order (newest first) and stop at the page's end, so a term
found in 100,000 tickets costs about what a rare one does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

from aftersales.adapters.sql_ledger import where
from aftersales.adapters.text_search import TEXT_INDEX_MIGRATION
from aftersales.errors import ValidationError
from aftersales.ports.queries import Page, TicketFilter
from aftersales.ports.ticket_search import (
    SLOTS,
    SearchDocument,
    SearchQuery,
    SearchRequest,
    bigram_tokens,
    merge_pages,
)

__all__ = ["SEARCH_MIGRATION", "SqliteTicketSearch", "fts_phrase"]

SEARCH_MIGRATION: tuple[str, ...] = (
    "CREATE TABLE ticket_search ("
    "pos INTEGER PRIMARY KEY, ticket_id TEXT NOT NULL UNIQUE, body TEXT NOT NULL)",
    "CREATE VIRTUAL TABLE ticket_search_tri USING fts5(txt, content='', tokenize='trigram case_sensitive 1')",
    "CREATE VIRTUAL TABLE ticket_search_bi USING fts5("
    "grams, content='', detail='none', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TABLE ticket_search_keys (key TEXT NOT NULL, pos INTEGER NOT NULL, PRIMARY KEY (key, pos))"
    " WITHOUT ROWID",
    "CREATE TABLE ticket_labels ("
    "label TEXT NOT NULL, ticket_id TEXT NOT NULL, PRIMARY KEY (label, ticket_id)) WITHOUT ROWID",
    "CREATE INDEX ticket_labels_ticket ON ticket_labels (ticket_id)",
    *TEXT_INDEX_MIGRATION,
)
"""The tables of ticket search and labels (appended to the SQLite migrations)."""


class _Runner(Protocol):
    def run(self, sql: str, params: Sequence[Any] = ()) -> Any: ...


def fts_phrase(term: str) -> str:
    """``term`` as an FTS5 string (a phrase: its tokens in order)."""
    return '"' + term.replace('"', '""') + '"'


def _short_match(terms: Iterable[str]) -> str | None:
    parts = []
    for term in terms:
        if len(term) == 2 and term.isalnum():
            parts.append(fts_phrase(term))
        elif len(term) == 1 and term.isalnum():
            parts.append(fts_phrase(term) + "*")
    return " AND ".join(parts) or None


class SqliteTicketSearch:
    """The :class:`~aftersales.ports.ticket_search.TicketSearchIndex` of one SQLite unit of work."""

    def __init__(self, uow: _Runner) -> None:
        self._uow = uow

    # -- writing --------------------------------------------------------------------------------

    def _slot(self, received_us: int) -> int:
        base = received_us * SLOTS
        found = self._uow.run(
            "SELECT max(pos) FROM ticket_search WHERE pos BETWEEN ? AND ?", (base, base + SLOTS - 1)
        ).fetchone()[0]
        pos = base if found is None else int(found) + 1
        if pos >= base + SLOTS:
            raise ValidationError(
                f"more than {SLOTS} tickets received in the same microsecond", field="received_at"
            )
        return pos

    def _insert(self, pos: int, doc: SearchDocument) -> None:
        run = self._uow.run
        run(
            "INSERT INTO ticket_search (pos, ticket_id, body) VALUES (?, ?, ?)",
            (pos, doc.ticket_id, doc.body),
        )
        run("INSERT INTO ticket_search_tri (rowid, txt) VALUES (?, ?)", (pos, doc.body))
        run("INSERT INTO ticket_search_bi (rowid, grams) VALUES (?, ?)", (pos, bigram_tokens(doc.body)))
        for key in doc.keys:
            run("INSERT OR IGNORE INTO ticket_search_keys (key, pos) VALUES (?, ?)", (key, pos))
        for label in doc.labels:
            run(
                "INSERT OR IGNORE INTO ticket_labels (label, ticket_id) VALUES (?, ?)", (label, doc.ticket_id)
            )

    def _delete(self, pos: int, ticket_id: str, body: str) -> None:
        run = self._uow.run
        run(
            "INSERT INTO ticket_search_tri (ticket_search_tri, rowid, txt) VALUES ('delete', ?, ?)",
            (pos, body),
        )
        run(
            "INSERT INTO ticket_search_bi (ticket_search_bi, rowid, grams) VALUES ('delete', ?, ?)",
            (pos, bigram_tokens(body)),
        )
        run("DELETE FROM ticket_search_keys WHERE pos = ?", (pos,))
        run("DELETE FROM ticket_labels WHERE ticket_id = ?", (ticket_id,))
        run("DELETE FROM ticket_search WHERE pos = ?", (pos,))

    def _labels(self, ticket_id: str) -> frozenset[str]:
        rows = self._uow.run("SELECT label FROM ticket_labels WHERE ticket_id = ?", (ticket_id,))
        return frozenset(label for (label,) in rows)

    def _keys(self, pos: int) -> frozenset[str]:
        return frozenset(
            key for (key,) in self._uow.run("SELECT key FROM ticket_search_keys WHERE pos = ?", (pos,))
        )

    def put(self, doc: SearchDocument) -> None:
        """Index ``doc``; an unchanged document costs one lookup, a changed one keeps its position."""
        found = self._uow.run(
            "SELECT pos, body FROM ticket_search WHERE ticket_id = ?", (doc.ticket_id,)
        ).fetchone()
        if found is None:
            self._insert(self._slot(doc.received_us), doc)
            return
        pos, body = int(found[0]), str(found[1])
        if body == doc.body and self._labels(doc.ticket_id) == doc.labels and self._keys(pos) == doc.keys:
            return
        self._delete(pos, doc.ticket_id, body)
        self._insert(pos, doc)

    def put_many(self, docs: Iterable[SearchDocument]) -> None:
        """Index many tickets not indexed yet."""
        for doc in docs:
            self.put(doc)

    def remove(self, ticket_id: str) -> None:
        """Forget ``ticket_id``."""
        found = self._uow.run(
            "SELECT pos, body FROM ticket_search WHERE ticket_id = ?", (ticket_id,)
        ).fetchone()
        if found is not None:
            self._delete(int(found[0]), ticket_id, str(found[1]))

    # -- reading --------------------------------------------------------------------------------

    def search(self, query: SearchQuery, filter: TicketFilter, request: SearchRequest) -> Page[str]:
        """One page of matching ticket ids: exact-key hits first, then the rest newest first."""
        parts, params = where(filter, "?", "LIKE")
        return merge_pages(self._keyed(query, parts, params), self._streamer(query, parts, params), request)

    def _keyed(
        self, query: SearchQuery, parts: list[str], params: list[object]
    ) -> list[tuple[int, int, str]]:
        terms = query.terms
        marks = ", ".join("?" * len(terms))
        scores: dict[int, int] = {}
        for (pos,) in self._uow.run(
            f"SELECT pos FROM ticket_search_keys WHERE key IN ({marks})", terms
        ).fetchall():
            scores[pos] = scores.get(pos, 0) + 1
        if not scores:
            return []
        hits: list[tuple[int, int, str]] = []
        positions = list(scores)
        for start in range(0, len(positions), 500):
            chunk = positions[start : start + 500]
            conditions = [f"s.pos IN ({', '.join('?' * len(chunk))})", *parts]
            sql = (
                "SELECT s.pos, s.ticket_id, s.body FROM ticket_search s"
                " JOIN tickets ON tickets.id = s.ticket_id"
                f" WHERE {' AND '.join(conditions)}"
            )
            for pos, ticket_id, body in self._uow.run(sql, (*chunk, *params)).fetchall():
                if all(term in body for term in terms):
                    hits.append((scores[pos], pos, ticket_id))
        return hits

    def _streamer(self, query: SearchQuery, parts: list[str], params: list[object]) -> Any:
        terms = query.terms
        long_terms = [t for t in terms if len(t) >= 3]
        match: str | None
        if long_terms:
            driver, match = "ticket_search_tri", " AND ".join(fts_phrase(t) for t in long_terms)
            checked = [t for t in terms if len(t) < 3]
        else:
            driver, match = "ticket_search_bi", _short_match(terms)
            checked = list(terms)
        conditions = ["instr(s.body, ?) > 0" for _ in checked] + parts
        base_params: list[object] = [*checked, *params]
        if match is not None:
            head = (
                f"SELECT d.rowid, s.ticket_id FROM {driver} d JOIN ticket_search s ON s.pos = d.rowid"
                " JOIN tickets ON tickets.id = s.ticket_id"
            )
            conditions.insert(0, f"{driver} MATCH ?")
            base_params.insert(0, match)
            order = "d.rowid"
        else:
            head = "SELECT s.pos, s.ticket_id FROM ticket_search s JOIN tickets ON tickets.id = s.ticket_id"
            order = "s.pos"

        def stream(before: int | None, limit: int) -> list[tuple[int, str]]:
            extra = [f"{order} < ?"] if before is not None else []
            sql = f"{head} WHERE {' AND '.join(conditions + extra)} ORDER BY {order} DESC LIMIT ?"
            values = [*base_params, *([before] if before is not None else []), limit]
            return [(int(pos), str(tid)) for pos, tid in self._uow.run(sql, values).fetchall()]

        return stream
