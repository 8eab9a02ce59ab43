"""When an answer to a due turns late: the last instant it still counts on time.

A working-time clock accrues nothing outside working hours, so a due at a window's end (18:00 Friday, 12:00
before lunch) is still met by an answer before the next window starts: the live SLA measures no working
time past the due (its elapsed equals the budget). A wall-clock due is late the instant after it. The SLA
service stores that last instant on the ticket beside the due (``Ticket.response_late_after``), and the
reports, which read stored tickets without the calendar or the targets' bases, compare against it.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.sla_targets import WALL_BASES
from aftersales.errors import CalendarDataMissing

__all__ = ["late_after", "working_late_after"]


def working_late_after(due: datetime | None, basis: str, calendar: BusinessCalendar) -> datetime | None:
    """What a ticket stores beside ``due`` of a target counted on ``basis``: the next working instant when
    that is later than ``due`` (a working basis, ``due`` outside working time), else ``None`` (the due
    itself; also when the calendar has no data there: no guessing, the due stands)."""
    if due is None or basis in WALL_BASES:
        return None
    try:
        resumes = calendar.next_working_time(due)
    except CalendarDataMissing:
        return None
    return resumes if resumes > due else None


def late_after(due: datetime | None, stored: datetime | None) -> datetime | None:
    """The last instant an answer to ``due`` counts on time: ``stored`` (the ticket's late-after) when set
    and not before ``due``, else ``due`` itself (a wall-clock due, or one stored before the late-after
    instants were)."""
    if due is None or stored is None or stored < due:
        return due
    return stored
