"""One check for a bounded whole number: a run's limit, a batch, a page size, a count of senders.

Why one: each command checked its own (``1 <= limit <= 1_000_000``) and worded the refusal its own way
("limit is a number of lines from 1 to 1,000,000", "batch is a whole number from 1 to 10000", "limit is
tickets per page, 1 to 1000"); a bool passed as a number slipped through some of them. Now every such check
refuses the same things (not an int, a bool, outside the bounds) with one :class:`OutOfBounds`.

A command's argument with bounds of its own says so in its annotation, ``Annotated[int, Bounds(1, 10_000)]``:
the boundary's argument check (``service/arguments.py``) reads them, so a wrong type (``batch="5"``) is
refused naming the command's own range, not the field's wide one ("from 1 to 1,000,000", "from -2**63").
"""

from __future__ import annotations

import attrs

from aftersales.errors import OutOfBounds

__all__ = ["INT64_MOST", "POSITIVE", "Bounds", "check_bounded"]

INT64_MOST = 2**63 - 1
"""The largest whole number a store keeps (a signed 64-bit integer)."""


def check_bounded(value: object, field: str, most: int, *, least: int = 1) -> int:
    """``value`` if it is a whole number (an ``int``, not a ``bool``) from ``least`` to ``most``, else an
    :class:`~aftersales.errors.OutOfBounds` naming ``field``, the bounds and the value."""
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= most:
        raise OutOfBounds(field, value, least, most)
    return value


@attrs.frozen
class Bounds:
    """A whole-number argument's own bounds, in its annotation (``Annotated[int, Bounds(1, 1000)]``):
    the argument check at the boundary and the command's own check use the same two numbers."""

    least: int
    most: int

    def check(self, value: object, field: str) -> int:
        """``value`` within these bounds, else :class:`~aftersales.errors.OutOfBounds` naming ``field``."""
        return check_bounded(value, field, self.most, least=self.least)


POSITIVE = Bounds(1, INT64_MOST)
"""A count with no bound of its own but at least one (a back-fill's ``max_batches``)."""
