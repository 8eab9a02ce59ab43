"""Holidays from an explicit list in a TOML file: for a company's own arrangement or a region not covered.

Format (TOML dates, or ISO strings ``"2025-10-01"``)::

    name = "Shanghai office 2025–2026"      # optional, used in error messages
    known_from = 2025-01-01                 # required: the range the lists are complete for
    known_until = 2026-12-31                # required
    holidays = [2025-10-01, 2025-10-02]     # days off
    extra_workdays = [2025-09-28]           # make-up working days (调休上班), optional

Every mistake raises ``ConfigurationError`` naming the file and the key (``holidays[3]``); a file that is
not UTF-8 or larger than ``MAX_HOLIDAY_FILE_BYTES`` is refused the same way.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path

import attrs

from aftersales.adapters.holiday_files import read_holiday_file
from aftersales.domain.call_shape import host_factories
from aftersales.errors import ConfigurationError

__all__ = ["TomlHolidays"]

_KEYS = frozenset({"name", "known_from", "known_until", "holidays", "extra_workdays"})


def _date(value: object, file: str, key: str) -> date:
    if isinstance(value, datetime):
        raise ConfigurationError(f"expected a date, got a date-time {value!r}", file=file, key=key)
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigurationError(f"expected a date such as 2025-10-01, got {value!r}", file=file, key=key)


def _dates(document: dict[str, object], file: str, key: str, known: tuple[date, date]) -> frozenset[date]:
    values = document.get(key, [])
    if not isinstance(values, list):
        raise ConfigurationError("expected a list of dates", file=file, key=key)
    result: set[date] = set()
    for index, value in enumerate(values):
        day = _date(value, file, f"{key}[{index}]")
        if not known[0] <= day <= known[1]:
            raise ConfigurationError(
                f"{day.isoformat()} lies outside known_from … known_until", file=file, key=f"{key}[{index}]"
            )
        result.add(day)
    return frozenset(result)


@host_factories
@attrs.frozen
class TomlHolidays:
    """A ``HolidaySource`` read from TOML (see the module docstring for the format)."""

    name: str
    known_from: date
    known_until: date
    _holidays: frozenset[date] = attrs.field(alias="holidays")
    _extra_workdays: frozenset[date] = attrs.field(alias="extra_workdays")

    @classmethod
    def from_file(cls, path: str | Path) -> TomlHolidays:
        """Read and validate a TOML holiday file (UTF-8, as TOML requires; at most
        ``MAX_HOLIDAY_FILE_BYTES``)."""
        data, file = read_holiday_file(path, "holiday file")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigurationError(
                f"not UTF-8 text (byte {exc.start}): save the file as UTF-8, as TOML requires", file=file
            ) from exc
        return cls.from_string(text, file=file)

    @classmethod
    def from_string(cls, text: str, *, file: str = "<string>") -> TomlHolidays:
        """Parse TOML text; ``file`` is the name used in errors."""
        if not isinstance(text, str):
            raise ConfigurationError(f"expected TOML text (str), got {type(text).__name__}", file=file)
        try:
            document: dict[str, object] = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigurationError(f"not valid TOML: {exc}", file=file) from exc
        unknown = sorted(set(document) - _KEYS)
        if unknown:
            raise ConfigurationError(
                f"unknown key (expected one of {sorted(_KEYS)})", file=file, key=unknown[0]
            )
        for key in ("known_from", "known_until"):
            if key not in document:
                raise ConfigurationError("required: the range the lists are complete for", file=file, key=key)
        known_from = _date(document["known_from"], file, "known_from")
        known_until = _date(document["known_until"], file, "known_until")
        if known_from > known_until:
            raise ConfigurationError("known_from is after known_until", file=file, key="known_from")
        name = document.get("name", file)
        if not isinstance(name, str) or not name.strip():
            raise ConfigurationError("expected a non-empty string", file=file, key="name")
        off = _dates(document, file, "holidays", (known_from, known_until))
        extra = _dates(document, file, "extra_workdays", (known_from, known_until))
        both = off & extra
        if both:
            raise ConfigurationError(
                f"{min(both).isoformat()} is both a holiday and a make-up working day",
                file=file,
                key="extra_workdays",
            )
        return cls(name, known_from, known_until, holidays=off, extra_workdays=extra)

    def holidays(self) -> frozenset[date]:
        """Days off listed in the file."""
        return self._holidays

    def extra_workdays(self) -> frozenset[date]:
        """Make-up working days listed in the file."""
        return self._extra_workdays
