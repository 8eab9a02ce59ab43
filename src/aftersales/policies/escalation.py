"""Escalation (上报): who takes over when the normal path cannot decide or must not wait.

Seed 004: a crisis event is reported at once to the customer-service centre ("立即通知客户服务中心"), hard
cases go to the general manager ("客户服务中心向总经理报告及请示处理方法"). Seed 002: a customer who refuses
the quote for a chargeable repair goes to a superior ("若用户不接受相关费用,则上报上级领导处理"). Seed 001:
multi-department problems are coordinated by the after-sales manager. No dispatch candidate → manager.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from aftersales.domain.actors import Role
from aftersales.domain.coded_enum import CodedEnum
from aftersales.domain.complaint_workflow import COMPLAINT_WORKFLOW
from aftersales.domain.reasons import Reason
from aftersales.domain.typed_init import refused_typed
from aftersales.errors import ValidationError
from aftersales.policies.decision import Decision
from aftersales.policies.kinds import PolicyKind
from aftersales.policies.params import frozen_mapping

__all__ = [
    "IMMEDIATE_TRIGGERS",
    "KIND",
    "LADDER",
    "TAKERS",
    "DefaultEscalation",
    "Escalation",
    "EscalationFacts",
    "EscalationParams",
    "EscalationTrigger",
]


class EscalationTrigger(CodedEnum):
    """Why a ticket is escalated."""

    NO_CANDIDATE = "no_candidate"
    QUOTE_REFUSED = "quote_refused"
    MULTI_DEPARTMENT = "multi_department"
    CRISIS_EVENT = "crisis_event"
    BATCH_INCIDENT = "batch_incident"
    HARD_CASE = "hard_case"
    SLA_BREACH = "sla_breach"
    CUSTOMER_DISSATISFIED = "customer_dissatisfied"


@attrs.frozen
class EscalationFacts:
    """What the escalation policy looks at: the trigger and, optionally, its details as a reason."""

    trigger: EscalationTrigger
    detail: Reason | None = None


@attrs.frozen
class Escalation:
    """Who the ticket is escalated to, and whether at once (crisis) or in the normal course."""

    to: tuple[Role, ...]
    immediate: bool


_TARGETS: Mapping[EscalationTrigger, tuple[Role, ...]] = MappingProxyType(
    {
        EscalationTrigger.NO_CANDIDATE: (Role.MANAGER,),
        EscalationTrigger.QUOTE_REFUSED: (Role.MANAGER,),
        EscalationTrigger.MULTI_DEPARTMENT: (Role.MANAGER,),
        EscalationTrigger.CRISIS_EVENT: (Role.MANAGER, Role.GENERAL_MANAGER),
        EscalationTrigger.BATCH_INCIDENT: (Role.MANAGER, Role.GENERAL_MANAGER),
        EscalationTrigger.HARD_CASE: (Role.GENERAL_MANAGER,),
        EscalationTrigger.SLA_BREACH: (Role.MANAGER,),
        EscalationTrigger.CUSTOMER_DISSATISFIED: (Role.MANAGER,),
    }
)


TAKERS: frozenset[Role] = COMPLAINT_WORKFLOW.spec("acknowledge_escalation").roles
"""The roles an escalation may go to: those who may take it up (acknowledge it). 上报 goes up, to a
supervisor; another role (the customer, an agent, the system) could never acknowledge it, so its
acknowledgement would stay overdue and the notice would reach whoever the host listed for that role."""


LADDER: tuple[Role, ...] = (Role.MANAGER, Role.GENERAL_MANAGER)
"""The levels an escalation goes up when the roles named reach nobody, lowest first: the service centre
(its head, the after-sales manager), then the general manager — seed 004's chain (立即通知客户服务中心;
客户服务中心向总经理报告). A role not on it (a department head) goes up to the centre first."""


def _over_targets(
    value: Mapping[EscalationTrigger, tuple[Role, ...]],
) -> Mapping[EscalationTrigger, tuple[Role, ...]]:
    return frozen_mapping({**_TARGETS, **value})


def _complete(
    instance: object, attribute: attrs.Attribute[Any], value: Mapping[EscalationTrigger, object]
) -> None:
    missing = [t.value for t in EscalationTrigger if t not in value]
    if missing:
        raise ValidationError(
            f"{attribute.name} must name every trigger; missing {missing}", field=attribute.name
        )
    for trigger, roles in value.items():
        if not roles:  # an escalation to nobody: the problem would wait unseen (seed 004: 立即上报)
            name = getattr(trigger, "value", trigger)
            raise ValidationError(
                f"{attribute.name}.{name} names nobody: an escalation needs at least one role",
                field=f"{attribute.name}.{name}",
            )
        listed = roles if isinstance(roles, tuple | list | set | frozenset) else (roles,)
        others = [getattr(r, "value", r) for r in listed if r not in TAKERS]
        if others:
            name = getattr(trigger, "value", trigger)
            takers = ", ".join(sorted(r.value for r in TAKERS))
            raise ValidationError(
                f"{attribute.name}.{name} names {', '.join(map(str, others))}: an escalation goes to a role "
                f"that can take it up ({takers})",
                field=f"{attribute.name}.{name}",
            )


@refused_typed
@attrs.frozen
class EscalationParams:
    """Parameters of the default escalation policy (pack section ``[escalation]``)."""

    targets: Mapping[EscalationTrigger, tuple[Role, ...]] = attrs.field(
        default=_TARGETS, converter=_over_targets, validator=_complete
    )
    """Who each trigger escalates to; a pack names only the triggers it changes."""

    RETIRED_KEYS: ClassVar[Mapping[str, str]] = MappingProxyType(
        {
            "immediate": "immediate is not a setting: every escalation is raised and its notices sent the "
            "moment its trigger happens, and is due to be taken up within complaint.escalation_ack_hours; "
            "a list here would change nothing. Remove the key"
        }
    )


IMMEDIATE_TRIGGERS = frozenset({EscalationTrigger.CRISIS_EVENT, EscalationTrigger.BATCH_INCIDENT})
"""The triggers an escalation record labels immediate (seed 004: 危机事件…要立即通知客户服务中心). A label
only: every escalation goes out when its trigger happens."""


@attrs.frozen
class DefaultEscalation:
    """Looks the trigger up in the pack's table."""

    params: EscalationParams = EscalationParams()
    name: str = "default.escalation"

    def decide(self, facts: EscalationFacts) -> Decision[Escalation]:
        """Who to escalate to for ``facts.trigger``."""
        to = self.params.targets[facts.trigger]
        immediate = facts.trigger in IMMEDIATE_TRIGGERS
        reasons = [
            Reason(
                "escalation",
                {"trigger": facts.trigger.value, "to": ",".join(r.value for r in to), "immediate": immediate},
            )
        ]
        if facts.detail is not None:
            reasons.append(facts.detail)
        return Decision(Escalation(to, immediate), reasons, self.name)


KIND = PolicyKind("escalation", EscalationParams, DefaultEscalation)
"""Registers this kind with the policy registry (pack section ``[escalation]``)."""
