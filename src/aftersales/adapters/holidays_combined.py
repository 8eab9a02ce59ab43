"""Several holiday sources read as one: the package's official data plus next year's file.

Why: the State Council publishes next year's arrangement in November; the ``holidays`` package follows
weeks later. On the day of the notice an operator writes the arrangement into a TOML (or .ics) file and
combines it with the data the desk already uses; the ranges must meet or overlap, so the combined data
has no hole. Holidays and make-up working days are the union (a later source wins where two disagree on a
date: its day off cancels an earlier make-up day and vice versa).
"""

from __future__ import annotations

from datetime import date, timedelta

import attrs

from aftersales.domain.holiday_data import HolidaySource
from aftersales.errors import ConfigurationError

__all__ = ["CombinedHolidays"]


@attrs.frozen(init=False)
class CombinedHolidays:
    """A ``HolidaySource`` made of ``sources`` in order (later ones win on a date they cover)."""

    sources: tuple[HolidaySource, ...]
    known_from: date
    known_until: date
    _off: frozenset[date] = attrs.field(repr=False, eq=False)
    _extra: frozenset[date] = attrs.field(repr=False, eq=False)

    def __init__(self, *sources: HolidaySource) -> None:
        if not sources or not all(isinstance(s, HolidaySource) for s in sources):
            raise ConfigurationError("CombinedHolidays needs one or more HolidaySource values", key="sources")
        ordered = sorted(sources, key=lambda s: s.known_from)
        until = ordered[0].known_until
        for source in ordered[1:]:
            if source.known_from > until + timedelta(days=1):
                raise ConfigurationError(
                    f"{source.name} starts on {source.known_from.isoformat()}, leaving a gap after "
                    f"{until.isoformat()}",
                    key="known_from",
                )
            until = max(until, source.known_until)
        off: set[date] = set()
        extra: set[date] = set()
        for source in sources:  # in the order given: a later source overrides the days it covers
            covered = {d for d in off | extra if source.known_from <= d <= source.known_until}
            off -= covered
            extra -= covered
            off |= source.holidays()
            extra |= source.extra_workdays()
        self.__attrs_init__(
            tuple(sources), ordered[0].known_from, until, frozenset(off), frozenset(extra - off)
        )

    @property
    def name(self) -> str:
        """The names of the sources, joined."""
        return " + ".join(source.name for source in self.sources)

    def holidays(self) -> frozenset[date]:
        """Days off of every source."""
        return self._off

    def extra_workdays(self) -> frozenset[date]:
        """Make-up working days of every source (never a day off of a later source)."""
        return self._extra
