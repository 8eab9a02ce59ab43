"""Holidays from an iCalendar (.ics) file, e.g. a public "中国节假日" feed or a company calendar.

Rules, chosen to read the common Chinese holiday feeds without configuration:

* Every **all-day** VEVENT (``DTSTART`` is a date) covers the dates ``DTSTART`` … ``DTEND`` (exclusive; one
  day when ``DTEND`` and ``DURATION`` are absent). A timed event that runs from midnight to midnight on
  its own clock (``T000000`` … ``T000000``, as some feeds export days off) covers those days the same
  way; other timed events (a meeting, a few hours) are not days off and are ignored.
* An all-day event is a **make-up working day** (调休上班) when its ``CATEGORIES`` contain
  ``WORKDAY``, ``补班`` or ``上班`` (any case), or its ``SUMMARY`` contains ``补班`` or ``上班`` or the word
  ``班`` on its own (feeds write "班", "国庆节 班", "(班)"). Every other all-day event is a
  **holiday** ("休", "国庆节"). "调休" alone is not a marker, since it is used for both kinds of day.
* Recurring events (``RRULE``/``RDATE``) are refused: a holiday list must name each date.
* The known range defaults to 1 January of the earliest event's year … 31 December of the latest; pass
  ``known_from``/``known_until`` when the feed covers less (or more) than whole years.
* Refused with ``ConfigurationError`` naming the file and the event (``VEVENT[3].DTSTART``): a DTSTART,
  DTEND or DURATION that cannot be read (skipping the event would make its days off working days), a
  DTEND of another value type than DTSTART, a file that is not UTF-8 (RFC 5545), a date both a day off
  and a make-up working day, an all-day event longer than ``MAX_EVENT_DAYS``, and a file larger than
  ``MAX_HOLIDAY_FILE_BYTES``.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from pathlib import Path

import attrs
import icalendar

from aftersales.adapters.holiday_files import optional_date, read_holiday_file
from aftersales.domain.call_shape import host_factories
from aftersales.errors import ConfigurationError

__all__ = ["MAX_EVENT_DAYS", "WORKDAY_CATEGORIES", "IcsHolidays"]

WORKDAY_CATEGORIES = frozenset({"WORKDAY", "补班", "上班"})
"""CATEGORIES values (compared upper-cased) that mark a make-up working day."""

MAX_EVENT_DAYS = 366
"""The longest all-day event read (a year): holiday runs last days, a shutdown weeks; longer is a mistake."""

_DATE_PROPERTIES = ("DTSTART", "DTEND", "DURATION")

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


def _check_dates(event: icalendar.Component, file: str, key: str) -> None:
    """Refuse an event whose DTSTART, DTEND or DURATION could not be read: skipping it would silently
    turn its holidays into working days."""
    for name, message in getattr(event, "errors", ()):
        if str(name).upper() in _DATE_PROPERTIES:
            raise ConfigurationError(f"unreadable {name}: {message}", file=file, key=f"{key}.{name}")
    for name in _DATE_PROPERTIES:
        if isinstance(event.get(name), list):
            raise ConfigurationError(f"{name} given more than once", file=file, key=f"{key}.{name}")


def _whole_days(start: datetime, end: object, duration: object, file: str, key: str) -> list[date] | None:
    """The days a timed event covers when it runs from midnight to midnight on its own clock (feeds
    that export days off as ``T000000`` … ``T000000``), else None: a few hours are no day off."""
    if isinstance(duration, timedelta) and end is None:
        end = start + duration
    if not isinstance(end, datetime) or (start.tzinfo is None) != (end.tzinfo is None) or end <= start:
        return None
    if start.time() != time(0) or end.time() != time(0) or start.utcoffset() != end.utcoffset():
        return None
    days = (end.date() - start.date()).days
    if days > MAX_EVENT_DAYS:
        raise ConfigurationError(
            f"an event of more than {MAX_EVENT_DAYS} whole days is no holiday: list each run of days off",
            file=file,
            key=key,
        )
    return [start.date() + timedelta(days=offset) for offset in range(days)]


def _span(event: icalendar.Component, file: str, key: str) -> list[date] | None:
    """The dates an all-day event covers (or a timed one running from midnight to midnight), or None
    for a timed event of hours."""
    _check_dates(event, file, key)
    start = event.decoded("DTSTART", None)
    if start is None:
        raise ConfigurationError("VEVENT without DTSTART", file=file, key=key)
    end = event.decoded("DTEND", None)
    duration = event.decoded("DURATION", None)
    if isinstance(start, datetime):
        return _whole_days(start, end, duration, file, key)
    if not isinstance(start, date):
        return None
    if isinstance(end, datetime):  # RFC 5545: DTEND has DTSTART's value type; which days were meant?
        raise ConfigurationError("DTEND is a date-time but DTSTART a date", file=file, key=f"{key}.DTEND")
    if isinstance(end, date):
        if end <= start:
            raise ConfigurationError(f"DTEND {end.isoformat()} is not after DTSTART", file=file, key=key)
        days = (end - start).days
    else:
        days = max(duration.days, 1) if isinstance(duration, timedelta) else 1
    if days > MAX_EVENT_DAYS:
        raise ConfigurationError(
            f"an all-day event of more than {MAX_EVENT_DAYS} days is no holiday: list each run of days off",
            file=file,
            key=key,
        )
    try:
        return [start + timedelta(days=offset) for offset in range(days)]
    except OverflowError:
        raise ConfigurationError("the event runs past the year 9999", file=file, key=key) from None


@host_factories
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
        """Read and validate an .ics file (at most ``MAX_HOLIDAY_FILE_BYTES``)."""
        data, file = read_holiday_file(path, "calendar file")
        return cls.from_bytes(data, file=file, known_from=known_from, known_until=known_until)

    @classmethod
    def from_bytes(
        cls,
        data: bytes | str,
        *,
        file: str = "<bytes>",
        known_from: date | None = None,
        known_until: date | None = None,
    ) -> IcsHolidays:
        """Parse iCalendar data; ``file`` is the name used in errors and as the source's name."""
        known_from = optional_date(known_from, file, "known_from")
        known_until = optional_date(known_until, file, "known_until")
        if isinstance(data, bytes | bytearray):
            try:
                # RFC 5545 text is UTF-8: read strictly, a GBK feed's "班" became a holiday's mojibake.
                data = bytes(data).decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise ConfigurationError(
                    f"not UTF-8 text (byte {exc.start}): iCalendar files are UTF-8 (RFC 5545)", file=file
                ) from exc
        if not isinstance(data, str):
            raise ConfigurationError(f"expected iCalendar bytes, got {type(data).__name__}", file=file)
        try:
            calendar = icalendar.Calendar.from_ical(data)
        except ValueError as exc:
            raise ConfigurationError(f"not a valid iCalendar file: {exc}", file=file) from exc
        kinds: dict[date, tuple[bool, str]] = {}  # date -> (make-up working day?, the event that said so)
        for index, event in enumerate(calendar.walk("VEVENT")):
            key = f"VEVENT[{index}]"
            if "RRULE" in event or "RDATE" in event:
                raise ConfigurationError(
                    "recurring events are not supported: list each date", file=file, key=key
                )
            days = _span(event, file, key)
            if days is None:
                continue
            workday = _is_workday(event)
            for day in days:
                said = kinds.setdefault(day, (workday, key))
                if said[0] != workday:
                    raise ConfigurationError(
                        f"{day.isoformat()} is both a holiday and a make-up working day ({said[1]} says "
                        f"{'a working day' if said[0] else 'a day off'})",
                        file=file,
                        key=key,
                    )
        off = {day for day, (workday, _) in kinds.items() if not workday}
        extra = {day for day, (workday, _) in kinds.items() if workday}
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
