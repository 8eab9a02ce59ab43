"""Part numbers as the maker writes them (``WN-CB-01``, ``A.12/3``), not snake_case codes.

A price list, a pick slip and a loan ledger must show the number printed on the part and in the
maker's 《零部件价格表》, so the form is kept: letters, digits and ``-`` ``_`` ``.`` ``/``, starting with a
letter or digit, at most 64 characters. Nothing else (spaces, quotes, control characters) gets in, so a
part number is safe in a CSV cell, a file name or a URL path segment.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from aftersales.errors import ValidationError, shown_repr

__all__ = ["PART_NUMBER_PATTERN", "check_part_number", "part_number"]

PART_NUMBER_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_./-]{0,63}")
"""Letters, digits, ``-``, ``_``, ``.`` and ``/``; starts with a letter or digit; 1–64 characters."""


_SEEN: set[str] = set()  # numbers already checked (a price list has a few thousand): skip the regex


def check_part_number(value: object, field: str = "part") -> str:
    """``value`` if it is a part number in the maker's form, else :class:`ValidationError` on ``field``."""
    if type(value) is str and value in _SEEN:
        return value
    if isinstance(value, str) and PART_NUMBER_PATTERN.fullmatch(value):
        if type(value) is str and len(_SEEN) < 65_536:  # a subclass's own __hash__ may raise
            _SEEN.add(value)
        return value
    raise ValidationError(
        f"{field} must be a part number (letters, digits, - _ . /; at most 64), got {shown_repr(value)}",
        field=field,
    )


def part_number(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """An attrs validator for part numbers (see :data:`PART_NUMBER_PATTERN`)."""
    check_part_number(value, attribute.name)
