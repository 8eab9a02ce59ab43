"""Working windows of one day: validation and normalisation.

A window is a pair of wall-clock times ``(start, end)`` in the calendar's time zone. Internally a window is
held as microseconds since local midnight so that the end of the day can be written as 24:00: an end of
``time(0, 0)`` or ``time.max`` means midnight at the end of the day (a 24/7 calendar uses
``(time(0, 0), time(0, 0))`` or ``(time.min, time.max)``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import time
from itertools import pairwise

from aftersales.errors import ValidationError

__all__ = ["DAY_US", "DayWindows", "day_windows", "week_windows", "window_times"]

DAY_US = 86_400_000_000
"""Microseconds in a wall-clock day (24:00)."""

DayWindows = tuple[tuple[int, int], ...]
"""Windows of one day as ``(start_us, end_us)`` since local midnight, sorted, non-overlapping."""


def _time_us(value: time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def _window(pair: object, field: str) -> tuple[int, int]:
    if not isinstance(pair, tuple | list) or len(pair) != 2:
        raise ValidationError(f"{field} must be a (start, end) pair of times, got {pair!r}", field=field)
    start, end = pair
    for value in (start, end):
        if not isinstance(value, time):
            raise ValidationError(f"{field} must hold datetime.time values, got {value!r}", field=field)
        if value.tzinfo is not None:
            raise ValidationError(
                f"{field} must use wall-clock times without tzinfo (the calendar has the time zone)",
                field=field,
            )
    start_us = _time_us(start)
    # Why: 24:00 cannot be written as a time; midnight or time.max as an end mean the end of the day.
    end_us = DAY_US if end == time(0, 0) or end == time.max else _time_us(end)
    if start_us >= end_us:
        raise ValidationError(f"{field}: window {start}–{end} ends before it starts", field=field)
    return start_us, end_us


def day_windows(windows: Sequence[tuple[time, time]], field: str) -> DayWindows:
    """Validate one day's windows and return them sorted; overlapping windows are refused."""
    if isinstance(windows, str | bytes) or not isinstance(windows, Sequence):
        raise ValidationError(f"{field} must be a sequence of (start, end) pairs", field=field)
    parsed = sorted(_window(pair, f"{field}[{index}]") for index, pair in enumerate(windows))
    for (_, previous_end), (start, _) in pairwise(parsed):
        if start < previous_end:
            raise ValidationError(f"{field}: working windows overlap", field=field)
    return tuple(parsed)


def week_windows(weekly_hours: Mapping[int, Sequence[tuple[time, time]]]) -> tuple[DayWindows, ...]:
    """Validate a weekly schedule keyed 0=Monday … 6=Sunday; return seven days of windows."""
    if not isinstance(weekly_hours, Mapping):
        raise ValidationError(
            "weekly_hours must be a mapping of weekday (0=Monday) to windows", field="weekly_hours"
        )
    week: list[DayWindows] = [() for _ in range(7)]
    for weekday, windows in weekly_hours.items():
        if type(weekday) is not int or not 0 <= weekday <= 6:
            raise ValidationError(
                f"weekly_hours keys must be weekdays 0 (Monday) … 6 (Sunday), got {weekday!r}",
                field="weekly_hours",
            )
        week[weekday] = day_windows(windows, f"weekly_hours[{weekday}]")
    return tuple(week)


def window_times(windows: DayWindows) -> tuple[tuple[time, time], ...]:
    """Return windows as wall-clock times again (24:00 comes back as ``time(0, 0)``)."""

    def to_time(us: int) -> time:
        if us == DAY_US:
            return time(0, 0)
        seconds, micro = divmod(us, 1_000_000)
        minutes, second = divmod(seconds, 60)
        hour, minute = divmod(minutes, 60)
        return time(hour, minute, second, micro)

    return tuple((to_time(start), to_time(end)) for start, end in windows)
