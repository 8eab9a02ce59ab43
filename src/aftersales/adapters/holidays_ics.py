"""Holidays from an iCalendar (.ics) file, e.g. a public "中国节假日" feed or a company calendar.

Rules, chosen to read the common Chinese holiday feeds without configuration:

* Every **all-day** VEVENT (``DTSTART`` is a date) covers the dates ``DTSTART`` … ``DTEND`` (exclusive; one
  day when ``DTEND`` and ``DURATION`` are absent). Timed events are ignored: they are not days off.
* An all-day event is a **make-up working day** (调休上班) when its ``CATEGORIES`` contain
  ``WORKDAY``, ``补班`` or ``上班`` (any case), or its ``SUMMARY`` contains ``补班`` or ``上班`` or the word
  ``班`` on its own (feeds write "班", "国庆节 班", "(班)"). Every other all-day event is a
  **holiday** ("休", "国庆节"). "调休" alone is not a marker, since it is used for both kinds of day.
* Recurring events (``RRULE``/``RDATE``) are refused: a holiday list must name each date.
* The known range defaults to 1 January of the earliest event's year … 31 December of the latest; pass
  ``known_from``/``known_until`` when the feed covers less (or more) than whole years.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import attrs
import icalendar

from aftersales.errors import ConfigurationError

__all__ = ["WORKDAY_CATEGORIES", "IcsHolidays"]

WORKDAY_CATEGORIES = frozenset({"WORKDAY", "补班", "上班"})
"""CATEGORIES values (compared upper-cased) that mark a make-up working day."""

_WORKDAY_SUMMARY = re.compile(r"补班|上班|(?:^|[\s(（\[【])班(?:$|[\s)）\]】])")


def _categories(event: icalendar.Component) -> set[str]:
    found: set[str] = set()
    raw = event.get("CATEGORIES")
    for item in raw if isinstance(raw, list) else [raw] if raw is not None else []:
        values = getattr(item, "cats", None)
        if values is None:
            values = str(item).split(",")
        found.update(str(value).strip().upper() for value in values)
    return found


def _is_workday(event: icalendar.Component) -> bool:
    if _categories(event) & WORKDAY_CATEGORIES:
        return True
    return bool(_WORKDAY_SUMMARY.search(str(event.get("SUMMARY", "")).strip()))


def _span(event: icalendar.Component, file: str, key: str) -> list[date] | None:
    """The dates an all-day event covers, or None for a timed event."""
    start = event.decoded("DTSTART", None)
    if start is None:
        raise ConfigurationError("VEVENT without DTSTART", file=file, key=key)
    if isinstance(start, datetime) or not isinstance(start, date):
        return None
    end = event.decoded("DTEND", None)
    duration = event.decoded("DURATION", None)
    if isinstance(end, date) and not isinstance(end, datetime):
        stop = end
    elif isinstance(duration, timedelta):
        stop = start + timedelta(days=max(duration.days, 1))
    else:
        stop = start + timedelta(days=1)
    if stop <= start:
        raise ConfigurationError(f"DTEND {stop.isoformat()} is not after DTSTART", file=file, key=key)
    return [start + timedelta(days=offset) for offset in range((stop - start).days)]


@attrs.frozen
class IcsHolidays:
    """A ``HolidaySource`` read from an iCalendar file (rules in the module docstring)."""

    name: str
    known_from: date
    known_until: date
    _holidays: frozenset[date] = attrs.field(alias="holidays")
    _extra_workdays: frozenset[date] = attrs.field(alias="extra_workdays")

    @classmethod
    def from_file(
        cls, path: str | Path, *, known_from: date | None = None, known_until: date | None = None
    ) -> IcsHolidays:
        """Read and validate an .ics file."""
        file = str(path)
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise ConfigurationError(f"cannot read the calendar file: {exc.strerror}", file=file) from exc
        return cls.from_bytes(data, file=file, known_from=known_from, known_until=known_until)

    @classmethod
    def from_bytes(
        cls,
        data: bytes,
        *,
        file: str = "<bytes>",
        known_from: date | None = None,
        known_until: date | None = None,
    ) -> IcsHolidays:
        """Parse iCalendar data; ``file`` is the name used in errors and as the source's name."""
        try:
            calendar = icalendar.Calendar.from_ical(data)
        except ValueError as exc:
            raise ConfigurationError(f"not a valid iCalendar file: {exc}", file=file) from exc
        off: set[date] = set()
        extra: set[date] = set()
        for index, event in enumerate(calendar.walk("VEVENT")):
            key = f"VEVENT[{index}]"
            if "RRULE" in event or "RDATE" in event:
                raise ConfigurationError(
                    "recurring events are not supported: list each date", file=file, key=key
                )
            days = _span(event, file, key)
            if days is not None:
                (extra if _is_workday(event) else off).update(days)
        both = off & extra
        if both:
            raise ConfigurationError(
                f"{min(both).isoformat()} is both a holiday and a make-up working day",
                file=file,
                key="VEVENT",
            )
        every = off | extra
        if (known_from is None or known_until is None) and not every:
            raise ConfigurationError("no all-day events: cannot tell which dates the file covers", file=file)
        start = known_from if known_from is not None else date(min(every).year, 1, 1)
        stop = known_until if known_until is not None else date(max(every).year, 12, 31)
        if start > stop:
            raise ConfigurationError("known_from is after known_until", file=file, key="known_from")
        name = str(calendar.get("X-WR-CALNAME", "")) or file
        return cls(
            name,
            start,
            stop,
            holidays=frozenset(day for day in off if start <= day <= stop),
            extra_workdays=frozenset(day for day in extra if start <= day <= stop),
        )

    def holidays(self) -> frozenset[date]:
        """All-day events that are not make-up working days."""
        return self._holidays

    def extra_workdays(self) -> frozenset[date]:
        """All-day events marked as make-up working days."""
        return self._extra_workdays
