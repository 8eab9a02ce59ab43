"""Validators for text that users type: non-empty where required, bounded in length."""

from __future__ import annotations

import re
from typing import Any

import attrs

from aftersales.errors import ValidationError, shown_repr

__all__ = [
    "CODE_PATTERN",
    "MONTH_PATTERN",
    "bounded",
    "checked_month",
    "code",
    "optional_bounded",
    "required_text",
]

CODE_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")


def required_text(max_length: int) -> Any:
    """An attrs validator: a non-blank ``str`` of at most ``max_length`` characters."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if type(value) is str and 0 < len(value) <= max_length and not value[0].isspace():
            return  # the common case, checked cheaply: tickets are created in bulk
        if not isinstance(value, str):
            raise ValidationError(f"{attribute.name} must be text", field=attribute.name, rule="text")
        if not value.strip():
            raise ValidationError(f"{attribute.name} must not be empty", field=attribute.name, rule="empty")
        if len(value) > max_length:
            raise ValidationError(
                f"{attribute.name} is {len(value)} characters long; at most {max_length} are allowed",
                field=attribute.name,
                rule="too_long",
                rule_params={"most": max_length},
            )

    return check


def bounded(max_length: int) -> Any:
    """An attrs validator: a ``str`` (may be empty) of at most ``max_length`` characters."""

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str):
            raise ValidationError(f"{attribute.name} must be text", field=attribute.name, rule="text")
        if len(value) > max_length:
            raise ValidationError(
                f"{attribute.name} is {len(value)} characters long; at most {max_length} are allowed",
                field=attribute.name,
                rule="too_long",
                rule_params={"most": max_length},
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
            rule="snake_code",
        )


MONTH_PATTERN = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
"""A month ``YYYY-MM`` in ASCII digits (``int()`` and ``isdigit()`` also take ``"２０２６-０２"``)."""


def checked_month(value: object) -> str:
    """``value`` if it is a month written ``YYYY-MM`` (1900–9999), else ``ValidationError`` on ``month``."""
    # ASCII digits only, as budget periods (session 26): int() also read "２０２６-０２", "2026-+2" and
    # "2026- 2", each kept as written — a second appraisal of February 2026 beside "2026-02" (session 29).
    if not isinstance(value, str) or not MONTH_PATTERN.fullmatch(value) or value < "1900":
        raise ValidationError("a month is written YYYY-MM", field="month", rule="month")
    return value
