"""Compiled working time: sorted UTC intervals with prefix sums, built per local year.

Why integers: instants are held as microseconds since the Unix epoch (UTC), so working-time arithmetic is
exact and a lookup is one bisection. Each local day's windows are converted to UTC on their own date, which
makes the result DST-safe (a 00:00–24:00 window lasts 23 h or 25 h on change days). Adjacent intervals are
merged, also across midnight and year ends, so a 24/7 calendar is one long interval.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import attrs

from aftersales.domain.calendar_hours import DayWindows
from aftersales.domain.instants import EPOCH, micros

__all__ = ["EPOCH", "Compiled", "DaySchedule", "YearIntervals", "assemble", "compile_year", "to_us"]

to_us = micros
"""Microseconds since the epoch of an aware datetime, exactly (:func:`aftersales.domain.instants.micros`)."""


@attrs.frozen
class DaySchedule:
    """Everything needed to say which local days work and when: the compiled form of a calendar's rules."""

    zone: ZoneInfo
    week: tuple[DayWindows, ...]
    holidays: frozenset[date]
    extra_workdays: frozenset[date]
    extra_workday_hours: DayWindows
    known_from: date | None
    known_until: date | None

    def windows_on(self, day: date) -> DayWindows:
        """The wall-clock windows of one local date (empty on holidays and outside the known range)."""
        if (self.known_from is not None and day < self.known_from) or (
            self.known_until is not None and day > self.known_until
        ):
            return ()
        if day in self.holidays:
            return ()
        if day in self.extra_workdays:
            return self.extra_workday_hours
        return self.week[day.weekday()]

    def local_midnight_us(self, day: date) -> int:
        """The UTC instant (µs) of local midnight starting ``day``."""
        return to_us(datetime.combine(day, time(0), tzinfo=self.zone))


@attrs.frozen
class YearIntervals:
    """One local year's working intervals (not yet merged) and its working days.

    ``utc_offset`` is the zone's UTC offset (µs) when it is the same all year (no DST, no zone change), else
    ``None``; such years let the calendar convert instants without asking the zone.
    """

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    day_ordinals: tuple[int, ...]
    day_ends: tuple[int, ...]
    utc_offset: int | None = None


def _offset_us(value: datetime) -> int | None:
    offset = value.utcoffset()
    return (
        None if offset is None else (offset.days * 86_400 + offset.seconds) * 1_000_000 + offset.microseconds
    )


def compile_year(schedule: DaySchedule, year: int) -> YearIntervals:
    """Convert every local day of ``year`` to UTC intervals, day by day (so DST is handled per day)."""
    starts: list[int] = []
    ends: list[int] = []
    day_ordinals: list[int] = []
    day_ends: list[int] = []
    day = date(year, 1, 1)
    one_day = timedelta(days=1)
    utc_offset = _offset_us(datetime.combine(day, time(0), tzinfo=schedule.zone))
    while day.year == year:
        # An offset equal at every local midnight (and the next New Year's) means no change in between.
        if (
            utc_offset is not None
            and _offset_us(datetime.combine(day + one_day, time(0), tzinfo=schedule.zone)) != utc_offset
        ):
            utc_offset = None
        windows = schedule.windows_on(day)
        if windows:
            midnight = datetime.combine(day, time(0), tzinfo=schedule.zone)
            last_end: int | None = None
            for start_wall, end_wall in windows:
                # Aware + timedelta is wall-clock arithmetic; to_us then applies that wall time's own offset.
                start = to_us(midnight + timedelta(microseconds=start_wall))
                end = to_us(midnight + timedelta(microseconds=end_wall))
                if ends and start < ends[-1]:
                    start = ends[-1]  # a repeated hour (DST fold) must not count twice
                if end <= start:
                    continue  # a window inside a DST gap does not exist that day
                starts.append(start)
                ends.append(end)
                last_end = end
            if last_end is not None:
                day_ordinals.append(day.toordinal())
                day_ends.append(last_end)
        day += one_day
    return YearIntervals(tuple(starts), tuple(ends), tuple(day_ordinals), tuple(day_ends), utc_offset)


@attrs.frozen
class Compiled:
    """Working intervals of the local years ``first_year`` … ``last_year`` as one searchable table.

    ``covers_from``/``covers_until`` are the UTC instants (µs) of local midnight at the start of the first
    year and the end of the last one. ``before[i]`` is the working time before interval ``i``;
    ``through[i]`` the working time up to its end; ``total`` the working time of the whole range.
    ``origin`` is the position of the calendar's fixed anchor instant in this table, so ``position(at) -
    origin`` is a working-time offset that stays the same whichever years the table happens to cover.
    ``utc_offset`` is the zone's UTC offset (µs) when it is constant over the whole range, else ``None``.

    ``lookup_ends``/``lookup_floor``/``lookup_shift`` serve batch offsets without a Python step per instant:
    with ``i = bisect_right(lookup_ends, at)``, the offset of ``at`` is ``max(lookup_floor[i], at +
    lookup_shift[i])`` (inside interval ``i`` the second term wins, before it the first); the last entry is a
    sentinel for instants after every interval.
    """

    first_year: int
    last_year: int
    covers_from: int
    covers_until: int
    starts: list[int]
    ends: list[int]
    before: list[int]
    through: list[int]
    total: int
    day_ordinals: list[int]
    day_ends: list[int]
    origin: int = 0
    utc_offset: int | None = None
    lookup_ends: list[int] = attrs.field(factory=list)
    lookup_floor: list[int] = attrs.field(factory=list)
    lookup_shift: list[int] = attrs.field(factory=list)

    def position(self, at: int) -> int:
        """Working time from ``covers_from`` until the instant ``at`` (µs); ``at`` must be covered."""
        index = bisect_right(self.ends, at)
        if index == len(self.ends):
            return self.total
        start = self.starts[index]
        return self.before[index] + (at - start if start < at else 0)


def assemble(
    schedule: DaySchedule,
    years: dict[int, YearIntervals],
    first_year: int,
    last_year: int,
    anchor: int | None = None,
) -> Compiled:
    """Join the compiled years into one table, merging intervals that touch (midnight, New Year).

    ``anchor`` (µs, inside the covered range) is the instant whose working-time offset is zero; by default
    the start of the table.
    """
    starts: list[int] = []
    ends: list[int] = []
    day_ordinals: list[int] = []
    day_ends: list[int] = []
    offsets = {years[year].utc_offset for year in range(first_year, last_year + 1)}
    for year in range(first_year, last_year + 1):
        part = years[year]
        for start, end in zip(part.starts, part.ends, strict=True):
            if ends and start <= ends[-1]:
                ends[-1] = max(end, ends[-1])
            else:
                starts.append(start)
                ends.append(end)
        day_ordinals.extend(part.day_ordinals)
        day_ends.extend(part.day_ends)
    before: list[int] = []
    through: list[int] = []
    total = 0
    for start, end in zip(starts, ends, strict=True):
        before.append(total)
        total += end - start
        through.append(total)
    table = Compiled(
        first_year=first_year,
        last_year=last_year,
        covers_from=schedule.local_midnight_us(date(first_year, 1, 1)),
        covers_until=schedule.local_midnight_us(date(last_year + 1, 1, 1)),
        starts=starts,
        ends=ends,
        before=before,
        through=through,
        total=total,
        day_ordinals=day_ordinals,
        day_ends=day_ends,
        utc_offset=offsets.pop() if len(offsets) == 1 else None,
    )
    origin = 0 if anchor is None else table.position(anchor)
    never = 1 << 62  # beyond every instant a calendar accepts
    return attrs.evolve(
        table,
        origin=origin,
        lookup_ends=[*ends, never],
        lookup_floor=[value - origin for value in before] + [total - origin],
        lookup_shift=[value - start - origin for value, start in zip(before, starts, strict=True)] + [-never],
    )
