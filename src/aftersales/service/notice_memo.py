"""Which once-only calendar notices a desk knows are stored (issue 21, session 39).

Once a ticket's dues pass the end of the official holiday data (every December), every command on it
asked the store whether managers had been told (a ``calendar_notice`` document): one read more per command.
A written notice is never removed, so once the store has it the desk may remember that and skip the read.

Only what the store confirmed is remembered: a notice this desk found in the store, unless its own
transaction wrote it (that write may still roll back), and a notice this desk wrote, once its
transaction committed. Forgetting is always safe (the store answers again); remembering too early would
lose the managers' warning, so every doubt (another thread's transaction, a rollback) forgets.
"""

from __future__ import annotations

from aftersales.ports.unit_of_work import UnitOfWork

__all__ = ["StoredNotices"]

_KEPT = 1024
"""How many notice ids a desk remembers (one per end of official data or of holiday data: a handful)."""


class StoredNotices:
    """The ids of the calendar notices a desk knows its store holds (one per desk)."""

    def __init__(self) -> None:
        self._known: set[str] = set()
        # The notices the one transaction in flight wrote, remembered once it commits. One slot: a
        # second transaction writing at once (another thread) replaces it, and the first's are forgotten.
        self._written: tuple[UnitOfWork, frozenset[str]] | None = None

    def known(self, notice_id: str) -> bool:
        """Whether the store holds ``notice_id`` as far as this desk knows."""
        return notice_id in self._known

    def found(self, uow: UnitOfWork, notice_id: str) -> None:
        """``uow`` read ``notice_id`` from the store: remembered unless ``uow`` wrote it itself."""
        written = self._written
        if written is not None and written[0] is uow and notice_id in written[1]:
            return
        self._keep(notice_id)

    def wrote(self, uow: UnitOfWork, notice_id: str) -> None:
        """``uow`` added ``notice_id``: remembered when :meth:`committed` is told ``uow`` committed."""
        written = self._written
        before = written[1] if written is not None and written[0] is uow else frozenset()
        self._written = (uow, before | {notice_id})

    def committed(self, uow: UnitOfWork) -> None:
        """``uow`` committed: the notices it wrote are stored."""
        written = self._written
        if written is not None and written[0] is uow:
            self._written = None
            for notice_id in written[1]:
                self._keep(notice_id)

    def _keep(self, notice_id: str) -> None:
        if len(self._known) < _KEPT:
            self._known.add(notice_id)
