"""Holiday source adapters: the ``holidays`` package (CN), TOML lists and iCalendar files."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.holidays_cn import ChinaHolidays, china_mainland_calendar, official_data_until
from aftersales.adapters.holidays_ics import IcsHolidays
from aftersales.adapters.holidays_toml import TomlHolidays
from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.holiday_data import HolidaySource
from aftersales.errors import CalendarDataMissing, ConfigurationError

SH = ZoneInfo("Asia/Shanghai")

# Typed in from the State Council notices for 2025 and 2026 (weekdays off and weekend make-up days).
OFF_2025_2026 = {
    date(2025, 1, 1), date(2025, 1, 28), date(2025, 1, 29), date(2025, 1, 30), date(2025, 1, 31),
    date(2025, 2, 3), date(2025, 2, 4), date(2025, 4, 4), date(2025, 5, 1), date(2025, 5, 2),
    date(2025, 5, 5), date(2025, 6, 2), date(2025, 10, 1), date(2025, 10, 2), date(2025, 10, 3),
    date(2025, 10, 6),
    date(2025, 10, 7), date(2025, 10, 8), date(2026, 1, 1), date(2026, 1, 2), date(2026, 2, 16),
    date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19), date(2026, 2, 20), date(2026, 2, 23),
    date(2026, 4, 6), date(2026, 5, 1), date(2026, 5, 4), date(2026, 5, 5), date(2026, 6, 19),
    date(2026, 9, 25), date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 5), date(2026, 10, 6),
    date(2026, 10, 7),
}  # fmt: skip
MAKE_UP_2025_2026 = {
    date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11),
    date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20),
    date(2026, 10, 10),
}  # fmt: skip


def test_china_source_matches_the_state_council_for_2025_and_2026() -> None:
    calendar = china_mainland_calendar()
    day = date(2025, 1, 1)
    while day <= date(2026, 12, 31):
        expected = (day.weekday() < 5 and day not in OFF_2025_2026) or day in MAKE_UP_2025_2026
        assert calendar.is_working_day(day) == expected, day
        day += timedelta(days=1)


def test_china_source_is_a_holiday_source_with_official_range() -> None:
    source = ChinaHolidays()
    assert isinstance(source, HolidaySource)
    assert source.known_until == official_data_until()
    assert source.known_until >= date(2026, 12, 31)
    assert source.known_from == date(2001, 1, 1)
    assert source.extra_workdays() >= MAKE_UP_2025_2026
    assert not source.holidays() & source.extra_workdays()
    assert "holidays" in source.name


def test_china_source_refuses_estimated_years() -> None:
    beyond = official_data_until() + timedelta(days=1)
    with pytest.raises(ConfigurationError) as info:
        ChinaHolidays(known_until=beyond)
    assert info.value.key == "known_until"


def test_china_calendar_raises_after_official_data_without_a_provisional_year() -> None:
    calendar = china_mainland_calendar(provisional_years=0)
    after = official_data_until() + timedelta(days=3)
    with pytest.raises(CalendarDataMissing) as info:
        calendar.is_working_time(datetime(after.year, after.month, after.day, 10, tzinfo=SH))
    assert info.value.known_until == official_data_until()


def test_domain_classmethod_with_a_source() -> None:
    assert BusinessCalendar.china_mainland(ChinaHolidays()) == china_mainland_calendar(provisional_years=0)
    narrow = ChinaHolidays(known_from=date(2025, 1, 1), known_until=date(2025, 12, 31))
    calendar = china_mainland_calendar(narrow)
    assert calendar.known_until == date(2025, 12, 31)
    with pytest.raises(CalendarDataMissing):
        calendar.is_working_day(date(2026, 1, 5))


# -- TOML ------------------------------------------------------------------------------------------------

TOML = """
name = "Shanghai office"
known_from = 2025-09-01
known_until = 2025-10-31
holidays = [2025-10-01, 2025-10-02, 2025-10-03, 2025-10-06, 2025-10-07, "2025-10-08"]
extra_workdays = [2025-09-28, 2025-10-11]
"""


def test_toml_source_builds_the_national_day_calendar(tmp_path: Path) -> None:
    path = tmp_path / "cn.toml"
    path.write_text(TOML, encoding="utf-8")
    source = TomlHolidays.from_file(path)
    assert isinstance(source, HolidaySource)
    assert source.name == "Shanghai office"
    assert date(2025, 10, 8) in source.holidays()
    calendar = china_mainland_calendar(source)
    assert calendar.add(datetime(2025, 9, 30, 17, tzinfo=SH), timedelta(hours=2)) == datetime(
        2025, 10, 9, 10, tzinfo=SH
    )
    with pytest.raises(CalendarDataMissing):
        calendar.is_working_day(date(2025, 11, 3))


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("known_until = 2025-12-31\n", "known_from"),
        ("known_from = 2025-01-01\nknown_until = 2025-12-31\nholidays = [2025-01-01, 42]\n", "holidays[1]"),
        ("known_from = 2025-01-01\nknown_until = 2025-12-31\nholidays = [2026-01-01]\n", "holidays[0]"),
        ("known_from = 2025-01-01\nknown_until = 2025-12-31\nholiday = []\n", "holiday"),
        ("known_from = 2025-01-01\nknown_until = 2025-12-31\nholidays = 2025-01-01\n", "holidays"),
        (
            "known_from = 2025-01-01\nknown_until = 2025-12-31\nholidays = [2025-01-04T10:00:00]\n",
            "holidays[0]",
        ),
        (
            "known_from = 2025-01-01\nknown_until = 2025-12-31\nholidays = [2025-01-04]\n"
            "extra_workdays = [2025-01-04]\n",
            "extra_workdays",
        ),
        ("known_from = 2026-01-01\nknown_until = 2025-12-31\n", "known_from"),
    ],
)
def test_toml_errors_name_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError) as info:
        TomlHolidays.from_file(path)
    assert info.value.file == str(path)
    assert info.value.key == key
    assert str(path) in str(info.value)


def test_toml_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError) as info:
        TomlHolidays.from_file(tmp_path / "missing.toml")
    assert info.value.file == str(tmp_path / "missing.toml")
    with pytest.raises(ConfigurationError):
        TomlHolidays.from_string("known_from = [", file="x.toml")


# -- iCalendar -------------------------------------------------------------------------------------------


def ics(*events: str, name: str = "中国节假日") -> bytes:
    body = "".join(
        f"BEGIN:VEVENT\r\nUID:{n}@test\r\nDTSTAMP:20250101T000000Z\r\n{e}END:VEVENT\r\n"
        for n, e in enumerate(events)
    )
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nX-WR-CALNAME:{name}\r\n{body}END:VCALENDAR\r\n"
    ).encode()


NATIONAL_DAY_ICS = ics(
    "DTSTART;VALUE=DATE:20251001\r\nDTEND;VALUE=DATE:20251009\r\nSUMMARY:国庆节、中秋节 休\r\n",
    "DTSTART;VALUE=DATE:20250928\r\nSUMMARY:班\r\n",
    "DTSTART;VALUE=DATE:20251011\r\nSUMMARY:国庆节 补班\r\n",
    "DTSTART;VALUE=DATE:20251101\r\nSUMMARY:Company day\r\nCATEGORIES:WORKDAY\r\n",
    "DTSTART:20251015T100000Z\r\nDTEND:20251015T110000Z\r\nSUMMARY:meeting, not a day off\r\n",
)


def test_ics_source_reads_all_day_events_and_make_up_markers(tmp_path: Path) -> None:
    path = tmp_path / "cn.ics"
    path.write_bytes(NATIONAL_DAY_ICS)
    source = IcsHolidays.from_file(path)
    assert isinstance(source, HolidaySource)
    assert source.name == "中国节假日"
    assert source.holidays() == {date(2025, 10, d) for d in range(1, 9)}
    assert source.extra_workdays() == {date(2025, 9, 28), date(2025, 10, 11), date(2025, 11, 1)}
    assert (source.known_from, source.known_until) == (date(2025, 1, 1), date(2025, 12, 31))
    calendar = china_mainland_calendar(source)
    assert calendar.add(datetime(2025, 9, 26, 17, 30, tzinfo=SH), timedelta(hours=1)) == datetime(
        2025, 9, 28, 9, 30, tzinfo=SH
    )
    assert calendar.is_working_day(date(2025, 10, 15))


def test_ics_known_range_can_be_given() -> None:
    source = IcsHolidays.from_bytes(
        NATIONAL_DAY_ICS, known_from=date(2025, 9, 1), known_until=date(2025, 10, 31)
    )
    assert date(2025, 11, 1) not in source.extra_workdays()
    assert source.known_until == date(2025, 10, 31)


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (ics("DTSTART;VALUE=DATE:20250101\r\nRRULE:FREQ=YEARLY\r\nSUMMARY:元旦\r\n"), "VEVENT[0]"),
        (ics("DTSTART;VALUE=DATE:20250105\r\nDTEND;VALUE=DATE:20250104\r\nSUMMARY:x\r\n"), "VEVENT[0]"),
        (
            ics(
                "DTSTART;VALUE=DATE:20250104\r\nSUMMARY:休\r\n",
                "DTSTART;VALUE=DATE:20250104\r\nSUMMARY:班\r\n",
            ),
            "VEVENT[1]",  # the second event, which contradicts the first (s18: the event is named)
        ),
        (ics("DTSTART:20250104T100000Z\r\nSUMMARY:only timed\r\n"), None),
        (b"this is not a calendar", None),
    ],
)
def test_ics_errors(data: bytes, key: str | None) -> None:
    with pytest.raises(ConfigurationError) as info:
        IcsHolidays.from_bytes(data, file="feed.ics")
    assert info.value.file == "feed.ics"
    assert info.value.key == key
