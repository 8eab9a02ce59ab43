"""A retention purge over a backlog: page after page in one job run, until done or the run's time is up.

The purge jobs (``purge_sent``, ``purge_dead``, ``purge_idempotency``, ``purge_access_log``) run once a
day. One page of
``JobSettings.limit`` rows a run (500 by default) deleted 500 rows a day, while a national network writes
tens of thousands of messages and keyed commands a day: the backlog grew for ever, and the names and
addresses in it outlived the pack's retention. A run now deletes page after page, each page a transaction
of its own (a writer waits for one page at most), until a page comes back short (nothing older than the
retention is left) or the run's time budget is spent on the desk's clock (the rest waits for the next run).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

__all__ = ["drain", "drain_walk"]


def drain(purge: Callable[[int], int], page: int, clock: Callable[[], datetime], budget: timedelta) -> int:
    """Call ``purge(page)`` (one transaction deleting at most ``page`` records, returning how many it
    deleted) until it deletes fewer than ``page`` or ``budget`` has passed on ``clock`` since the first
    call; returns how many were deleted in all. At least one page is always purged."""
    started = clock()
    total = 0
    while True:
        done = purge(page)
        total += done
        if done < page or clock() - started >= budget:
            return total


def drain_walk(
    walk: Callable[[int], tuple[int, bool]], page: int, clock: Callable[[], datetime], budget: timedelta
) -> int:
    """:func:`drain` for a purge that reads a page and keeps some of it (the SLA alerts and job marks,
    :mod:`aftersales.service.mark_retention`): ``walk(page)`` returns how many it deleted and whether it
    read a full page (more to read), and the pages go on while there is more and ``budget`` lasts; a
    short page count says nothing there (its kept records). Returns how many were deleted in all."""
    started = clock()
    total = 0
    while True:
        done, more = walk(page)
        total += done
        if not more or clock() - started >= budget:
            return total
