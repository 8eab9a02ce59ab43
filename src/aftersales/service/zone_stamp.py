"""The books' time zone a store was kept in: a stamp in the store, checked when a desk opens.

A desk dates everything in its books' zone (``settings={"timezone": ...}``, its calendar's by default):
the whole local days of a callback due, the months of fee slips and KPIs, archive dates, materials
deadlines. Two desks on one store in two zones (or a desk restarted with another zone) computed due
times and month boundaries differently over the same tickets: a ticket fell in March on one and April
on the other. The first write on a store stamps its desk's zone (as :mod:`aftersales.service.calendar_stamp`
stamps the calendar of the stored due times); a desk opened later in another zone is refused with a
``ConfigurationError`` naming the setting and both zones (one opened before the stamp has its first write
refused). Moving the books to another zone is a
deliberate step, :meth:`ServiceDesk.move_books_zone <aftersales.service.desk.ServiceDesk.move_books_zone>`
(stop the desks first, open them again in the new zone after): it stamps the new zone marked
``redating`` while it dates the stored months again (:mod:`aftersales.service.books_redating`), and a
desk opened meanwhile (or after a move that stopped half way) is refused until the move has finished.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

import attrs

from aftersales.errors import ConfigurationError, DuplicateError, NotFound
from aftersales.ports.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from aftersales.service.context import DeskContext
    from aftersales.service.runner import CommandRunner

__all__ = [
    "BooksZone",
    "books_moved",
    "books_zone",
    "check_books_zone",
    "keep_books_zone",
    "moving_books",
    "stamp_books_zone",
]

_ID = "books"

_MOVING: ContextVar[bool] = ContextVar("aftersales_moving_books", default=False)
"""Set while :meth:`ServiceDesk.move_books_zone` opens its own desk on a store whose move is unfinished."""


@attrs.define
class BooksZone:
    """The time zone the store's books are kept in, and when it was set."""

    DOCUMENT_KIND: ClassVar[str] = "books_zone"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()
    id: str
    timezone: str
    stamped_at: datetime
    version: int = 0
    redating: bool = False
    """A move to ``timezone`` is under way: the stored months are not all dated in it yet."""
    moved_from: tuple[str, ...] = ()
    """While a move is under way, the zones the stored months may still be dated in (the zone it moves
    from; a move started over an unfinished one adds that one's): a month that cannot tell which zone
    dated it is moved only from one of these (:mod:`aftersales.service.books_redating`)."""


def books_zone(uow: UnitOfWork) -> BooksZone | None:
    """The store's stamp, ``None`` before any desk has opened on it (or on a store older than stamps)."""
    try:
        stamp: BooksZone = uow.documents.get(BooksZone, _ID)
    except NotFound:
        return None
    return stamp


@contextmanager
def moving_books() -> Iterator[None]:
    """Within: a desk opens on a store whose move is unfinished (the move's own desk, to finish it)."""
    token = _MOVING.set(True)
    try:
        yield
    finally:
        _MOVING.reset(token)


def check_books_zone(stamp: BooksZone | None, timezone: str) -> None:
    """Refuse a desk in ``timezone`` on a store whose books are kept in another zone, or are being
    moved (a move unfinished: its months are dated partly in the old zone, partly in the new)."""
    if stamp is not None and stamp.redating and not _MOVING.get():
        raise ConfigurationError(
            f"the store's books are being moved to {stamp.timezone!r} (started "
            f"{stamped_at(stamp)}) and the move has not finished: run ServiceDesk.move_books_zone with "
            f"{stamp.timezone!r} again to finish it, then open the desks",
            key="settings.timezone",
        )
    if stamp is not None and stamp.timezone != timezone:
        raise ConfigurationError(
            f"the desk's books time zone {timezone!r} is not the store's {stamp.timezone!r} (stamped "
            f"{stamped_at(stamp)}): open the desk with settings={{'timezone': "
            f"{stamp.timezone!r}}}, or move the store's books first with ServiceDesk.move_books_zone",
            key="settings.timezone",
        )


def stamped_at(stamp: BooksZone) -> str:
    """When ``stamp`` was set, as the refusals name it."""
    return stamp.stamped_at.isoformat()


def stamp_books_zone(uow: UnitOfWork, timezone: str, at: datetime, *, move: bool = False) -> BooksZone:
    """Stamp ``timezone`` (in ``uow``'s transaction) on a store without a stamp; with ``move``, replace
    the stamp, marked ``redating`` (the move dates the stored months again, then :func:`books_moved`).
    Without ``move`` a stamp of another zone written meanwhile (a desk opened at the same instant in
    another zone) is refused by :func:`check_books_zone`."""
    stamp = books_zone(uow)
    if stamp is None:
        # A move on a store without a stamp (older than stamps) may hold months of an unknown zone.
        stamp = BooksZone(_ID, timezone, at, redating=move)
        uow.documents.add(stamp)  # DuplicateError when another desk stamped it first: the caller reads it
        return stamp
    if stamp.timezone == timezone:
        return stamp
    if not move:
        check_books_zone(stamp, timezone)
    moved_from = stamp.moved_from if stamp.redating else ()
    if stamp.timezone not in moved_from:
        moved_from += (stamp.timezone,)
    stamp = attrs.evolve(stamp, timezone=timezone, stamped_at=at, redating=True, moved_from=moved_from)
    return uow.documents.save(stamp)


def books_moved(uow: UnitOfWork, timezone: str) -> BooksZone:
    """The move to ``timezone`` has dated every stored month again: desks may open in it."""
    stamp = books_zone(uow)
    if stamp is None:  # pragma: no cover - the move stamped it before its pages
        raise NotFound("books_zone", _ID)
    if stamp.timezone != timezone or not stamp.redating:
        return stamp  # another move took over meanwhile (it finishes itself), or nothing was unfinished
    return uow.documents.save(attrs.evolve(stamp, redating=False, moved_from=()))


def keep_books_zone(context: DeskContext, runner: CommandRunner) -> None:
    """At a desk's opening: refuse it when the store's books are kept in another zone than its own
    (``ConfigurationError`` naming ``settings.timezone``). On a store without a stamp, the desk's first
    write stamps its zone in the same transaction (a desk that only reads — the report command on a
    copy — writes nothing), and that write is refused should another desk have stamped another zone."""
    timezone = context.timezone
    with context.reader(snapshot=False) as uow:
        stamp = books_zone(uow)
    check_books_zone(stamp, timezone)
    if stamp is None:
        runner.until_first_commit = lambda uow, at: _stamp_once(uow, timezone, at)


def _stamp_once(uow: UnitOfWork, timezone: str, at: datetime) -> None:
    try:
        stamp_books_zone(uow, timezone, at)
    except DuplicateError:  # another desk stamped the store in the meantime: its zone must be ours
        check_books_zone(books_zone(uow), timezone)
