"""Validators for text that users type: non-empty where required, bounded in length."""

from __future__ import annotations

import re
from typing import Any

import attrs

from aftersales.errors import ValidationError, shown_repr

__all__ = ["CODE_PATTERN", "bounded", "checked_month", "code", "optional_bounded", "required_text"]

CODE_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")


def required_text(max_length: int) -> Any:
    """An attrs validator: a non-blank ``str`` of at most ``max_length`` characters."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if type(value) is str and 0 < len(value) <= max_length and not value[0].isspace():
            return  # the common case, checked cheaply: tickets are created in bulk
        if not isinstance(value, str):
            raise ValidationError(f"{attribute.name} must be text", field=attribute.name)
        if not value.strip():
            raise ValidationError(f"{attribute.name} must not be empty", field=attribute.name)
        if len(value) > max_length:
            raise ValidationError(
                f"{attribute.name} is {len(value)} characters long; at most {max_length} are allowed",
                field=attribute.name,
            )

    return check


def bounded(max_length: int) -> Any:
    """An attrs validator: a ``str`` (may be empty) of at most ``max_length`` characters."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str):
            raise ValidationError(f"{attribute.name} must be text", field=attribute.name)
        if len(value) > max_length:
            raise ValidationError(
                f"{attribute.name} is {len(value)} characters long; at most {max_length} are allowed",
                field=attribute.name,
            )

    return check


def optional_bounded(max_length: int) -> Any:
    """Like :func:`bounded` but also accepts ``None``."""
    inner = bounded(max_length)

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None and not (type(value) is str and len(value) <= max_length):
            inner(instance, attribute, value)

    return check


def code(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator for machine codes: ``snake_case``, 1–64 characters."""
    if not isinstance(value, str) or not CODE_PATTERN.fullmatch(value):
        raise ValidationError(
            f"{attribute.name} must be a snake_case code (a-z, 0-9, _), got {shown_repr(value)}",
            field=attribute.name,
        )


def checked_month(value: object) -> str:
    """``value`` if it is a month written ``YYYY-MM`` (1900–9999), else ``ValidationError`` on ``month``."""
    if not isinstance(value, str) or len(value) != 7 or value[4] != "-":
        raise ValidationError("a month is written YYYY-MM", field="month")
    try:
        year, month = int(value[:4]), int(value[5:])
    except ValueError:
        raise ValidationError("a month is written YYYY-MM", field="month") from None
    if not (1900 <= year <= 9999 and 1 <= month <= 12):
        raise ValidationError("a month is written YYYY-MM", field="month")
    return value
