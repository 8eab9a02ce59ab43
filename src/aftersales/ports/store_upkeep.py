"""What a store offers for the upkeep of a large store over years, beyond the repositories.

A store that has one-off catch-up work left by an upgrade (rows written before a schema step) or
statistics its query planner needs offers ``upkeep(max_batches=…)``: a bounded step of that work,
each batch a short transaction, so the ``store_upkeep`` job (``desk.run_due_jobs()``) can run it
every hour beside commands. A store that has none (memory) simply does not offer it, and the job
does nothing; PostgreSQL's is the search fold an upgrade leaves (its autovacuum keeps its statistics).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import attrs

__all__ = ["StoreUpkeep", "UpkeepReport"]


@attrs.frozen
class UpkeepReport:
    """What one :meth:`StoreUpkeep.upkeep` did.

    ``batches``: catch-up transactions committed (each ends with its position, so a killed run
    continues); ``rows``: rows they converted or copied; ``analyzed``: the planner's statistics were
    gathered again (they were missing, or the tickets table had grown or shrunk past a factor of
    two since); ``longest_lock``: the longest any step held the write lock, in seconds (what a
    writer waited at most); ``complete``: nothing is left to catch up.
    """

    batches: int = 0
    rows: int = 0
    analyzed: bool = False
    longest_lock: float = 0.0
    complete: bool = True


@runtime_checkable
class StoreUpkeep(Protocol):
    """A store factory with bounded upkeep work (see the module docstring)."""

    def upkeep(self, *, max_batches: int = 8) -> UpkeepReport:
        """Do at most ``max_batches`` batches of each catch-up and refresh stale statistics."""
        ...
