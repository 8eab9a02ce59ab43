"""The public words API refuses what it cannot render with a ValidationError naming the argument
(session 18), never an AttributeError or TypeError from inside, and never a silent guess.

``render`` took a time zone that is neither an IANA name nor a tzinfo (``5``: a TypeError once a date was
formatted; ``None``: every instant silently in the machine's own zone), a kind that is not a name and
values that are not a mapping (AttributeError); ``format_datetime`` the same zones; ``format_money`` a
float (AttributeError); ``render_reason`` a string (AttributeError).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from aftersales import render
from aftersales.domain.money import Money
from aftersales.domain.reasons import Reason
from aftersales.errors import ValidationError
from aftersales.i18n import format_datetime, format_money, render_reason

AT = datetime(2026, 3, 1, 1, 30, tzinfo=UTC)
PARTS = {"ticket_id": "T-1", "expected_at": AT}

CASES: list[tuple[str, Callable[[], object], str]] = [
    ("render: zone 5", lambda: render("parts_awaited", "zh_Hans", 5, PARTS), "timezone"),  # type: ignore[arg-type]
    ("render: zone None", lambda: render("parts_awaited", "zh_Hans", None, PARTS), "timezone"),  # type: ignore[arg-type]
    ("render: zone unknown", lambda: render("parts_awaited", "zh_Hans", "Mars/Base", PARTS), "timezone"),
    ("render: kind None", lambda: render(None, "en", "UTC", PARTS), "kind"),  # type: ignore[arg-type]
    ("render: values list", lambda: render("parts_awaited", "en", "UTC", [PARTS]), "values"),  # type: ignore[arg-type]
    ("render: values None", lambda: render("parts_awaited", "en", "UTC", None), "values"),  # type: ignore[arg-type]
    ("format_datetime: zone 5", lambda: format_datetime(AT, "en", 5), "timezone"),  # type: ignore[arg-type]
    ("format_datetime: zone None", lambda: format_datetime(AT, "en", None), "timezone"),  # type: ignore[arg-type]
    ("format_money: float", lambda: format_money(1.5, "zh_Hans"), "money"),  # type: ignore[arg-type]
    ("render_reason: str", lambda: render_reason("severity", "en"), "reason"),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("name", "call", "field"), CASES, ids=[c[0] for c in CASES])
def test_refused_with_the_argument_named(name: str, call: Callable[[], object], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        call()
    assert refused.value.field == field, name


def test_zones_given_as_names_or_tzinfo_still_render() -> None:
    by_name = render("parts_awaited", "zh_Hant", "Asia/Taipei", PARTS)
    by_zone = render("parts_awaited", "zh_Hant", ZoneInfo("Asia/Taipei"), PARTS)
    assert by_name == by_zone and "上午9:30" in by_name.body
    assert format_datetime(AT, "en", ZoneInfo("Asia/Shanghai")) == format_datetime(AT, "en", "Asia/Shanghai")
    assert format_money(Money("12.50", "CNY"), "zh_Hans") == "¥12.50"
    assert render_reason(Reason("severity", {"severity": "high"}), "en") == "severity is high"
