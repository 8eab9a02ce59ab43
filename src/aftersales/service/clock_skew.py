"""Several processes on one store, each with its own clock: a ticket's next event is never stamped
before its last one.

Processes on different machines read clocks that differ by milliseconds, sometimes seconds. When one
whose clock runs ahead writes an event, a command from another a moment later reads an instant a
little before that event, and the ticket (which records its events in time order) would refuse it:
a command failing at random on busy tickets. Within :data:`CLOCK_SKEW` the command is stamped at
the last event's instant instead (the two happened together as far as the clocks can tell); a clock
further behind is not skew but a wrong clock, and the ticket still refuses it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from aftersales.domain.ticket import Ticket

__all__ = ["CLOCK_SKEW", "stamp_for"]

CLOCK_SKEW = timedelta(minutes=5)
"""How far behind a ticket's last event another process's clock may read and still be taken as skew."""


def stamp_for(ticket: Ticket, now: datetime) -> datetime:
    """The instant to stamp ``ticket``'s next event with: ``now``, or its last event's instant (in
    ``now``'s zone) when ``now`` is at most :data:`CLOCK_SKEW` before it."""
    events = ticket.events
    if events:
        last = events[-1].at
        if now < last <= now + CLOCK_SKEW:
            return last.astimezone(now.tzinfo)
    return now
