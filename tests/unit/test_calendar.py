"""BusinessCalendar: hand-checked examples on the China mainland 2025–2026 arrangement, DST, 24/7, errors.

The holiday lists below are typed in from the State Council notices (国办发明电〔2024〕12号 for 2025,
〔2025〕7号 for 2026), independently of the ``holidays`` package, which the integration tests compare to them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftersales.domain.calendar import CHINA_OFFICE_HOURS, BusinessCalendar
from aftersales.errors import CalendarDataMissing, NaiveDatetimeError, ValidationError

SH = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


CN_HOLIDAYS_2025_2026 = [
    date(2025, 1, 1),
    *days(date(2025, 1, 28), date(2025, 2, 4)),
    *days(date(2025, 4, 4), date(2025, 4, 6)),
    *days(date(2025, 5, 1), date(2025, 5, 5)),
    *days(date(2025, 5, 31), date(2025, 6, 2)),
    *days(date(2025, 10, 1), date(2025, 10, 8)),
    *days(date(2026, 1, 1), date(2026, 1, 3)),
    *days(date(2026, 2, 15), date(2026, 2, 23)),
    *days(date(2026, 4, 4), date(2026, 4, 6)),
    *days(date(2026, 5, 1), date(2026, 5, 5)),
    *days(date(2026, 6, 19), date(2026, 6, 21)),
    *days(date(2026, 9, 25), date(2026, 9, 27)),
    *days(date(2026, 10, 1), date(2026, 10, 7)),
]
CN_MAKEUP_2025_2026 = [
    date(2025, 1, 26),
    date(2025, 2, 8),
    date(2025, 4, 27),
    date(2025, 9, 28),
    date(2025, 10, 11),
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
]


@pytest.fixture(scope="module")
def cn() -> BusinessCalendar:
    return BusinessCalendar(
        "Asia/Shanghai",
        dict.fromkeys(range(5), CHINA_OFFICE_HOURS),
        holidays=CN_HOLIDAYS_2025_2026,
        extra_workdays=CN_MAKEUP_2025_2026,
        known_from=date(2025, 1, 1),
        known_until=date(2026, 12, 31),
        source_name="State Council 2025–2026",
    )


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)  # type: ignore[misc]


H = timedelta(hours=1)


# -- China mainland, hand-checked ------------------------------------------------------------------------


def test_national_day_2025_days_off_and_make_up_days(cn: BusinessCalendar) -> None:
    assert [cn.is_working_day(d) for d in days(date(2025, 10, 1), date(2025, 10, 8))] == [False] * 8
    assert cn.is_working_day(date(2025, 9, 28))  # Sunday, make-up day
    assert cn.is_working_day(date(2025, 10, 11))  # Saturday, make-up day
    assert not cn.is_working_day(date(2025, 10, 12))
    assert cn.is_working_time(sh(2025, 9, 28, 10))
    # Fri 26 Sep 18:00 → Mon 13 Oct 09:00: Sep 28, 29, 30, Oct 9, 10, 11 = six office days.
    assert cn.between(sh(2025, 9, 26, 18), sh(2025, 10, 13, 9)) == 48 * H


def test_national_day_2025_clock_jumps_the_holiday(cn: BusinessCalendar) -> None:
    assert cn.add(sh(2025, 9, 30, 17), 2 * H) == sh(2025, 10, 9, 10)
    assert cn.add(sh(2025, 9, 26, 17, 30), H) == sh(2025, 9, 28, 9, 30)


def test_spring_festival_2026(cn: BusinessCalendar) -> None:
    assert cn.add(sh(2026, 2, 13, 17), 2 * H) == sh(2026, 2, 14, 10)  # Saturday 14 Feb works
    assert cn.add(sh(2026, 2, 14, 17), 2 * H) == sh(2026, 2, 24, 10)  # 15–23 Feb off
    assert cn.between(sh(2026, 2, 14, 18), sh(2026, 2, 24, 9)) == timedelta(0)
    assert cn.next_working_time(sh(2026, 2, 18, 10)) == sh(2026, 2, 24, 9)
    assert cn.is_working_day(date(2026, 2, 28))


def test_ticket_received_friday_1730(cn: BusinessCalendar) -> None:
    received = sh(2025, 11, 14, 17, 30)
    assert cn.add(received, 4 * H) == sh(
        2025, 11, 17, 13, 30
    )  # 0.5 h Fri, 3 h Mon morning, 0.5 h after lunch
    assert cn.add(received, 30 * timedelta(minutes=1)) == sh(2025, 11, 14, 18)  # ends at the window's end


def test_ticket_received_during_lunch(cn: BusinessCalendar) -> None:
    received = sh(2025, 11, 12, 12, 15)
    assert not cn.is_working_time(received)
    assert cn.next_working_time(received) == sh(2025, 11, 12, 13)
    assert cn.add(received, H) == sh(2025, 11, 12, 14)
    assert cn.between(received, sh(2025, 11, 12, 13, 30)) == timedelta(minutes=30)
    assert not cn.is_working_time(sh(2025, 11, 12, 12))  # windows are half-open


def test_ticket_received_on_a_holiday(cn: BusinessCalendar) -> None:
    received = sh(2025, 10, 3, 10)
    assert cn.add(received, 8 * H) == sh(2025, 10, 9, 18)
    assert cn.add_days(received, 3) == sh(2025, 10, 11, 18)  # Oct 9, 10 and the make-up Saturday


def test_pause_over_a_weekend(cn: BusinessCalendar) -> None:
    started, paused, resumed = sh(2025, 11, 13, 10), sh(2025, 11, 14, 16), sh(2025, 11, 17, 10)
    assert cn.between(paused, resumed) == 3 * H  # Fri 16–18 and Mon 9–10 count, the weekend does not
    used = cn.between(started, paused)
    assert used == 13 * H
    assert cn.add(resumed, 16 * H - used) == sh(2025, 11, 17, 14)


def test_24_calendar_hours_versus_3_working_days(cn: BusinessCalendar) -> None:
    received = sh(2025, 11, 14, 17, 30)
    assert received + 24 * H == sh(2025, 11, 15, 17, 30)  # a calendar-hours target ignores the calendar
    assert cn.add_days(received, 3) == sh(2025, 11, 19, 18)  # end of Wednesday
    assert cn.add(received, 24 * H) == sh(2025, 11, 19, 17, 30)  # three office days of working time


def test_add_days_zero_and_working_day_start(cn: BusinessCalendar) -> None:
    assert cn.add_days(sh(2025, 11, 12, 10), 0) == sh(2025, 11, 12, 18)
    assert cn.add_days(sh(2025, 11, 12, 18), 0) == sh(2025, 11, 13, 18)
    assert cn.add_days(sh(2025, 11, 12, 10), 1) == sh(2025, 11, 13, 18)
    assert cn.add_days(sh(2025, 12, 30, 10), 3) == sh(
        2026, 1, 5, 18
    )  # Dec 31, Jan 4 (Sunday, make-up), Jan 5
    with pytest.raises(ValidationError):
        cn.add_days(sh(2025, 11, 12, 10), -1)


def test_results_come_back_in_the_calendars_zone(cn: BusinessCalendar) -> None:
    result = cn.add(datetime(2025, 11, 12, 1, tzinfo=UTC), H)  # 09:00 in Shanghai
    assert result == sh(2025, 11, 12, 10)
    assert result.tzinfo == SH
    assert cn.add(datetime(2025, 11, 12, 1, tzinfo=UTC), timedelta(0)).tzinfo == SH


# -- known range -----------------------------------------------------------------------------------------


def test_beyond_known_data_raises(cn: BusinessCalendar) -> None:
    with pytest.raises(CalendarDataMissing) as info:
        cn.is_working_time(sh(2027, 1, 4, 10))
    assert info.value.asked == date(2027, 1, 4)
    assert info.value.known_until == date(2026, 12, 31)
    assert "State Council" in str(info.value)
    with pytest.raises(CalendarDataMissing):
        cn.between(sh(2026, 12, 1, 9), sh(2027, 1, 5, 9))
    with pytest.raises(CalendarDataMissing):
        cn.is_working_day(date(2027, 1, 1))
    with pytest.raises(CalendarDataMissing):
        cn.add(sh(2024, 12, 31, 10), H)


def test_add_that_runs_past_known_data_raises(cn: BusinessCalendar) -> None:
    assert cn.add(sh(2026, 12, 31, 17), H) == sh(2026, 12, 31, 18)  # the very last known minute is fine
    with pytest.raises(CalendarDataMissing) as info:
        cn.add(sh(2026, 12, 31, 17), 2 * H)
    assert info.value.asked == date(2027, 1, 1)
    with pytest.raises(CalendarDataMissing):
        cn.add_days(sh(2026, 12, 30, 10), 2)
    with pytest.raises(CalendarDataMissing):
        cn.next_working_time(sh(2026, 12, 31, 19))


# -- 24/7, DST -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("end", [time(0, 0), time.max])
def test_24_7_loses_nothing_at_midnight_or_new_year(end: time) -> None:
    always = BusinessCalendar("Asia/Shanghai", {key: [(time(0, 0), end)] for key in range(7)})
    assert always.between(sh(2025, 12, 31, 23, 30), sh(2026, 1, 1, 0, 30)) == H
    assert always.add(sh(2025, 12, 31, 23, 59), timedelta(minutes=2)) == sh(2026, 1, 1, 0, 1)
    assert always.is_working_time(sh(2026, 1, 1))
    assert always.between(sh(2024, 1, 1), sh(2026, 1, 1)) == timedelta(days=731)
    assert always.weekly_hours[3] == ((time(0, 0), time(0, 0)),)


def test_dst_spring_forward_berlin() -> None:
    always = BusinessCalendar("Europe/Berlin", {key: [(time(0), time(0))] for key in range(7)})
    saturday_noon = datetime(2025, 3, 29, 12, tzinfo=BERLIN)
    assert always.between(saturday_noon, datetime(2025, 3, 30, 12, tzinfo=BERLIN)) == 23 * H
    assert always.add(saturday_noon, 24 * H) == datetime(2025, 3, 30, 13, tzinfo=BERLIN)
    night = BusinessCalendar("Europe/Berlin", {6: [(time(1), time(4))]})
    sunday = datetime(2025, 3, 30, tzinfo=BERLIN)
    assert night.between(sunday, sunday + timedelta(days=1)) == 2 * H  # 02:00–03:00 does not exist
    assert night.add(sunday, 90 * timedelta(minutes=1)) == datetime(2025, 3, 30, 3, 30, tzinfo=BERLIN)


def test_dst_fall_back_berlin_counts_the_repeated_hour() -> None:
    office = BusinessCalendar("Europe/Berlin", {6: [(time(0), time(0))]})
    sunday = datetime(2025, 10, 26, tzinfo=BERLIN)
    assert office.between(sunday, datetime(2025, 10, 27, tzinfo=BERLIN)) == 25 * H


def test_dst_office_hours_keep_wall_clock_times() -> None:
    office = BusinessCalendar("Europe/Berlin", {key: [(time(9), time(17))] for key in range(5)})
    friday = datetime(2025, 3, 28, 16, tzinfo=BERLIN)
    assert office.add(friday, 2 * H) == datetime(2025, 3, 31, 10, tzinfo=BERLIN)
    assert office.add(friday, 2 * H).utcoffset() == timedelta(hours=2)


# -- construction and refusal ----------------------------------------------------------------------------


def test_make_up_day_hours_default_and_parameter() -> None:
    saturday = date(2025, 10, 11)
    default = BusinessCalendar("Asia/Shanghai", {0: [(time(8), time(12))]}, extra_workdays=[saturday])
    assert default.between(sh(2025, 10, 11), sh(2025, 10, 12)) == 4 * H
    short = BusinessCalendar(
        "Asia/Shanghai",
        {0: [(time(8), time(12))]},
        extra_workdays=[saturday],
        extra_workday_hours=[(time(10), time(11))],
    )
    assert short.between(sh(2025, 10, 11), sh(2025, 10, 12)) == H
    assert short.extra_workday_hours == ((time(10), time(11)),)


def test_between_is_antisymmetric(cn: BusinessCalendar) -> None:
    assert cn.between(sh(2025, 11, 13, 10), sh(2025, 11, 12, 10)) == -8 * H


def test_calendars_compare_by_their_rules(cn: BusinessCalendar) -> None:
    again = BusinessCalendar(
        "Asia/Shanghai",
        dict.fromkeys(range(5), CHINA_OFFICE_HOURS),
        holidays=CN_HOLIDAYS_2025_2026,
        extra_workdays=CN_MAKEUP_2025_2026,
        known_from=date(2025, 1, 1),
        known_until=date(2026, 12, 31),
        source_name="State Council 2025–2026",
    )
    assert again == cn


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"weekly_hours": {0: [(time(9), time(12)), (time(11), time(14))]}}, "weekly_hours[0]"),
        ({"weekly_hours": {0: [(time(12), time(9))]}}, "weekly_hours[0][0]"),
        ({"weekly_hours": {7: [(time(9), time(12))]}}, "weekly_hours"),
        ({"weekly_hours": {}}, "weekly_hours"),
        ({"weekly_hours": {0: [(time(9, tzinfo=UTC), time(12))]}}, "weekly_hours[0][0]"),
        ({"holidays": [datetime(2025, 1, 1, tzinfo=UTC)]}, "holidays"),
        ({"holidays": [date(2025, 1, 4)], "extra_workdays": [date(2025, 1, 4)]}, "extra_workdays"),
        ({"known_from": date(2026, 1, 1), "known_until": date(2025, 1, 1)}, "known_from"),
        ({"extra_workday_hours": []}, "extra_workday_hours"),
    ],
)
def test_bad_construction_is_refused(kwargs: dict[str, object], field: str) -> None:
    arguments: dict[str, object] = {"timezone": "Asia/Shanghai", "weekly_hours": {0: [(time(9), time(12))]}}
    arguments.update(kwargs)
    with pytest.raises(ValidationError) as info:
        BusinessCalendar(**arguments)  # type: ignore[arg-type]
    assert info.value.field == field


def test_naive_datetimes_and_negative_durations_are_refused(cn: BusinessCalendar) -> None:
    naive = datetime(2025, 11, 12, 10)
    with pytest.raises(NaiveDatetimeError):
        cn.add(naive, H)
    with pytest.raises(NaiveDatetimeError):
        cn.between(sh(2025, 11, 12, 10), naive)
    with pytest.raises(NaiveDatetimeError):
        cn.is_working_time(naive)
    with pytest.raises(NaiveDatetimeError):
        cn.next_working_time(naive)
    with pytest.raises(ValidationError) as info:
        cn.add(sh(2025, 11, 12, 10), -H)
    assert info.value.field == "duration"
