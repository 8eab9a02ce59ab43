"""How far ahead the SLA sweep looks: far enough for the pack's longest target.

The sweep (:class:`~aftersales.service.sla_watch.SlaWatch`) reads the unresolved tickets due before
``now + horizon``. A ticket is at risk from ``warn_share`` of its window on, which for a long target lies
long before its due: a 60-working-day resolution warned at 10 % is at risk some 80 calendar days before it
is due, and a 30-day horizon announced it only in its last month (the status showed it at risk, the sweep
did not tell anyone). The horizon is therefore at least the longest window the pack's SLA parameters can
give, as calendar time — a generous bound, since working time spreads over weekends and holidays. The
shipped packs' longest target (ten working days) gives 32 days, about the 30 the sweep looked ahead before.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from aftersales.domain.calendar import BusinessCalendar
from aftersales.policies.sla import DefaultSla, SlaParams

__all__ = ["DEFAULT_HORIZON", "sweep_horizon"]

DEFAULT_HORIZON = timedelta(days=30)
"""What the sweep looks ahead at least (and for a host's own SLA policy, whose targets it cannot see)."""

_HOLIDAY_RUN_DAYS = 15
"""Calendar days a run of public holidays may add (the Spring Festival's nine, with room), per 200
working days spanned."""


def sweep_horizon(policy: object, calendar: BusinessCalendar | None) -> timedelta:
    """The sweep's horizon for the SLA ``policy`` on ``calendar``: the default, or longer when one of the
    pack's targets can span more calendar time than that."""
    params = policy.params if isinstance(policy, DefaultSla) else None
    if params is None:
        return DEFAULT_HORIZON
    longest = max(_calendar_spans(params, calendar), default=timedelta(0))
    return max(DEFAULT_HORIZON, longest + timedelta(days=1))


def _calendar_spans(p: SlaParams, calendar: BusinessCalendar | None) -> Iterable[timedelta]:
    overrides = p.category_overrides.values()
    working_hours = [
        *p.response_hours.values(), *p.arrival_hours.values(), *p.resolution_hours.values(),
        *(v for o in overrides for v in (o.response_hours, o.arrival_hours, o.resolution_hours) if v),
    ]  # fmt: skip
    working_days = [
        *p.resolution_days.values(), p.complex_resolution_days,
        *(o.resolution_days for o in overrides if o.resolution_days),
    ]  # fmt: skip
    shortest_day, days_a_week = _working_week(calendar)
    for hours in working_hours:
        yield _working_days_span(math.ceil(timedelta(hours=hours) / shortest_day), days_a_week)
    for days in working_days:
        # "end_of_day" ends on the N-th following working day: one more day than N working days of time.
        yield _working_days_span(days + 1, days_a_week)
    yield timedelta(hours=p.dealer_special_case_hours)  # wall-clock hours


def _working_days_span(days: int, days_a_week: int) -> timedelta:
    weeks = math.ceil(days * 7 / days_a_week)
    return timedelta(days=weeks + _HOLIDAY_RUN_DAYS * (1 + days // 200))


def _working_week(calendar: BusinessCalendar | None) -> tuple[timedelta, int]:
    """The shortest working day's length and how many days of a week have working hours."""
    if calendar is None:  # working-time targets cannot be computed then; count a day as one hour
        return timedelta(hours=1), 1
    week = calendar.weekly_hours
    lengths = [
        sum((_length(start, end) for start, end in hours), timedelta(0)) for hours in week.values() if hours
    ]
    shortest = min((length for length in lengths if length > timedelta(0)), default=timedelta(hours=1))
    return shortest, max(1, len(lengths))


def _length(start: time, end: time) -> timedelta:
    day = date(2000, 1, 3)
    finish = datetime.combine(day + timedelta(days=1) if end == time(0) else day, end)  # 24:00 is time(0)
    return finish - datetime.combine(day, start)
