"""The one rounding rule of every share a report shows: rates, Pareto shares, breach rates, percentages.

A share is the exact fraction rounded half up (四舍五入) to 4 places (:func:`rate`); shown as a percentage
it is that value rounded half up again to 0.1 % (:func:`percent_text`, :func:`shown_fraction`). Half up is
what a reader counts by hand and what a spreadsheet shows for the XLSX cell (which keeps the 4-place value
with a ``0.0%`` format: Excel rounds half away from zero), so the CSV, the XLSX, the HTML and the text of
one report show the same figure. Before, the CSV and the HTML rounded half to even (49 of 400, 0.1225, was
12.2 % there and 12.3 % in the workbook) and the Pareto's shares were rounded half to even while the
maintenance rates were rounded half up.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

__all__ = ["RATE_PLACES", "ROUNDING", "SHOWN_PLACES", "percent_text", "rate", "share", "shown_fraction"]

ROUNDING = ROUND_HALF_UP
"""Half up (四舍五入), for every share."""
RATE_PLACES = Decimal("0.0001")
"""A rate's places as a fraction (0.01 %)."""
SHOWN_PLACES = Decimal("0.001")
"""A percentage's places as a fraction (0.1 %)."""
_TENTH = Decimal("0.1")


def rate(part: int, whole: int) -> Decimal | None:
    """``part / whole`` rounded half up to 4 places, or ``None`` when ``whole`` is 0."""
    if whole <= 0:
        return None
    return share(part, whole)


def share(part: int, whole: int) -> Decimal:
    """:func:`rate` of a ``whole`` known to be positive (a Pareto's total, a batch's size)."""
    return (Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, ROUNDING)


def shown_fraction(value: Decimal) -> Decimal:
    """``value`` (a fraction) as a percentage with one decimal shows it: rounded half up to 0.001."""
    return value.quantize(SHOWN_PLACES, ROUNDING)


def percent_text(value: Decimal) -> str:
    """``value`` (a fraction) as plain percentage text with one decimal: ``"12.3%"``."""
    return f"{(shown_fraction(value) * 100).quantize(_TENTH, ROUNDING)}%"
