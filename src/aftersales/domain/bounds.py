"""One check for a bounded whole number: a run's limit, a batch, a page size, a count of senders.

Why one: each command checked its own (``1 <= limit <= 1_000_000``) and worded the refusal its own way
("limit is a number of lines from 1 to 1,000,000", "batch is a whole number from 1 to 10000", "limit is
tickets per page, 1 to 1000"); a bool passed as a number slipped through some of them. Now every such check
refuses the same things (not an int, a bool, outside the bounds) with one :class:`OutOfBounds`.
"""

from __future__ import annotations

from aftersales.errors import OutOfBounds

__all__ = ["check_bounded"]


def check_bounded(value: object, field: str, most: int, *, least: int = 1) -> int:
    """``value`` if it is a whole number (an ``int``, not a ``bool``) from ``least`` to ``most``, else an
    :class:`~aftersales.errors.OutOfBounds` naming ``field``, the bounds and the value."""
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
        raise OutOfBounds(field, value, least, most)
    return value
