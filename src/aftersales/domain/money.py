"""Money: a Decimal amount in one ISO 4217 currency, rounded to that currency's minor units."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

import attrs

from aftersales.domain.call_shape import host_factories
from aftersales.domain.number_text import number_from_text
from aftersales.errors import CurrencyMismatch, InvalidMoney, UnknownCurrency

__all__ = ["MAX_MINOR_UNITS", "Money", "currency_exponent", "max_amount"]

MAX_MINOR_UNITS = 10**12
"""The largest magnitude of any amount, in the currency's minor units (10¹² fen = 10 000 000 000.00 CNY).

Far above any after-sales bill, far below where ``Decimal`` arithmetic (28 digits) starts to fail: an
amount of ``9e24`` stored once would break every later sum (revenue, slip totals, payments), so it is
refused where it enters, with the field named.
"""


@cache
def _currencies() -> dict[str, Decimal]:
    # CLDR reference data shipped with Babel: static, read once.
    from babel.numbers import get_currency_precision, list_currencies

    return {code: Decimal(1).scaleb(-get_currency_precision(code)) for code in list_currencies()}


def currency_exponent(code: str) -> Decimal:
    """The quantum of ``code`` (``Decimal('0.01')`` for CNY, ``Decimal('1')`` for JPY)."""
    try:
        return _currencies()[code]
    except (KeyError, TypeError):
        raise UnknownCurrency(code) from None


def max_amount(code: str) -> Decimal:
    """The largest magnitude an amount of ``code`` may have (:data:`MAX_MINOR_UNITS` minor units)."""
    return _bounds(code)[1]


_BOUNDS: dict[str, tuple[Decimal, Decimal]] = {}


def _bounds(code: str) -> tuple[Decimal, Decimal]:
    # (quantum, limit) per currency, computed once: Money is built for every line of every slip read.
    found = _BOUNDS.get(code) if isinstance(code, str) else None
    if found is None:
        quantum = currency_exponent(code)
        found = (quantum, quantum * MAX_MINOR_UNITS)
        _BOUNDS[code] = found
    return found


def _to_decimal(value: Decimal | int | str) -> Decimal:
    if isinstance(value, bool | float):
        raise InvalidMoney(
            f"money amounts must be Decimal, int or str, not {type(value).__name__} "
            "(floats cannot hold 0.1 exactly)",
            field="amount",
        )
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, str):
        # The one rule for typed numbers: Decimal alone read "１２", "1_000" and "1e3" as amounts.
        found = number_from_text(value)
        if found is None:
            raise InvalidMoney(f"not a number: {value!r}", field="amount")
        amount = found
    else:
        raise InvalidMoney(
            f"money amounts must be Decimal, int or str, not {type(value).__name__}", field="amount"
        )
    if not amount.is_finite():
        raise InvalidMoney(f"money amounts must be finite, got {amount}", field="amount")
    return amount


@host_factories
@attrs.frozen(order=False)
class Money:
    """An amount of one currency.

    The amount is always rounded half-up (四舍五入) to the currency's minor units, so equal values
    compare equal and sums never drift. Arithmetic across currencies raises :class:`CurrencyMismatch`.
    """

    amount: Decimal = attrs.field(converter=_to_decimal)
    currency: str

    def __attrs_post_init__(self) -> None:
        quantum, limit = _bounds(self.currency)  # raises UnknownCurrency first
        if abs(self.amount) > limit:
            raise InvalidMoney(
                f"amount {self.amount:E} is out of range: at most {limit} {self.currency} "
                f"({MAX_MINOR_UNITS:,} minor units) either way",
                field="amount",
            )
        rounded = self.amount.quantize(quantum, rounding=ROUND_HALF_UP)
        if rounded == 0:
            rounded = abs(rounded)  # no "-0.00"
        object.__setattr__(self, "amount", rounded)

    @classmethod
    def zero(cls, currency: str) -> Money:
        """Zero in ``currency``."""
        return cls(0, currency)

    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise InvalidMoney(f"cannot combine Money with {type(other).__name__}", field="other")
        if other.currency != self.currency:
            raise CurrencyMismatch(self.currency, other.currency)
        return other

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._same(other).amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._same(other).amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        """Multiply by a quantity or a rate (a Decimal or int, never a float)."""
        rate = _to_decimal(factor)
        try:
            product = self.amount * rate
        except ArithmeticError:  # beyond Decimal's exponents (a rate of 1E+999999): no amount at all
            raise InvalidMoney(f"{self.amount} times {rate} is out of range", field="amount") from None
        return Money(product, self.currency)

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._same(other).amount

    def __bool__(self) -> bool:
        return bool(self.amount)

    @property
    def is_zero(self) -> bool:
        """True when the amount is zero."""
        return self.amount == 0

    @staticmethod
    def total(items: Any, currency: str) -> Money:
        """Sum an iterable of Money in ``currency`` (zero when empty); mixed currencies raise."""
        result = Money.zero(currency)
        if isinstance(items, str | bytes | Money) or not isinstance(items, Iterable):
            raise InvalidMoney(
                f"a total sums an iterable of Money, not {type(items).__name__}", field="items"
            )
        for item in items:
            if not isinstance(item, Money):
                raise InvalidMoney(f"a total sums Money, not {type(item).__name__}", field="items")
            result = result + item
        return result

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
