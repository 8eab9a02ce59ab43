"""The persisted text index of the memory store: records of the unit of work, scanned on search."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aftersales.ports.text_search import index_body, query_terms, rank

__all__ = ["MemoryStoredTextIndex"]


class MemoryStoredTextIndex:
    """A :class:`~aftersales.ports.text_search.StoredTextIndex` in a memory unit of work."""

    def __init__(self, uow: Any, record: Any) -> None:
        self._uow = uow
        self._record = record

    @staticmethod
    def _table(namespace: str) -> str:
        return f"text:{namespace}"

    def put(self, namespace: str, doc_id: str, texts: Sequence[str]) -> None:
        """Index ``doc_id``."""
        body = index_body(doc_id, texts)
        self._uow._upsert((self._table(namespace), doc_id), self._record(0, body))

    def remove(self, namespace: str, doc_id: str) -> None:
        """Forget ``doc_id``."""
        key = (self._table(namespace), doc_id)
        if self._uow._read(key) is not None:
            self._uow._writes[key] = None

    def count(self, namespace: str) -> int:
        """Documents indexed in ``namespace``."""
        return len(self._uow._scan(self._table(namespace)))

    def search(self, namespace: str, query: str, limit: int = 20) -> list[str]:
        """Ids of the documents holding every term, most occurrences first, then by id."""
        terms = query_terms(query)
        return rank(((doc_id, r.text) for doc_id, r in self._uow._scan(self._table(namespace))), terms, limit)
