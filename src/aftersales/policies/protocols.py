"""The policy Protocols: what a host implements to replace one policy without forking.

Every policy has ``name`` (recorded as the decision's ``policy``) and ``decide(...)`` returning a
:class:`~aftersales.policies.decision.Decision` (outcome, reasons, policy). The default implementations
live beside their facts and outcome types (``triage``, ``routing``, ``dispatch``, ``callback``,
``escalation``, ``notification``). ``WarrantyPolicy``, ``ChargeabilityPolicy``, ``FeesPolicy`` and
``SlaPolicy`` are defined beside their facts and re-exported here, so this one module names the
Protocol of every built-in kind (:data:`KIND_PROTOCOLS`), and :class:`~aftersales.policies.registry.PolicySet`
has one field typed by each.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Protocol, runtime_checkable

from aftersales.domain.actors import Role
from aftersales.policies.callback import CallbackFacts, CallbackPlan
from aftersales.policies.chargeability import ChargeabilityPolicy
from aftersales.policies.complaints import ComplaintClass, ComplaintFacts, ComplaintParams
from aftersales.policies.decision import Decision
from aftersales.policies.dispatch import Dispatch, DispatchRequest, OnDuty, Roster
from aftersales.policies.escalation import Escalation, EscalationFacts
from aftersales.policies.fees import FeesPolicy
from aftersales.policies.notification import NotificationFacts
from aftersales.policies.routing import Route, RoutingFacts
from aftersales.policies.sla import SlaPolicy
from aftersales.policies.triage import Triage, TriageFacts
from aftersales.policies.warranty import WarrantyPolicy

__all__ = [
    "KIND_PROTOCOLS",
    "CallbackPolicy",
    "ChargeabilityPolicy",
    "ComplaintPolicy",
    "DispatchPolicy",
    "EscalationPolicy",
    "FeesPolicy",
    "MaintenancePolicy",
    "NotificationPolicy",
    "PriorityPolicy",
    "RoutingPolicy",
    "SlaPolicy",
    "SurveyCampaignPolicy",
    "WarrantyPolicy",
]


@runtime_checkable
class PriorityPolicy(Protocol):
    """Triage: the priority and plan of a ticket (seed 003)."""

    @property
    def name(self) -> str: ...

    def decide(self, facts: TriageFacts) -> Decision[Triage]: ...


@runtime_checkable
class RoutingPolicy(Protocol):
    """Who handles a ticket of a given priority, who coordinates, who is told (seeds 003, 001)."""

    @property
    def name(self) -> str: ...

    def decide(self, facts: RoutingFacts) -> Decision[Route]: ...


@runtime_checkable
class DispatchPolicy(Protocol):
    """Which engineer or dealer gets the ticket, with the ranked candidates (seeds 003, 002)."""

    @property
    def name(self) -> str: ...

    def decide(
        self, request: DispatchRequest, roster: Roster, on_duty: OnDuty | None = None
    ) -> Decision[Dispatch]: ...


@runtime_checkable
class CallbackPolicy(Protocol):
    """When the customer is called back and whether a survey is asked (seeds 003, 004, 001)."""

    @property
    def name(self) -> str: ...

    def decide(self, facts: CallbackFacts) -> Decision[CallbackPlan]: ...


@runtime_checkable
class EscalationPolicy(Protocol):
    """Who takes over when the normal path cannot decide or must not wait (seeds 004, 002, 001)."""

    @property
    def name(self) -> str: ...

    def decide(self, facts: EscalationFacts) -> Decision[Escalation]: ...


@runtime_checkable
class NotificationPolicy(Protocol):
    """Which roles are told about an event of a ticket (seeds 003, 000, 004)."""

    @property
    def name(self) -> str: ...

    def decide(self, facts: NotificationFacts) -> Decision[tuple[Role, ...]]: ...


@runtime_checkable
class ComplaintPolicy(Protocol):
    """Complaint classification (general or major) and when a low score opens one (seed 004)."""

    @property
    def name(self) -> str: ...

    @property
    def params(self) -> ComplaintParams: ...

    def classify(self, facts: ComplaintFacts) -> Decision[ComplaintClass]: ...

    def opens_complaint(self, overall: int) -> Decision[bool]: ...


@runtime_checkable
class MaintenancePolicy(Protocol):
    """Maintenance-plan defaults (seeds 000, 001): interval, lead time, checklists, the tickets' language."""

    @property
    def interval_months(self) -> int: ...

    @property
    def lead_days(self) -> int: ...

    @property
    def locale(self) -> str: ...

    def checklist_for(self, product_category: str) -> tuple[str, ...]: ...


@runtime_checkable
class SurveyCampaignPolicy(Protocol):
    """Survey campaign defaults (seed 000): sample size, who is left alone and for how long."""

    @property
    def sample_size(self) -> int: ...

    @property
    def exclude_surveyed_days(self) -> int: ...

    @property
    def served_within_days(self) -> int: ...


KIND_PROTOCOLS: Mapping[str, type] = MappingProxyType(
    {
        "warranty": WarrantyPolicy,
        "chargeability": ChargeabilityPolicy,
        "fees": FeesPolicy,
        "sla": SlaPolicy,
        "priority": PriorityPolicy,
        "routing": RoutingPolicy,
        "dispatch": DispatchPolicy,
        "callback": CallbackPolicy,
        "escalation": EscalationPolicy,
        "notification": NotificationPolicy,
        "complaint": ComplaintPolicy,
        "maintenance": MaintenancePolicy,
        "survey_campaign": SurveyCampaignPolicy,
    }
)
"""The Protocol a policy of each built-in kind implements (checked when a policy set is resolved)."""
