"""Recently written tickets, kept parsed: a store reads a ticket it wrote lately without parsing it.

A command loads a ticket, changes it and saves it; the next command on that ticket loads it again.
Parsing its JSON is most of a load (a ticket is dozens of objects), while copying a kept ticket is a
few microseconds. Entries are keyed by ticket id and hold the exact text the ticket was stored as: a
load uses the kept ticket only when the text it read is that text, so a change by another process, a
rolled-back save or a migration can never be served stale (a different text is a miss). Once a text is
known to be a committed row's (:meth:`TicketMemo.confirm`: a reader saw it, or the unit of work that
wrote it committed), a load checks the row's version instead and reads no text. Kept tickets are never
handed out, only copies (:meth:`~aftersales.domain.ticket.Ticket.copy`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any

from aftersales.domain.ticket import Ticket
from aftersales.errors import InvalidStoreOption
from aftersales.ports.erasure import quotes_any
from aftersales.serialization import EventsText

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "TicketMemo", "check_limit"]

DEFAULT_LIMIT = 4096
"""Tickets kept per store by default: a desk's working set of a few thousand live tickets stays parsed.
Measured: about 3 MB for 2,048 new tickets, about 50 MB for 2,048 tickets of 25 events each (text and
objects), so 6-100 MB at this limit, next to SQLite's own 64 MB page cache (``?ticket_cache=N``)."""

MAX_LIMIT = 100_000
"""The most tickets a store's ``?ticket_cache=N`` may keep: at the measured 25 KB of a ticket of 25
events, some 2.5 GB of one process's memory. A larger value is refused (``InvalidStoreOption``), not
taken: a slip of the keyboard (``ticket_cache=40960000``) would let the memo grow with every ticket a
long-running worker ever wrote."""


def check_limit(value: str) -> int:
    """The ``ticket_cache`` URL option's text as a limit: a whole number from 0 to :data:`MAX_LIMIT`,
    else ``InvalidStoreOption`` naming it (the same refusal from every store)."""
    if not value.isascii() or not value.isdigit() or int(value) > MAX_LIMIT:
        raise InvalidStoreOption(
            f"ticket_cache is a whole number of tickets from 0 (none) to {MAX_LIMIT}, got {value!r}",
            option="ticket_cache",
        )
    return int(value)


class TicketMemo:
    """Up to ``limit`` tickets by id with their stored text (str or UTF-8 bytes, as the store reads it);
    ``limit=0`` keeps none.

    A true LRU: a hit makes the ticket the most recently used, and a full memo forgets only the least
    recently used one, so the tickets a desk works on stay parsed however many it has (the former
    memo emptied itself when full, and helped only below its limit of live tickets). Safe to share
    between threads (one lock around each step).
    """

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self._kept: OrderedDict[str, tuple[str | bytes, Ticket, EventsText | None, Any]] = OrderedDict()
        self._lock = threading.Lock()
        # Per id, a committed version whose row was seen to hold the kept text (the very text object):
        # a read then checks the row's version alone (see recall_committed).
        self._committed: dict[str, tuple[int, str | bytes]] = {}
        self.hits = 0
        """Loads a kept ticket served (counted by the store that loads: :meth:`tally`)."""
        self.misses = 0
        """Loads that parsed the stored text."""

    def tally(self, hit: bool) -> None:
        """Count one load of a ticket for update (``hit``: a kept ticket served it): the hit rate tells
        an operator whether the limit covers the desk's live tickets. Unlocked: under threads the
        counts are approximate, never wrong about the ticket."""
        if hit:
            self.hits += 1
        else:
            self.misses += 1

    def __len__(self) -> int:
        return len(self._kept)

    def recall(self, id: str, text: str | bytes) -> Ticket | None:
        """A copy of the ticket stored as ``text``, if it is the one kept for ``id``."""
        found = self.recall_with_events(id, text)
        return found[0] if found is not None else None

    def recall_with_events(self, id: str, text: str | bytes) -> tuple[Ticket, EventsText | None] | None:
        """:meth:`recall`, with the stored text of its events (a save then appends only new events)."""
        with self._lock:
            kept = self._kept.get(id)
            if kept is None or kept[0] != text:
                return None
            self._kept.move_to_end(id)
        return kept[1].copy(), kept[2]

    def recall_entry(self, id: str, text: str | bytes) -> tuple[Ticket, EventsText | None, Any] | None:
        """:meth:`recall_with_events`, with what the store derived from the ticket when it kept it
        (``derived``: its row and reporting values, say), so a hit does not derive them again."""
        with self._lock:
            kept = self._kept.get(id)
            if kept is None or kept[0] != text:
                return None
            self._kept.move_to_end(id)
        return kept[1].copy(), kept[2], kept[3]

    def remember(
        self,
        id: str,
        text: str | bytes,
        ticket: Ticket,
        events: EventsText | None = None,
        derived: Any = None,
        *,
        copy: bool = True,
    ) -> None:
        """Keep a copy of ``ticket``, which is stored as ``text`` (``events``: its events' text in it;
        ``derived``: immutable values the store computed from it, handed back by :meth:`recall_entry`;
        ``copy=False`` keeps ``ticket`` itself, for a caller that never changes it again)."""
        if self.limit <= 0:
            return
        entry = (text, ticket.copy() if copy else ticket, events, derived)
        with self._lock:
            self._kept[id] = entry
            self._kept.move_to_end(id)
            while len(self._kept) > self.limit:
                self._committed.pop(self._kept.popitem(last=False)[0], None)

    def peek(self, id: str) -> tuple[str | bytes, Ticket] | None:
        """The text kept for ``id`` and the kept ticket itself, not a copy (read it, never change it):
        a store asks its server whether the row still has that text before it reads the row."""
        with self._lock:
            kept = self._kept.get(id)
        return (kept[0], kept[1]) if kept is not None else None

    def peek_events(self, id: str) -> EventsText | None:
        """The stored text of the events of the ticket :meth:`peek` gives (``None``: none kept), not a
        copy: a store compares a changed row's events with it before it reuses the kept ones."""
        with self._lock:
            kept = self._kept.get(id)
        return kept[2] if kept is not None else None

    def peek_committed(self, id: str) -> tuple[Ticket, int] | None:
        """The kept ticket itself (read it, never change it) and the committed version its text was
        confirmed as (-1 if none): a store reads the row's data only when its version is not that one."""
        with self._lock:
            kept = self._kept.get(id)
            if kept is None:
                return None
            mark = self._committed.get(id)
        return kept[1], mark[0] if mark is not None and mark[1] is kept[0] else -1

    def recall_committed_entry(self, id: str, version: int) -> tuple[Ticket, EventsText | None, Any] | None:
        """:meth:`recall_entry` by the row's version instead of its text (see :meth:`recall_committed`)."""
        kept = self._kept_committed(id, version)
        return None if kept is None else (kept[1].copy(), kept[2], kept[3])

    def _kept_committed(
        self, id: str, version: int
    ) -> tuple[str | bytes, Ticket, EventsText | None, Any] | None:
        # The entry whose very text was confirmed as the committed row at ``version``, made most recent.
        with self._lock:
            kept = self._kept.get(id)
            mark = self._committed.get(id)
            if kept is None or mark is None or mark[0] != version or mark[1] is not kept[0]:
                return None
            self._kept.move_to_end(id)
        return kept

    def confirm(self, id: str, version: int, text: str | bytes) -> bool:
        """A committed row of ``id`` at ``version`` holds ``text``: if that is the kept text, remember the
        pair (a read-only unit of work saw it in its snapshot). Returns whether it was the kept text."""
        with self._lock:
            kept = self._kept.get(id)
            if kept is None or kept[0] != text:
                return False
            self._committed[id] = (version, kept[0])
        return True

    def recall_committed(self, id: str, version: int, copy: bool = True) -> Ticket | None:
        """A copy of the kept ticket if its text was confirmed as the committed row at ``version``
        (``copy=False``: the kept ticket itself, for a reader that never changes it).

        Honest with the row's version alone: every write of a ticket is a conditional ``UPDATE … WHERE
        version = v`` that sets ``v + 1`` and tickets are never deleted, so a committed (id, version)
        has exactly one text. A text kept later (a save, perhaps rolled back) is another object and
        misses until a read confirms it. (A database file swapped under a running store, e.g. an older
        backup restored, breaks that: reopen the store.)
        """
        kept = self._kept_committed(id, version)
        if kept is None:
            return None
        return kept[1].copy() if copy else kept[1]

    def forget(self, ids: Iterable[str], needles: Sequence[str] = ()) -> int:
        """Drop the tickets kept for ``ids``, and every kept ticket whose stored text quotes one of
        ``needles`` (an erasure: the person's data must not stay in this process); returns how many.

        Why by id as well as by text: a store may key its kept text by the row's version rather than
        hold the text, and the erased ticket's own entry is the one certain to have quoted the person.
        """
        dropped = 0
        with self._lock:
            gone = {id for id in ids if id in self._kept}
            if needles:
                gone |= {
                    id for id, kept in self._kept.items() if isinstance(kept[0], str | bytes)
                    and quotes_any(kept[0], needles)
                }  # fmt: skip
            for id in gone:
                del self._kept[id]
                self._committed.pop(id, None)
                dropped += 1
        return dropped
