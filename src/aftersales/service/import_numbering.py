"""Imported tickets that carry the desk's own numbers move the number counter past them (session 33 g).

Why: the desk numbers a new ticket ``SR-<year>-<n>`` from a counter in the store
(:mod:`aftersales.service.numbering`). A bulk import of tickets numbered that way — the export of another
desk, a move from SQLite to PostgreSQL, a dealer's backlog re-imported — stored ``SR-2026-000002`` while the
counter still stood at 1: the next call's number was taken, ``open_ticket`` was refused with a
``DuplicateError`` and, the counter rolled back with it, every call after it too. The import now raises
each year's counter to the highest imported number of that year, in the batch's own transaction, so the
desk goes on from there. Only the desk's own spelling counts (``SR-2026-000002``, the number zero-padded to
six digits as :func:`~aftersales.service.numbering.next_number` writes it): any other id can never be
handed out by the counter, so it is left alone.

A desk numbering with the host's generator (``ServiceDesk(ids=...)``) does not use that counter: session 34
found a host's ``SequentialIds`` handing the imported ``T-000002`` out again (``DuplicateError`` on every call
until it had walked past them all). The import now tells a generator that can be told
(:class:`~aftersales.ports.ids.LearnsTakenIds`, as ``SequentialIds`` can) each batch's ids before the batch
is written (:func:`tell_host_ids`): a call numbered meanwhile takes none of them; a batch refused after it
leaves the generator past ids never stored, a gap and nothing worse.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound
from aftersales.ports.ids import IdGenerator, LearnsTakenIds
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.numbering import PREFIXES, TicketCounter

__all__ = ["advance_numbers", "highest_numbers", "tell_host_ids"]

_KIND = "ticket"
_PREFIX = PREFIXES[_KIND]
_NUMBER = re.compile(rf"{_PREFIX}-([0-9]{{4}})-([0-9]{{6,}})", re.ASCII)


def highest_numbers(ids: Iterable[str]) -> dict[int, int]:
    """The highest ticket number per year among ``ids`` spelt as the desk numbers tickets."""
    highest: dict[int, int] = {}
    for ticket_id in ids:
        if not ticket_id.startswith(_PREFIX):
            continue
        found = _NUMBER.fullmatch(ticket_id)
        if found is None:
            continue
        year, number = int(found[1]), int(found[2])
        if f"{_PREFIX}-{year:04d}-{number:06d}" != ticket_id:
            continue  # "SR-2026-0000002": a number the counter never writes
        if number > highest.get(year, 0):
            highest[year] = number
    return highest


def advance_numbers(uow: UnitOfWork, batch: Iterable[Ticket]) -> None:
    """Raise each year's ticket counter in ``uow`` to the highest number ``batch`` holds for that year."""
    for year, number in sorted(highest_numbers(t.id for t in batch).items()):
        key = f"{_KIND}:{year}"
        try:
            counter = uow.documents.get(TicketCounter, key)
        except NotFound:
            uow.documents.add(TicketCounter(key, number))
            continue
        if counter.last < number:
            counter.last = number
            uow.documents.save(counter)


def tell_host_ids(ids: IdGenerator | None, batch: Iterable[Ticket]) -> None:
    """Tell the host's generator ``ids`` that ``batch``'s ticket ids are taken, when it can be told
    (:class:`~aftersales.ports.ids.LearnsTakenIds`); the desk's own counter (``ids`` is ``None``) is moved
    by :func:`advance_numbers` in the batch's transaction. A host's generator without ``move_past`` is not
    told: it is the host's to move past what it imports."""
    if isinstance(ids, LearnsTakenIds):
        ids.move_past(_KIND, [t.id for t in batch])
