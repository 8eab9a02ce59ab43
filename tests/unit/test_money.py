from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.domain.money import Money
from aftersales.errors import CurrencyMismatch, InvalidMoney, UnknownCurrency


def test_rounds_half_up_to_the_currency_minor_units() -> None:
    assert Money("1.005", "CNY").amount == Decimal("1.01")
    assert Money("2.5", "JPY").amount == Decimal("3")
    assert Money("0.0005", "BHD").amount == Decimal("0.001")


def test_accepts_decimal_int_and_str() -> None:
    assert Money(Decimal("12.3"), "CNY") == Money("12.30", "CNY") == Money("12.3", "CNY")
    assert Money(5, "CNY").amount == Decimal("5.00")


@pytest.mark.parametrize("bad", [0.1, float("nan"), True, None, [1]])
def test_refuses_floats_bools_and_non_numbers(bad: object) -> None:
    with pytest.raises(InvalidMoney):
        Money(bad, "CNY")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-inf", "abc", ""])
def test_refuses_non_finite_and_garbage_strings(bad: str) -> None:
    with pytest.raises(InvalidMoney):
        Money(bad, "CNY")


@pytest.mark.parametrize("code", ["XXY", "cny", "", "RMB"])
def test_refuses_unknown_currencies(code: str) -> None:
    with pytest.raises(UnknownCurrency) as info:
        Money(1, code)
    assert info.value.code == code


def test_arithmetic_within_one_currency() -> None:
    a, b = Money("10.50", "CNY"), Money("0.75", "CNY")
    assert a + b == Money("11.25", "CNY")
    assert a - b == Money("9.75", "CNY")
    assert a * 3 == Money("31.50", "CNY")
    assert 2 * b == Money("1.50", "CNY")
    assert -a == Money("-10.50", "CNY")
    assert b < a and a >= b
    assert Money.total([a, b, b], "CNY") == Money("12.00", "CNY")
    assert Money.total([], "USD").is_zero


def test_arithmetic_across_currencies_is_refused() -> None:
    with pytest.raises(CurrencyMismatch):
        Money(1, "CNY") + Money(1, "USD")
    with pytest.raises(CurrencyMismatch):
        _ = Money(1, "CNY") < Money(1, "USD")
    with pytest.raises(InvalidMoney):
        Money(1, "CNY") * 1.5  # type: ignore[operator]


def test_zero_has_no_sign() -> None:
    assert str(Money("-0.001", "CNY")) == "0.00 CNY"


amounts = st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False, places=2)


@given(amounts, amounts)
def test_addition_is_exact_and_commutative(x: Decimal, y: Decimal) -> None:
    a, b = Money(x, "CNY"), Money(y, "CNY")
    assert a + b == b + a
    assert (a + b).amount == x + y
    assert (a + b) - b == a
