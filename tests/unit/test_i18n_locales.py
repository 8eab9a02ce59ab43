"""Locale resolution: the fallback table and refusal of garbage."""

from __future__ import annotations

import pytest

from aftersales.errors import ValidationError
from aftersales.i18n import babel_locale, resolve_locale


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ("zh_Hans", "zh_Hans"),
        ("zh", "zh_Hans"),
        ("zh_CN", "zh_Hans"),
        ("zh-CN", "zh_Hans"),
        ("zh_SG", "zh_Hans"),
        ("zh_Hans_HK", "zh_Hans"),
        ("zh_Hant", "zh_Hant"),
        ("zh_TW", "zh_Hant"),
        ("zh-tw", "zh_Hant"),
        ("zh_HK", "zh_Hant"),
        ("zh_MO", "zh_Hant"),
        ("zh_Hant_CN", "zh_Hant"),
        ("zh-Hant-TW", "zh_Hant"),
        ("en", "en"),
        ("en_US", "en"),
        ("en-GB", "en"),
        ("de_DE", "en"),
        ("ja", "en"),
        # Cantonese readers read written Chinese: Traditional in Hong Kong and Macao, Simplified in
        # Guangdong (before: English for all of them).
        ("yue_HK", "zh_Hant"),
        ("yue", "zh_Hant"),
        ("yue-Hant-HK", "zh_Hant"),
        ("yue_MO", "zh_Hant"),
        ("yue_CN", "zh_Hans"),
        ("yue_Hans", "zh_Hans"),
    ],
)
def test_fallback_table(identifier: str, expected: str) -> None:
    assert resolve_locale(identifier) == expected


@pytest.mark.parametrize(
    "garbage", ["", "xx", "en_XX", "../etc/passwd", "en US", "zh_Hans;drop", "x" * 40, None, 42]
)
def test_garbage_is_refused(garbage: object) -> None:
    with pytest.raises(ValidationError, match="unknown locale"):
        resolve_locale(garbage)  # type: ignore[arg-type]


def test_babel_locale_is_cached_and_resolved() -> None:
    first = babel_locale("zh_TW")
    assert str(first) == "zh_Hant"
    assert babel_locale("zh_HK") is first
    assert str(babel_locale("fr")) == "en"
