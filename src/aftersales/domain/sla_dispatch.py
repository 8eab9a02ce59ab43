"""Measured clocks carried on over a dispatch (to a dealer or to an engineer), with the targets it brings.

Why: a dispatch to a dealer changes the ticket's facts, so the policy gives it other targets (the
dealer's 24 hours, seed 002: 乙方接到用户的叫修(或者是甲方的电话通知)后,必须保证在24小时之内…) and
the desk measured the whole log again for them. A dispatch changes no clock but the dealer's: every
other clock is as measured (an assignment is read only for where the dealer's clock starts), and the
dealer's clock starts at the dispatch with nothing paused, nothing extended, its budget and warning
ends plain sums on its line. What that needs is known from the measured log: the dealer holding the
ticket, the dealer that took the call itself, whether the resolution still runs (the dealer's clock
stops with it) and no pause open.

Not carried (``None``: the full measure decides): a dispatch back to the dealer already holding it (its
clock runs on from an earlier dispatch), to the dealer that took the call itself (its clock runs from the
call), a clock in whole days (the start's local day decides its budget), an extension that may apply, a
target the measured log did not measure, and every step :meth:`SlaTimeline.advanced_by` does not carry.
``tests/unit/test_sla_dispatch_s35l.py`` checks carried-on == fresh over random logs.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.events import TicketEvent
from aftersales.domain.sla_measuring import Running, started_running
from aftersales.domain.sla_reading import ARRIVAL_STEPS, CONTACTED_AT_KEY, STEP_CODES, dealer_of
from aftersales.domain.sla_targets import SLA_EXTENSION_KEY, WALL_BASES, SlaTarget, SlaTargets, TargetStatus
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import CalendarDataMissing

__all__ = ["DealerFacts", "carried_over_dispatch"]

DealerFacts = tuple[str | None, str | None, bool]
"""What the next dispatch's clock reads from a measured log: the dealer holding the ticket, the dealer
that took the call itself (still its own), and whether the cycle holds an approved extension (a plain
tuple of strings and a bool: CPython stops tracking it, no collection walks it)."""

_ASSIGNS = frozenset({"assign", "reassign"})
_FINAL = frozenset({TicketState.CLOSED.value, TicketState.CANCELLED.value})
_CARRIED_BASES = frozenset({"working", "calendar"})


def _same_rules(old: SlaTargets, new: SlaTargets) -> bool:
    """Whether both read the log alike (every field but the targets themselves)."""
    return old is new or (
        old.warn_at == new.warn_at
        and old.pause_states == new.pause_states
        and old.response_actions == new.response_actions
        and old.acceptance == new.acceptance
        and old.resolution_actions == new.resolution_actions
    )


def carried_over_dispatch(
    old: SlaTargets,
    measured: tuple[TargetStatus | Running, ...],
    facts: DealerFacts,
    met: tuple[bool, bool],
    count: int,
    last_us: int,
    events: Sequence[TicketEvent],
    new: SlaTargets,
    calendar: BusinessCalendar,
    approved: Collection[str],
) -> tuple[tuple[TargetStatus | Running, ...], DealerFacts] | None:
    """``new``'s clocks for ``events`` from ``measured`` (``old``'s clocks for their first ``count``
    events, the last at ``last_us``) when the later events are dispatches and steps that change no clock
    input, with the dealer facts after them; ``None`` when they need the full measure."""
    if not _same_rules(old, new):
        return None
    held, caller, extended = facts
    responded, arrived = met
    pauses = old._pause_values
    responses, solutions = old.response_actions, old.resolution_actions
    state = events[count - 1].to_state
    if state in pauses or state in _FINAL:
        return None  # a pause open (the dealer's clock would stand) or the ticket closed
    dropped = False
    started: TicketEvent | None = None  # the dispatch the dealer's clock now starts at
    moved = False  # whether a dispatch set the dealer's start (else it is as measured)
    for index in range(count, len(events)):
        event = events[index]
        action, payload = event.action, event.payload
        if action in _ASSIGNS:
            if not payload:
                continue  # the clock reads no assignment without one
            dealer = dealer_of(payload)
            if dealer is not None and dealer in (caller, held):
                return None  # its clock runs from the call, or on from the earlier dispatch
            if held is not None and dealer != held:
                dropped = True  # the approvals on the dealer's clock were the last dealer's
            started, moved, held = (event if dealer is not None else None), True, dealer
            if dealer != caller:
                caller = None
        elif (
            action in STEP_CODES
            or action in solutions
            or (action in responses and (not responded or CONTACTED_AT_KEY in payload))
            or (action in ARRIVAL_STEPS and not arrived)
            or (payload and SLA_EXTENSION_KEY in payload)
        ):
            return None  # a step the clocks read: not a dispatch
        if event.to_state in pauses or event.to_state in _FINAL:
            return None
    if started is not None and started.at_us < last_us:
        return None  # entered out of order: the full measure places it
    before = {target.name: (target, item) for target, item in zip(old.targets, measured, strict=True)}
    resolution = before.get("resolution")
    found: list[TargetStatus | Running] = []
    for target in new.targets:
        kept = before.get(target.name)
        if target.start != "dealer_dispatch" or not moved:
            if kept is None or (kept[0] is not target and kept[0] != target):
                return None  # a clock the measured log did not measure
            found.append(kept[1])
            continue
        if target.extended_to is not None and (target.name in approved or (extended and not dropped)):
            return None  # an approval may apply: the full measure reads it
        if started is None:
            found.append(new._pending[target.name])
            continue
        if (
            target.basis not in _CARRIED_BASES
            or resolution is None
            or isinstance(resolution[1], TargetStatus)
        ):
            return None  # a budget in whole days, or the resolution (the dealer's end) stopped
        item = _started(target, new, started, calendar)
        if item is None:
            return None
        found.append(item)
    return tuple(found), (held, caller, extended and not dropped)


def _started(
    target: SlaTarget, targets: SlaTargets, dispatch: TicketEvent, calendar: BusinessCalendar
) -> Running | None:
    """``target``'s clock started at ``dispatch``: nothing paused since, nothing extended."""
    share, whole = targets._warn_ratio
    budget = target.duration_us
    wall = target.basis in WALL_BASES
    try:
        begin = dispatch.at_us if wall else calendar.offset_us(dispatch.at_us)
        zone = calendar.zone
        at = dispatch.at
        started = (at if at.tzinfo is zone else at.astimezone(zone)) if wall else None
        warn_amount = -(-budget * share // whole)
        return started_running(target, target.duration, budget, warn_amount, begin, started, calendar)
    except CalendarDataMissing:
        return None  # the full measure raises it where a derivation expects it
