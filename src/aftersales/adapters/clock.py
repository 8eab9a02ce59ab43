"""Clock adapters: the system clock, and a manual clock for tests and simulations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aftersales.domain.instants import require_aware
from aftersales.errors import ValidationError

__all__ = ["FixedClock", "ManualClock", "SystemClock"]


class SystemClock:
    """The real time, in UTC (callers convert to a local zone where they need one)."""

    def now(self) -> datetime:
        """The current instant."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to: ``advance(timedelta)`` or ``set(instant)``."""

    def __init__(self, start: datetime) -> None:
        self._now = require_aware(start, "start")

    def now(self) -> datetime:
        """The instant the clock is set to."""
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` (never backwards) and return the new instant."""
        if delta < timedelta(0):
            raise ValidationError("a clock does not run backwards", field="delta")
        self._now += delta
        return self._now

    def set(self, at: datetime) -> None:
        """Jump to ``at``."""
        self._now = require_aware(at, "at")


FixedClock = ManualClock
"""A clock pinned to one instant is a manual clock nobody advances."""
