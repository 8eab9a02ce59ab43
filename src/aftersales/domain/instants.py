"""Instants: every datetime that enters the domain must carry its time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from aftersales.errors import NaiveDatetimeError, ValidationError

__all__ = ["EPOCH", "duration_us", "end_of_local_days", "micros", "require_aware", "require_day"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""The Unix epoch, aware (UTC): instants held as integers count microseconds from it."""

_MICROSECOND = timedelta(microseconds=1)


def micros(at: datetime) -> int:
    """An aware instant as exact integer microseconds since the epoch (no float on the way).

    Why integers: working-time and SLA arithmetic, and every store's indexed columns, compare and add
    instants exactly and cheaply. A naive datetime raises ``TypeError`` (callers check awareness first).
    """
    kept = _MICROS.get(id(at))
    if kept is not None and kept[0] is at:  # this very (immutable) datetime: the same count
        return kept[1]
    us: int = (at - EPOCH) // _MICROSECOND
    if len(_MICROS) >= _KEEP_MICROS:
        _MICROS.clear()
    _MICROS[id(at)] = (at, us)  # kept with the datetime: its id is not reused meanwhile
    return us


# The counts of the instants converted last, by identity. A command converts the same datetimes again and
# again (its instant for the event, the outbox rows and the report row; a ticket's received and due times
# on every save), and with a zone the subtraction costs about a microsecond (two offsets looked up).
# All forgotten at once when full; sized like serialization's kept datetime texts.
_MICROS: dict[int, tuple[datetime, int]] = {}
_KEEP_MICROS = 16384


def duration_us(value: timedelta) -> int:
    """A duration as exact integer microseconds (what :func:`micros` is to an instant)."""
    return (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds


def end_of_local_days(start: datetime, days: int, zone: tzinfo) -> datetime:
    """The first instant after "within ``days`` days" of ``start``: local midnight ending the ``days``-th
    local day after ``start``'s own day in ``zone``.

    Why whole days: a period counted in days does not count its first day and ends at 24:00 of its
    last day (Civil Code arts. 201, 203), so "七天内" from Monday 15:00 runs through the next Monday.
    """
    last_day = start.astimezone(zone).date() + timedelta(days=days)
    return datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=zone)


def require_aware(value: object, field: str = "datetime") -> datetime:
    """Return ``value`` if it is a timezone-aware datetime; raise a clear error otherwise.

    Why: a naive datetime is ambiguous (whose 09:00?) and silently shifts SLA clocks.
    """
    if not isinstance(value, datetime):
        raise ValidationError(
            f"{field} must be a datetime, got {type(value).__name__}", field=field, rule="datetime"
        )
    try:
        offset = value.utcoffset()
    except Exception:  # a host's tzinfo whose utcoffset raises (session 29: it escaped from Period(...))
        raise ValidationError(f"{field} has a time zone that cannot be read", field=field) from None
    if offset is None:
        raise NaiveDatetimeError(field)
    return value


def require_day(value: object, field: str = "day") -> date:
    """Return ``value`` if it is a calendar date (not a datetime, which compares with no date); raise
    a ``ValidationError`` naming ``field`` (rule ``date``) otherwise.

    Why: a record's query a host calls with a string, ``None`` or an instant where a day is due raised
    Python's ``TypeError`` from the comparison inside (session 37)."""
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ValidationError(f"{field} must be a date, got {type(value).__name__}", field=field, rule="date")
    return value
