"""The service desk's shift roster (客服专员实行轮班制, 保证服务的连续性: seed 003).

Agents answer the hotline in shifts. The roster lists each shift as explicit instants, so "who is at the
desk at 12:30 on a make-up working Sunday" is a lookup, and the working time no shift covers — where a
call would ring with nobody to take it — can be listed before it happens. Pure: no I/O, no clock.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import ClassVar

import attrs

from aftersales.domain.calendar import BusinessCalendar
from aftersales.domain.instants import require_aware
from aftersales.domain.text import required_text
from aftersales.domain.typed_init import refused_typed
from aftersales.domain.work import aware
from aftersales.errors import ValidationError

__all__ = ["AgentShift", "DeskRoster", "RosterGap", "RosterWindow"]

KEPT = timedelta(days=35)
"""How long a shift that has ended stays in the roster: the month just judged (who acted is in each
ticket's history anyway), so the roster a notice reads stays a few hundred shifts."""


@attrs.frozen
class AgentShift:
    """``agent_id`` is at the desk from ``starts_at`` (inclusive) to ``ends_at`` (exclusive)."""

    agent_id: str = attrs.field(validator=required_text(64))
    starts_at: datetime = attrs.field(validator=aware)
    ends_at: datetime = attrs.field(validator=aware)

    def __attrs_post_init__(self) -> None:
        if self.ends_at <= self.starts_at:
            raise ValidationError("a shift ends after it starts", field="ends_at")
        if self.ends_at - self.starts_at > timedelta(days=1):
            raise ValidationError("a shift lasts at most a day", field="ends_at")

    def covers(self, at: datetime) -> bool:
        """Is ``at`` inside the shift?"""
        return self.starts_at <= require_aware(at, "at") < self.ends_at


@attrs.frozen
class RosterGap:
    """Working time of the desk's calendar no shift covers, from ``starts_at`` to ``ends_at``."""

    starts_at: datetime
    ends_at: datetime
    working_time: timedelta
    """How much of the span is working time (what a caller would find nobody to answer)."""


def _start(shift: AgentShift) -> datetime:
    return shift.starts_at


def _whole(shift: AgentShift) -> tuple[datetime, datetime, str]:
    return (shift.starts_at, shift.ends_at, shift.agent_id)


@attrs.frozen
class RosterWindow:
    """The shifts a plan left in its window ``[start, end)`` of roster ``id``, in one order (start, end,
    agent): what the plan's audit record keeps before and after it. The window, not the whole roster:
    the plan changed that much, and the roster drops its old shifts as it goes (:data:`KEPT`)."""

    id: str
    start: datetime
    end: datetime
    shifts: tuple[AgentShift, ...]


def _check_no_overlap(shifts: list[AgentShift]) -> None:
    """Refuse two shifts of one agent at once: one person answers one line (seed 003 二 1 轮班制), and a
    plan listing them twice is a mistake its heads should see (a typo'd time), not a longer shift."""
    last: dict[str, AgentShift] = {}
    for shift in sorted(shifts, key=_whole):
        earlier = last.get(shift.agent_id)
        if earlier is not None and shift.starts_at < earlier.ends_at:
            raise ValidationError(
                f"the shifts of {shift.agent_id} from {earlier.starts_at.isoformat()} and from"
                f" {shift.starts_at.isoformat()} overlap",
                field="shifts",
                rule="shifts_overlap",
            )
        if earlier is None or shift.ends_at > earlier.ends_at:
            last[shift.agent_id] = shift


@refused_typed
@attrs.define
class DeskRoster:
    """The stored roster: every planned shift, in start order."""

    DOCUMENT_KIND: ClassVar[str] = "desk_roster"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ()
    id: str = "desk"
    shifts: list[AgentShift] = attrs.field(factory=list)
    version: int = 0

    def __attrs_post_init__(self) -> None:
        self.shifts.sort(key=_start)

    def on_duty(self, at: datetime) -> tuple[str, ...]:
        """The agents at the desk at ``at``, each once, in the order their shifts began."""
        require_aware(at, "at")
        shifts = self.shifts
        found: dict[str, None] = {}
        # A shift lasts at most a day: those covering ``at`` began within the day before it.
        first = bisect.bisect_right(shifts, at - timedelta(days=1), key=_start)
        for shift in shifts[first : bisect.bisect_right(shifts, at, key=_start)]:
            if shift.covers(at):
                found[shift.agent_id] = None
        return tuple(found)

    def window(self, start: datetime, end: datetime) -> RosterWindow:
        """The shifts lying inside ``[start, end)``: what a plan of that window replaces."""
        inside = [s for s in self.shifts if start <= s.starts_at and s.ends_at <= end]
        return RosterWindow(self.id, start, end, tuple(sorted(inside, key=_whole)))

    def plan(self, start: datetime, end: datetime, shifts: Iterable[AgentShift]) -> None:
        """Replace the shifts of ``[start, end)`` with ``shifts`` (a week's plan, a corrected day).

        Each new shift lies inside the window, and no two of one agent overlap (``ValidationError`` naming
        ``shifts``, rule ``shifts_overlap``); a stored shift crossing its edge is refused (split the window
        there), so a plan never half-removes a shift it did not mean to touch. Shifts that ended
        more than :data:`KEPT` before ``start`` are dropped: the roster does not grow without end.
        """
        if end <= start:
            raise ValidationError("the window ends after it starts", field="end")
        wanted = list(shifts)
        for shift in wanted:
            if shift.starts_at < start or shift.ends_at > end:
                raise ValidationError(
                    f"the shift of {shift.agent_id} from {shift.starts_at.isoformat()} is outside the window",
                    field="shifts",
                )
        _check_no_overlap(wanted)
        kept: list[AgentShift] = []
        for shift in self.shifts:
            inside = start <= shift.starts_at and shift.ends_at <= end
            if inside:
                continue
            if shift.starts_at < end and shift.ends_at > start:
                edge = "start" if shift.starts_at < start else "end"
                raise ValidationError(
                    f"the stored shift of {shift.agent_id} from {shift.starts_at.isoformat()} crosses the"
                    f" window's {edge}: plan a window that holds it whole",
                    field=edge,
                )
            if shift.ends_at >= start - KEPT:
                kept.append(shift)
        self.shifts = sorted(kept + wanted, key=_start)

    def gaps(self, calendar: BusinessCalendar, start: datetime, end: datetime) -> list[RosterGap]:
        """The spans of ``[start, end)`` with working time that no shift covers, in order."""
        if end <= start:
            raise ValidationError("the span ends after it starts", field="end")
        out: list[RosterGap] = []
        cursor = start
        for shift in self.shifts:
            if shift.ends_at <= cursor:
                continue
            if shift.starts_at >= end:
                break
            if shift.starts_at > cursor:
                self._gap(calendar, cursor, shift.starts_at, out)
            cursor = max(cursor, shift.ends_at)
            if cursor >= end:
                return out
        self._gap(calendar, cursor, end, out)
        return out

    @staticmethod
    def _gap(calendar: BusinessCalendar, start: datetime, end: datetime, out: list[RosterGap]) -> None:
        working = calendar.between(start, end)
        if working > timedelta(0):  # it starts where the working time does (not at last night's end)
            out.append(RosterGap(calendar.next_working_time(start), end, working))
