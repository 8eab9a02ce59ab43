"""Routing: who handles a ticket of a given priority (分级处理), and who coordinates.

Seed 003: "普通问题由客服专员或初级工程师处理;加急问题由资深工程师介入;特急问题则启动应急小组,由部门负责人
协调资源优先处理" — normal → agent or junior engineer; expedited → senior engineer; critical → the emergency
team, the department head coordinating. Seed 001: "对于复杂问题或涉及多个部门的问题,售后经理应组织相关部门
进行协调处理" — multi-department problems are coordinated by the after-sales manager.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.classification import Priority
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.parties import EngineerLevel
from aftersales.domain.reasons import Reason
from aftersales.domain.ticket_workflow import TICKET_WORKFLOW
from aftersales.domain.typed_init import refused_typed
from aftersales.errors import ValidationError
from aftersales.policies.decision import Decision
from aftersales.policies.kinds import PolicyKind
from aftersales.policies.params import at_least, frozen_mapping

__all__ = ["KIND", "DefaultRouting", "Route", "RouteTarget", "RoutingFacts", "RoutingParams"]


class RouteTarget(CodedEnum):
    """The tier of people a ticket goes to."""

    AGENT_OR_JUNIOR = "agent_or_junior"
    SENIOR_ENGINEER = "senior_engineer"
    EMERGENCY_TEAM = "emergency_team"
    DEALER = "dealer"


@attrs.frozen
class RoutingFacts:
    """What routing looks at: the triaged priority and how many departments the problem involves."""

    priority: Priority
    departments: int = 1
    complex_problem: bool = False
    """A complex problem (seed 001: 对于复杂问题或涉及多个部门的问题,售后经理应组织相关部门进行协调处理)."""


@attrs.frozen
class Route:
    """Where a ticket goes: the target tier, what dispatch must respect, who coordinates, who is told.

    ``min_level`` and ``emergency_team`` are constraints for dispatch; ``preferred_level`` is a scoring
    preference (a junior engineer for normal work keeps the seniors free).
    """

    target: RouteTarget
    min_level: EngineerLevel | None = None
    preferred_level: EngineerLevel | None = None
    emergency_team: bool = False
    coordinator: Role | None = None
    notify: tuple[Role, ...] = ()

    @property
    def told(self) -> tuple[Role, ...]:
        """The staff roles told of a dispatch on this route: the notify list, then the coordinator,
        each once (seed 003: 部门负责人协调资源; seed 001: the manager coordinates departments)."""
        coordinator = (self.coordinator,) if self.coordinator is not None else ()
        return tuple(dict.fromkeys((*self.notify, *coordinator)))


_TARGETS = MappingProxyType(
    {
        Priority.NORMAL: RouteTarget.AGENT_OR_JUNIOR,
        Priority.EXPEDITED: RouteTarget.SENIOR_ENGINEER,
        Priority.CRITICAL: RouteTarget.EMERGENCY_TEAM,
    }
)


COORDINATORS: frozenset[Role] = TICKET_WORKFLOW.spec("add_team_member").roles - {Role.SYSTEM}
"""The roles a route may name to coordinate: those who bring people in on the ticket (add to its team,
assign departments). Seed 003 names the department head (部门负责人协调资源), seed 001 the after-sales
manager (售后经理应组织相关部门进行协调处理); a customer, an auditor or an engineer coordinates nothing."""

TOLD: frozenset[Role] = TICKET_WORKFLOW.spec("assign_departments").roles - {Role.SYSTEM}
"""The roles a critical ticket may be announced to: the office, who read every ticket and act on it. A
role outside it (a customer, dealer staff of every dealer) would be told of tickets it may not see, or
of nothing at all when the host lists nobody for it."""


def _role(value: Any) -> Any:
    """A role's code as the role (a host building params in code writes ``"manager"``); anything else
    is left for the validator to refuse by name."""
    try:
        return Role(value)
    except (ValueError, TypeError):
        return value


def _roles(value: Any) -> Any:
    if isinstance(value, str):
        return (_role(value),)  # one role named alone
    if not isinstance(value, Iterable):
        return value
    return tuple(_role(v) for v in value)


def _target_table(value: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """The targets by priority, codes read as the enums; a code that is neither is refused by name."""
    if not isinstance(value, Mapping):
        raise ValidationError("targets map each priority to a target", field="targets")
    table: dict[Priority, RouteTarget] = {}
    for priority, target in value.items():
        try:
            graded = Priority(priority)
        except (ValueError, TypeError):
            known = ", ".join(p.value for p in Priority)
            raise ValidationError(
                f"targets names {priority!r}: priorities are {known}", field="targets"
            ) from None
        try:
            table[graded] = RouteTarget(target)
        except (ValueError, TypeError):
            known = ", ".join(t.value for t in RouteTarget)
            raise ValidationError(
                f"targets.{graded.value} is {target!r}: a priority maps to one of {known}", field="targets"
            ) from None
    return frozen_mapping(table)


def _one_of(allowed: frozenset[Role]) -> Any:
    def check(instance: object, attribute: attrs.Attribute[Role], value: object) -> None:
        _check_roles(attribute.name, (value,), allowed)

    return check


def _all_of(allowed: frozenset[Role]) -> Any:
    def check(instance: object, attribute: attrs.Attribute[tuple[Role, ...]], value: object) -> None:
        listed = value if isinstance(value, tuple | list) else (value,)
        if not listed:
            raise ValidationError(f"{attribute.name} names nobody", field=attribute.name)
        _check_roles(attribute.name, listed, allowed)

    return check


def _check_roles(name: str, roles: Iterable[object], allowed: frozenset[Role]) -> None:
    others = [getattr(r, "value", r) for r in roles if not isinstance(r, Role) or r not in allowed]
    if others:
        codes = ", ".join(sorted(r.value for r in allowed))
        raise ValidationError(f"{name} names {', '.join(map(str, others))}: it is one of {codes}", field=name)


def _flag(instance: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if value is not True and value is not False:
        raise ValidationError(
            f"{attribute.name} is true or false, got {value!r:.40}",
            field=attribute.name,
            rule="true_or_false",
        )


@refused_typed
@attrs.frozen
class RoutingParams:
    """Parameters of the default routing policy (pack section ``[routing]``)."""

    targets: Mapping[Priority, RouteTarget] = attrs.field(default=_TARGETS, converter=_target_table)
    """The target tier per priority (seed 003)."""
    critical_coordinator: Role = attrs.field(
        default=Role.DEPARTMENT_HEAD, converter=_role, validator=_one_of(COORDINATORS)
    )
    """Who coordinates resources for a critical ticket (seed 003: 部门负责人协调资源)."""
    critical_notify: tuple[Role, ...] = attrs.field(
        default=(Role.DEPARTMENT_HEAD,), converter=_roles, validator=_all_of(TOLD)
    )
    """Who is notified at once of a critical ticket."""
    multi_department_from: int = attrs.field(default=2, validator=at_least(2))
    """A problem involving this many departments or more is coordinated by ``multi_department_role``."""
    multi_department_role: Role = attrs.field(
        default=Role.MANAGER, converter=_role, validator=_one_of(COORDINATORS)
    )
    """Who coordinates multi-department problems (seed 001: 售后经理)."""
    remote_by_grade: bool = attrs.field(default=False, validator=_flag)
    """Whether a request routed to a senior engineer or the emergency team must be handed to them before it
    is solved: no resolution straight from triage (by phone, nobody dispatched). Seed 003 二 3 分级处理:
    加急问题由资深工程师介入;特急问题则启动应急小组 — ``office_equipment`` sets it; the other seeds name no
    handler by grade, so their packs keep the agent's phone resolution of any grade."""

    def __attrs_post_init__(self) -> None:
        missing = [p.value for p in Priority if p not in self.targets]
        if missing:
            raise ValidationError(f"targets must name every priority; missing {missing}", field="targets")


_CONSTRAINTS: Mapping[RouteTarget, tuple[EngineerLevel | None, EngineerLevel | None, bool]] = (
    MappingProxyType(
        {
            RouteTarget.AGENT_OR_JUNIOR: (None, EngineerLevel.JUNIOR, False),
            RouteTarget.SENIOR_ENGINEER: (EngineerLevel.SENIOR, EngineerLevel.SENIOR, False),
            RouteTarget.EMERGENCY_TEAM: (None, EngineerLevel.SENIOR, True),
            RouteTarget.DEALER: (None, None, False),
        }
    )
)


@attrs.frozen
class DefaultRouting:
    """Routes by priority (seed 003) and hands multi-department problems to the manager (seed 001)."""

    params: RoutingParams = RoutingParams()
    name: str = "default.routing"

    def decide(self, facts: RoutingFacts) -> Decision[Route]:
        """The route for ``facts``, with the reasons (priority tier, coordinator)."""
        p = self.params
        target = p.targets[facts.priority]
        min_level, preferred, emergency = _CONSTRAINTS[target]
        reasons = [Reason("route_by_priority", {"priority": facts.priority.value, "target": target.value})]
        coordinator: Role | None = None
        notify: tuple[Role, ...] = ()
        if target is RouteTarget.EMERGENCY_TEAM:
            coordinator = p.critical_coordinator
            notify = p.critical_notify
            reasons.append(Reason("critical_coordination", {"coordinator": coordinator.value}))
        if facts.departments >= p.multi_department_from or facts.complex_problem:
            coordinator = p.multi_department_role
            if coordinator not in notify:
                notify = (*notify, coordinator)
            reasons.append(
                Reason(
                    "multi_department", {"departments": facts.departments, "coordinator": coordinator.value}
                )
                if facts.departments >= p.multi_department_from
                else Reason("complex_problem", {"coordinator": coordinator.value})
            )
        route = Route(target, min_level, preferred, emergency, coordinator, notify)
        return Decision(route, reasons, self.name)


KIND = PolicyKind("routing", RoutingParams, DefaultRouting)
"""Registers this kind with the policy registry (pack section ``[routing]``)."""
