"""The library's in-process locks, made anew in a forked child.

Why: ``os.fork`` copies a lock in the state it had, and only the forking thread survives. A lock a
thread of the parent held at that instant (a scheduler thread running a job, a request compiling a
calendar year, an erasure reaching the caches) stays held in the child for ever: its first call that
takes it hangs, or, for a job's run lock, the job is skipped on every call. The stores renew their own
(:mod:`aftersales.adapters.fork_guard`); the module-level locks renew themselves (``ports.erasure``,
the SQLite search's word memo). This module renews the rest: every calendar's compile lock and the
locks of the desk objects that register here (the jobs' run locks, the team roster, the knowledge
index; and, since session 27, the notifiers, id sequences, memory store and HTTP pool a host
builds, through :mod:`aftersales.ports.fork_renewal`). Nothing runs unless the process forks.
"""

from __future__ import annotations

import os

from aftersales.domain.calendar import renew_locks_after_fork as _renew_calendar_locks
from aftersales.ports.fork_renewal import RenewsLocks, renew_after_fork

__all__ = ["RenewsLocks", "renew_after_fork"]

# The registry itself lives in ``ports.fork_renewal``, where the adapters a host builds join it too.
os.register_at_fork(after_in_child=_renew_calendar_locks)
