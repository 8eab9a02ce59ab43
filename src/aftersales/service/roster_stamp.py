"""The roster's stamp: a version the store raises whenever an engineer or a dealer is written.

Dispatch keeps the engineers and dealers it indexed between commands (reading and indexing 1,000
engineer records was most of a dispatch). It may use them only while they are what the store holds,
so every dispatch reads this stamp first (one primary-key lookup) and indexes the roster again when
the stamp moved — whichever process or thread registered the engineer. Master data writes the stamp in
the same transaction as the engineer or dealer it changes.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

from aftersales.errors import NotFound
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["RosterStamp", "roster_version", "touch_roster"]

_ID = "roster"


@attrs.define
class RosterStamp:
    """The stored stamp; only its version matters."""

    DOCUMENT_KIND: ClassVar[str] = "roster_stamp"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()
    id: str = _ID
    version: int = 0


def touch_roster(uow: UnitOfWork) -> None:
    """Raise the stamp (in ``uow``'s transaction): the engineers or dealers changed."""
    try:
        stamp = uow.documents.get(RosterStamp, _ID)
    except NotFound:
        uow.documents.add(RosterStamp(_ID, 1))
        return
    uow.documents.save(stamp)


def roster_version(uow: UnitOfWork) -> int | None:
    """The stamp's version now (0 before any write), or ``None`` when the store cannot read versions
    alone (a host's own document store): then nothing may be kept between commands."""
    version_of = getattr(uow.documents, "version", None)
    if version_of is None:
        return None
    try:
        return int(version_of(RosterStamp, _ID))
    except NotFound:
        return 0
