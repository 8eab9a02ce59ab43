"""The dates agreed with the customer for the extra maintenance visits a complaint's remedy grants.

Seed 002 四、谈判 (一)2 plays 增加维护保养 as a card, and 方案的落实 asks that what was agreed be carried out
in time (落实工作一定要及时到位); seed 001 六(二) judges the team on it. A visit the customer agreed to
have on 20 March is due on 20 March: its ticket expects the engineer that day and its clocks run to the
end of that day, as a visit a maintenance plan generates does (``service.visit_terms``).
Opened with the pack's targets from the grant, it was due — and then breached — weeks before the day
anyone meant to go.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from aftersales.domain.complaints import RemedyKind
from aftersales.domain.remedy_visit import RemedyVisit
from aftersales.domain.ticket import Ticket
from aftersales.errors import ValidationError
from aftersales.policies.sla_terms import SlaTerms
from aftersales.service.visit_terms import visit_terms

__all__ = ["check_visit_dates", "remedy_visit", "visit_due"]


def check_visit_dates(kind: RemedyKind, quantity: int, visit_on: Sequence[date], today: date) -> None:
    """Refuse dates given for another remedy, a count of dates other than the visits granted, or a day
    before today (``ValidationError`` naming ``visit_on``; nothing is stored)."""
    if not visit_on:
        return
    if kind is not RemedyKind.EXTRA_MAINTENANCE_VISIT:
        raise ValidationError("visit dates are agreed for extra maintenance visits only", field="visit_on")
    if len(visit_on) != quantity:
        raise ValidationError(
            f"one agreed date per visit granted: {quantity} visit(s), {len(visit_on)} date(s)",
            field="visit_on",
        )
    early = min(visit_on)
    if early < today:
        raise ValidationError(
            f"a visit is agreed for today or a later day, not {early.isoformat()}", field="visit_on"
        )


def visit_due(day: date, now: datetime, timezone: str) -> tuple[datetime, SlaTerms]:
    """The instant a visit agreed for ``day`` is expected by (the end of that day in the desk's zone)
    and its SLA terms: due then, as a plan's visit due that day."""
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), ZoneInfo(timezone))
    end -= timedelta(microseconds=1)
    return end, visit_terms(day, now, end)


def remedy_visit(
    ticket: Ticket, complaint_id: str, unit: str, day: date | None, now: datetime, timezone: str
) -> RemedyVisit:
    """The unit's record of remedy visit ``ticket`` (:class:`~aftersales.domain.remedy_visit.RemedyVisit`):
    due on the agreed ``day``, or — none agreed, which is not refused (the negotiation may promise the visit
    before the day is arranged) — on the day the pack's standard term from the grant ends (its resolution
    due, in the desk's zone; the grant's day when the pack sets none)."""
    if day is not None:
        return RemedyVisit(ticket.id, unit, complaint_id, day, now)
    due = ticket.resolution_due_at or now
    return RemedyVisit(
        ticket.id, unit, complaint_id, due.astimezone(ZoneInfo(timezone)).date(), now, by_term=True
    )
