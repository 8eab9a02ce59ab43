"""Graded handling once dispatched: an expedited or critical request is solved with whom its grade names.

Seed 003 二 3: "加急问题由资深工程师介入;特急问题则启动应急小组,由部门负责人协调资源优先处理". The office may
send a junior engineer to an expedited request (the one nearby, no senior free: the dispatch records a
``dispatch_below_level`` override), or an engineer on no emergency team to a critical one
(``dispatch_outside_emergency_team``). That is someone's hands on site, not the senior engineer stepping
in: with ``[routing] remote_by_grade`` (the ``office_equipment`` pack) such a request is not resolved —
by the engineer sent, by phone, or by the office — while nobody of its grade works on it. A senior
engineer steps in by being sent (``reassign`` to one) or by joining the ticket's team beside the engineer
sent (``desk.teams.add_members``, session 34: :mod:`~aftersales.service.team_joining`); on a critical
request a member of the emergency team added to the ticket's team (the department head coordinating)
steps in too, and a senior engineer on it is the least a critical request asks (特急 is above 加急). Then
it is resolved as any other, by phone too, by the engineer sent as well.
"""

from __future__ import annotations

from datetime import datetime

from aftersales.domain.classification import TicketKind
from aftersales.domain.parties import Engineer, EngineerLevel
from aftersales.domain.teams import Team, TeamKind, added_members
from aftersales.domain.ticket import Ticket
from aftersales.domain.work import AssigneeKind
from aftersales.errors import PermissionDenied
from aftersales.policies.registry import PolicySet
from aftersales.policies.routing import Route, RouteTarget
from aftersales.ports.unit_of_work import UnitOfWork
from aftersales.service.actors import Actor
from aftersales.service.graded_handling import graded_route

__all__ = ["INVOLVEMENT_RULES", "check_graded_involvement"]

INVOLVEMENT_RULES = {
    RouteTarget.SENIOR_ENGINEER: "expedited_senior_not_involved",
    RouteTarget.EMERGENCY_TEAM: "critical_team_not_involved",
}
"""The refusal's rule code (``PermissionDenied.rule``; catalog ``error.permission_<rule>``) by the
target the route names."""

_RANK = {EngineerLevel.JUNIOR: 0, EngineerLevel.SENIOR: 1}


def _team(ticket: Ticket) -> tuple[str, ...]:
    """The engineers working on ``ticket``: its assigned engineer and every member added to it."""
    assignee = ticket.assignee
    first = (assignee.id,) if assignee is not None and assignee.kind is AssigneeKind.ENGINEER else ()
    return tuple(dict.fromkeys((*first, *added_members(ticket.events))))


def _of_grade(uow: UnitOfWork, route: Route, engineers: list[Engineer]) -> bool:
    """Whether one of ``engineers`` is whom ``route`` names: an engineer of its level (a senior engineer
    for either grade: what 加急 asks, 特急 asks at least), or for the emergency team one on it (marked for
    it, as automatic dispatch picks, or a member of a registered one)."""
    required = route.min_level or route.preferred_level
    if required is not None and any(_RANK[e.level] >= _RANK[required] for e in engineers):
        return True
    if not route.emergency_team:
        return required is None
    if any(e.emergency_team for e in engineers):
        return True
    teams = uow.documents.query(Team, kind=TeamKind.EMERGENCY.value)
    members = {m for team in teams for m in team.members}
    return any(e.id in members for e in engineers)


def check_graded_involvement(
    policies: PolicySet, uow: UnitOfWork, actor: Actor, ticket: Ticket, command: str, now: datetime
) -> None:
    """Refuse resolving a dispatched ``ticket`` whose grade routes it to a senior engineer or the
    emergency team while no engineer working on it at ``now`` is one (the pack's ``[routing]
    remote_by_grade``): a senior engineer or team member who has since left the company no longer counts.

    ``PermissionDenied`` naming ``command``, the ticket, the rule (``expedited_senior_not_involved`` or
    ``critical_team_not_involved``) and the ticket's ``priority``; nothing changes. Not concerned: a
    ticket not yet dispatched (:mod:`~aftersales.service.graded_handling` judges it), one worked by a
    dealer (the dealer sends whom it has), a complaint, a host's own routing policy."""
    if ticket.kind is not TicketKind.SERVICE or not ticket.needs_acceptance:
        return
    graded = graded_route(policies, ticket)
    if graded is None:
        return
    team = _team(ticket)
    if not team:
        return
    route, priority = graded
    rule = INVOLVEMENT_RULES.get(route.target)
    if rule is None:
        return
    # One who left the company (deactivated, or past a recorded departure) no longer works on it.
    engineers = [e for e in uow.engineers.find(team).values() if not e.gone_at(now)]
    if not _of_grade(uow, route, engineers):
        raise PermissionDenied(str(actor), command, ticket.id, rule=rule, facts={"priority": priority.value})
