"""What a working calendar needs to know about days off: the ``HolidaySource`` port.

A holiday source lists public holidays and make-up working days (调休: a Saturday or Sunday that is a
working day) for a bounded range of dates, and says what that range is. The range matters: the State Council
publishes each year's arrangement in November of the year before, so no source can know 2027 in 2025; a
calendar asked about a date outside ``known_from`` … ``known_until`` raises ``CalendarDataMissing`` rather
than guess. The port lives here because the domain consumes it; ``aftersales.ports`` re-exports it.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol, runtime_checkable

__all__ = ["HolidaySource"]


@runtime_checkable
class HolidaySource(Protocol):
    """Holidays and make-up working days over a known range of dates (both ends inclusive)."""

    @property
    def name(self) -> str:
        """A short human-readable name, used in error messages (e.g. ``"holidays 0.109 (CN)"``)."""
        ...

    @property
    def known_from(self) -> date:
        """The first date the source's data covers."""
        ...

    @property
    def known_until(self) -> date:
        """The last date the source's data covers (official data, never estimates)."""
        ...

    def holidays(self) -> frozenset[date]:
        """Days off within the known range (weekdays made free; weekends may be listed too)."""
        ...

    def extra_workdays(self) -> frozenset[date]:
        """Make-up working days (调休) within the known range; never also a holiday."""
        ...
