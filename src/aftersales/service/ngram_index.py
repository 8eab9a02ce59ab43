"""The default text index: character uni- and bigrams in memory, substring-exact.

Why this and not a word segmenter or FTS5 (measured in ``benchmarks/bench_knowledge.py``): Chinese
fault descriptions are short and full of trade words a general dictionary splits badly ("不出水" →
"不|出水"), so word tokens miss substrings users type; FTS5's trigram tokenizer finds substrings but
only for terms of three characters or more, while "漏水", "堵塞", "跳闸" are two. Postings of every
character bigram (and single characters, for one-character terms) narrow the candidates to documents
holding all the term's bigrams; a final ``in`` check makes the match exact. It needs no dependency,
builds tens of thousands of articles in well under a second, and answers in microseconds.
"""

from __future__ import annotations

from collections.abc import Sequence

from aftersales.errors import ValidationError
from aftersales.ports.text_search import FIELD_SEPARATOR, normalize, occurrences, query_terms

__all__ = ["NgramIndex"]


def _grams(text: str) -> set[str]:
    grams = set(text)
    grams.update(text[i : i + 2] for i in range(len(text) - 1))
    grams.discard(FIELD_SEPARATOR)
    return grams


class NgramIndex:
    """An in-memory :class:`~aftersales.ports.text_search.TextIndex` over character 1- and 2-grams."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self._postings: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._texts)

    def put(self, doc_id: str, texts: Sequence[str]) -> None:
        """Index ``doc_id`` with its fields, replacing what was indexed under it before."""
        if not isinstance(doc_id, str) or not doc_id:
            raise ValidationError("a document id is non-empty text", field="doc_id")
        if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
            raise ValidationError("texts is a sequence of strings", field="texts")
        self.remove(doc_id)
        text = FIELD_SEPARATOR.join(normalize(t) for t in texts)
        self._texts[doc_id] = text
        for gram in _grams(text):
            self._postings.setdefault(gram, set()).add(doc_id)

    def remove(self, doc_id: str) -> None:
        """Forget ``doc_id``."""
        text = self._texts.pop(doc_id, None)
        if text is None:
            return
        for gram in _grams(text):
            posting = self._postings.get(gram)
            if posting is not None:
                posting.discard(doc_id)
                if not posting:
                    del self._postings[gram]

    def _candidates(self, term: str) -> set[str]:
        grams = {term} if len(term) == 1 else {term[i : i + 2] for i in range(len(term) - 1)}
        postings = sorted((self._postings.get(g, set()) for g in grams), key=len)
        if not postings or not postings[0]:
            return set()
        found = set(postings[0])
        for posting in postings[1:]:
            found &= posting
            if not found:
                break
        return found

    def search(self, query: str, limit: int = 20) -> list[str]:
        """Ids of the documents containing every term of ``query``, most occurrences first, then by id."""
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise ValidationError("limit is a positive integer", field="limit")
        terms = query_terms(query)
        candidates: set[str] | None = None
        for term in sorted(terms, key=len, reverse=True):
            found = self._candidates(term)
            candidates = found if candidates is None else candidates & found
            if not candidates:
                return []
        scored = []
        for doc_id in candidates or ():
            score = occurrences(self._texts[doc_id], terms)
            if score:
                scored.append((-score, doc_id))
        scored.sort()
        return [doc_id for _, doc_id in scored[:limit]]
