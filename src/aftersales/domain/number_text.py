"""One rule for a number a user types as text (a money amount, a custom number field).

A person writes digits, an optional minus sign and decimal point; a Chinese input method types them
full-width ("２.５０", "－１２"), which are read as the ASCII ones. ``Decimal`` alone also read Arabic-Indic
digits ("١٢٣"), " 12 ", "1_000" and "1e3" as numbers: no one types an amount so, and the same text was
a number in one place and refused in the next (the budget command's --amount, a pack's fees).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

__all__ = ["NUMBER_TEXT", "number_from_text"]

NUMBER_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
"""A number as a person writes it (after full-width folding): ASCII digits, an optional leading minus,
an optional decimal part."""

_FULL_WIDTH = str.maketrans({**{chr(0xFF10 + d): str(d) for d in range(10)}, "．": ".", "－": "-"})


def number_from_text(text: str) -> Decimal | None:
    """The ``Decimal`` ``text`` spells under :data:`NUMBER_TEXT` (full-width digits, point and minus
    read as ASCII), or ``None`` when it spells none."""
    folded = text.translate(_FULL_WIDTH)
    if not NUMBER_TEXT.fullmatch(folded):
        return None
    try:
        return Decimal(folded)
    except InvalidOperation:  # more digits than the context holds
        return None
