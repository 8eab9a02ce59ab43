"""The one rounding rule of every share a report shows: rates, Pareto shares, breach rates, percentages.

A share is the exact fraction rounded half up (四舍五入) to 4 places (:func:`rate`, :func:`share`: a
:class:`Share`, which keeps the fraction it was rounded from). Shown as a percentage with one decimal it is
the *exact* fraction rounded half up to 0.1 % (:func:`percent_text`, :func:`shown_fraction`) — never the
4-place figure rounded again (9 of 51 is 17.647…%: 17.6 %, though its 4-place figure 0.1765 would round to
17.7 %). The XLSX cell holds the exact fraction with a ``0.0%`` format, which a spreadsheet shows rounded
half away from zero: the same figure. So the CSV, the XLSX, the HTML and the text of one report agree.
Before, the CSV and the HTML rounded the 4-place figure half to even while the workbook showed it half away
from zero (49 of 400, 0.1225: 12.2 % in the CSV, 12.3 % in Excel), the Pareto's shares were rounded half to
even and the maintenance rates half up.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

__all__ = [
    "RATE_PLACES",
    "ROUNDING",
    "SHOWN_PLACES",
    "Share",
    "exact_value",
    "percent_text",
    "rate",
    "share",
    "shown_fraction",
]

ROUNDING = ROUND_HALF_UP
"""Half up (四舍五入), for every share."""
RATE_PLACES = Decimal("0.0001")
"""A rate's places as a fraction (0.01 %)."""
SHOWN_PLACES = Decimal("0.001")
"""A percentage's places as a fraction (0.1 %)."""
_TENTH = Decimal("0.1")


class Share(Decimal):
    """A share to 4 places (it equals, hashes and computes as that ``Decimal``) that keeps ``exact``, the
    fraction it was rounded from: what a percentage shown with fewer places is rounded from."""

    __slots__ = ("exact",)
    exact: Fraction

    def __new__(cls, value: Decimal | str, exact: Fraction | None = None) -> Share:
        made = super().__new__(cls, value)
        # a copy made from text alone (a pickle) keeps the 4-place figure as its exact value
        made.exact = exact if exact is not None else Fraction(Decimal(value))
        return made

    def __deepcopy__(self, memo: object) -> Share:
        return self

    def __copy__(self) -> Share:
        return self


def rate(part: int, whole: int) -> Share | None:
    """``part / whole`` rounded half up to 4 places, or ``None`` when ``whole`` is 0."""
    if whole <= 0:
        return None
    return share(part, whole)


def share(part: int, whole: int) -> Share:
    """:func:`rate` of a ``whole`` known to be positive (a Pareto's total, a batch's size)."""
    return Share((Decimal(part) / Decimal(whole)).quantize(RATE_PLACES, ROUNDING), Fraction(part, whole))


def exact_value(value: Decimal) -> Decimal:
    """The exact fraction behind ``value`` (a :class:`Share`) to 28 digits, else ``value`` itself."""
    exact = getattr(value, "exact", None)
    if isinstance(exact, Fraction):
        return Decimal(exact.numerator) / Decimal(exact.denominator)
    return value


def shown_fraction(value: Decimal) -> Decimal:
    """``value`` (a fraction) as a percentage with one decimal shows it: its exact value rounded half up
    to 0.001."""
    return exact_value(value).quantize(SHOWN_PLACES, ROUNDING)


def percent_text(value: Decimal) -> str:
    """``value`` (a fraction) as plain percentage text with one decimal: ``"12.3%"``."""
    return f"{(shown_fraction(value) * 100).quantize(_TENTH, ROUNDING)}%"
