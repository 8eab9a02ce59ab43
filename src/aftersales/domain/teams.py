"""Teams (应急小组, a region's engineers, a dealer's staff) and their on-call roster.

A team has members, a lead engineer and a coordinator (the department head who coordinates critical
problems, seed 003). Its roster lists on-call shifts — nights, weekends, holidays — as explicit
instants, so "who is on call at 23:00 on Saturday" is a lookup, not a guess. Pure: no I/O, no clock.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any, ClassVar

import attrs

from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.instants import require_aware
from aftersales.domain.text import required_text
from aftersales.domain.work import aware
from aftersales.errors import ValidationError

__all__ = ["MEMBER_LABEL", "OnCallShift", "Team", "TeamKind", "added_members"]


class TeamKind(CodedEnum):
    """What a team is: the emergency team, a region's engineers, a dealer's staff."""

    EMERGENCY = "emergency"
    REGION = "region"
    DEALER = "dealer"


@attrs.frozen
class OnCallShift:
    """``engineer_id`` is on call from ``starts_at`` (inclusive) to ``ends_at`` (exclusive)."""

    engineer_id: str = attrs.field(validator=required_text(64))
    starts_at: datetime = attrs.field(validator=aware)
    ends_at: datetime = attrs.field(validator=aware)

    def __attrs_post_init__(self) -> None:
        if self.ends_at <= self.starts_at:
            raise ValidationError("a shift ends after it starts", field="ends_at")

    def covers(self, at: datetime) -> bool:
        """Is ``at`` inside the shift?"""
        return self.starts_at <= require_aware(at, "at") < self.ends_at


def _members(value: object) -> list[str]:
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        raise ValidationError("members is a list of engineer ids", field="members")
    out: list[str] = []
    for m in value:
        if not isinstance(m, str) or not m:
            raise ValidationError("members is a list of engineer ids", field="members")
        if m not in out:
            out.append(m)
    return out


def _start(shift: OnCallShift) -> datetime:
    return shift.starts_at


@attrs.define
class Team:
    """A team: members, a lead engineer (one of them), a coordinator and the on-call shifts."""

    DOCUMENT_KIND: ClassVar[str] = "team"
    DOCUMENT_INDEX: ClassVar[tuple[str, ...]] = ("kind",)

    id: str = attrs.field(validator=required_text(64))
    name: str = attrs.field(validator=required_text(100))
    kind: TeamKind = attrs.field(converter=TeamKind)
    lead: str = attrs.field(validator=required_text(64))
    members: list[str] = attrs.field(factory=list, converter=_members)
    coordinator: str | None = None
    """The coordinating person's id (a department head), recorded with the team. Staff are reached by
    role, so a critical dispatch's notice goes to the roles the pack's routing names
    (``routing.critical_coordinator``, ``critical_notify``), not to this id."""
    region: str | None = None
    dealer_id: str | None = None
    shifts: list[OnCallShift] = attrs.field(factory=list)
    version: int = 0

    def __attrs_post_init__(self) -> None:
        if self.lead not in self.members:
            self.members.insert(0, self.lead)
        self.shifts.sort(key=_start)  # kept in start order: on_call bisects

    def on_call(self, at: datetime, exclude: Collection[str] = ()) -> str | None:
        """The member on call at ``at`` (the latest-starting shift covering it), or ``None``.

        ``exclude``: engineers who must not get the ticket (a re-dispatch takes it from one of them);
        the next covering shift's member is on call instead. The shifts starting at or before ``at``
        are found by bisection and walked back from the latest, so a year of shifts costs a few
        comparisons, not one per shift.
        """
        shifts = self.shifts
        for index in range(bisect.bisect_right(shifts, at, key=_start) - 1, -1, -1):
            shift = shifts[index]
            if shift.covers(at) and shift.engineer_id in self.members and shift.engineer_id not in exclude:
                return shift.engineer_id
        return None


MEMBER_LABEL = "member:"
"""The prefix of the ticket label naming an engineer added to its team (``member:<engineer id>``):
stores index it beside tags, so listings scoped to an engineer find the tickets it was added to."""


def added_members(events: Iterable[Any]) -> tuple[str, ...]:
    """The engineers a coordinator added to a ticket's team, in the order of ``events`` (each once).

    ``events`` are the ticket's history; only ``add_team_member`` steps name members.
    """
    out: dict[str, None] = {}
    for event in events:
        if event.action == "add_team_member":
            for member in event.payload.get("members") or ():
                if isinstance(member, str) and member:
                    out[member] = None
    return tuple(out)
