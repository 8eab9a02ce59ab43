"""Which tally counts a quality problem of a batch, and which units and calls are that batch's.

Seed 004 第七条 5(2): 批量质量事故 is 同一批次的产品 … 同一质量问题在5%以上. A production batch is one
product's: forty toilets and forty basins registered under one batch code ``2026-01`` are two batches of
forty, as the fault report (``reports.faults.detect_batch_incidents``, grouped per product and batch)
reads them. Before session 33 the in-transaction detector keyed its tallies by the batch code alone and
sized the batch by every unit of the code: two toilets with the same seal fault were 2 of 80 (nothing
raised), a toilet's and a basin's fault of one cause code counted together, and raising the report's
finding named the basin for the toilets' problem.

A tally is now the product's own (:func:`~aftersales.domain.quality_incidents.incident_key` with the
product). A store that already counted a problem under the batch code alone keeps counting it there
(:func:`tally_key` reads that key where it exists): its units, its incident and the incident's units stay
where they are, nothing is raised twice, and such a tally judges the batch code as before.
"""

from __future__ import annotations

from collections.abc import Iterable

from aftersales.domain.classification import TicketKind
from aftersales.domain.quality_incidents import BatchFaultTally, incident_key, split_key
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound
from aftersales.ports.queries import PageRequest, Sort, TicketFilter
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = [
    "batch_size",
    "chosen_key",
    "found_tally",
    "key_ids",
    "tally_exists",
    "tally_key",
    "tickets_of_batch",
]


def key_ids(batch: str, dimension: str, value: str, product_id: str | None) -> tuple[str, ...]:
    """The keys :func:`tally_key` may read (the product's, then the batch code's), for a read-ahead."""
    own = incident_key(batch, dimension, value, product_id)
    legacy = incident_key(batch, dimension, value)
    return (own,) if own == legacy else (own, legacy)


def tally_key(uow: UnitOfWork, batch: str, dimension: str, value: str, product_id: str | None) -> str:
    """The key ``product_id``'s problem ``value`` of ``batch`` is counted under: the product's own, unless
    only an older store's tally of the batch code exists (it goes on counting there)."""
    return chosen_key(uow, key_ids(batch, dimension, value, product_id))


def found_tally(
    uow: UnitOfWork, batch: str, dimension: str, value: str, product_id: str | None
) -> tuple[str, BatchFaultTally | None]:
    """:func:`tally_key` with the tally read there (``None``: none yet, to be added under the key): each
    candidate read once, so a read-ahead of them answers every read."""
    own, *legacy = key_ids(batch, dimension, value, product_id)
    try:
        return own, uow.documents.get(BatchFaultTally, own)
    except NotFound:
        pass
    if legacy:
        try:
            return legacy[0], uow.documents.get(BatchFaultTally, legacy[0])
        except NotFound:
            pass
    return own, None


def chosen_key(uow: UnitOfWork, ids: tuple[str, ...]) -> str:
    """:func:`tally_key` of the candidates :func:`key_ids` gave (read ahead by a caller reading many)."""
    own, *legacy = ids
    if not legacy or tally_exists(uow, own) or not tally_exists(uow, legacy[0]):
        return own
    return legacy[0]


def tally_exists(uow: UnitOfWork, key: str) -> bool:
    """Whether a tally is stored under ``key`` (a plain read: a read-ahead may answer it)."""
    try:
        uow.documents.get(BatchFaultTally, key)
    except NotFound:
        return False
    return True


def batch_size(uow: UnitOfWork, key: str) -> int:
    """The registered units of the batch a tally ``key`` counts: its product's units of the batch code
    (all of the code's for an older store's key)."""
    batch, _, _, product_id = split_key(key)
    if product_id is None:
        return len(uow.assets.list(batch=batch))
    return len(uow.assets.list(batch=batch, product_id=product_id))


def tickets_of_batch(uow: UnitOfWork, batch: str, product_id: str | None = None) -> Iterable[Ticket]:
    """The service tickets about units of ``batch`` (of ``product_id`` when given), oldest first, page
    by page."""
    cursor: str | None = None
    while True:
        page = uow.tickets.query(
            TicketFilter(kind=TicketKind.SERVICE, batch=batch, product_id=product_id),
            PageRequest(limit=500, cursor=cursor, sort=Sort.RECEIVED_ASC),
        )
        yield from page.items
        cursor = page.next_cursor
        if cursor is None:
            return
