"""The policy Protocols: what a host implements to replace one policy without forking.

Every policy has ``name`` (recorded as the decision's ``policy``) and ``decide(...)`` returning a
:class:`~aftersales.policies.decision.Decision` (outcome, reasons, policy). The default implementations
live beside their facts and outcome types (``triage``, ``routing``, ``dispatch``, ``callback``,
``escalation``, ``notification``). ``WarrantyPolicy``, ``ChargeabilityPolicy``, ``FeesPolicy`` and
``SlaPolicy`` are defined by their own modules and re-exported here lazily once those modules exist.
"""

from __future__ import annotations

import importlib
from typing import Any, Protocol, runtime_checkable

from aftersales.domain.actors import Role
from aftersales.policies.callback import CallbackFacts, CallbackPlan
from aftersales.policies.decision import Decision
from aftersales.policies.dispatch import Dispatch, DispatchRequest, OnDuty, Roster
from aftersales.policies.escalation import Escalation, EscalationFacts
from aftersales.policies.notification import NotificationFacts
from aftersales.policies.routing import Route, RoutingFacts
from aftersales.policies.triage import Triage, TriageFacts

__all__ = [
    "CallbackPolicy",
    "DispatchPolicy",
    "EscalationPolicy",
    "NotificationPolicy",
    "PriorityPolicy",
    "RoutingPolicy",
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


_LAZY = {
    "WarrantyPolicy": "aftersales.policies.warranty",
    "ChargeabilityPolicy": "aftersales.policies.chargeability",
    "FeesPolicy": "aftersales.policies.fees",
    "SlaPolicy": "aftersales.policies.sla",
}


def __getattr__(name: str) -> Any:
    """Re-export the Protocols other modules define (``WarrantyPolicy`` …) without importing them eagerly."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
