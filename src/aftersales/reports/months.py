"""Calendar months as reporting periods, in the market's time zone."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from aftersales.domain.contact import zone
from aftersales.errors import ValidationError
from aftersales.ports.reporting import Period

__all__ = ["MAX_MONTHS", "checked_months", "month_period", "months_between", "next_month"]

MAX_MONTHS = 36
"""The most months a trend covers (three years of monthly figures)."""

# ASCII digits only (``\d`` takes ２０２６-０１ too, a second spelling of a month); year 0 has no dates.
_MONTH = re.compile(r"(?!0000)([0-9]{4})-([0-9]{2})")


def _parse(month: str) -> tuple[int, int]:
    found = _MONTH.fullmatch(month) if isinstance(month, str) else None
    if found is None or not 1 <= int(found.group(2)) <= 12:
        raise ValidationError(f"a month is written YYYY-MM, got {month!r}", field="month")
    return int(found.group(1)), int(found.group(2))


def next_month(month: str) -> str:
    """The month after ``month``."""
    year, m = _parse(month)
    if (year, m) == (9999, 12):  # refused as given: the month after it would be quoted ('10000-01')
        raise ValidationError(f"the month after {month!r} is past the year 9999", field="month")
    return f"{year + m // 12:04d}-{m % 12 + 1:02d}"


def month_period(month: str, timezone: str = "Asia/Shanghai") -> Period:
    """``[first day 00:00, first day of the next month 00:00)`` in ``timezone``."""
    year, m = _parse(month)
    tz = zone(timezone)
    ny, nm = _parse(next_month(month))
    return Period(datetime(year, m, 1, tzinfo=tz), datetime(ny, nm, 1, tzinfo=tz))


def months_between(first: str, last: str) -> list[str]:
    """Every month from ``first`` to ``last`` inclusive."""
    if _parse(first) > _parse(last):
        raise ValidationError("the first month is after the last", field="month")
    out = [first]
    while out[-1] != last:
        out.append(next_month(out[-1]))
    return out


def checked_months(months: Sequence[str]) -> tuple[str, ...]:
    """``months`` of a trend, checked: a non-empty list of at most :data:`MAX_MONTHS` months written
    ``YYYY-MM`` (a ``ValidationError`` naming ``months`` otherwise; one string is not a list of months)."""
    if isinstance(months, str | bytes) or not isinstance(months, Sequence) or not months:
        raise ValidationError("months is a non-empty list of months written YYYY-MM", field="months")
    if len(months) > MAX_MONTHS:
        raise ValidationError(f"a trend covers at most {MAX_MONTHS} months", field="months")
    for month in months:
        _parse(month)
    return tuple(months)
