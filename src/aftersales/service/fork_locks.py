"""The library's in-process locks, made anew in a forked child.

Why: ``os.fork`` copies a lock in the state it had, and only the forking thread survives. A lock a
thread of the parent held at that instant (a scheduler thread running a job, a request compiling a
calendar year, an erasure reaching the caches) stays held in the child for ever: its first call that
takes it hangs, or, for a job's run lock, the job is skipped on every call. The stores renew their own
(:mod:`aftersales.adapters.fork_guard`); the module-level locks renew themselves (``ports.erasure``,
the SQLite search's word memo). This module renews the rest: every calendar's compile lock and the
locks of the desk objects that register here (the jobs' run locks, the team roster, the knowledge
index). Nothing runs unless the process forks.
"""

from __future__ import annotations

import os
import weakref
from typing import Protocol

from aftersales.domain.calendar import renew_locks_after_fork as _renew_calendar_locks

__all__ = ["RenewsLocks", "renew_after_fork"]


class RenewsLocks(Protocol):
    """An object whose locks a forked child makes anew."""

    def _renew_locks_after_fork(self) -> None:
        """Replace every lock with a new, free one (runs in the child only)."""


_HOLDERS: weakref.WeakSet[RenewsLocks] = weakref.WeakSet()


def renew_after_fork(holder: RenewsLocks) -> None:
    """Register ``holder`` (weakly: a desk closed and collected takes it along)."""
    _HOLDERS.add(holder)


def _after_fork_in_child() -> None:
    _renew_calendar_locks()
    for holder in list(_HOLDERS):
        holder._renew_locks_after_fork()


os.register_at_fork(after_in_child=_after_fork_in_child)
