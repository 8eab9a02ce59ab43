"""Readable ticket numbers (``SR-2026-000001``), allocated in the command's own transaction.

Why not a separate id service: a number taken in the same unit of work as the ticket it names
is never lost to a rolled-back command, and two processes that race for it meet the document
store's optimistic concurrency instead of handing out the same number.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import attrs

from aftersales.errors import NotFound
from aftersales.ports.ids import IdGenerator
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.call_ids import host_id

__all__ = ["PREFIXES", "TicketCounter", "next_number", "next_numbers"]

PREFIXES = {
    "ticket": "SR",
    "complaint": "CP",
    "materials": "MR",
    "fee_slip": "FS",
    "pick_slip": "PS",
    "shipping_note": "SN",
    "part_return": "RT",
    "relayed_return": "RL",
    "reconciliation": "RC",
    "invoice": "INV",
    "invoice_request": "IR",
    "kb": "KB",
    "materials_movement": "MM",
    "training": "TR",
    "spot_check": "SC",
    "technical_support": "TS",
    "quality_incident": "QI",
}


@attrs.define
class TicketCounter:
    """The last number handed out for one kind in one year."""

    DOCUMENT_KIND: ClassVar[str] = "number_counter"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()
    DOCUMENT_LOCK_ON_READ: ClassVar[bool] = True
    """Read to be rewritten at once: a store that can lock the row on the read does (PostgreSQL)."""

    id: str
    last: int = 0
    version: int = 0


def counter_id(kind: str, now: datetime) -> str:
    """The id of the :class:`TicketCounter` that numbers ``kind`` in ``now``'s year."""
    return f"{kind}:{now.year}"


def next_number(uow: UnitOfWork, kind: str, now: datetime) -> str:
    """The next number of ``kind`` for ``now``'s year, e.g. ``SR-2026-000042``."""
    key = counter_id(kind, now)
    try:
        counter = uow.documents.get(TicketCounter, key)
    except NotFound:
        counter = TicketCounter(key, 1)
        uow.documents.add(counter)
    else:
        counter.last += 1
        uow.documents.save(counter)
    return f"{PREFIXES.get(kind, kind.upper())}-{now.year}-{counter.last:06d}"


def new_id(ids: IdGenerator | None, uow: UnitOfWork, kind: str, now: datetime) -> str:
    """The id of a new record of ``kind``: the host's generator's (``ServiceDesk(ids=...)``) when it has
    one, the same again when the command is re-run (:mod:`.call_ids`), else the store's next number for
    ``now``'s year (:func:`next_number`)."""
    return host_id(ids, kind) if ids is not None else next_number(uow, kind, now)


def next_numbers(uow: UnitOfWork, kind: str, now: datetime, count: int) -> list[str]:
    """The next ``count`` numbers of ``kind`` for ``now``'s year, taken at once (one counter write).

    For a job opening many tickets in one transaction (the daily maintenance run): the same numbers
    ``count`` calls of :func:`next_number` would give, for one read and one write of the counter.
    """
    if count <= 0:
        return []
    counter_id = f"{kind}:{now.year}"
    try:
        counter = uow.documents.get(TicketCounter, counter_id)
    except NotFound:
        counter = TicketCounter(counter_id, count)
        uow.documents.add(counter)
        first = 1
    else:
        first = counter.last + 1
        counter.last += count
        uow.documents.save(counter)
    prefix = PREFIXES.get(kind, kind.upper())
    return [f"{prefix}-{now.year}-{n:06d}" for n in range(first, first + count)]
