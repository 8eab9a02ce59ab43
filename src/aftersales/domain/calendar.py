"""BusinessCalendar: working time on real calendars (lunch breaks, holidays, 调休, time zones).

Working time is computed, not iterated: per local year the calendar lazily compiles sorted UTC working
intervals with prefix sums (``calendar_intervals``), so ``add`` and ``between`` are two bisections whatever
the span. Instants are exact integers (µs since the epoch) inside; results come back as aware datetimes in the
calendar's time zone.

Conventions a caller can rely on:

* Working windows are half-open ``[start, end)``: at 12:00 a 09:00–12:00 window is over.
* ``add(start, d)`` is the *earliest* instant ``t >= start`` with ``between(start, t) == d``. So a duration
  that runs out exactly at a window's end gives that end (12:00, not 13:00), a start outside working time
  begins at the next window, and ``add(start, timedelta(0))`` is ``start`` itself. Then
  ``add(add(s, a), b) == add(s, a + b)`` and ``between(s, add(s, d)) == d`` hold exactly.
* ``between(a, b)`` is negative when ``b`` is before ``a`` (``between(b, a)`` negated).
* Asking about an instant whose local date lies outside ``known_from`` … ``known_until`` raises
  ``CalendarDataMissing``; so does an ``add`` whose result would lie beyond ``known_until``.
* For many instants at once, ``offsets`` puts them on a line of working time (integers, µs) and
  ``instant_at`` maps a position back: ``between(a, b) == offset(b) - offset(a)`` and, for ``d > 0``,
  ``add(s, d) == instant_at(offset(s) + d)``, so callers can do their arithmetic on integers.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, time, timedelta
from itertools import repeat
from operator import add, floordiv, sub
from typing import NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from aftersales.domain.calendar_hours import DayWindows, day_windows, week_windows, window_times
from aftersales.domain.calendar_intervals import (
    EPOCH,
    Compiled,
    DaySchedule,
    YearIntervals,
    assemble,
    compile_year,
    to_us,
)
from aftersales.domain.call_shape import host_factories
from aftersales.domain.holiday_data import HolidaySource
from aftersales.domain.instants import require_aware
from aftersales.errors import CalendarDataMissing, ValidationError

__all__ = ["CHINA_OFFICE_HOURS", "BusinessCalendar"]

_MIN_YEAR = 2
_MAX_YEAR = 9998  # keeps local midnights of neighbouring years representable
_MICROSECOND = timedelta(microseconds=1)  # multiplying it is much cheaper than timedelta(microseconds=n)

CHINA_OFFICE_HOURS: tuple[tuple[time, time], ...] = ((time(9), time(12)), (time(13), time(18)))
"""The common Chinese office day: 09:00–12:00 and 13:00–18:00 (eight working hours, lunch at noon)."""


def _dates(values: Iterable[date], field: str) -> frozenset[date]:
    if isinstance(values, str | bytes):
        raise ValidationError(f"{field} must be an iterable of dates", field=field)
    result: set[date] = set()
    for value in values:
        # datetime is a subclass of date; a datetime here is almost always a mistake (whose midnight?).
        if not isinstance(value, date) or isinstance(value, datetime):
            raise ValidationError(f"{field} must hold datetime.date values, got {value!r}", field=field)
        result.add(value)
    return frozenset(result)


def _duration_us(duration: object) -> int:
    if not isinstance(duration, timedelta):
        raise ValidationError(
            f"duration must be a timedelta, got {type(duration).__name__}", field="duration", rule="duration"
        )
    if duration < timedelta(0):
        raise ValidationError(
            f"duration must not be negative, got {duration}", field="duration", rule="non_negative"
        )
    return (duration.days * 86_400 + duration.seconds) * 1_000_000 + duration.microseconds


def _zone(name: object) -> ZoneInfo:
    if not isinstance(name, str) or not name:
        raise ValidationError(
            f"timezone must be an IANA name such as 'Asia/Shanghai', got {name!r}",
            field="timezone",
            rule="time_zone",
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            f"unknown time zone {name!r}: use an IANA name such as 'Asia/Shanghai'",
            field="timezone",
            rule="time_zone",
        ) from exc


@attrs.define(slots=True, eq=False)
class _Cache:
    """The lazily compiled years. Replaced wholesale under a lock; readers take one snapshot per call."""

    lock: threading.Lock = attrs.field(factory=threading.Lock)
    years: dict[int, YearIntervals] = attrs.field(factory=dict)
    table: Compiled | None = None
    anchor: int | None = None  # the instant whose working-time offset is 0 (set by the first compile)
    local_epoch: datetime | None = None  # 1970-01-01 00:00 wall clock in the calendar's zone
    day_length: timedelta | None = None  # working_day_length, computed once (the week never changes)
    fingerprint: str | None = None  # the calendar's fingerprint, computed once

    def __attrs_post_init__(self) -> None:
        _CACHES.add(self)


_CACHES: weakref.WeakSet[_Cache] = weakref.WeakSet()
"""Every calendar's cache, for :func:`renew_locks_after_fork`."""


def renew_locks_after_fork() -> None:
    """Give every calendar's cache a new lock: in a forked child, a lock a thread of the parent held at
    the fork stays held, and the child's first compile of a new year would wait forever. The service
    layer runs this in every forked child (``os.register_at_fork``; the domain registers no hooks)."""
    for cache in list(_CACHES):
        cache.lock = threading.Lock()


@host_factories
@attrs.frozen(init=False)
class BusinessCalendar:
    """Working hours in one time zone, with holidays and make-up working days (调休).

    ``weekly_hours`` maps weekday ints (0=Monday … 6=Sunday) to working windows ``(start, end)`` of wall-clock
    times; a day may have several windows (a lunch break) and a missing weekday does not work. An end of
    ``time(0, 0)`` or ``time.max`` means midnight at the end of the day, so ``(time(0, 0), time(0, 0))`` is a
    whole day and a 24/7 calendar loses no minute at midnight or New Year. Overlapping or inverted windows are
    refused.

    ``holidays`` are days off; ``extra_workdays`` are make-up working days, which use ``extra_workday_hours``
    (default: Monday's hours, or the first weekday that has any). ``known_from``/``known_until`` bound the
    dates the holiday data covers; outside them the calendar raises ``CalendarDataMissing``. Leave them
    ``None`` only when the lists are complete forever (e.g. a 24/7 desk). ``source_name`` names the data in
    those errors. Use :meth:`from_source` to take holidays and the known range from a ``HolidaySource``.

    The calendar is immutable; its compiled cache fills lazily and safely from several threads.
    """

    timezone: str
    week: tuple[DayWindows, ...] = attrs.field(init=False, repr=False)
    holidays: frozenset[date] = attrs.field(repr=False)
    extra_workdays: frozenset[date] = attrs.field(repr=False)
    extra_hours: DayWindows = attrs.field(init=False, repr=False)
    known_from: date | None
    known_until: date | None
    source_name: str
    official_until: date | None
    # ``attrs.evolve`` passes every init field back to ``__init__`` under its alias: the hours go back
    # as given (``weekly_hours``, ``extra_workday_hours``), the derived fields not at all. Before
    # session 27 it passed ``week=`` and the cache, and every evolve of a calendar was refused.
    _given_week: dict[int, tuple[tuple[time, time], ...]] = attrs.field(
        alias="weekly_hours", eq=False, repr=False
    )
    _given_extra: tuple[tuple[time, time], ...] = attrs.field(
        alias="extra_workday_hours", eq=False, repr=False
    )
    _schedule: DaySchedule = attrs.field(init=False, eq=False, repr=False)
    _zone: ZoneInfo = attrs.field(init=False, eq=False, repr=False)
    _known_lo: int = attrs.field(init=False, eq=False, repr=False)
    _known_hi: int = attrs.field(init=False, eq=False, repr=False)
    _cache: _Cache = attrs.field(init=False, eq=False, repr=False)

    def __init__(
        self,
        timezone: str,
        weekly_hours: Mapping[int, Sequence[tuple[time, time]]],
        holidays: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
        extra_workday_hours: Sequence[tuple[time, time]] | None = None,
        *,
        known_from: date | None = None,
        known_until: date | None = None,
        source_name: str = "calendar",
        official_until: date | None = None,
    ) -> None:
        zone = _zone(timezone)
        week = week_windows(weekly_hours)
        if not any(week):
            raise ValidationError("weekly_hours has no working window at all", field="weekly_hours")
        off = _dates(holidays, "holidays")
        extra = _dates(extra_workdays, "extra_workdays")
        both = off & extra
        if both:
            first = min(both).isoformat()
            raise ValidationError(
                f"{first} is both a holiday and a make-up working day", field="extra_workdays"
            )
        if extra_workday_hours is None:
            extra_hours = next(day for day in week if day)
        else:
            extra_hours = day_windows(extra_workday_hours, "extra_workday_hours")
            if not extra_hours:
                raise ValidationError("extra_workday_hours must have a window", field="extra_workday_hours")
        for name, bound in (("known_from", known_from), ("known_until", known_until)):
            if bound is not None and (not isinstance(bound, date) or isinstance(bound, datetime)):
                raise ValidationError(f"{name} must be a date, got {bound!r}", field=name, rule="date")
            if bound is not None and not _MIN_YEAR <= bound.year <= _MAX_YEAR:
                raise ValidationError(f"{name} must lie in the years {_MIN_YEAR}–{_MAX_YEAR}", field=name)
        if known_from is not None and known_until is not None and known_from > known_until:
            raise ValidationError("known_from is after known_until", field="known_from")
        if official_until is not None:
            if not isinstance(official_until, date) or isinstance(official_until, datetime):
                raise ValidationError(
                    f"official_until must be a date, got {official_until!r}",
                    field="official_until",
                    rule="date",
                )
            if known_until is None or official_until > known_until:
                raise ValidationError(
                    "official_until must not be after known_until (provisional data extends official data)",
                    field="official_until",
                )
            if official_until == known_until:
                official_until = None  # nothing is provisional
        schedule = DaySchedule(zone, week, off, extra, extra_hours, known_from, known_until)
        known_lo = schedule.local_midnight_us(known_from) if known_from is not None else -(1 << 62)
        known_hi = (
            schedule.local_midnight_us(known_until + timedelta(days=1))
            if known_until is not None
            else 1 << 62
        )
        given_week = {weekday: window_times(windows) for weekday, windows in enumerate(week) if windows}
        self.__attrs_init__(
            timezone=timezone,
            holidays=off,
            extra_workdays=extra,
            known_from=known_from,
            known_until=known_until,
            source_name=source_name,
            official_until=official_until,
            weekly_hours=given_week,
            extra_workday_hours=window_times(extra_hours),
        )
        # Derived, not init fields (so ``attrs.evolve`` recomputes them): set past the frozen guard.
        for name, value in (
            ("week", week),
            ("extra_hours", extra_hours),
            ("_schedule", schedule),
            ("_zone", zone),
            ("_known_lo", known_lo),
            ("_known_hi", known_hi),
            ("_cache", _Cache()),
        ):
            object.__setattr__(self, name, value)

    def __reduce__(self) -> tuple[Callable[[dict[str, object]], BusinessCalendar], tuple[dict[str, object]]]:
        """Copy and pickle as the arguments given (the compiled cache and its lock are rebuilt)."""
        return _rebuilt, (
            {
                "timezone": self.timezone,
                "weekly_hours": dict(self._given_week),
                "holidays": self.holidays,
                "extra_workdays": self.extra_workdays,
                "extra_workday_hours": self._given_extra,
                "known_from": self.known_from,
                "known_until": self.known_until,
                "source_name": self.source_name,
                "official_until": self.official_until,
            },
        )

    # -- construction -------------------------------------------------------------------------------------

    @classmethod
    def from_source(
        cls,
        timezone: str,
        weekly_hours: Mapping[int, Sequence[tuple[time, time]]],
        source: HolidaySource,
        *,
        extra_workday_hours: Sequence[tuple[time, time]] | None = None,
        holidays: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
    ) -> BusinessCalendar:
        """A calendar whose holidays, make-up days and known range come from ``source``.

        ``holidays``/``extra_workdays`` given here are added to the source's (a company shutdown, say); a
        company day off cancels a make-up working day of the source on the same date.
        """
        if not isinstance(source, HolidaySource):
            raise ValidationError(
                "source must be a HolidaySource (name, known_from, known_until, holidays(), "
                f"extra_workdays()), got {type(source).__name__}",
                field="source",
            )
        own_off = _dates(holidays, "holidays")
        own_extra = _dates(extra_workdays, "extra_workdays")
        off = (source.holidays() - own_extra) | own_off
        extra = (source.extra_workdays() - own_off) | own_extra
        return cls(
            timezone,
            weekly_hours,
            off,
            extra,
            extra_workday_hours,
            known_from=source.known_from,
            known_until=source.known_until,
            source_name=source.name,
        )

    @classmethod
    def china_mainland(cls, source: HolidaySource) -> BusinessCalendar:
        """The default Chinese office calendar: Mon–Fri 09:00–12:00 and 13:00–18:00, Asia/Shanghai.

        Holidays and 调休 make-up working days (which keep the same office hours) come from ``source``; the
        domain cannot reach the ``holidays`` package itself, so
        ``aftersales.adapters.holidays_cn.china_mainland_calendar()`` is the zero-argument shortcut.
        """
        return cls.from_source(
            "Asia/Shanghai",
            dict.fromkeys(range(5), CHINA_OFFICE_HOURS),
            source,
            extra_workday_hours=CHINA_OFFICE_HOURS,
        )

    # -- read-only views ----------------------------------------------------------------------------------

    @property
    def weekly_hours(self) -> dict[int, tuple[tuple[time, time], ...]]:
        """The weekly windows as given (weekdays without hours left out; 24:00 shown as ``time(0, 0)``)."""
        return {weekday: window_times(windows) for weekday, windows in enumerate(self.week) if windows}

    @property
    def extra_workday_hours(self) -> tuple[tuple[time, time], ...]:
        """The windows that apply on make-up working days."""
        return window_times(self.extra_hours)

    @property
    def _local_epoch(self) -> datetime:
        cache = self._cache
        if cache.local_epoch is None:
            cache.local_epoch = datetime(1970, 1, 1, tzinfo=self._zone)
        return cache.local_epoch

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone."""
        return self._zone

    @property
    def working_day_length(self) -> timedelta:
        """The length of a standard working day: the working time most weekdays with hours have.

        Why: "N working days" in a service contract means ``N × working_day_length`` of working time (eight
        hours on the Chinese office day), whatever the instant the clock starts. Ties go to the longer day.
        """
        cache = self._cache
        if cache.day_length is None:
            lengths = [sum(end - start for start, end in day) for day in self.week if day]
            common = max(set(lengths), key=lambda length: (lengths.count(length), length))
            cache.day_length = _MICROSECOND * common
        return cache.day_length

    @property
    def fingerprint(self) -> str:
        """A short digest of everything that decides working time: the zone, the weekly and make-up day
        hours, the days off and make-up days, and the range the data covers.

        Why: due times are stored with each ticket (the ledger, the sweep and the reports read them), so
        the store remembers the fingerprint of the calendar they were computed on; a desk opened on a
        calendar with another fingerprint (a newer ``holidays`` package, a corrected holiday file) knows
        the stored due times may be stale. Equal calendars have equal fingerprints, in any process.
        """
        cache = self._cache
        if cache.fingerprint is None:
            parts = (
                self.timezone,
                repr(self.week),
                repr(self.extra_hours),
                ",".join(sorted(day.isoformat() for day in self.holidays)),
                ",".join(sorted(day.isoformat() for day in self.extra_workdays)),
                repr((self.known_from, self.known_until, self.official_until)),
            )
            cache.fingerprint = hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
        return cache.fingerprint

    @property
    def provisional(self) -> bool:
        """Whether part of the known range is provisional (estimated holidays beyond the official data)."""
        return self.official_until is not None

    def is_provisional(self, at: datetime) -> bool:
        """Whether working time at ``at`` rests on provisional data (local date past ``official_until``)."""
        require_aware(at, "at")
        if self.official_until is None:
            return False
        try:
            return at.astimezone(self._zone).date() > self.official_until
        except OverflowError:  # a local day past date's range: past the official data when it is late
            return at.year > 1

    def with_provisional(
        self, holidays: Iterable[date], until: date, *, source_name: str | None = None
    ) -> BusinessCalendar:
        """This calendar extended past its data to ``until`` with estimated ``holidays`` (no make-up days).

        Why: when the official arrangement of next year is not yet published, due times must still be
        computed; they are computed on the statutory holidays alone and marked provisional (see
        :meth:`is_provisional`) until the official data arrives. Holidays on or before ``known_until`` are
        ignored (the official data wins there).
        """
        if self.known_until is None:
            raise ValidationError("a calendar without known_until needs no provisional data", field="until")
        if not isinstance(until, date) or isinstance(until, datetime) or until <= self.known_until:
            raise ValidationError(
                f"until must be a date after {self.known_until.isoformat()}, got {until!r}", field="until"
            )
        extra = {day for day in _dates(holidays, "holidays") if self.known_until < day <= until}
        return BusinessCalendar(
            self.timezone,
            self.weekly_hours,
            self.holidays | extra,
            self.extra_workdays,
            self.extra_workday_hours,
            known_from=self.known_from,
            known_until=until,
            source_name=source_name or f"{self.source_name} + provisional",
            official_until=self.official_until or self.known_until,
        )

    # -- queries ------------------------------------------------------------------------------------------

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The instant when ``duration`` of working time has passed after ``start``.

        A start outside working time begins at the next window; a duration that ends exactly at a window's end
        gives that end. Raises ``CalendarDataMissing`` if the result would lie beyond the known data.
        """
        at = self._instant(start, "start")
        amount = _duration_us(duration)
        if amount == 0:
            return start.astimezone(self._zone)
        table = self._table(at, at)
        target = table.position(at) + amount
        while target > table.total:
            table = self._extend_forward(table)
            target = table.position(at) + amount  # positions are relative to the table's first year
        index = bisect_left(table.through, target)
        return self._datetime(table.starts[index] + (target - table.before[index]))

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Working time between two instants (negative when ``end`` is before ``start``)."""
        first = self._instant(start, "start")
        last = self._instant(end, "end")
        table = self._cache.table
        if (
            table is None
            or not table.covers_from <= min(first, last)
            or max(first, last) > table.covers_until
        ):
            table = self._table(min(first, last), max(first, last))
        return _MICROSECOND * (table.position(last) - table.position(first))

    def offsets(self, instants: Iterable[datetime]) -> list[int]:
        """The working-time position (µs) of each aware instant, in order: one call for many instants.

        Offsets count working time from a fixed origin chosen by the calendar object (an instant of the first
        year it compiled); they never change for the life of the object, so only differences and order mean
        anything: ``between(a, b) == timedelta(microseconds=offset(b) - offset(a))``. They are monotonic (a
        later instant never has a smaller offset) and constant outside working time. Raises
        ``CalendarDataMissing`` for an instant outside the known data, like ``between``.
        """
        if isinstance(instants, list | tuple):
            given: Sequence[datetime] = instants
        elif isinstance(instants, str | bytes) or not isinstance(instants, Iterable):
            raise ValidationError("instants must be an iterable of aware datetimes", field="instants")
        else:
            given = list(instants)
        values = self._fixed_offset_us(given)
        if values is None:
            try:
                # Subtraction and floor division run in C for the whole batch; naive values raise TypeError.
                values = list(map(floordiv, map(sub, given, repeat(EPOCH)), repeat(_MICROSECOND)))
            except TypeError:
                for value in given:
                    require_aware(value, "instants")
                raise
        return self.offsets_us(values)

    def offsets_us(self, instants: Sequence[int]) -> list[int]:
        """:meth:`offsets` of instants given as exact microseconds since the Unix epoch (UTC).

        For callers that keep instants as integers (``TicketEvent.at_us``): no datetime is converted.
        """
        values = instants
        if not values:
            return []
        first, last = min(values), max(values)
        if first < self._known_lo or last > self._known_hi:
            for instant in values:
                if instant < self._known_lo or instant > self._known_hi:
                    self._raise_missing(self._day_asked(instant))
        table = self._cache.table
        if table is None or first < table.covers_from or last > table.covers_until:
            table = self._table(first, last)
        # Compiled.position per instant: max(floor[i], at + shift[i]) with i the bisection. The
        # bisections and lookups run as maps of C functions (no Python frame per instant); only the
        # two-int maximum is a comprehension (max() is a costly call for two ints).
        ends, floor, shift = table.lookup_ends, table.lookup_floor, table.lookup_shift
        index = list(map(bisect_right, repeat(ends, len(values)), values))
        moved = map(add, values, map(shift.__getitem__, index))
        least = map(floor.__getitem__, index)
        return [m if m > f else f for m, f in zip(moved, least, strict=True)]

    def require_known_us(self, instant: int) -> None:
        """Raise ``CalendarDataMissing`` unless ``instant`` (µs since the epoch) lies on the known data:
        the check :meth:`offset_us` makes first, for a caller that needs no offset."""
        if instant < self._known_lo or instant > self._known_hi:
            self._raise_missing(self._day_asked(instant))

    def offset_us(self, instant: int) -> int:
        """:meth:`offsets_us` of one instant: an SLA status asks for the instant it is taken at alone."""
        table = self._cache.table
        if (
            table is None
            or instant < self._known_lo
            or instant > self._known_hi
            or instant < table.covers_from
            or instant > table.covers_until
        ):
            return self.offsets_us((instant,))[0]
        index = bisect_right(table.lookup_ends, instant)
        moved = instant + table.lookup_shift[index]
        least = table.lookup_floor[index]
        return moved if moved > least else least

    def instant_at(self, offset: int, *, last: bool = False) -> datetime:
        """The earliest instant whose working-time offset (see :meth:`offsets`) is ``offset``.

        Outside working time many instants share an offset: the earliest is the end of the window before,
        and ``last=True`` gives the latest instead, when working time resumes (the next window's start);
        inside a window both are the same instant. Raises ``CalendarDataMissing`` when that instant lies
        outside the known data.
        """
        if type(offset) is not int:
            raise ValidationError(f"offset must be an int (µs), got {offset!r}", field="offset")
        table = self._cache.table
        if table is None:
            raise ValidationError("no offsets have been taken on this calendar yet", field="offset")
        while True:
            target = offset + table.origin
            if target < 0 or (target == 0 and not last):
                table = self._extend_backward(table)
            elif target > table.total or (last and target == table.total):
                table = self._extend_forward(table)
            else:
                break
        index = bisect_right(table.before, target) - 1 if last else bisect_left(table.through, target)
        return self._datetime(table.starts[index] + (target - table.before[index]))

    def clock_instants(self, start: int, *ends: int) -> list[datetime]:
        """``instant_at(start, last=True)`` then ``instant_at(end)`` for each of ``ends``, in one call.

        An SLA clock shows when it started (working time resumes) and when its budget and its warning share
        run out; asking for them together looks the compiled table up once.
        """
        table = self._cache.table
        if table is not None:
            origin, total = table.origin, table.total
            low, high = min(start, *ends) + origin, max(start, *ends) + origin
        if table is None or low <= 0 or high >= total:
            return [self.instant_at(start, last=True), *(self.instant_at(end) for end in ends)]
        starts, before, through = table.starts, table.before, table.through
        target = start + origin
        index = bisect_right(before, target) - 1
        found = [self._datetime(starts[index] + (target - before[index]))]
        for end in ends:
            target = end + origin
            index = bisect_left(through, target)
            found.append(self._datetime(starts[index] + (target - before[index])))
        return found

    def instant_bounds(self, offset: int) -> tuple[datetime, datetime]:
        """``(instant_at(offset), instant_at(offset, last=True))`` for the price of about one call.

        The two differ only when ``offset`` falls where working time stops (a window's end): then the first
        is that end and the second the start of the next window. An SLA shows both (the exact deadline and
        the next working instant), so it asks for them together.
        """
        table = self._cache.table
        if table is not None and 0 < offset + table.origin < table.total:  # inside the compiled years
            target = offset + table.origin
            index = bisect_left(table.through, target)
            earliest = self._datetime(table.starts[index] + (target - table.before[index]))
            if table.through[index] != target:
                return earliest, earliest
            return earliest, self._datetime(table.starts[index + 1])  # a window's end: the next one starts
        return self.instant_at(offset), self.instant_at(offset, last=True)

    def is_working_time(self, at: datetime) -> bool:
        """Whether ``at`` lies inside a working window (windows are half-open: their end is not working)."""
        instant = self._instant(at, "at")
        table = self._table(instant, instant)
        index = bisect_right(table.starts, instant) - 1
        return index >= 0 and instant < table.ends[index]

    def next_working_time(self, at: datetime) -> datetime:
        """``at`` itself if it is working time, else the start of the next working window."""
        instant = self._instant(at, "at")
        table = self._table(instant, instant)
        while True:
            index = bisect_right(table.ends, instant)
            if index < len(table.ends):
                start = table.starts[index]
                return at.astimezone(self._zone) if start <= instant else self._datetime(start)
            table = self._extend_forward(table)

    def is_working_day(self, day: date) -> bool:
        """Whether the local date ``day`` has any working time (a make-up day does, a holiday does not)."""
        if not isinstance(day, date) or isinstance(day, datetime):
            raise ValidationError(f"day must be a date, got {day!r}", field="day", rule="date")
        self._check_known_day(day)
        return bool(self._schedule.windows_on(day))

    def add_days(self, start: datetime, days: int) -> datetime:
        """The end of working hours on the ``days``-th working day after the local date of ``start``.

        This is the usual reading of "within N working days" (N个工作日内): a ticket received on Friday at
        17:30 with ``days=3`` is due at the end of Wednesday's hours (Mon, Tue, Wed), and one received on a
        holiday counts from the next working day. The day of ``start`` itself never counts for ``days >= 1``;
        ``days=0`` means the end of the current working day if it has not yet ended, else of the next one.
        """
        instant = self._instant(start, "start")
        if type(days) is not int or days < 0:
            raise ValidationError(
                f"days must be a non-negative int, got {days!r}", field="days", rule="non_negative"
            )
        ordinal = start.astimezone(self._zone).toordinal()
        table = self._table(instant, instant)
        while True:
            index = bisect_right(table.day_ordinals, ordinal)
            if days == 0:
                today = index - 1
                if today >= 0 and table.day_ordinals[today] == ordinal and table.day_ends[today] > instant:
                    return self._datetime(table.day_ends[today])
                wanted = index
            else:
                wanted = index + days - 1
            if wanted < len(table.day_ends):
                return self._datetime(table.day_ends[wanted])
            table = self._extend_forward(table)

    # -- internals ----------------------------------------------------------------------------------------

    def _instant(self, value: datetime, field: str) -> int:
        try:
            instant = to_us(value)  # fast path: subtracting from an aware epoch refuses naive values itself
        except TypeError:
            require_aware(value, field)  # raises the precise error (naive, or not a datetime)
            raise
        if instant < self._known_lo or instant > self._known_hi:
            self._raise_missing(self._day_asked(instant))
        return instant

    def _fixed_offset_us(self, given: Sequence[datetime]) -> list[int] | None:
        """µs since the epoch, asking the zone only for values in other zones; ``None`` to take the slow way.

        When the compiled table's years all have one constant UTC offset, a value in the calendar's own zone
        is converted by a same-zone subtraction from "the epoch shown on this zone's wall clock", which is
        plain field arithmetic (ten times cheaper than a zone lookup). Exact only inside the table's range,
        so a value outside it sends the whole batch the slow way.
        """
        table = self._cache.table
        if table is None or table.utc_offset is None or not given:
            return None
        zone = self._zone
        wall_epoch = self._local_epoch + _MICROSECOND * table.utc_offset
        try:
            deltas = [value - wall_epoch if value.tzinfo is zone else value - EPOCH for value in given]
        except (TypeError, AttributeError):
            return None  # naive or not a datetime: the slow way raises the precise error
        values = list(map(floordiv, deltas, repeat(_MICROSECOND)))
        if min(values) < table.covers_from or max(values) > table.covers_until:
            return None
        return values

    def _check_known_day(self, day: date) -> None:
        if (self.known_from is not None and day < self.known_from) or (
            self.known_until is not None and day > self.known_until
        ):
            self._raise_missing(day)

    def _day_asked(self, instant: int) -> date:
        """The local day of an instant outside the data, for the refusal: the first or last day a date
        holds when the local day is past it (9999-12-31 23:00 UTC is year 10000 in Shanghai, and its
        OverflowError escaped the KPI reports' ``as_of``, session 29)."""
        try:
            return (EPOCH + _MICROSECOND * instant).astimezone(self._zone).date()
        except OverflowError:
            return date.max if instant > 0 else date.min

    def _raise_missing(self, asked: date) -> NoReturn:
        if self.known_from is not None and asked < self.known_from:
            # Too early: the error's message names the start of the data through the source text.
            source = f"{self.source_name} (data starting {self.known_from.isoformat()})"
            raise CalendarDataMissing(asked, self.known_until or date.max, source)
        raise CalendarDataMissing(asked, self.known_until or date.max, self.source_name)

    def _datetime(self, instant: int) -> datetime:
        table = self._cache.table
        if (
            table is not None
            and table.utc_offset is not None
            and table.covers_from <= instant <= table.covers_until
        ):  # a constant offset: same-zone arithmetic gives the same datetime without a zone lookup
            return self._local_epoch + _MICROSECOND * (instant + table.utc_offset)
        return (EPOCH + _MICROSECOND * instant).astimezone(self._zone)

    def _year_of(self, instant: int) -> int:
        return (EPOCH + timedelta(microseconds=instant)).astimezone(self._zone).year

    def _table(self, low: int, high: int) -> Compiled:
        """A compiled table covering the instants ``low`` … ``high`` (compiling years on first use)."""
        table = self._cache.table
        if table is not None and table.covers_from <= low and high <= table.covers_until:
            return table
        first, last = self._year_of(low), self._year_of(high)
        if table is not None:
            first, last = min(first, table.first_year), max(last, table.last_year)
        return self._compile(first, last)

    def _extend_forward(self, table: Compiled) -> Compiled:
        """The table with one more year at its end; raises when that year is beyond the known data."""
        next_year = table.last_year + 1
        if self.known_until is not None and next_year > self.known_until.year:
            raise CalendarDataMissing(
                self.known_until + timedelta(days=1), self.known_until, self.source_name
            )
        if next_year > _MAX_YEAR:
            raise ValidationError(
                f"working time beyond the year {_MAX_YEAR} is not supported", field="duration"
            )
        return self._compile(table.first_year, next_year)

    def _extend_backward(self, table: Compiled) -> Compiled:
        """The table with one more year at its start; raises when that year is before the known data."""
        previous = table.first_year - 1
        if self.known_from is not None and previous < self.known_from.year:
            self._raise_missing(self.known_from - timedelta(days=1))
        return self._compile(previous, table.last_year)

    def _compile(self, first: int, last: int) -> Compiled:
        if first < _MIN_YEAR or last > _MAX_YEAR:
            raise ValidationError(f"dates must lie in the years {_MIN_YEAR}–{_MAX_YEAR}", field="datetime")
        cache = self._cache
        with cache.lock:
            table = cache.table
            if table is not None and table.first_year <= first and last <= table.last_year:
                return table
            if table is not None:
                first, last = min(first, table.first_year), max(last, table.last_year)
            for year in range(first, last + 1):
                if year not in cache.years:
                    cache.years[year] = compile_year(self._schedule, year)
            if cache.anchor is None:
                cache.anchor = self._schedule.local_midnight_us(date(first, 1, 1))
            table = assemble(self._schedule, cache.years, first, last, cache.anchor)
            cache.table = table
            return table


def _rebuilt(arguments: dict[str, object]) -> BusinessCalendar:
    """A calendar from the arguments :meth:`BusinessCalendar.__reduce__` kept (copy, pickle)."""
    return BusinessCalendar(**arguments)  # type: ignore[arg-type]
