"""Bulk writes of the SQLite ticket search index: a batch of search documents (issue 21's import).

Each document becomes one flat row of strings at once (what ``ticket_search`` stores), so a batch of
50,000 holds no document objects for the garbage collector to walk; the FTS5 words, exact keys and
labels are then derived from those rows while SQLite takes them, one ``executemany`` per table (the
exact keys in multi-row statements: :func:`~.sqlite_import.insert_rows`), in
position order (FTS5 flushes its in-memory index whenever a rowid is not above the last one, so
unsorted rowids would cost a segment each).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence

from aftersales.adapters.sqlite_import import insert_rows
from aftersales.ports.text_search import FIELD_SEPARATOR
from aftersales.ports.ticket_search import SearchDocument, token_text

__all__ = [
    "DELETE_FTS",
    "INSERT_FTS",
    "SearchRow",
    "document_of",
    "fts_words",
    "insert_search_rows",
    "search_rows",
]

SearchRow = tuple[int, str, str, str, str, str, str]
"""A document as stored: ``received_us``, ticket id, text, idents, keys, labels, scope (joined)."""

_INSERT_ROW = (
    "INSERT INTO ticket_search (pos, ticket_id, text, idents, keys, labels, scope)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)
INSERT_FTS = "INSERT INTO ticket_search_fts (rowid, tri, bi, fwd, rev, scope) VALUES (?, ?, ?, ?, ?, ?)"
"""A row's words into the FTS index (rowid: its position)."""
DELETE_FTS = (
    "INSERT INTO ticket_search_fts (ticket_search_fts, rowid, tri, bi, fwd, rev, scope)"
    " VALUES ('delete', ?, ?, ?, ?, ?, ?)"
)
"""A row's words out of the contentless FTS index: the very words it holds must be given."""
_INSERT_KEY = "INSERT OR IGNORE INTO ticket_search_keys (key, pos) VALUES (?, ?)"
_INSERT_LABEL = "INSERT OR IGNORE INTO ticket_labels (label, ticket_id) VALUES (?, ?)"


def search_rows(docs: Iterable[SearchDocument]) -> list[SearchRow]:
    """Each document as its stored row (the documents themselves are not kept)."""
    sep = FIELD_SEPARATOR
    return [
        (
            d.received_us,
            d.ticket_id,
            d.text,
            d.idents,
            sep.join(sorted(d.keys)),
            sep.join(sorted(d.labels)),
            sep.join(d.scope),
        )
        for d in docs
    ]


def _split(joined: str) -> list[str]:
    return [part for part in joined.split(FIELD_SEPARATOR) if part]


def document_of(row: SearchRow) -> SearchDocument:
    """The document a row was made from (for the per-ticket path, when a batch cannot go in bulk)."""
    received_us, ticket_id, text, idents, keys, labels, scope = row
    return SearchDocument(
        ticket_id,
        received_us,
        text,
        tuple(_split(idents)),
        frozenset(_split(keys)),
        frozenset(_split(labels)),
        tuple(_split(scope)),
    )


# token_text's ASCII table, with the field separator made a space: a whole ``idents`` or ``scope``
# string maps to its space-separated words in one ``translate``.
_WORDS = {c: "_" for c in range(128) if not (chr(c).isalnum() or chr(c) == "_")}
_WORDS[ord(FIELD_SEPARATOR)] = " "


def _words(joined: str) -> str:
    if joined.isascii():
        return " ".join(joined.translate(_WORDS).split())
    return " ".join([token_text(part) for part in _split(joined)])


_concat = "".join


def fts_words(text: str, idents: str, scope: str) -> tuple[str, str, str, str, str]:
    """The five FTS columns of a stored row: what ``ticket_search_sqlite.fts_row`` gives for it
    (tests hold them equal), with the text mapped to tokens once for both window sizes and the
    identifiers mapped in one pass (a token reversed is the reversed identifier's token)."""
    mapped = token_text(text)
    forward = _words(idents)
    # The windows as zips of the text with itself shifted (each stops at the shortest, strict=False on
    # purpose): no index arithmetic per window.
    shifted = mapped[1:]
    return (
        " ".join(map(_concat, zip(mapped, shifted, mapped[2:], strict=False))),
        " ".join([*map(_concat, zip(mapped, shifted, strict=False)), mapped[-1]]) if mapped else "",
        forward,
        " ".join([word[::-1] for word in forward.split(" ")]) if forward else "",
        _words(scope),
    )


def insert_search_rows(conn: sqlite3.Connection, placed: Sequence[tuple[int, SearchRow]]) -> None:
    """Write rows at their positions (none indexed yet, ``placed`` in ascending position order): the
    ``ticket_search`` rows, FTS5 words, exact keys and labels, one ``executemany`` each."""
    conn.executemany(_INSERT_ROW, ((pos, *row[1:]) for pos, row in placed))

    def words() -> Iterator[tuple[object, ...]]:
        for pos, row in placed:
            yield (pos, *fts_words(row[2], row[3], row[6]))

    conn.executemany(INSERT_FTS, words())
    # Sorted by key: the keys' B-tree is then written page after page, not at random. In multi-row
    # statements: 2.5 µs a ticket against executemany's 5 (session 33; the same rows).
    keys = sorted((key, pos) for pos, row in placed if row[4] for key in row[4].split(FIELD_SEPARATOR))
    insert_rows(conn, _INSERT_KEY, keys)
    labels = [(label, row[1]) for _, row in placed if row[5] for label in row[5].split(FIELD_SEPARATOR)]
    if labels:
        conn.executemany(_INSERT_LABEL, labels)
