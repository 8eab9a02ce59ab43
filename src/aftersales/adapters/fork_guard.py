"""A store opened before a fork and used in the child (a pre-forking server that preloads the app).

A forked child inherits the parent's connections: two processes on one PostgreSQL socket interleave
their messages (the children hung), SQLite forbids carrying an open connection across a fork, and a
connection pool's threads do not survive it. So a store notices, on its first unit of work in a new
process, that it was opened in another, and opens connections of its own there. The inherited ones are
kept, never used and never closed, for the life of the child: closing them would end the parent's
sessions or drop its file locks. Locks the store holds are made anew, since a thread of the parent may
have held one at the fork.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable

__all__ = ["ForkGuard"]

_INHERITED: list[object] = []
"""Connections and pools this process inherited: held so that they are never finalised here."""

_GUARDS: weakref.WeakSet[ForkGuard] = weakref.WeakSet()


class ForkGuard:
    """Remembers the process a store was opened in; :meth:`own` reopens it once in any other."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self._lock = threading.Lock()
        _GUARDS.add(self)

    def own(self, reopen: Callable[[], None]) -> None:
        """Run ``reopen`` once if this process is not the one the store was opened in (a cheap check
        on every unit of work)."""
        if self.pid == os.getpid():
            return
        with self._lock:
            if self.pid != os.getpid():
                reopen()
                self.pid = os.getpid()

    def moved(self) -> bool:
        """Whether this process is another than the one the store was opened in (not yet reopened)."""
        return self.pid != os.getpid()

    @staticmethod
    def keep(inherited: object) -> None:
        """Hold what the parent opened, so that this process never closes it."""
        _INHERITED.append(inherited)

    def _after_fork(self) -> None:
        self._lock = threading.Lock()  # a parent's thread may have held it at the fork


def _after_fork_in_child() -> None:
    for guard in list(_GUARDS):
        guard._after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)
