"""A text index on SQLite FTS5 with the ``trigram`` tokenizer (stdlib ``sqlite3``, SQLite ≥ 3.34).

For hosts that want the index on disk beside their SQLite store, or corpora too large to keep in
memory. Same contract as the default :class:`~aftersales.service.ngram_index.NgramIndex` (substring
semantics, same ranking). Terms of three characters or more use the trigram index (``MATCH``); FTS5
cannot index shorter ones, so two-character terms such as "漏水" fall back to ``LIKE``, which
scans the table (measured in ``benchmarks/bench_knowledge.py``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any, Protocol

from aftersales.errors import ConfigurationError, ValidationError
from aftersales.ports.text_search import (
    FIELD_SEPARATOR,
    index_body,
    normalize,
    occurrences,
    query_terms,
    rank,
)
from aftersales.ports.ticket_search import bigram_tokens

__all__ = [
    "MIN_SQLITE",
    "TEXT_INDEX_MIGRATION",
    "Fts5TrigramIndex",
    "SqliteStoredTextIndex",
    "fts5_trigram_available",
]

MIN_SQLITE = (3, 34, 0)


def fts5_trigram_available() -> bool:
    """True when this Python's SQLite has FTS5 and is recent enough for the trigram tokenizer."""
    if sqlite3.sqlite_version_info < MIN_SQLITE:
        return False
    try:
        with sqlite3.connect(":memory:") as con:
            con.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram')")
    except sqlite3.OperationalError:
        return False
    return True


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class Fts5TrigramIndex:
    """A :class:`~aftersales.ports.text_search.TextIndex` in an SQLite FTS5 trigram table.

    ``path`` is a database file (the table ``text_index`` is created if missing) or ``":memory:"``.
    """

    def __init__(self, path: str = ":memory:") -> None:
        if not fts5_trigram_available():
            raise ConfigurationError(
                f"SQLite {sqlite3.sqlite_version} has no FTS5 trigram tokenizer (3.34 or later is needed)"
            )
        self._con = sqlite3.connect(path)
        self._con.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS text_index "
            "USING fts5(doc_id UNINDEXED, body, tokenize='trigram case_sensitive 1')"
        )

    def close(self) -> None:
        """Close the connection."""
        self._con.close()

    def __len__(self) -> int:
        row = self._con.execute("SELECT count(*) FROM text_index").fetchone()
        return int(row[0])

    def put(self, doc_id: str, texts: Sequence[str]) -> None:
        """Index ``doc_id`` with its fields, replacing what was indexed under it before."""
        if not isinstance(doc_id, str) or not doc_id:
            raise ValidationError("a document id is non-empty text", field="doc_id")
        if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
            raise ValidationError("texts is a sequence of strings", field="texts")
        body = FIELD_SEPARATOR.join(normalize(t) for t in texts)
        with self._con:
            self._con.execute("DELETE FROM text_index WHERE doc_id = ?", (doc_id,))
            self._con.execute("INSERT INTO text_index (doc_id, body) VALUES (?, ?)", (doc_id, body))

    def put_many(self, docs: Sequence[tuple[str, Sequence[str]]]) -> None:
        """Index many new documents in one transaction (ids must not be indexed yet)."""
        rows = [(doc_id, FIELD_SEPARATOR.join(normalize(t) for t in texts)) for doc_id, texts in docs]
        with self._con:
            self._con.executemany("INSERT INTO text_index (doc_id, body) VALUES (?, ?)", rows)

    def remove(self, doc_id: str) -> None:
        """Forget ``doc_id``."""
        with self._con:
            self._con.execute("DELETE FROM text_index WHERE doc_id = ?", (doc_id,))

    def search(self, query: str, limit: int = 20) -> list[str]:
        """Ids of the documents containing every term of ``query``, most occurrences first, then by id."""
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise ValidationError("limit is a positive integer", field="limit", rule="positive")
        terms = query_terms(query)
        long_terms = [t for t in terms if len(t) >= 3]
        where: list[str] = []
        params: list[str] = []
        if long_terms:
            where.append("text_index MATCH ?")
            params.append(" AND ".join('"' + t.replace('"', '""') + '"' for t in long_terms))
        for term in terms:
            if len(term) < 3:
                where.append("body LIKE ? ESCAPE '\\'")
                params.append(_like(term))
        sql = "SELECT doc_id, body FROM text_index WHERE " + " AND ".join(where)
        scored = []
        for doc_id, body in self._con.execute(sql, params):
            score = occurrences(body, terms)  # LIKE is case-insensitive for ASCII: recheck exactly
            if score:
                scored.append((-score, doc_id))
        scored.sort()
        return [doc_id for _, doc_id in scored[:limit]]


TEXT_INDEX_MIGRATION: tuple[str, ...] = (
    "CREATE TABLE text_docs (rid INTEGER PRIMARY KEY, ns TEXT NOT NULL, doc_id TEXT NOT NULL,"
    " body TEXT NOT NULL, UNIQUE (ns, doc_id))",
    "CREATE VIRTUAL TABLE text_docs_tri USING fts5(txt, content='', tokenize='trigram case_sensitive 1')",
    "CREATE VIRTUAL TABLE text_docs_bi USING fts5("
    "grams, content='', detail='none', tokenize='unicode61 remove_diacritics 0')",
)
"""The persisted text index's tables in a SQLite store (part of the issue-23 migration)."""


class _Runner(Protocol):
    def run(self, sql: str, params: Sequence[Any] = ()) -> Any: ...

    def wrote_words(self, table: str, rows: int = 1) -> None:
        """This transaction wrote FTS words of ``rows`` rows to ``table`` (merged after its commit:
        sqlite_fts_merge)."""


class SqliteStoredTextIndex:
    """A :class:`~aftersales.ports.text_search.StoredTextIndex` in a SQLite store's own transaction.

    Terms of three characters or more are trigram phrases; shorter letter/digit terms are tokens of
    the bigram table (what the trigram tokenizer cannot find without a scan); candidates are then
    ranked exactly (:func:`~aftersales.ports.text_search.rank`).
    """

    def __init__(self, uow: _Runner) -> None:
        self._uow = uow

    def _found(self, namespace: str, doc_id: str) -> tuple[int, str] | None:
        row = self._uow.run(
            "SELECT rid, body FROM text_docs WHERE ns = ? AND doc_id = ?", (namespace, doc_id)
        ).fetchone()
        return (int(row[0]), str(row[1])) if row is not None else None

    def _delete(self, rid: int, body: str) -> None:
        run = self._uow.run
        run("INSERT INTO text_docs_tri (text_docs_tri, rowid, txt) VALUES ('delete', ?, ?)", (rid, body))
        run(
            "INSERT INTO text_docs_bi (text_docs_bi, rowid, grams) VALUES ('delete', ?, ?)",
            (rid, bigram_tokens(body)),
        )
        run("DELETE FROM text_docs WHERE rid = ?", (rid,))
        self._wrote()

    def put(self, namespace: str, doc_id: str, texts: Sequence[str]) -> None:
        """Index ``doc_id``, replacing what was indexed under it."""
        body = index_body(doc_id, texts)
        found = self._found(namespace, doc_id)
        if found is not None:
            if found[1] == body:
                return
            self._delete(*found)
        run = self._uow.run
        rid = run(
            "INSERT INTO text_docs (ns, doc_id, body) VALUES (?, ?, ?)", (namespace, doc_id, body)
        ).lastrowid
        run("INSERT INTO text_docs_tri (rowid, txt) VALUES (?, ?)", (rid, body))
        run("INSERT INTO text_docs_bi (rowid, grams) VALUES (?, ?)", (rid, bigram_tokens(body)))
        self._wrote()

    def _wrote(self) -> None:
        self._uow.wrote_words("text_docs_tri")
        self._uow.wrote_words("text_docs_bi")

    def remove(self, namespace: str, doc_id: str) -> None:
        """Forget ``doc_id``."""
        found = self._found(namespace, doc_id)
        if found is not None:
            self._delete(*found)

    def count(self, namespace: str) -> int:
        """Documents indexed in ``namespace``."""
        return int(self._uow.run("SELECT count(*) FROM text_docs WHERE ns = ?", (namespace,)).fetchone()[0])

    def search(self, namespace: str, query: str, limit: int = 20) -> list[str]:
        """Ids of the documents holding every term, most occurrences first, then by id."""
        terms = query_terms(query)
        long_terms = [t for t in terms if len(t) >= 3]
        short = [t for t in terms if len(t) < 3 and t.isalnum()]
        where = ["d.ns = ?"]
        params: list[object] = [namespace]
        if long_terms:
            where.append("d.rid IN (SELECT rowid FROM text_docs_tri WHERE text_docs_tri MATCH ?)")
            params.append(" AND ".join('"' + t.replace('"', '""') + '"' for t in long_terms))
        if short:
            where.append("d.rid IN (SELECT rowid FROM text_docs_bi WHERE text_docs_bi MATCH ?)")
            params.append(" AND ".join(f'"{t}"' + ("*" if len(t) == 1 else "") for t in short))
        sql = f"SELECT d.doc_id, d.body FROM text_docs d WHERE {' AND '.join(where)}"
        return rank(self._uow.run(sql, params).fetchall(), terms, limit)
