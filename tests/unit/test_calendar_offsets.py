"""The batch primitives ``offsets``/``instant_at`` agree with ``between``/``add`` (Hypothesis + examples)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.domain.calendar import CHINA_OFFICE_HOURS, BusinessCalendar
from aftersales.errors import CalendarDataMissing, NaiveDatetimeError, ValidationError

SH = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
US = timedelta(microseconds=1)


def china() -> BusinessCalendar:
    return BusinessCalendar(
        "Asia/Shanghai",
        dict.fromkeys(range(5), CHINA_OFFICE_HOURS),
        holidays=[date(2025, 10, d) for d in range(1, 9)],
        extra_workdays=[date(2025, 9, 28), date(2025, 10, 11)],
        known_from=date(2024, 1, 1),
        known_until=date(2026, 12, 31),
    )


CN = china()
FROM = datetime(2024, 1, 1, tzinfo=SH)
instants = st.integers(0, 3 * 365 * 24 * 3600 - 1).map(lambda seconds: FROM + timedelta(seconds=seconds))
durations = st.integers(1, 400 * 8 * 3600 * 10**6).map(lambda us: timedelta(microseconds=us))
FAST = settings(max_examples=100, deadline=None)


@FAST
@given(st.lists(instants, min_size=2, max_size=6))
def test_differences_of_offsets_are_between(points: list[datetime]) -> None:
    found = CN.offsets(points)
    assert len(found) == len(points)
    for a, oa in zip(points, found, strict=True):
        for b, ob in zip(points, found, strict=True):
            assert CN.between(a, b) == US * (ob - oa)


@FAST
@given(instants, durations)
def test_instant_at_of_offset_plus_duration_is_add(start: datetime, duration: timedelta) -> None:
    try:
        expected = CN.add(start, duration)
    except CalendarDataMissing:
        with pytest.raises(CalendarDataMissing):
            CN.instant_at(CN.offsets([start])[0] + duration // US)
        return
    found = CN.instant_at(CN.offsets([start])[0] + duration // US)
    assert found == expected
    assert found.tzinfo == SH


@FAST
@given(instants, durations)
def test_last_instant_is_the_next_working_time(start: datetime, duration: timedelta) -> None:
    target = CN.offsets([start])[0] + duration // US
    try:
        earliest = CN.instant_at(target)
        expected = CN.next_working_time(earliest)
    except CalendarDataMissing:
        return
    latest = CN.instant_at(target, last=True)
    assert latest == expected
    assert CN.offsets([earliest, latest]) == [target, target]


@FAST
@given(instants, instants)
def test_offsets_are_monotonic_and_stable_on_a_fresh_calendar(a: datetime, b: datetime) -> None:
    calendar = china()  # compile years in the order asked: offsets must not shift when earlier years compile
    first = calendar.offsets([b])[0]
    low, high = calendar.offsets(sorted((a, b)))
    assert low <= high
    assert calendar.offsets([b])[0] == first


def test_instant_at_inverts_offsets_inside_working_time() -> None:
    at = datetime(2025, 9, 26, 10, 15, 0, 7, tzinfo=SH)
    assert CN.instant_at(CN.offsets([at])[0]) == at
    assert CN.instant_at(CN.offsets([at])[0], last=True) == at


def test_outside_working_time_earliest_is_window_end_and_latest_next_start() -> None:
    friday_evening = datetime(2025, 9, 26, 20, 0, tzinfo=SH)  # next working day is the make-up Sunday 28th
    offset = CN.offsets([friday_evening])[0]
    assert CN.instant_at(offset) == datetime(2025, 9, 26, 18, 0, tzinfo=SH)
    assert CN.instant_at(offset, last=True) == datetime(2025, 9, 28, 9, 0, tzinfo=SH)


def test_offsets_accept_any_zone_and_empty_batches() -> None:
    at = datetime(2025, 3, 3, 10, 0, tzinfo=SH)
    assert CN.offsets([at]) == CN.offsets([at.astimezone(BERLIN)])
    assert CN.offsets([]) == []
    assert CN.offsets(iter([at])) == CN.offsets((at,))


def test_offsets_refuse_naive_and_unknown_instants() -> None:
    with pytest.raises(NaiveDatetimeError):
        CN.offsets([datetime(2025, 3, 3, 10, 0, tzinfo=SH), datetime(2025, 3, 3, 11, 0)])
    with pytest.raises(CalendarDataMissing) as missing:
        CN.offsets([datetime(2025, 3, 3, tzinfo=SH), datetime(2027, 1, 4, 10, 0, tzinfo=SH)])
    assert missing.value.asked == date(2027, 1, 4)
    with pytest.raises(CalendarDataMissing):
        CN.offsets([datetime(2023, 12, 29, 10, 0, tzinfo=SH)])


def test_instant_at_beyond_the_data_is_missing() -> None:
    last = CN.offsets([datetime(2026, 12, 31, 18, 0, tzinfo=SH)])[0]
    assert CN.instant_at(last) == datetime(2026, 12, 31, 18, 0, tzinfo=SH)
    with pytest.raises(CalendarDataMissing):
        CN.instant_at(last + 1)
    with pytest.raises(CalendarDataMissing):
        CN.instant_at(last, last=True)  # working time would resume only after the data ends
    first = CN.offsets([datetime(2024, 1, 1, 9, 0, tzinfo=SH)])[0]
    assert CN.instant_at(first + 1) == datetime(2024, 1, 1, 9, 0, 0, 1, tzinfo=SH)
    with pytest.raises(CalendarDataMissing):
        CN.instant_at(first)  # the earliest instant with that offset lies before the data


def test_instant_at_refuses_non_int_and_a_calendar_without_offsets() -> None:
    with pytest.raises(ValidationError):
        CN.instant_at(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        CN.instant_at(True)
    with pytest.raises(ValidationError):
        china().instant_at(0)


BERLIN_CAL = BusinessCalendar("Europe/Berlin", dict.fromkeys(range(7), ((time(0), time(0)),)))
berlin_instants = st.integers(0, 2 * 365 * 24 * 60).map(
    lambda minutes: datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
)
zones = st.sampled_from([SH, BERLIN, UTC, timezone(timedelta(hours=8))])


@FAST
@given(st.lists(st.tuples(instants, zones), min_size=1, max_size=5))
def test_offsets_do_not_depend_on_the_zone_an_instant_is_written_in(
    points: list[tuple[datetime, tzinfo]],
) -> None:
    as_given = [at.astimezone(zone) for at, zone in points]
    assert CN.offsets(as_given) == CN.offsets([at for at, _ in points])
    for at, offset in zip(as_given, CN.offsets(as_given), strict=True):
        assert CN.between(as_given[0], at) == US * (offset - CN.offsets(as_given[:1])[0])


@FAST
@given(berlin_instants, berlin_instants, zones)
def test_offsets_agree_with_between_across_dst(a: datetime, b: datetime, zone: tzinfo) -> None:
    # A 24/7 Berlin calendar: working time is elapsed real time, whatever DST does to the wall clock.
    low, high = BERLIN_CAL.offsets([a.astimezone(zone), b.astimezone(BERLIN)])
    assert high - low == (b - a) // US == BERLIN_CAL.between(a, b) // US
    back = BERLIN_CAL.instant_at(high)
    assert back == b
    assert back.utcoffset() == b.astimezone(BERLIN).utcoffset()


@FAST
@given(st.lists(instants, min_size=1, max_size=8))
def test_offsets_us_agrees_with_offsets_of_the_same_instants(points: list[datetime]) -> None:
    micros = [(point - datetime(1970, 1, 1, tzinfo=UTC)) // US for point in points]
    assert CN.offsets_us(micros) == CN.offsets(points)


@FAST
@given(instants.map(lambda at: CN.offsets([at])[0]))
def test_instant_bounds_are_the_earliest_and_latest_instant_at(offset: int) -> None:
    try:
        expected = (CN.instant_at(offset), CN.instant_at(offset, last=True))
    except CalendarDataMissing:
        return
    assert CN.instant_bounds(offset) == expected


def test_instant_bounds_at_a_window_end_are_that_end_and_the_next_start() -> None:
    noon = datetime(2025, 9, 26, 12, 0, tzinfo=SH)  # Friday: the morning window ends
    earliest, latest = CN.instant_bounds(CN.offsets([noon])[0])
    assert earliest == noon
    assert latest == datetime(2025, 9, 26, 13, 0, tzinfo=SH)


def test_offsets_us_refuses_instants_beyond_the_known_data() -> None:
    late = (datetime(2027, 3, 1, tzinfo=SH) - datetime(1970, 1, 1, tzinfo=UTC)) // US
    with pytest.raises(CalendarDataMissing):
        CN.offsets_us([late])
