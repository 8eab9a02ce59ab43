"""The desk roster's arithmetic (aftersales.domain.agent_shifts): pure, no store."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from aftersales.domain.agent_shifts import KEPT, AgentShift, DeskRoster
from aftersales.domain.calendar import BusinessCalendar
from aftersales.errors import ValidationError

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 3, 2, tzinfo=SH)
H, DAY = timedelta(hours=1), timedelta(days=1)
OFFICE = BusinessCalendar("Asia/Shanghai", {d: [(time(9), time(12)), (time(13), time(18))] for d in range(5)})


def test_a_night_shift_covers_the_small_hours_of_the_next_day() -> None:
    roster = DeskRoster(shifts=[AgentShift("night", MONDAY + 20 * H, MONDAY + DAY + 8 * H)])
    assert roster.on_duty(MONDAY + DAY + 2 * H) == ("night",)
    assert roster.on_duty(MONDAY + DAY + 8 * H) == ()  # the end is not covered
    assert roster.on_duty(MONDAY + 19 * H) == ()


def test_an_agent_on_two_overlapping_shifts_is_named_once() -> None:
    roster = DeskRoster(
        shifts=[
            AgentShift("a", MONDAY + 9 * H, MONDAY + 13 * H),
            AgentShift("a", MONDAY + 12 * H, MONDAY + 18 * H),
        ]
    )
    assert roster.on_duty(MONDAY + 12 * H) == ("a",)


def test_a_shift_longer_than_a_day_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        AgentShift("a", MONDAY, MONDAY + DAY + H)
    assert caught.value.field == "ends_at"


def test_planning_drops_the_shifts_that_ended_long_before_the_window() -> None:
    old = AgentShift("a", MONDAY + 9 * H, MONDAY + 17 * H)
    recent = AgentShift("b", MONDAY + 30 * DAY + 9 * H, MONDAY + 30 * DAY + 17 * H)
    roster = DeskRoster(shifts=[old, recent])
    start = MONDAY + 17 * H + KEPT + H  # the old shift ended more than KEPT before it
    roster.plan(start, start + DAY, [AgentShift("c", start + H, start + 9 * H)])
    assert [s.agent_id for s in roster.shifts] == ["b", "c"]


def test_gaps_count_working_time_only() -> None:
    roster = DeskRoster(shifts=[AgentShift("a", MONDAY + 9 * H, MONDAY + 12 * H)])
    gaps = roster.gaps(OFFICE, MONDAY, MONDAY + DAY)
    assert [(g.starts_at, g.ends_at, g.working_time) for g in gaps] == [
        (MONDAY + 13 * H, MONDAY + DAY, 5 * H)
    ]
    saturday = MONDAY + 5 * DAY
    assert roster.gaps(OFFICE, saturday, saturday + 2 * DAY) == []
    with pytest.raises(ValidationError) as caught:
        roster.gaps(OFFICE, MONDAY + DAY, MONDAY)
    assert caught.value.field == "end"
