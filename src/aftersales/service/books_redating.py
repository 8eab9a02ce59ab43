"""The books' months, dated again in the zone the books moved to (:meth:`ServiceDesk.move_books_zone`).

A few records keep a *local* month worked out from one of their own instants in the books' zone: a fee
slip's ``month`` (from ``issued_at``) and a materials movement's ``month`` (from ``at``, or its slip's
``issued_at`` when it names one) — the month a
slip's income or a free issue counts in, indexed so a month's money is one range of the index — and a
shipped materials request's ``shipped_month`` (from ``shipped_at``), the month of the outbound summary,
dated in the materials settings' zone, which is the books' unless the settings name their own. Instants
do not move with the zone, these months do: a slip issued at 20:00 UTC on 30 April counts in May for
books kept in Shanghai and in April for books kept in London. Every other zone-dependent figure (KPI
months, archives, reports) is worked out from instants when it is read.

A shipped month dated in the materials settings' own zone (``shipped_zone`` set) stays: that zone did
not move. One stored before the zone was kept (``shipped_zone`` is ``None`` there too) is taken as the
books' only when its month is its instant's month in the zone the books move from
(``BooksZone.moved_from``); a month that is not was dated in another zone, and stays.

The move re-dates these months page by page (:data:`PAGE` records per transaction, as the migrations
do), each page its own write; a record already dated in the new zone is left untouched, so a move that
stopped half way is finished by running it again (the stamp says the books are being moved until the
last page has committed, and desks are refused until then).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from aftersales.domain.fee_slips import FeeSlip, MaterialsMovement
from aftersales.domain.materials import MaterialsRequest
from aftersales.errors import NotFound
from aftersales.ports.documents import Document
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.master_data import record_change
from aftersales.service.zone_stamp import BooksZone, books_zone, stamp_books_zone

__all__ = ["PAGE", "REDATED", "Redated", "ids_of", "month_in", "moving_stamp", "redate_page", "redating"]

PAGE = 500
"""Records re-dated per transaction: a large store's move never holds the write lock for long."""


@attrs.frozen
class Redated:
    """A kind of record keeping a local month of one of its instants, in the books' zone.

    ``instant`` (given the transaction and the record) gives ``None`` for a record whose month does not
    follow the books (none yet, or dated in a zone of its own); ``guarded``: a month is moved only from
    the books' old month of its instant (a record that cannot tell which zone dated it)."""

    cls: type[Document]
    field: str
    instant: Callable[[UnitOfWork, Any], datetime | None]
    guarded: bool = False


def _slip_issued(uow: UnitOfWork, slip: FeeSlip) -> datetime:
    return slip.issued_at


def _moved(uow: UnitOfWork, movement: MaterialsMovement) -> datetime:
    """The instant ``movement``'s month is of: its slip's issue when it names one. A movement written with
    a slip counts in the slip's month, and one giving back what a slip took (a cancelled slip's
    ``kept_charge_cancelled`` or ``free_work_given``) in that same month though written later: dated by
    its own instant, a give-back would leave the slip's month for the cancellation's."""
    if movement.slip_id is not None:
        try:
            return uow.documents.get(FeeSlip, movement.slip_id).issued_at
        except NotFound:  # none are deleted today
            pass
    return movement.at


def _shipped(uow: UnitOfWork, request: MaterialsRequest) -> datetime | None:
    """When ``request`` shipped, if its month is the books' (no zone of the materials settings' own)."""
    if request.shipped_month is None or request.shipped_zone is not None:
        return None
    return request.shipped_at


REDATED: tuple[Redated, ...] = (
    Redated(FeeSlip, "month", _slip_issued),
    Redated(MaterialsMovement, "month", _moved),
    Redated(MaterialsRequest, "shipped_month", _shipped, guarded=True),
)
"""Every record whose stored month depends on the books' zone (see the module docstring)."""


def month_in(at: datetime, zone: ZoneInfo) -> str:
    """The month (``YYYY-MM``) ``at`` falls in, in ``zone``: how the fee and materials desks date them."""
    return at.astimezone(zone).strftime("%Y-%m")


def ids_of(uow: UnitOfWork, kind: Redated) -> list[str]:
    """The ids of every record of ``kind``, in id order (from the index where the store reads it so)."""
    versions = getattr(uow.documents, "versions", None)
    if versions is not None:
        return sorted(versions(kind.cls))
    return [doc.id for doc in uow.documents.query(kind.cls)]


def redate_page(
    uow: UnitOfWork, kind: Redated, ids: Sequence[str], zone: ZoneInfo, was: Sequence[ZoneInfo] = ()
) -> int:
    """Date the month of each of ``ids`` (records of ``kind``) in ``zone``; returns how many changed.

    A record gone meanwhile (none are deleted today) is skipped; one already dated in ``zone`` is not
    written; of a ``guarded`` kind, one whose month is its month in none of ``was`` (the zones the books
    move from: ``BooksZone.moved_from``; none known, on a store stamped by the move) is left as it is."""
    changed = 0
    for id_ in ids:
        try:
            record = uow.documents.get(kind.cls, id_)
        except NotFound:
            continue
        at = kind.instant(uow, record)
        if at is None:
            continue
        month, stored = month_in(at, zone), getattr(record, kind.field)
        if stored == month or (kind.guarded and was and all(stored != month_in(at, w) for w in was)):
            continue
        uow.documents.save(attrs.evolve(record, **{kind.field: month}))  # type: ignore[misc]
        changed += 1
    return changed


def redating(
    kind: Redated, ids: Sequence[str], zone: ZoneInfo, was: Sequence[ZoneInfo] = ()
) -> Callable[[UnitOfWork, datetime], int]:
    """:func:`redate_page` of ``ids`` as a write's step (``apply(uow, now)``)."""
    return lambda uow, now: redate_page(uow, kind, ids, zone, was)


def moving_stamp(actor: Actor, timezone: str) -> Callable[[UnitOfWork, datetime], BooksZone]:
    """The move's first write (``apply(uow, at)``): the stamp of ``timezone``, marked under way, and the
    audit of the move by ``actor`` — a ``MasterDataChange`` of record kind ``books_zone`` (the zone
    before → after), as every change of the reference data leaves. The months it re-dates change what a
    month's money was reported as: who moved the books, when, and from which zone is kept. A move that
    changes no zone (finishing one left unfinished, or the zone the books are kept in) records nothing."""

    def apply(uow: UnitOfWork, at: datetime) -> BooksZone:
        before = books_zone(uow)
        after = stamp_books_zone(uow, timezone, at, move=True)
        if before is None or before.timezone != after.timezone:
            record_change(uow, actor, "move_books_zone", at, before, after)
        return after

    return apply
