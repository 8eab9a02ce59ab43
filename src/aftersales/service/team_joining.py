"""Who may join a ticket's team beside the engineer sent (seed 003 二 3 分级处理).

"加急问题由资深工程师介入;特急问题则启动应急小组,由部门负责人协调资源优先处理". A critical request starts the
emergency team: the coordinator adds engineers to its team. An expedited request has a senior engineer step
in (介入). Stepping in is not only taking the job over: when the engineer sent is a junior (the one nearby,
no senior free), the senior may join him — guiding by phone or coming along — and the job stays with whoever
is on site. So a senior engineer may be added to an expedited request's team as to a critical one's (before
session 34 only a reassignment let him step in, sending the junior away). A junior added to an expedited
request is not the senior stepping in, and a normal request has no team.
"""

from __future__ import annotations

from collections.abc import Mapping

from aftersales.domain.classification import Priority
from aftersales.domain.parties import Engineer, EngineerLevel
from aftersales.domain.ticket import Ticket
from aftersales.errors import ValidationError
from aftersales.policies.routing import RouteTarget

__all__ = ["check_team_grade", "joining_level"]

_JOINED_AS = {Priority.CRITICAL: RouteTarget.EMERGENCY_TEAM, Priority.EXPEDITED: RouteTarget.SENIOR_ENGINEER}
"""The level an engineer joins a ticket at, by its grade (the added member's notice names it)."""


def check_team_grade(ticket: Ticket) -> RouteTarget:
    """The level engineers join ``ticket`` at; a normal request (no team of its grade) is a
    ``ValidationError`` naming ``priority``."""
    level = _JOINED_AS.get(ticket.priority) if ticket.priority is not None else None
    if level is None:
        raise ValidationError(f"ticket {ticket.id} is neither critical nor expedited", field="priority")
    return level


def joining_level(ticket: Ticket, engineers: Mapping[str, Engineer]) -> RouteTarget:
    """:func:`check_team_grade`, and on an expedited request every engineer joining is a senior one:
    a junior is a ``ValidationError`` naming ``engineer_ids`` (加急问题由资深工程师介入)."""
    level = check_team_grade(ticket)
    if level is RouteTarget.SENIOR_ENGINEER:
        juniors = [e.id for e in engineers.values() if e.level is not EngineerLevel.SENIOR]
        if juniors:
            raise ValidationError(
                f"a senior engineer steps in on an expedited request (加急问题由资深工程师介入); "
                f"{juniors[0]} is not senior",
                field="engineer_ids",
            )
    return level
