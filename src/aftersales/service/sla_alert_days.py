"""The SLA alerts of a wide or open window, read newest day first through their UTC-day index.

Why: ``desk.sla_alerts`` over more than 62 days (or with no bound) read every alert ever announced,
parsed them all and sorted them in Python for each page: some 190k alerts after one sweep of a 1 M-ticket
file, again for every next page. The list is newest first and a page needs ``limit`` alerts, so the days
are read from the newest back, one index range each, and the caller stops once the days read have filled
its page: every alert of an older day was announced before every alert already found. Over days without
alerts the next day that has some is found by stretches doubling back, then halving the last one, one
alert read per probe. Alerts are
indexed by day as they are written (an older release's by ``index_marks``, as the narrow windows and the
purges already need).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from aftersales.domain.instants import EPOCH
from aftersales.errors import ValidationError
from aftersales.service.access_log import utc_day
from aftersales.service.sla_watch import SlaAlert

__all__ = ["alert_days"]

_LAST_DAY = "9999-12-31"


def _shifted(day: str, days: int) -> str:
    """``day`` moved by ``days``; past the calendar's ends, a text beyond every day on that side."""
    try:
        return (date.fromisoformat(day) + timedelta(days=days)).isoformat()
    except OverflowError:
        return "" if days < 0 else "9999-12-32"


def _between(documents: Any, first: str, last: str, limit: int | None = None) -> Sequence[SlaAlert]:
    """The alerts of the days ``first`` to ``last`` (one index range), the oldest first."""
    # after=(first, ""): every day from first on (any id is past "")
    found: Sequence[SlaAlert] = documents.query_range(SlaAlert, "day", last, after=(first, ""), limit=limit)
    return found


def _newest_day(documents: Any, first: str, last: str) -> str | None:
    """The latest day from ``first`` to ``last`` holding an alert: back from ``last`` in stretches
    doubling from one day until one holds an alert, then halving that stretch; one alert read a probe."""
    width = 1
    while True:
        start = max(first, _shifted(last, 1 - width))
        oldest = _between(documents, start, last, limit=1)
        if oldest:
            break
        if start <= first:
            return None
        width *= 2
    low, high = oldest[0].day, last  # an alert on low; none known after it yet
    while low < high:
        span = (date.fromisoformat(high) - date.fromisoformat(low)).days
        middle = _shifted(low, (span + 1) // 2)
        later = _between(documents, middle, high, limit=1)
        if later:
            low = later[0].day
        else:
            high = _shifted(middle, -1)
    return low


def alert_days(
    documents: Any,
    since: datetime | None,
    until: datetime | None,
    after: tuple[int, str] | None,
    now: Callable[[], datetime],
) -> Iterator[Sequence[SlaAlert]]:
    """The alerts that may fall in ``[since, until)`` and before the page cursor ``after`` (announced µs,
    id), a UTC day at a time, newest day first (each day's in any order).

    ``documents`` has ``query_range`` (the caller checks). With ``until`` open, the days start at the
    day of ``now()`` (the clock is read only then), after one read of anything announced later (a clock
    set back since). When no alert is older than the first day to read, every alert is read at once (a
    store's first sweep announces its whole backlog on one day). A cursor past any date is a
    ``ValidationError`` naming it."""
    low = utc_day(since) if since is not None else ""
    high = utc_day(until) if until is not None else None
    if after is not None:
        try:
            cursor_day = utc_day(EPOCH + timedelta(microseconds=after[0]))
        except OverflowError as bad:
            raise ValidationError("cursor is not one this list gave", field="cursor") from bad
        high = cursor_day if high is None else min(high, cursor_day)
    earliest = _between(documents, "", _LAST_DAY, limit=1)
    if not earliest:
        return
    open_end = high is None
    high = utc_day(now()) if high is None else high
    if earliest[0].day >= high:  # no alert before the first day to read: all at once, by the kind's key
        if open_end or earliest[0].day == high:  # (a sort of one day's ids costs more than this read)
            yield documents.query(SlaAlert)
        return
    if open_end:
        yield _between(documents, _shifted(high, 1), _LAST_DAY)
    while high >= low:
        # One day by equality on its index (query_range would also note each document's index values)
        found = documents.query(SlaAlert, day=high)
        if found:
            yield found
            high = _shifted(high, -1)
            continue
        newest = _newest_day(documents, low, _shifted(high, -1))
        if newest is None:
            return
        high = newest
