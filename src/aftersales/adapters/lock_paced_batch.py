"""How many rows a back-fill's next batch takes, from how long the last ones held the write lock.

Why: issue 21 wants a first report on a 1 M-ticket file never to block a writer for more than 100 ms. The
reporting back-fill sized each batch from the last one's own rate (lock seconds per ticket) and grew it
1.5x a batch: one batch that ran fast by chance (its pages cached, nothing else running) set a size that
the next, slowed tenfold on a loaded machine, held the lock for 65-108 ms (session 28, 1 M file). Here the
cost per row is the highest of the last few batches', so one lucky batch does not inflate the next; a batch
under the aim may grow (at most 1.5x); one over the ceiling halves the next and stops growth for a few
batches, however cheap its rows looked.
"""

from __future__ import annotations

from collections import deque

__all__ = ["LockPacedBatch"]


class LockPacedBatch:
    """The size of the next batch of a back-fill that writes under the write lock.

    ``first`` rows to start with; never fewer than ``least`` nor more than ``most``; each batch aims at
    ``aim`` seconds under the lock and ``work`` seconds of reading outside it; a batch held longer than
    ``ceiling`` halves the next."""

    _REMEMBERED = 8  # batches whose rates bound the next
    _CALM = 4  # batches after one over the ceiling that may not grow

    def __init__(self, first: int, least: int, most: int, aim: float, ceiling: float, work: float) -> None:
        self.size = first
        self._least, self._most = least, most
        self._aim, self._ceiling, self._work = aim, ceiling, work
        self._locked: deque[float] = deque(maxlen=self._REMEMBERED)
        self._read: deque[float] = deque(maxlen=self._REMEMBERED)
        self._calm = 0

    def taken(self, rows: int, locked: float, worked: float) -> int:
        """Record a batch of ``rows`` that held the lock ``locked`` seconds after ``worked`` seconds of
        reading; returns the next batch's size."""
        rows = max(rows, 1)
        self._locked.append(locked / rows)
        self._read.append(worked / rows)
        fits = int(min(self._aim / max(max(self._locked), 1e-7), self._work / max(max(self._read), 1e-7)))
        if locked > self._ceiling:
            self.size = max(self._least, min(min(self.size, rows) // 2, fits))
            self._calm = self._CALM
            return self.size
        grow = self.size if self._calm or locked > self._aim else self.size * 3 // 2
        self._calm = max(0, self._calm - 1)
        self.size = max(self._least, min(self._most, grow, fits))
        return self.size
