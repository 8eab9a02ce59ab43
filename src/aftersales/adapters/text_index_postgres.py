"""The persisted text index on PostgreSQL: ``pg_trgm`` GIN for long terms, a token array for short ones.

Same contract as :class:`~aftersales.adapters.text_search.SqliteStoredTextIndex`, in the unit of
work's transaction (the knowledge base's article index lives here instead of in each process).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from aftersales.ports.text_search import index_body, query_terms, rank
from aftersales.ports.ticket_search import bigram_tokens

__all__ = ["TEXT_INDEX_MIGRATION", "PostgresStoredTextIndex"]

TEXT_INDEX_MIGRATION: tuple[str, ...] = (
    """CREATE TABLE text_docs (
        ns TEXT NOT NULL, doc_id TEXT NOT NULL, body TEXT NOT NULL, grams TEXT[] NOT NULL,
        PRIMARY KEY (ns, doc_id))""",
    "CREATE INDEX text_docs_trgm ON text_docs USING gin (body public.gin_trgm_ops)",
    "CREATE INDEX text_docs_grams ON text_docs USING gin (grams)",
)


class _Runner(Protocol):
    def run(self, sql: str, params: Sequence[Any] = ()) -> Any: ...


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class PostgresStoredTextIndex:
    """A :class:`~aftersales.ports.text_search.StoredTextIndex` in a PostgreSQL store."""

    def __init__(self, uow: _Runner) -> None:
        self._uow = uow

    def put(self, namespace: str, doc_id: str, texts: Sequence[str]) -> None:
        """Index ``doc_id``, replacing what was indexed under it."""
        body = index_body(doc_id, texts)
        grams = sorted(set(bigram_tokens(body).split()))
        self._uow.run(
            "INSERT INTO text_docs (ns, doc_id, body, grams) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (ns, doc_id) DO UPDATE SET body = excluded.body, grams = excluded.grams",
            (namespace, doc_id, body, grams),
        )

    def remove(self, namespace: str, doc_id: str) -> None:
        """Forget ``doc_id``."""
        self._uow.run("DELETE FROM text_docs WHERE ns = %s AND doc_id = %s", (namespace, doc_id))

    def count(self, namespace: str) -> int:
        """Documents indexed in ``namespace``."""
        return int(self._uow.run("SELECT count(*) FROM text_docs WHERE ns = %s", (namespace,)).fetchone()[0])

    def search(self, namespace: str, query: str, limit: int = 20) -> list[str]:
        """Ids of the documents holding every term, most occurrences first, then by id."""
        terms = query_terms(query)
        where = ["ns = %s"]
        params: list[object] = [namespace]
        for term in terms:
            if len(term) >= 3:
                where.append("body LIKE %s")
                params.append(_like(term))
            elif term.isalnum():
                where.append("grams @> ARRAY[%s]::text[]" if len(term) == 2 else "strpos(body, %s) > 0")
                params.append(term)
        sql = f"SELECT doc_id, body FROM text_docs WHERE {' AND '.join(where)}"
        return rank(self._uow.run(sql, params).fetchall(), terms, limit)
