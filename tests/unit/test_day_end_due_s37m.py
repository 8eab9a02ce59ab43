"""Notices worded for their reader (session 37 m): a due at a day's end reads as that day's end; a support
topic reads in words where the catalog has them.

A maintenance visit due on 16 March is due at the instant 17 March 00:00 (Shanghai); the dealer read
"请在 2026年3月17日 00:00 前" (zh_Hant "午夜12:00", en "12:00 AM"): correct, but it reads as the 17th.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from aftersales.i18n.notifications import render
from aftersales.i18n.values import CodeWords

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _assigned(due: datetime, locale: str) -> str:
    values = {
        "ticket_id": "MV-1",
        "customer_name": "张三",
        "address": "上海",
        "category": "maintenance",
        "priority": "normal",
        "resolution_due_at": due,
    }
    return render("assigned", locale, SHANGHAI, values).body


@pytest.mark.parametrize(
    ("locale", "day_end", "seventeenth"),
    [
        ("zh_Hans", "2026年3月16日 24:00", "3月17日"),
        ("zh_Hant", "2026年3月16日 24:00", "3月17日"),
        ("en", "end of Mar 16, 2026", "Mar 17"),
    ],
)
def test_a_due_at_midnight_reads_as_the_end_of_the_day_before(
    locale: str, day_end: str, seventeenth: str
) -> None:
    body = _assigned(datetime(2026, 3, 17, tzinfo=SHANGHAI), locale)
    assert day_end in body and seventeenth not in body
    # Midnight of the reader's zone, not the desk's: 16:00 UTC is midnight in Shanghai only.
    assert day_end in _assigned(datetime(2026, 3, 16, 16, 0, tzinfo=ZoneInfo("UTC")), locale)
    # Any other instant reads as it did.
    assert seventeenth in _assigned(datetime(2026, 3, 17, 0, 1, tzinfo=SHANGHAI), locale)


@pytest.mark.parametrize(
    ("locale", "words"),
    [("zh_Hans", "（冲水阀安装）"), ("zh_Hant", "（沖水閥安裝）"), ("en", "flush valve fitting")],
)
def test_a_support_topic_reads_in_words_where_the_catalog_has_them(locale: str, words: str) -> None:
    def told(topic: str) -> str:
        values = {
            "support_id": "TS-1",
            "ticket_id": "SR-1",
            "answer": "调浮球",
            "topic": CodeWords("support_topic", topic),
        }
        return render("technical_support_answered", locale, SHANGHAI, values).body

    assert words in told("flush_valve_fitting")
    assert "wall_mounting" in told("wall_mounting")  # a code nobody worded still says which it was
