"""Laws of working-time arithmetic, checked with Hypothesis, and agreement with a naive reference.

The reference walks minute by minute and asks the *wall clock* whether each minute is in a window: an
implementation independent of the compiled intervals. Random calendars use zones without DST, where wall
time is unambiguous (DST is covered by hand-checked examples in ``test_calendar.py``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.domain.calendar import CHINA_OFFICE_HOURS, BusinessCalendar

SH = ZoneInfo("Asia/Shanghai")
MINUTE = timedelta(minutes=1)

CN = BusinessCalendar(
    "Asia/Shanghai",
    dict.fromkeys(range(5), CHINA_OFFICE_HOURS),
    holidays=[date(2025, 10, d) for d in range(1, 9)] + [date(2026, 2, d) for d in range(15, 24)],
    extra_workdays=[date(2025, 9, 28), date(2025, 10, 11), date(2026, 2, 14), date(2026, 2, 28)],
    known_from=date(2025, 1, 1),
    known_until=date(2026, 12, 31),
)
OFFSET_2025 = datetime(2025, 1, 1, tzinfo=SH)

starts = st.integers(0, 365 * 24 * 60 - 1).map(lambda minutes: OFFSET_2025 + minutes * MINUTE)
durations = st.integers(0, 1000 * 60).map(lambda minutes: minutes * MINUTE)  # up to 125 office days
fine_durations = st.integers(0, 10**9).map(lambda us: timedelta(microseconds=us))

FAST = settings(max_examples=150, deadline=None)


@FAST
@given(starts, durations)
def test_between_undoes_add(start: datetime, duration: timedelta) -> None:
    assert CN.between(start, CN.add(start, duration)) == duration


@FAST
@given(starts, fine_durations)
def test_between_undoes_add_to_the_microsecond(start: datetime, duration: timedelta) -> None:
    assert CN.between(start, CN.add(start, duration)) == duration


@FAST
@given(starts, durations, durations)
def test_add_is_monotonic_in_duration(start: datetime, a: timedelta, b: timedelta) -> None:
    low, high = sorted((a, b))
    assert CN.add(start, low) <= CN.add(start, high)


@FAST
@given(starts, starts, durations)
def test_add_is_monotonic_in_start(a: datetime, b: datetime, duration: timedelta) -> None:
    early, late = sorted((a, b))
    assert CN.add(early, duration) <= CN.add(late, duration)


@FAST
@given(starts, durations, durations)
def test_add_is_associative_from_working_time(start: datetime, a: timedelta, b: timedelta) -> None:
    start = CN.next_working_time(start)
    assert CN.add(CN.add(start, a), b) == CN.add(start, a + b)


@FAST
@given(starts, durations.filter(lambda d: d > timedelta(0)))
def test_result_ends_inside_a_window(start: datetime, duration: timedelta) -> None:
    result = CN.add(start, duration)
    # The instant just before the result was working time: the result is in a window or at its end.
    assert CN.is_working_time(result - timedelta(microseconds=1))


@FAST
@given(starts, starts)
def test_between_is_additive(a: datetime, b: datetime) -> None:
    middle = a + (b - a) / 2
    assert CN.between(a, b) == CN.between(a, middle) + CN.between(middle, b)


# -- random calendars against a minute-by-minute reference -----------------------------------------------

QUARTERS = st.integers(0, 96)


@st.composite
def day_hours(draw: st.DrawFn) -> list[tuple[time, time]]:
    cuts = sorted(set(draw(st.lists(QUARTERS, max_size=4))))
    windows = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        windows.append(
            (time(start // 4, start % 4 * 15), time(0) if end == 96 else time(end // 4, end % 4 * 15))
        )
    return windows


FIRST_DAY = date(2024, 12, 29)
NEAR_DATES = st.integers(0, 4).map(lambda n: FIRST_DAY + timedelta(days=n))


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    zone = draw(st.sampled_from(["UTC", "Asia/Shanghai", "Asia/Kolkata", "America/Sao_Paulo"]))
    week = {weekday: draw(day_hours()) for weekday in range(7)}
    if not any(week.values()):
        week[0] = [(time(9), time(17))]
    holidays = set(draw(st.lists(NEAR_DATES, max_size=3)))
    extra = set(draw(st.lists(NEAR_DATES, max_size=2))) - holidays
    extra_hours = draw(day_hours())
    return BusinessCalendar(zone, week, holidays, extra, extra_hours or None)


def wall_working(calendar: BusinessCalendar, instant: datetime) -> bool:
    local = instant.astimezone(calendar.zone)
    day = local.date()
    if day in calendar.holidays:
        return False
    if day in calendar.extra_workdays:
        windows = calendar.extra_workday_hours
    else:
        windows = calendar.weekly_hours.get(day.weekday(), ())
    wall = local.time()
    return any(start <= wall and (end == time(0) or wall < end) for start, end in windows)


REFERENCE_START = datetime(2024, 12, 30, tzinfo=UTC)  # the span crosses New Year
SPAN_MINUTES = 3 * 24 * 60


@settings(max_examples=40, deadline=None)
@given(calendars(), st.integers(0, SPAN_MINUTES), st.integers(0, SPAN_MINUTES))
def test_agrees_with_minute_by_minute_reference(calendar: BusinessCalendar, first: int, second: int) -> None:
    start = REFERENCE_START + min(first, second) * MINUTE
    end = REFERENCE_START + max(first, second) * MINUTE
    flags = [wall_working(calendar, start + n * MINUTE) for n in range(int((end - start) / MINUTE))]
    worked = sum(flags)
    assert calendar.between(start, end) == worked * MINUTE
    assert calendar.is_working_time(start) == wall_working(calendar, start)
    if worked:
        # The reference add: the end of the minute in which the worked count reaches the duration.
        reached = [n for n, flag in enumerate(flags) if flag][worked - 1]
        assert calendar.add(start, worked * MINUTE) == start + (reached + 1) * MINUTE
        first_working = next(n for n, flag in enumerate(flags) if flag)
        assert calendar.next_working_time(start) == start + first_working * MINUTE
