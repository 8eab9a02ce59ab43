"""The SLA terms of a visit due on an agreed day: contact, arrival and resolution by the end of that day.

Shared by the visits a maintenance plan generates and the extra visits a complaint's remedy grants on a day
agreed with the customer, so both keep one clock.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from aftersales.policies.sla_terms import SlaTerm, SlaTerms

# A postponement may move a visit up to a year beyond its first due.
_MAX_POSTPONE_MINUTES = 366 * 24 * 60


def visit_terms(due_on: date, now: datetime, due_end: datetime) -> SlaTerms:
    """A generated visit's own SLA: contact, arrival and resolution by the end of its due day.

    Wall-clock time from generation; a postponement extends them (up to a year beyond), with its reason.
    Named by the due day, so the visits of one run due on one day share their terms (and their SLA
    decision).
    """
    minutes = max(1, math.ceil((due_end - now) / timedelta(minutes=1)))
    longest = minutes + _MAX_POSTPONE_MINUTES
    return SlaTerms(
        "maintenance_visit",
        due_on.isoformat(),
        tuple(SlaTerm(name, minutes, "calendar", longest) for name in ("response", "arrival", "resolution")),
    )
