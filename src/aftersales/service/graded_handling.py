"""Graded handling (分级处理): a request graded for a senior engineer or the emergency team is theirs.

Seed 003 二 3: "普通问题由客服专员或初级工程师处理;加急问题由资深工程师介入;特急问题则启动应急小组,由部门
负责人协调资源优先处理". An agent may solve an ordinary request by phone straight from triage (remote
guidance), but a 加急 request is one a senior engineer steps into and a 特急 one calls out the emergency
team: solved by the agent on the phone, neither would ever reach them. With ``[routing] remote_by_grade``
(the ``office_equipment`` pack) such a request is dispatched first — the senior engineer it goes to may
still solve it by phone (``resolve(remote=True)`` once working on it).
"""

from __future__ import annotations

from aftersales.domain.classification import Priority
from aftersales.domain.ticket import Ticket
from aftersales.domain.ticket_workflow import TicketState
from aftersales.errors import PermissionDenied
from aftersales.policies.registry import PolicySet
from aftersales.policies.routing import Route, RouteTarget, RoutingFacts, RoutingParams
from aftersales.service.actors import Actor

__all__ = ["GRADED_RULES", "check_graded_handling", "graded_route"]

GRADED_RULES = {
    RouteTarget.SENIOR_ENGINEER: "expedited_by_senior",
    RouteTarget.EMERGENCY_TEAM: "critical_by_team",
}
"""The refusal's rule code (``PermissionDenied.rule``; catalog ``error.permission_<rule>``) by the
target the route names."""


def check_graded_handling(policies: PolicySet, actor: Actor, ticket: Ticket, command: str) -> None:
    """Refuse resolving ``ticket`` from triage when its grade routes it to a senior engineer or the
    emergency team and the pack says so (``[routing] remote_by_grade``).

    ``PermissionDenied`` naming ``command``, the ticket, the rule (``expedited_by_senior`` or
    ``critical_by_team``) and the ticket's ``priority``; nothing changes. A ticket already dispatched
    (worked by whom its grade names, or by whom a head sent with a recorded override) is not concerned,
    nor a complaint, nor a host's own routing policy (its parameters are not the default's)."""
    if ticket.state != TicketState.TRIAGED or not ticket.needs_acceptance:
        return
    graded = graded_route(policies, ticket)
    if graded is None:
        return
    route, priority = graded
    rule = GRADED_RULES.get(route.target)
    if rule is not None:
        raise PermissionDenied(str(actor), command, ticket.id, rule=rule, facts={"priority": priority.value})


def graded_route(policies: PolicySet, ticket: Ticket) -> tuple[Route, Priority] | None:
    """The route ``ticket``'s grade names, with the grade, when the pack grades who handles a request
    (``[routing] remote_by_grade``, the bundled routing policy); ``None`` otherwise (a host's own routing
    policy, whose parameters are not the default's, or the key off). One reading for both checks: before
    the dispatch (this module) and once dispatched (:mod:`~aftersales.service.graded_involvement`)."""
    routing = policies.routing
    params = getattr(routing, "params", None)
    if not isinstance(params, RoutingParams) or not params.remote_by_grade:
        return None
    assessment = ticket.assessment
    priority = ticket.priority or Priority.NORMAL
    route = routing.decide(
        RoutingFacts(
            priority,
            assessment.departments if assessment else 1,
            assessment is not None and assessment.complex_problem,
        )
    ).outcome
    return route, priority
