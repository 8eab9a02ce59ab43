"""Instants: every datetime that enters the domain must carry its time zone."""

from __future__ import annotations

from datetime import datetime

from aftersales.errors import NaiveDatetimeError, ValidationError

__all__ = ["require_aware"]


def require_aware(value: object, field: str = "datetime") -> datetime:
    """Return ``value`` if it is a timezone-aware datetime; raise a clear error otherwise.

    Why: a naive datetime is ambiguous (whose 09:00?) and silently shifts SLA clocks.
    """
    if type(value) is datetime and value.tzinfo is not None and value.utcoffset() is not None:
        return value
    if not isinstance(value, datetime):
        raise ValidationError(f"{field} must be a datetime, got {type(value).__name__}", field=field)
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(field)
    return value
