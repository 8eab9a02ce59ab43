"""Recently written tickets, kept parsed: a store reads a ticket it wrote lately without parsing it.

A command loads a ticket, changes it and saves it; the next command on that ticket loads it again.
Parsing its JSON is most of a load (a ticket is dozens of objects), while copying a kept ticket is a
few microseconds. Entries are keyed by ticket id and hold the exact text the ticket was stored as: a
load uses the kept ticket only when the text it read is that text, so a change by another process, a
rolled-back save or a migration can never be served stale (a different text is a miss). Kept tickets
are never handed out, only copies (:meth:`~aftersales.domain.ticket.Ticket.copy`).
"""

from __future__ import annotations

from aftersales.domain.ticket import Ticket

__all__ = ["DEFAULT_LIMIT", "TicketMemo"]

DEFAULT_LIMIT = 2048
"""Tickets kept per store by default. Measured: about 3 MB for 2,048 new tickets, about 50 MB for
2,048 tickets of 25 events each (text and objects), next to SQLite's own 64 MB page cache."""


class TicketMemo:
    """Up to ``limit`` tickets by id with their stored text (str or UTF-8 bytes, as the store reads it);
    ``limit=0`` keeps none.

    Safe to share between threads: each operation is one dictionary step, and a full memo is simply
    emptied (the next loads parse again).
    """

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self._kept: dict[str, tuple[str | bytes, Ticket]] = {}

    def __len__(self) -> int:
        return len(self._kept)

    def recall(self, id: str, text: str | bytes) -> Ticket | None:
        """A copy of the ticket stored as ``text``, if it is the one kept for ``id``."""
        kept = self._kept.get(id)
        if kept is None or kept[0] != text:
            return None
        return kept[1].copy()

    def remember(self, id: str, text: str | bytes, ticket: Ticket) -> None:
        """Keep a copy of ``ticket``, which is stored as ``text``."""
        if self.limit <= 0:
            return
        if len(self._kept) >= self.limit and id not in self._kept:
            self._kept.clear()
        self._kept[id] = (text, ticket.copy())
