"""The registry of objects whose locks a forked child makes anew, for every layer.

Why here: the adapters a host builds and passes in (a ``MemoryNotifier``, ``SequentialIds``, a
``memory://`` store, the webhook notifier's connection pool) sit beside the service layer and may not
import it, so until session 27 they could not join ``service/fork_locks.py`` and kept a lock a thread
of the parent held at the fork — the child's first send, id or unit of work waited forever. Both now
register here; ``service/fork_locks.py`` re-exports :func:`renew_after_fork`.
"""

from __future__ import annotations

import os
import weakref
from typing import Protocol

__all__ = ["RenewsLocks", "renew_after_fork"]


class RenewsLocks(Protocol):
    """An object whose locks a forked child makes anew."""

    def _renew_locks_after_fork(self) -> None:
        """Replace every lock with a new, free one (runs in the child only)."""


_HOLDERS: weakref.WeakSet[RenewsLocks] = weakref.WeakSet()


def renew_after_fork(holder: RenewsLocks) -> None:
    """Register ``holder`` (weakly: an object closed and collected takes it along)."""
    _HOLDERS.add(holder)


def _after_fork_in_child() -> None:
    for holder in list(_HOLDERS):
        holder._renew_locks_after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)
