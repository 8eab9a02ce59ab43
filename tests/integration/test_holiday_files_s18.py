"""Hostile or broken holiday files (TOML, .ics) are refused with a ConfigurationError naming the file and
the key, never read as something else and never with an untyped exception.

Why it matters (seeds 001/003: 工作日, 工作小时): a holiday file decides which days are working days.
Before, an .ics event whose DTSTART or DTEND could not be read was skipped or cut to one day (its days
off counted as working days, silently), a GBK-encoded feed's make-up day "班" was read as a holiday, a
huge DURATION raised OverflowError, a TOML file that was not UTF-8 raised UnicodeDecodeError, and
``known_from="2025-01-01"`` raised TypeError.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aftersales.adapters.holiday_files import MAX_HOLIDAY_FILE_BYTES
from aftersales.adapters.holidays_cn import ChinaHolidays
from aftersales.adapters.holidays_ics import IcsHolidays
from aftersales.adapters.holidays_toml import TomlHolidays
from aftersales.errors import ConfigurationError


def ics(*events: str) -> str:
    body = "".join(
        f"BEGIN:VEVENT\r\nUID:{n}@test\r\nDTSTAMP:20250101T000000Z\r\n{e}END:VEVENT\r\n"
        for n, e in enumerate(events)
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n"


NATIONAL_DAY = "DTSTART;VALUE=DATE:20251001\r\nDTEND;VALUE=DATE:20251009\r\nSUMMARY:国庆节 休\r\n"


@pytest.mark.parametrize(
    ("event", "key"),
    [
        ("DTSTART;VALUE=DATE:20251301\r\nSUMMARY:休\r\n", "VEVENT[1].DTSTART"),  # no 13th month
        ("DTSTART:garbage\r\nSUMMARY:休\r\n", "VEVENT[1].DTSTART"),
        ("DTSTART;VALUE=DATE:20251001\r\nDTEND;VALUE=DATE:2025xx08\r\nSUMMARY:休\r\n", "VEVENT[1].DTEND"),
        ("DTSTART;VALUE=DATE:20251001\r\nDURATION:garbage\r\nSUMMARY:休\r\n", "VEVENT[1].DURATION"),
        # A date start with a date-time end: were 1–3 or 1–4 October meant? Not one day silently.
        ("DTSTART;VALUE=DATE:20251001\r\nDTEND:20251004T000000Z\r\nSUMMARY:休\r\n", "VEVENT[1].DTEND"),
        ("DTSTART;VALUE=DATE:20251001\r\nDTSTART;VALUE=DATE:20251005\r\nSUMMARY:休\r\n", "VEVENT[1].DTSTART"),
        ("DTSTART;VALUE=DATE:20251001\r\nDURATION:P9999999D\r\nSUMMARY:休\r\n", "VEVENT[1]"),
        ("DTSTART;VALUE=DATE:00010101\r\nDTEND;VALUE=DATE:99991231\r\nSUMMARY:休\r\n", "VEVENT[1]"),
    ],
)
def test_an_unreadable_or_absurd_event_is_refused_not_skipped(event: str, key: str) -> None:
    data = ics("DTSTART;VALUE=DATE:20250101\r\nSUMMARY:元旦\r\n", event).encode()
    with pytest.raises(ConfigurationError) as raised:
        IcsHolidays.from_bytes(data, file="feed.ics")
    assert raised.value.file == "feed.ics" and raised.value.key == key


def test_a_contradiction_names_both_events() -> None:
    data = ics(NATIONAL_DAY, "DTSTART;VALUE=DATE:20251004\r\nSUMMARY:国庆节 班\r\n").encode()
    with pytest.raises(ConfigurationError) as raised:
        IcsHolidays.from_bytes(data, file="feed.ics")
    assert raised.value.key == "VEVENT[1]" and "VEVENT[0]" in str(raised.value)
    assert "2025-10-04" in str(raised.value)


def test_an_ics_feed_that_is_not_utf8_is_refused() -> None:
    # GBK bytes of "国庆节 补班": read as UTF-8 they were mojibake, and the make-up day became a holiday.
    data = ics("DTSTART;VALUE=DATE:20251011\r\nSUMMARY:国庆节 补班\r\n").encode("gbk")
    with pytest.raises(ConfigurationError) as raised:
        IcsHolidays.from_bytes(data, file="gbk.ics")
    assert raised.value.file == "gbk.ics" and "UTF-8" in str(raised.value)
    # UTF-8 with a byte-order mark is still UTF-8.
    utf8 = IcsHolidays.from_bytes(
        b"\xef\xbb\xbf" + ics("DTSTART;VALUE=DATE:20251011\r\nSUMMARY:补班\r\n").encode()
    )
    assert utf8.extra_workdays() == {date(2025, 10, 11)}


def test_a_toml_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cn.toml"
    path.write_bytes('name = "国务院安排"\nknown_from = 2027-01-01\nknown_until = 2027-12-31\n'.encode("gbk"))
    with pytest.raises(ConfigurationError) as raised:
        TomlHolidays.from_file(path)
    assert raised.value.file == str(path) and "UTF-8" in str(raised.value)


@pytest.mark.parametrize("reader", [TomlHolidays.from_file, IcsHolidays.from_file])
def test_a_huge_file_is_refused_before_it_is_read(reader: object, tmp_path: Path) -> None:
    path = tmp_path / "huge"
    with path.open("wb") as out:
        out.truncate(MAX_HOLIDAY_FILE_BYTES + 1)
    with pytest.raises(ConfigurationError) as raised:
        reader(path)  # type: ignore[operator]
    assert raised.value.file == str(path) and "larger" in str(raised.value)


def test_wrong_argument_types_are_refused_naming_the_key() -> None:
    data = ics(NATIONAL_DAY).encode()
    with pytest.raises(ConfigurationError) as raised:
        IcsHolidays.from_bytes(data, known_from="2025-01-01")  # type: ignore[arg-type]
    assert raised.value.key == "known_from"
    with pytest.raises(ConfigurationError) as raised:
        ChinaHolidays(known_until="2026-12-31")  # type: ignore[arg-type]
    assert raised.value.key == "known_until"
    with pytest.raises(ConfigurationError):
        TomlHolidays.from_string(b"known_from = 2025-01-01")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError) as raised:
        TomlHolidays.from_file(None)  # type: ignore[arg-type]
    assert raised.value.key == "path"


def test_days_off_exported_as_midnight_to_midnight_events_are_days_off() -> None:
    """Some feeds export each day off as a timed event from 00:00 to 00:00; they were ignored as timed
    events, so in a feed mixing them with all-day events those days silently stayed working days. A
    timed event of a few hours (a meeting on the company calendar) is still no day off."""
    feed = ics(
        NATIONAL_DAY,
        "DTSTART;TZID=Asia/Shanghai:20251231T000000\r\nDTEND;TZID=Asia/Shanghai:20260102T000000\r\n"
        "SUMMARY:元旦 休\r\n",
        "DTSTART:20251011T000000\r\nDURATION:P1D\r\nSUMMARY:补班\r\n",
        "DTSTART;TZID=Asia/Shanghai:20251120T140000\r\nDTEND;TZID=Asia/Shanghai:20251120T160000\r\n"
        "SUMMARY:年会\r\n",
    )
    source = IcsHolidays.from_bytes(feed, file="feed.ics")
    assert {date(2025, 12, 31), date(2026, 1, 1)} <= source.holidays()
    assert date(2026, 1, 2) not in source.holidays()
    assert date(2025, 10, 11) in source.extra_workdays()
    assert date(2025, 11, 20) not in source.holidays()
