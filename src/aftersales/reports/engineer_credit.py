"""Whose part of a ticket each engineer KPI is (seed 003 三 2 绩效考核, tied to pay and promotion).

A ticket passes through hands: dispatched to a junior, reassigned to a senior for the rework. The KPI
report grouped by assignee (:attr:`~aftersales.ports.reporting.GroupBy.ENGINEER`) gives the whole ticket to
whoever holds it now, so a junior's late response, or a repair the senior had to redo, was the senior's.
An appraisal credits each indicator to the engineer whose work it judges:

- response (响应速度): who held the ticket when the verdict was settled — at the response when it came in
  time, else when the due time passed (a junior who let it run late keeps the late response after the
  ticket moves on); durations go with the verdict;
- resolution on time and time to resolve: the same rule on the resolution clock;
- problem resolved (问题解决率): who holds the outcome — the holder at the resolution, else the holder now;
- first-time fix (一次修复): who did the first repair (the first ``resolve``): a rework sent back to
  them is their repair not fixed first time; the senior who redid it is not judged on it;
- rework: whose work was sent back (the holder at each ``reject`` or ``reopen``);
- satisfaction and attitude (客户满意度): who held the ticket when the callback that scored it was made,
  as the conduct report counts the callback's answers (:mod:`aftersales.reports.conduct`).

The callbacks' timeliness (the agents' calls) and the complaint resolution rate are the centre's: the
desk's total only. A ticket is counted once in that total whatever hands it passed through. The key is
the assignee's id (an engineer, a dealer holding the job, a team); ``""`` for nobody (before any
dispatch). A ticket whose log records no dispatch (an imported history) is its current assignee's
throughout.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from aftersales.domain.instants import micros
from aftersales.domain.sla_reading import answered_at, first_response, response_steps
from aftersales.domain.ticket import Ticket
from aftersales.ports.queries import UNSET
from aftersales.ports.reporting import CALLBACK_ACTION, REWORK_ACTIONS

__all__ = ["Credit", "credit_of"]

_ASSIGNING = frozenset({"assign", "reassign"})


@attrs.frozen
class Credit:
    """Who each indicator of one ticket belongs to (``None`` where the ticket gives that indicator to
    nobody yet: no response, no repair, no score)."""

    outcome: str
    """Who holds the outcome (resolved, cancelled or still open): the resolution rate's."""
    response_done: str | None
    """Who held it at the response (the response on time is theirs)."""
    resolution_done: str | None
    """Who held it at the resolution."""
    first_repair: str | None
    """Who did the first repair (first-time fix)."""
    reworked: tuple[str, ...]
    """Whose work each rework sent back, one per ``reject``/``reopen``."""
    scored: str | None
    """Who held it when the callback giving the satisfaction was made."""
    attitude_scored: str | None
    """Who held it when the callback giving the attitude evaluation was made."""
    _changes: tuple[tuple[int, str], ...]
    """(instant µs, holder) of each dispatch, in order: :meth:`at` reads the holder at an instant."""
    _fallback: str

    def at(self, instant_us: int) -> str:
        """Who held the ticket at ``instant_us`` (the last dispatch at or before it)."""
        holder = UNSET if self._changes else self._fallback
        for at, who in self._changes:
            if at > instant_us:
                break
            holder = who
        return holder


def _holder(payload: object) -> str:
    raw = payload.get("assignee") if isinstance(payload, dict) else None
    return str(raw["id"]) if isinstance(raw, dict) and isinstance(raw.get("id"), str) else UNSET


def credit_of(ticket: Ticket) -> Credit:
    """The :class:`Credit` of ``ticket``, read from its log."""
    events = ticket.events
    current = ticket.assignee.id if ticket.assignee is not None else UNSET
    dispatched = any(e.action in _ASSIGNING for e in events)
    before: list[str] = []  # the holder before each event, by position (events at one instant keep order)
    holder = UNSET if dispatched else current
    changes: list[tuple[int, str]] = []
    for event in events:
        before.append(holder)
        if event.action in _ASSIGNING:
            holder = _holder(event.payload)
            changes.append((micros(event.at), holder))
    index = {id(e): i for i, e in enumerate(events)}

    def held_at_event(event: object) -> str:
        return before[index[id(event)]]

    answer = first_response(events, response_steps(ticket))
    repair = next((e for e in events if e.action == "resolve"), None)
    scored = _last_scoring(events, "satisfaction")
    attitude = _last_scoring(events, "attitude")
    credit = Credit(
        outcome=current,
        response_done=None,
        resolution_done=None,
        first_repair=held_at_event(repair) if repair is not None else None,
        reworked=tuple(held_at_event(e) for e in events if e.action in REWORK_ACTIONS),
        scored=held_at_event(scored) if scored is not None else None,
        attitude_scored=held_at_event(attitude) if attitude is not None else None,
        changes=tuple(changes),
        fallback=current,
    )
    if answer is not None:
        # A contact entered after the fact (contact_customer(at=), seed 001 沟通时间) was made in the hands
        # that held the ticket then, not in those holding it when it was written down.
        made = answered_at(answer)
        who = credit.at(micros(made)) if made < answer.at else held_at_event(answer)
        credit = attrs.evolve(credit, response_done=who)
    resolved = ticket.resolved_at
    if resolved is None:
        return credit
    done = credit.at(micros(resolved))
    first = credit.first_repair if credit.first_repair is not None else done  # a complaint's handling
    return attrs.evolve(credit, outcome=done, resolution_done=done, first_repair=first)


def _last_scoring(events: Sequence[object], key: str) -> object | None:
    """The last callback event recording an integer ``key`` (the one whose score the KPI reads)."""
    found: object | None = None
    for event in events:
        if getattr(event, "action", None) != CALLBACK_ACTION:
            continue
        value = getattr(event, "payload", {}).get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            found = event
    return found
