"""Ticket search in the memory store: the reference semantics of :mod:`aftersales.ports.ticket_search`.

Documents are records of the unit of work (table ``search``), so they commit and roll back with the
ticket like everything else in the memory store; a search scans them (memory stores are small).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from aftersales.domain.teams import MEMBER_LABEL
from aftersales.errors import ValidationError
from aftersales.ports.queries import Page, TicketFilter
from aftersales.ports.text_search import FIELD_SEPARATOR
from aftersales.ports.ticket_index import matches
from aftersales.ports.ticket_search import (
    SLOTS,
    SearchDocument,
    SearchQuery,
    SearchRequest,
    merge_pages,
    position_base,
)

__all__ = ["MemoryTicketSearch", "labels_match", "member_ids", "works_on"]

_TABLE = "search"


def labels_match(uow: Any, ticket_id: str, f: TicketFilter) -> bool:
    """True when the ticket carries every label ``f`` asks for (tags, custom field values)."""
    wanted = f.labels
    if not wanted:
        return True
    return all(label in _labels(uow, ticket_id) for label in wanted)


def works_on(uow: Any, ticket_id: str, assignee_id: str | None, f: TicketFilter) -> bool:
    """True unless ``f`` asks for an engineer's tickets (``worked_by``) and this is none of them:
    neither assigned to it nor carrying its member label (issue 20)."""
    if f.worked_by is None or assignee_id == f.worked_by:
        return True
    return MEMBER_LABEL + f.worked_by in _labels(uow, ticket_id)


def member_ids(uow: Any, ticket_id: str) -> list[str]:
    """The engineers added to the ticket's team, from its member labels."""
    return [label[len(MEMBER_LABEL) :] for label in _labels(uow, ticket_id) if label.startswith(MEMBER_LABEL)]


def _labels(uow: Any, ticket_id: str) -> frozenset[str]:
    record = uow._read((_TABLE, ticket_id))
    return record.row[1].labels if record is not None else frozenset()


class MemoryTicketSearch:
    """The :class:`~aftersales.ports.ticket_search.TicketSearchIndex` of one memory unit of work."""

    def __init__(self, uow: Any, record: Any) -> None:
        self._uow = uow
        self._record = record  # the memory store's record class

    def _docs(self) -> list[tuple[int, SearchDocument]]:
        return [record.row for _, record in self._uow._scan(_TABLE)]

    def _last_positions(self) -> dict[int, int]:
        """The highest position taken in each millisecond's block of slots."""
        last: dict[int, int] = {}
        for pos, doc in self._docs():
            base = position_base(doc.received_us)
            if pos > last.get(base, -1):
                last[base] = pos
        return last

    def _place(self, doc: SearchDocument, last: dict[int, int]) -> None:
        found = self._uow._read((_TABLE, doc.ticket_id))
        if found is not None:
            pos = found.row[0]
        else:
            base = position_base(doc.received_us)
            pos = last[base] + 1 if base in last else base
            if pos >= base + SLOTS:
                raise ValidationError(
                    f"more than {SLOTS} tickets received in the same millisecond", field="received_at"
                )
            last[base] = pos
        self._uow._upsert((_TABLE, doc.ticket_id), self._record(0, "", (pos, doc)))

    def put(self, doc: SearchDocument) -> None:
        """Index ``doc``; a ticket indexed before keeps its position."""
        known = self._uow._read((_TABLE, doc.ticket_id)) is not None
        self._place(doc, {} if known else self._last_positions())

    def append_text(self, ticket_id: str, texts: Sequence[str]) -> bool:
        """Add normalised ``texts`` (a note's) to the searched text of an indexed ticket, as the SQLite
        index does: no document rebuilt (a note to a ticket with many notes re-normalised them all).
        False (nothing written) when the ticket is not indexed; the caller then indexes it with :meth:`put`.

        A term never spans two fields, so text appended after the others finds the same tickets, with
        the same scores, as the document's own order.
        """
        found = self._uow._read((_TABLE, ticket_id))
        if found is None:
            return False
        added = FIELD_SEPARATOR.join(t for t in texts if t)
        if not added:
            return True
        pos, doc = found.row
        text = f"{doc.text}{FIELD_SEPARATOR}{added}" if doc.text else added
        # Built field by field: ``attrs.evolve`` reads the class's fields again on every call.
        noted = SearchDocument(
            doc.ticket_id, doc.received_us, text, doc.identifiers, doc.keys, doc.labels, doc.scope
        )
        self._uow._upsert((_TABLE, ticket_id), self._record(0, "", (pos, noted)))
        return True

    def put_many(self, docs: Iterable[SearchDocument]) -> None:
        """Index many tickets: the taken positions are read once, not once per document (an import of
        n tickets was quadratic)."""
        last: dict[int, int] | None = None
        for doc in docs:
            if last is None and self._uow._read((_TABLE, doc.ticket_id)) is None:
                last = self._last_positions()
            self._place(doc, last if last is not None else {})

    def remove(self, ticket_id: str) -> None:
        """Forget ``ticket_id``."""
        if self._uow._read((_TABLE, ticket_id)) is not None:
            self._uow._writes[(_TABLE, ticket_id)] = None

    def _hits(self, query: SearchQuery, filter: TicketFilter) -> list[tuple[int, int, str]]:
        hits = []
        for pos, doc in self._docs():
            if not doc.matches(query):
                continue
            ticket = self._uow._read(("tickets", doc.ticket_id))
            row = ticket.ticket_row() if ticket is not None else None  # made on first use
            if row is None or not matches(row, filter):
                continue
            if not labels_match(self._uow, doc.ticket_id, filter):
                continue
            if not works_on(self._uow, doc.ticket_id, row.assignee_id, filter):
                continue
            hits.append((doc.score(query), pos, doc.ticket_id))
        return hits

    def search(self, query: SearchQuery, filter: TicketFilter, request: SearchRequest) -> Page[str]:
        """One page of matching ticket ids, best first."""
        hits = self._hits(query, filter)
        keyed = [hit for hit in hits if hit[0] > 0]
        rest = sorted(((pos, id_) for score, pos, id_ in hits if score == 0), reverse=True)

        def stream(before: int | None, limit: int) -> Sequence[tuple[int, str]]:
            return [hit for hit in rest if before is None or hit[0] < before][:limit]

        return merge_pages(keyed, stream, request)
