"""Which once-only calendar notices a desk knows are stored (issue 21, session 39).

Once a ticket's dues pass the end of the official holiday data (every December), every command on it
asked the store whether managers had been told (a ``calendar_notice`` document): one read more per command.
A written notice is never removed, so once the store has it the desk may remember that and skip the read.

Only what the store confirmed is remembered: a notice this desk found in the store, unless its own
transaction wrote it (that write may still roll back), and a notice this desk wrote, once its
transaction committed. Forgetting is always safe (the store answers again); remembering too early would
lose the managers' warning.
"""

from __future__ import annotations

import threading

from aftersales.domain.call_shape import host_factories
from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["StoredNotices"]

_KEPT = 1024
"""How many notice ids a desk remembers (one per end of official data or of holiday data: a handful)."""
_PENDING = 16
"""How many written notices wait for their transaction's commit (a rolled-back one's are pushed out)."""


@host_factories
class StoredNotices:
    """The ids of the calendar notices a desk knows its store holds (one per desk)."""

    def __init__(self) -> None:
        self._known: set[str] = set()
        # (transaction, notice id) of each notice written and not yet known committed: remembered when
        # that transaction commits. One rolled back stays until pushed out (writes are once per cliff).
        self._written: list[tuple[UnitOfWork, str]] = []
        self._lock = threading.Lock()  # threads sharing a desk: no written notice lost between them

    def known(self, notice_id: str) -> bool:
        """Whether the store holds ``notice_id`` as far as this desk knows."""
        return notice_id in self._known

    def found(self, uow: UnitOfWork, notice_id: str) -> None:
        """``uow`` read ``notice_id`` from the store: remembered unless ``uow`` wrote it itself."""
        if not any(each is uow and id_ == notice_id for each, id_ in self._written):
            self._keep(notice_id)

    def wrote(self, uow: UnitOfWork, notice_id: str) -> None:
        """``uow`` added ``notice_id``: remembered when :meth:`committed` is told ``uow`` committed."""
        with self._lock:
            self._written = [*self._written[-(_PENDING - 1) :], (uow, notice_id)]

    def committed(self, uow: UnitOfWork) -> None:
        """``uow`` committed: the notices it wrote are stored."""
        if not self._written:  # nearly always: a notice is written once per cliff
            return
        with self._lock:
            written = self._written
            self._written = [(each, id_) for each, id_ in written if each is not uow]
        for each, id_ in written:
            if each is uow:
                self._keep(id_)

    def _keep(self, notice_id: str) -> None:
        if len(self._known) < _KEPT:
            self._known.add(notice_id)
