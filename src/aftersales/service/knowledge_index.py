"""The knowledge desk's in-process view of the approved articles: one immutable snapshot, swapped whole.

Why a snapshot: a desk serves many threads, and a rebuild (another process changed the articles) used
to set the new generation first and then empty and refill the maps in place, so a search running
meanwhile found half the articles, none, or looked up an id the maps no longer held (an uncaught
``KeyError``). Now a rebuild makes a new :class:`KnowledgeSnapshot` aside and publishes it with one
assignment; a reader takes :attr:`KnowledgeIndex.snapshot` once per call and reads only that, so it sees
the old articles or the new ones, whole.

A host-injected :class:`~aftersales.ports.text_search.TextIndex` is one mutable object shared by every
snapshot. It is changed under a lock together with the swap, and a reader searches it under the same
lock only while its own snapshot is still the published one; otherwise (a rebuild came in between) the
reader ranks its snapshot's own texts, which the port's contract (substring terms, occurrences then id)
makes the same answer the index would have given for that snapshot.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TypeVar

import attrs

from aftersales.domain.knowledge import Article, ArticleVersion
from aftersales.ports.text_search import TextIndex, index_body, query_terms, rank
from aftersales.service.fork_locks import renew_after_fork

__all__ = ["KnowledgeIndex", "KnowledgeSnapshot"]

K = TypeVar("K")
V = TypeVar("V")


def _frozen_map(items: Mapping[K, V]) -> Mapping[K, V]:
    return MappingProxyType(dict(items))


@attrs.frozen
class KnowledgeSnapshot:
    """The approved articles at one generation of the store: versions, symptom index, indexed texts.

    Never changed once made (read-only mappings of frozen sets); a change makes a new snapshot.
    ``generation`` ``-1`` is the empty snapshot of a desk that has not loaded yet.
    """

    generation: int
    current: Mapping[str, ArticleVersion]
    by_symptom: Mapping[str, frozenset[str]]
    bodies: Mapping[str, str]
    """Each article's normalised text as the text index holds it (:func:`index_body`)."""

    @classmethod
    def empty(cls) -> KnowledgeSnapshot:
        """Nothing loaded yet."""
        return cls(-1, MappingProxyType({}), MappingProxyType({}), MappingProxyType({}))

    @property
    def loaded(self) -> bool:
        """Whether this snapshot was read from the store (the empty one was not)."""
        return self.generation >= 0

    @classmethod
    def of(cls, generation: int, articles: Iterable[Article]) -> KnowledgeSnapshot:
        """The snapshot of ``articles`` (those with an approved current version count) at ``generation``."""
        current = {a.id: a.current for a in articles if a.current is not None}
        return cls._made(generation, current)

    def with_article(self, article: Article, generation: int) -> KnowledgeSnapshot:
        """A new snapshot at ``generation`` with ``article``'s current version (or without it, if none)."""
        current = dict(self.current)
        current.pop(article.id, None)
        if article.current is not None:
            current[article.id] = article.current
        return self._made(generation, current)

    @classmethod
    def _made(cls, generation: int, current: dict[str, ArticleVersion]) -> KnowledgeSnapshot:
        by_symptom: dict[str, set[str]] = {}
        for article_id, version in current.items():
            for symptom in version.problem.symptoms:
                by_symptom.setdefault(symptom, set()).add(article_id)
        return cls(
            generation,
            _frozen_map(current),
            _frozen_map({s: frozenset(ids) for s, ids in by_symptom.items()}),
            _frozen_map({a: index_body(a, v.texts()) for a, v in current.items()}),
        )

    def search(self, query: str, limit: int) -> list[str]:
        """The articles of this snapshot holding every term of ``query``, ranked as the text port ranks."""
        return rank(self.bodies.items(), query_terms(query), limit)


class KnowledgeIndex:
    """The published snapshot of one desk, and the host's in-process text index kept in step with it."""

    def __init__(self, text_index: TextIndex | None) -> None:
        self._text = text_index
        self._lock = threading.Lock()
        self._snapshot = KnowledgeSnapshot.empty()
        renew_after_fork(self)

    def _renew_locks_after_fork(self) -> None:
        """A free lock in a forked child (a parent's thread may have held it at the fork)."""
        self._lock = threading.Lock()

    @property
    def snapshot(self) -> KnowledgeSnapshot:
        """The published snapshot; a reader takes it once per call and reads only it."""
        return self._snapshot

    @property
    def text_index(self) -> TextIndex | None:
        """The host's in-process text index (``None``: the store's index answers)."""
        return self._text

    @property
    def in_process(self) -> bool:
        """Whether the host injected an in-process text index (else the store's index answers)."""
        return self._text is not None

    def publish(self, new: KnowledgeSnapshot) -> KnowledgeSnapshot:
        """Swap ``new`` in whole (the text index changed with it); returns the snapshot now published.

        A rebuild that read the store before another one finished does not replace a newer snapshot.
        """
        with self._lock:
            old = self._snapshot
            if new.generation < old.generation:
                return old
            self._sync_text(old, new)
            self._snapshot = new
            return new

    def change(self, article: Article, generation: int) -> None:
        """This desk's own change of ``article`` at ``generation``: a new snapshot if it is the next one.

        Another desk's change in between (a gap in generations) leaves the snapshot to the next
        rebuild, which the generation check of the next read starts.
        """
        with self._lock:
            old = self._snapshot
            if not old.loaded or generation != old.generation + 1:
                return
            new = old.with_article(article, generation)
            self._sync_text(old, new)
            self._snapshot = new

    def search_text(self, snapshot: KnowledgeSnapshot, query: str, limit: int) -> list[str]:
        """Ids matching ``query`` in ``snapshot``: from the host's index while it holds that snapshot."""
        if self._text is not None:
            with self._lock:
                if self._snapshot is snapshot:
                    return self._text.search(query, limit=limit)
        return snapshot.search(query, limit)

    def _sync_text(self, old: KnowledgeSnapshot, new: KnowledgeSnapshot) -> None:
        """Bring the host's text index from ``old`` to ``new`` (called with the lock held)."""
        if self._text is None:
            return
        for article_id in old.current:
            if article_id not in new.current:
                self._text.remove(article_id)
        for article_id, version in new.current.items():
            if old.bodies.get(article_id) != new.bodies[article_id]:
                self._text.put(article_id, version.texts())
