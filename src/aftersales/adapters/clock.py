"""Clock adapters: the system clock, and a manual clock for tests and simulations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aftersales.domain.call_shape import host_factories
from aftersales.domain.instants import require_aware
from aftersales.errors import ValidationError

__all__ = ["FixedClock", "ManualClock", "SystemClock"]


def _zone(zone: str | tzinfo) -> tzinfo:
    if isinstance(zone, tzinfo):
        return zone
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError(
            f"unknown time zone {zone!r}: use an IANA name", field="zone", rule="time_zone"
        ) from None


@host_factories
class SystemClock:
    """The real time, in UTC or in ``zone`` (``SystemClock("Asia/Shanghai")``)."""

    def __init__(self, zone: str | tzinfo | None = None) -> None:
        self.zone: tzinfo = UTC if zone is None else _zone(zone)

    def now(self) -> datetime:
        """The current instant."""
        return datetime.now(self.zone)


@host_factories
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
