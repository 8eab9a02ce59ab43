"""Hostile input to the working calendar's public API gets a typed error naming the field.

Before, ``BusinessCalendar.from_source`` with something that is not a ``HolidaySource`` raised
``AttributeError``, and ``offsets(None)`` raised ``TypeError``.
"""

from __future__ import annotations

from datetime import time

import pytest

from aftersales.domain.calendar import CHINA_OFFICE_HOURS, BusinessCalendar
from aftersales.errors import ValidationError

WEEK = dict.fromkeys(range(5), CHINA_OFFICE_HOURS)


def test_from_source_refuses_what_is_not_a_holiday_source() -> None:
    with pytest.raises(ValidationError) as raised:
        BusinessCalendar.from_source("Asia/Shanghai", WEEK, object())  # type: ignore[arg-type]
    assert raised.value.field == "source"


def test_offsets_of_no_iterable_is_a_validation_error() -> None:
    calendar = BusinessCalendar("Asia/Shanghai", {0: [(time(9), time(18))]})
    with pytest.raises(ValidationError) as raised:
        calendar.offsets(None)  # type: ignore[arg-type]
    assert raised.value.field == "instants"
    assert calendar.offsets(iter(())) == []
