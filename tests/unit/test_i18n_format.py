"""Dates, money and durations in zh_Hans, zh_Hant and en (the exact strings)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from aftersales.domain.money import Money
from aftersales.errors import ValidationError
from aftersales.i18n import format_datetime, format_duration, format_money, formatter_for

UTC = ZoneInfo("UTC")
AT = datetime(2024, 5, 1, 6, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "zone", "expected"),
    [
        ("zh_Hans", "Asia/Shanghai", "2024年5月1日 14:30"),
        ("zh_Hant", "Asia/Taipei", "2024年5月1日 下午2:30"),
        ("en", "Asia/Shanghai", "May 1, 2024, 2:30\u202fPM"),
        ("en", "Europe/London", "May 1, 2024, 7:30\u202fAM"),
        ("zh_CN", "America/New_York", "2024年5月1日 02:30"),
    ],
)
def test_datetime_in_reader_locale_and_zone(locale: str, zone: str, expected: str) -> None:
    assert format_datetime(AT, locale, zone) == expected


def test_naive_datetime_and_unknown_zone_are_refused() -> None:
    with pytest.raises(ValidationError):
        format_datetime(datetime(2024, 5, 1, 6, 30), "en", "Asia/Shanghai")
    with pytest.raises(ValidationError, match="time zone"):
        format_datetime(AT, "en", "Mars/Olympus")


def test_date() -> None:
    assert formatter_for("zh_Hans").date(date(2024, 10, 8)) == "2024年10月8日"
    assert formatter_for("en").date(date(2024, 10, 8)) == "Oct 8, 2024"


@pytest.mark.parametrize(
    ("locale", "money", "expected"),
    [
        ("zh_Hans", Money("1234.5", "CNY"), "¥1,234.50"),
        ("zh_Hant", Money("1234.5", "CNY"), "CN¥1,234.50"),
        ("en", Money("1234.5", "CNY"), "CN¥1,234.50"),
        ("en", Money(Decimal("99.99"), "USD"), "$99.99"),
        ("zh_Hans", Money(1500, "JPY"), "JP¥1,500"),
    ],
)
def test_money(locale: str, money: Money, expected: str) -> None:
    assert format_money(money, locale) == expected


@pytest.mark.parametrize(
    ("locale", "value", "expected"),
    [
        ("zh_Hans", timedelta(hours=3, minutes=20), "3 小时 20 分钟"),
        ("zh_Hant", timedelta(hours=3, minutes=20), "3 小時 20 分鐘"),
        ("en", timedelta(hours=3, minutes=20), "3 hours 20 minutes"),
        ("en", timedelta(hours=1, minutes=1), "1 hour 1 minute"),
        ("en", timedelta(days=2, hours=5, minutes=59, seconds=59), "2 days 5 hours"),
        ("zh_Hans", timedelta(days=2, minutes=5), "2 天"),
        ("en", timedelta(hours=4), "4 hours"),
        ("en", timedelta(seconds=59), "0 minutes"),
        ("zh_Hans", timedelta(minutes=45), "45 分钟"),
        ("en", timedelta(days=1200), "1,200 days"),
    ],
)
def test_duration_in_words(locale: str, value: timedelta, expected: str) -> None:
    assert format_duration(value, locale) == expected


def test_negative_duration_is_refused() -> None:
    with pytest.raises(ValidationError, match="negative"):
        format_duration(timedelta(minutes=-1), "en")


def test_numbers_are_grouped() -> None:
    assert formatter_for("en").number(12345) == "12,345"
    assert formatter_for("zh_Hans").number(Decimal("1234.5")) == "1,234.5"
    with pytest.raises(ValidationError):
        formatter_for("en").number(True)
