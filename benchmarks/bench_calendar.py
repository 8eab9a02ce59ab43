"""Benchmark: BusinessCalendar.add/between against a day-by-day loop and businesstimedelta.

Targets (issue 4): add and between ≤ 3 µs per call for any span from 1 minute to 2 years; ≥ 10× faster than a
day-by-day loop (ERPNext style) on 30-working-day spans; ≥ 100× faster than businesstimedelta.

Run: python benchmarks/bench_calendar.py
"""

from __future__ import annotations

import statistics
import time as clock
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from aftersales.adapters.holidays_cn import china_mainland_calendar
from aftersales.domain.calendar import BusinessCalendar

SH = ZoneInfo("Asia/Shanghai")


def per_call(function: Callable[[], object], budget: float = 0.4) -> float:
    """Seconds per call: the median of 5 runs, each repeating ``function`` for about ``budget / 3`` s."""
    function()  # warm caches (compiled years)
    count, spent = 1, 0.0
    while spent < budget / 10:
        count *= 4
        started = clock.perf_counter()
        for _ in range(count):
            function()
        spent = clock.perf_counter() - started
    repeat = max(1, int(count * budget / 3 / spent))
    runs: list[float] = []
    for _ in range(5):
        started = clock.perf_counter()
        for _ in range(repeat):
            function()
        runs.append((clock.perf_counter() - started) / repeat)
    return statistics.median(runs)


class DayLoop:
    """The naive reference: walk day by day, summing each day's windows (how ERPNext-style code does it)."""

    def __init__(self, calendar: BusinessCalendar) -> None:
        self.calendar = calendar
        # Read once: ``weekly_hours`` and ``extra_workday_hours`` are properties that build a new
        # dict / tuple on each access, and a fair day loop does not pay for that per day (the former
        # baseline did, which inflated the printed ratio about ten-fold).
        self.holidays = frozenset(calendar.holidays)
        self.extra_workdays = frozenset(calendar.extra_workdays)
        self.extra_hours = calendar.extra_workday_hours
        self.weekly = calendar.weekly_hours

    def windows(self, day: date) -> tuple[tuple[time, time], ...]:
        if day in self.holidays:
            return ()
        if day in self.extra_workdays:
            return self.extra_hours
        return self.weekly.get(day.weekday(), ())

    def between(self, start: datetime, end: datetime) -> timedelta:
        start, end = start.astimezone(SH), end.astimezone(SH)
        total = timedelta(0)
        day = start.date()
        while day <= end.date():
            for opens, closes in self.windows(day):
                low = max(start, datetime.combine(day, opens, tzinfo=SH))
                high = min(end, datetime.combine(day, closes, tzinfo=SH))
                if high > low:
                    total += high - low
            day += timedelta(days=1)
        return total

    def add(self, start: datetime, duration: timedelta) -> datetime:
        start = start.astimezone(SH)
        day = start.date()
        while True:
            for opens, closes in self.windows(day):
                low = max(start, datetime.combine(day, opens, tzinfo=SH))
                high = datetime.combine(day, closes, tzinfo=SH)
                if high > low:
                    if high - low >= duration:
                        return low + duration
                    duration -= high - low
            day += timedelta(days=1)


def businesstimedelta_rules(calendar: BusinessCalendar) -> object | None:
    try:
        import businesstimedelta
    except ImportError:
        return None
    workday = businesstimedelta.WorkDayRule(
        start_time=time(9), end_time=time(18), working_days=[0, 1, 2, 3, 4]
    )
    lunch = businesstimedelta.LunchTimeRule(
        start_time=time(12), end_time=time(13), working_days=[0, 1, 2, 3, 4]
    )
    holidays = businesstimedelta.HolidayRule(sorted(calendar.holidays))  # it has no make-up working days
    rules: object = businesstimedelta.Rules([workday, lunch, holidays])
    return rules


def report(label: str, seconds: float, target_us: float | None = None) -> None:
    verdict = ""
    if target_us is not None:
        verdict = "  ok" if seconds * 1e6 <= target_us else f"  MISSES ≤ {target_us} µs"
    print(f"  {label:<44} {seconds * 1e6:10.2f} µs/call{verdict}")


def main() -> None:
    calendar = china_mainland_calendar()
    start = datetime(2023, 3, 7, 10, 17, tzinfo=SH)
    spans = {
        "1 minute": timedelta(minutes=1),
        "1 working hour": timedelta(hours=1),
        "1 working day (8 h)": timedelta(hours=8),
        "30 working days (240 h)": timedelta(hours=240),
        "1 year of working time (2000 h)": timedelta(hours=2000),
        "2 years of working time (3900 h)": timedelta(hours=3900),
    }
    print("BusinessCalendar (China mainland office calendar), per call; target ≤ 3 µs")
    for name, duration in spans.items():

        def adding(d: timedelta = duration) -> object:
            return calendar.add(start, d)

        report(f"add, {name}", per_call(adding), 3.0)
    for name, end in {
        "1 minute": start + timedelta(minutes=1),
        "1 day": start + timedelta(days=1),
        "6 weeks (≈30 working days)": start + timedelta(weeks=6),
        "1 year": start + timedelta(days=365),
        "2 years": start + timedelta(days=730),
    }.items():

        def measuring(e: datetime = end) -> object:
            return calendar.between(start, e)

        report(f"between, {name}", per_call(measuring), 3.0)

    print("\n30-working-day spans against references measured in this run")
    month = timedelta(hours=240)
    finish = calendar.add(start, month)
    loop = DayLoop(calendar)
    assert loop.add(start, month) == finish
    assert loop.between(start, finish) == month
    ours_add = per_call(lambda: calendar.add(start, month))
    ours_between = per_call(lambda: calendar.between(start, finish))
    loop_add = per_call(lambda: loop.add(start, month))
    loop_between = per_call(lambda: loop.between(start, finish))
    report("add, ours", ours_add)
    report("add, day-by-day loop", loop_add)
    print(f"  add speed-up over the day loop: {loop_add / ours_add:8.1f}×  (target ≥ 10×)")
    report("between, ours", ours_between)
    report("between, day-by-day loop", loop_between)
    print(f"  between speed-up over the day loop: {loop_between / ours_between:8.1f}×  (target ≥ 10×)")

    rules = businesstimedelta_rules(calendar)
    if rules is None:
        print("\nbusinesstimedelta is not installed (pip install -e '.[bench]'): comparison skipped")
        return
    import businesstimedelta

    naive_start, naive_finish = start.replace(tzinfo=None), finish.replace(tzinfo=None)
    btd_between = per_call(lambda: rules.difference(naive_start, naive_finish), budget=0.5)  # type: ignore[attr-defined]
    btd_add = per_call(
        lambda: naive_start + businesstimedelta.BusinessTimeDelta(rules, hours=240), budget=0.5
    )
    report("add, businesstimedelta", btd_add)
    print(f"  add speed-up over businesstimedelta: {btd_add / ours_add:8.1f}×  (target ≥ 100×)")
    report("between, businesstimedelta", btd_between)
    print(f"  between speed-up over businesstimedelta: {btd_between / ours_between:8.1f}×  (target ≥ 100×)")


if __name__ == "__main__":
    main()
