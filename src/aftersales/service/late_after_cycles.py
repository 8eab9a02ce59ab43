"""The late-after instants of the cycles reopens ended before those instants were recorded.

A reopen keeps the cycle it ends in its payload (:data:`~aftersales.domain.ticket.ENDED_CYCLE_KEY`): the
due times, the resolution and, since session 23, the late-after instants. The reports judge a first
response given before the reopen, and a resolution that missed an ended cycle, against that cycle
(:func:`~aftersales.ports.reporting.judged_dues`). A reopen stored by an earlier release holds the due
only, so a Friday 17:30 VIP call answered Monday 09:00 was counted late in the KPI once the ticket came
back, on time before. The reports read stored tickets without the calendar, so the instants are worked
out here, by the back-fill (:mod:`aftersales.service.late_after_backfill`), as the SLA service derived
them when the cycle ended, and written into the reopen's payload (a derived fact beside the due it
explains; the event's step, actor and instant are untouched).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import attrs

from aftersales.domain.events import JsonValue, TicketEvent
from aftersales.domain.parties import CustomerTier
from aftersales.domain.ticket import ENDED_CYCLE_KEY, Ticket, ended_cycles
from aftersales.service.sla import SlaService

__all__ = ["cycles_lacking", "filled_cycles"]

_PAIRS = (("response_due_at", "response_late_after"), ("resolution_due_at", "resolution_late_after"))


def _lacks(raw: Mapping[str, JsonValue]) -> bool:
    return any(raw.get(due) is not None and raw.get(late) is None for due, late in _PAIRS)


def cycles_lacking(ticket: Ticket) -> bool:
    """Whether a reopen of ``ticket`` ended a cycle with a due and without its late-after instant (a
    due inside working time has none to have: worked out again, it gains nothing)."""
    for event in ticket.events:
        if event.action == "reopen" and event.payload:
            raw = event.payload.get(ENDED_CYCLE_KEY)
            if isinstance(raw, dict) and _lacks(raw):
                return True
    return False


def _cycle_late_afters(
    sla: SlaService, ticket: Ticket, index: int, tier: CustomerTier
) -> tuple[datetime | None, datetime | None]:
    """The late-after instants of the cycle the reopen ``events[index]`` ended: those the SLA service
    gives the ticket as it stood just before the reopen, with that cycle's stored dues (``None`` where the
    log does not give that due, or the due is the last on-time instant itself)."""
    event = ticket.events[index]
    cycle = ended_cycles([event])[0][1]
    before = ticket.copy()
    before.events = ticket.events[:index]
    before.state = event.from_state or before.state
    before.response_due_at, before.resolution_due_at = cycle["response_due_at"], cycle["resolution_due_at"]
    before.response_late_after = before.resolution_late_after = None
    return sla.stored_late_afters(before, tier, event.at)


def filled_cycles(sla: SlaService, ticket: Ticket, tier: CustomerTier) -> list[TicketEvent] | None:
    """``ticket``'s events with each reopen's ended cycle given the late-after instants it lacks (a
    stored one is never replaced), or ``None`` when none gains one."""
    events = list(ticket.events)
    gained = False
    for index, event in enumerate(ticket.events):
        if event.action != "reopen" or not event.payload:
            continue
        raw = event.payload.get(ENDED_CYCLE_KEY)
        if not isinstance(raw, dict) or not _lacks(raw):
            continue
        response, resolution = _cycle_late_afters(sla, ticket, index, tier)
        cycle: dict[str, JsonValue] = dict(raw)
        for (_, name), at in zip(_PAIRS, (response, resolution), strict=True):
            if cycle.get(name) is None and at is not None:
                cycle[name] = at.isoformat()
        if cycle != raw:
            events[index] = attrs.evolve(event, payload={**event.payload, ENDED_CYCLE_KEY: cycle})
            gained = True
    return events if gained else None
