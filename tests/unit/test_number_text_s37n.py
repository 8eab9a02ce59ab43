"""A custom NUMBER field and Money read typed text by one rule (session 37, hostile input).

Arabic-Indic digits, ``1e3``, ``1_000`` and spaces around were numbers to both (``Decimal`` alone); the
full-width digits a Chinese input method types stay numbers (session 29 g), in both.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from aftersales.domain.custom_fields import CustomField, FieldType
from aftersales.domain.money import Money
from aftersales.errors import InvalidMoney, ValidationError

_NOT_NUMBERS = ["١٢٣", "۱۲", "1e3", "1E+3", "1_000", " 12 ", "+5", ".5", "5."]


@pytest.mark.parametrize("text", _NOT_NUMBERS)
def test_text_that_is_no_typed_number_is_refused_by_money_and_a_number_field(text: str) -> None:
    with pytest.raises(InvalidMoney):
        Money(text, "CNY")
    with pytest.raises(ValidationError) as refused:
        CustomField("floor", FieldType.NUMBER).parse(text)
    assert refused.value.field == "fields.floor"


def test_numbers_as_people_type_them_are_read_alike() -> None:
    field = CustomField("floor", FieldType.NUMBER)
    for text, number in [("-12.50", "-12.50"), ("７", "7"), ("－１２．５", "-12.5")]:
        assert field.parse(text) == Decimal(number)
        assert Money(text, "CNY").amount == Decimal(number)
