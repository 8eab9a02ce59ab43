"""The text-search port: find documents whose text contains every term of a query.

Chinese has no spaces, so "words" are not a given: a query "不出水" must find "冲洗不出水", and a
two-character query "漏水" must find "转换开关漏水". The contract here is therefore *substring*
semantics, not word semantics: a document matches when every term of the query (split on spaces and
punctuation) occurs in its normalised text. Results are ranked by how often the terms occur, then by
id, so every implementation ranks alike and the tests can state what is found.

Two implementations exist: :class:`aftersales.service.ngram_index.NgramIndex` (the default, pure
Python, in memory) and :class:`aftersales.adapters.text_search.Fts5TrigramIndex` (SQLite FTS5 with the
trigram tokenizer). ``benchmarks/bench_knowledge.py`` measures both, and jieba for comparison.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

from aftersales.errors import ValidationError
from aftersales.ports.query_marks import QUOTE_MARKS_CLASS
from aftersales.ports.script_folding import fold_script

__all__ = [
    "FIELD_SEPARATOR",
    "MAX_QUERY",
    "StoredTextIndex",
    "TextIndex",
    "index_body",
    "normalize",
    "occurrences",
    "query_terms",
    "rank",
]

MAX_QUERY = 200
FIELD_SEPARATOR = "\x1f"
"""Joins a document's fields so that a term never matches across two of them."""

_SPLIT = re.compile(
    r"[\s\u3000,.;:!?'\"()\[\]{}<>/\\|，。；：！？、“”‘’（）【】《》" + QUOTE_MARKS_CLASS + "]+"
)


def normalize(text: str) -> str:
    """Text as it is indexed and matched: NFKC (full-width letters and digits to ASCII), case-folded,
    traditional Chinese as simplified (:mod:`aftersales.ports.script_folding`: 馬桶 finds 马桶)."""
    return fold_script(unicodedata.normalize("NFKC", text).casefold())


def query_terms(query: str) -> tuple[str, ...]:
    """The distinct normalised terms of ``query``; a blank or over-long query raises ``ValidationError``."""
    if not isinstance(query, str) or not query.strip():
        raise ValidationError("a search query is non-blank text", field="query")
    if len(query) > MAX_QUERY:
        raise ValidationError(f"a search query is at most {MAX_QUERY} characters", field="query")
    terms = tuple(dict.fromkeys(t for t in _SPLIT.split(normalize(query)) if t))
    if not terms:
        raise ValidationError("a search query needs at least one letter or character", field="query")
    return terms


def occurrences(text: str, terms: Iterable[str]) -> int:
    """How often the terms occur in ``text`` (0 if any is missing): the shared ranking score."""
    total = 0
    for term in terms:
        found = text.count(term)
        if not found:
            return 0
        total += found
    return total


@runtime_checkable
class TextIndex(Protocol):
    """A full-text index of short documents (knowledge articles, descriptions) by id."""

    def put(self, doc_id: str, texts: Sequence[str]) -> None:
        """Index (or re-index, replacing) the document ``doc_id`` with its fields ``texts``."""
        ...

    def remove(self, doc_id: str) -> None:
        """Forget ``doc_id`` (unknown ids are ignored)."""
        ...

    def search(self, query: str, limit: int = 20) -> list[str]:
        """Ids of documents containing every term of ``query``, best first, at most ``limit``."""
        ...

    def __len__(self) -> int:
        """How many documents are indexed."""
        ...


@runtime_checkable
class StoredTextIndex(Protocol):
    """A persisted text index inside the store, written in the unit of work's transaction.

    Same contract as :class:`TextIndex` (substring semantics, ranking by occurrences then id), with a
    ``namespace`` per kind of document (``"kb"`` for knowledge articles), so a process finds the
    index on disk instead of rebuilding it.
    """

    def put(self, namespace: str, doc_id: str, texts: Sequence[str]) -> None:
        """Index (or re-index) ``doc_id`` of ``namespace`` with its fields."""
        ...

    def remove(self, namespace: str, doc_id: str) -> None:
        """Forget ``doc_id`` of ``namespace`` (unknown ids are ignored)."""
        ...

    def search(self, namespace: str, query: str, limit: int = 20) -> list[str]:
        """Ids of ``namespace``'s documents containing every term of ``query``, best first."""
        ...

    def count(self, namespace: str) -> int:
        """How many documents of ``namespace`` are indexed."""
        ...


def index_body(doc_id: str, texts: Sequence[str]) -> str:
    """The normalised body stored for a document (checks the id and the fields)."""
    if not isinstance(doc_id, str) or not doc_id:
        raise ValidationError("a document id is non-empty text", field="doc_id")
    if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
        raise ValidationError("texts is a sequence of strings", field="texts")
    return FIELD_SEPARATOR.join(normalize(t) for t in texts)


def rank(candidates: Iterable[tuple[str, str]], terms: Sequence[str], limit: int) -> list[str]:
    """Ids of the ``(id, body)`` candidates holding every term, most occurrences first, then by id."""
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise ValidationError("limit is a positive integer", field="limit")
    scored = []
    for doc_id, body in candidates:
        score = occurrences(body, terms)
        if score:
            scored.append((-score, doc_id))
    scored.sort()
    return [doc_id for _, doc_id in scored[:limit]]
