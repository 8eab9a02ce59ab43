"""Triage: the priority (普通 / 加急 / 特急) and the handling plan of a ticket, with the reasons.

Seed 003: "根据问题的紧急程度、复杂程度以及客户重要性,将服务请求分为普通、加急、特急三个级别" — priority
comes from urgency, complexity and the customer's importance. Complexity is read from the assessment
(severity, impact scope, units affected, production stopped); each factor sets a *floor* and the VIP tier
then raises the result by one level. Every factor that moved the priority is recorded as a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from aftersales.domain.classification import Category, ImpactScope, Plan, Priority, Severity
from aftersales.domain.parties import CustomerTier
from aftersales.domain.reasons import Reason
from aftersales.domain.work import Assessment
from aftersales.errors import ValidationError
from aftersales.policies.decision import Decision
from aftersales.policies.kinds import PolicyKind
from aftersales.policies.params import at_least, frozen_mapping, in_range

__all__ = ["KIND", "DefaultPriority", "PriorityParams", "Triage", "TriageFacts"]


def _codes(instance: object, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]) -> None:
    for item in value:
        Category(item)  # raises ValidationError on a malformed code


@attrs.frozen
class TriageFacts:
    """What triage looks at. Build it from an :class:`Assessment` with :meth:`from_assessment`."""

    category: Category
    tier: CustomerTier = CustomerTier.REGULAR
    urgent: bool = False
    severity: Severity | None = None
    impact_scope: ImpactScope = ImpactScope.SINGLE_UNIT
    units_affected: int = 1
    production_stopped: bool = False
    plan: Plan | None = None

    @classmethod
    def from_assessment(
        cls, assessment: Assessment, *, category: Category, tier: CustomerTier, urgent: bool = False
    ) -> TriageFacts:
        """The facts of a ticket whose assessment has been recorded."""
        return cls(
            category=category,
            tier=tier,
            urgent=urgent,
            severity=assessment.severity,
            impact_scope=assessment.impact_scope,
            units_affected=assessment.units_affected,
            production_stopped=assessment.production_stopped,
            plan=assessment.plan,
        )


@attrs.frozen
class Triage:
    """The outcome of triage: the priority and the handling plan."""

    priority: Priority
    plan: Plan


_SEVERITY_FLOOR = MappingProxyType({Severity.HIGH: Priority.EXPEDITED, Severity.SEVERE: Priority.CRITICAL})
_SCOPE_FLOOR = MappingProxyType(
    {ImpactScope.SITE: Priority.EXPEDITED, ImpactScope.WIDESPREAD: Priority.CRITICAL}
)


def _severity_table(value: Mapping[Severity, Priority]) -> Mapping[Severity, Priority]:
    return frozen_mapping({**_SEVERITY_FLOOR, **value})


def _scope_table(value: Mapping[ImpactScope, Priority]) -> Mapping[ImpactScope, Priority]:
    return frozen_mapping({**_SCOPE_FLOOR, **value})


@attrs.frozen
class PriorityParams:
    """Parameters of the default priority policy (pack section ``[priority]``).

    Defaults follow seed 003 (urgency, complexity, customer importance) and seed 001 (urgent problems are
    flagged and handled first). The thresholds the seeds leave open are documented in ``docs/packs``.
    """

    urgent_floor: Priority = Priority.EXPEDITED
    """An urgent request (紧急问题) is at least this priority."""
    severity_floor: Mapping[Severity, Priority] = attrs.field(
        default=_SEVERITY_FLOOR, converter=_severity_table
    )
    """The least priority for an assessed severity; a pack names only the severities it changes (the
    others keep theirs: ``{ high = "critical" }`` keeps severe → critical; ``"normal"`` lifts a floor)."""
    impact_floor: Mapping[ImpactScope, Priority] = attrs.field(default=_SCOPE_FLOOR, converter=_scope_table)
    """The least priority for an impact scope; a pack names only the scopes it changes."""
    expedited_units: int = attrs.field(default=3, validator=at_least(2))
    """Units affected from which a ticket is at least expedited."""
    critical_units: int = attrs.field(default=10, validator=at_least(2))
    """Units affected from which a ticket is critical."""
    production_stopped_floor: Priority = Priority.CRITICAL
    """The least priority when the customer's production (or event) has stopped."""
    category_floor: Mapping[str, Priority] = attrs.field(factory=dict, converter=frozen_mapping)
    """The least priority per category code (e.g. ``complaint = "expedited"``)."""
    vip_raises: int = attrs.field(default=1, validator=in_range(0, 2))
    """Levels a VIP customer raises the priority (seed 003: customer importance; design card: one)."""
    important_raises: int = attrs.field(default=0, validator=in_range(0, 2))
    """Levels an important (重要) customer raises the priority."""
    remote_first: tuple[str, ...] = attrs.field(
        default=("inquiry", "technical_support", "consumables"), validator=_codes
    )
    """Categories handled by remote guidance first (电话指导), when the priority allows it."""
    remote_first_up_to: Priority = Priority.NORMAL
    """Remote guidance first only up to this priority; above it the plan is on-site at once."""
    default_plan: Plan = Plan.ON_SITE
    """The plan when the assessment names none and remote guidance does not apply."""

    def __attrs_post_init__(self) -> None:
        if self.critical_units < self.expedited_units:
            raise ValidationError(
                f"critical_units ({self.critical_units}) must not be below expedited_units "
                f"({self.expedited_units})",
                field="critical_units",
            )
        for code in self.category_floor:
            Category(code)


def _raise(current: Priority, floor: Priority, reason: Reason, reasons: list[Reason]) -> Priority:
    if floor.rank > current.rank:
        reasons.append(reason)
        return floor
    return current


@attrs.frozen
class DefaultPriority:
    """Priority from urgency, complexity, customer tier and category (seed 003); remote-first plans."""

    params: PriorityParams = PriorityParams()
    name: str = "default.priority"

    def decide(self, facts: TriageFacts) -> Decision[Triage]:
        """The priority and plan for ``facts``, with one reason per factor that raised the priority."""
        p = self.params
        reasons: list[Reason] = []
        priority = Priority.NORMAL
        if facts.urgent:
            priority = _raise(priority, p.urgent_floor, Reason("urgent_request"), reasons)
        if facts.severity is not None and (floor := p.severity_floor.get(facts.severity)) is not None:
            priority = _raise(
                priority, floor, Reason("severity", {"severity": facts.severity.value}), reasons
            )
        if (floor := p.impact_floor.get(facts.impact_scope)) is not None:
            reason = Reason("impact_scope", {"scope": facts.impact_scope.value})
            priority = _raise(priority, floor, reason, reasons)
        units = facts.units_affected
        if units >= p.critical_units:
            priority = _raise(
                priority, Priority.CRITICAL, Reason("units_affected", {"units": units}), reasons
            )
        elif units >= p.expedited_units:
            priority = _raise(
                priority, Priority.EXPEDITED, Reason("units_affected", {"units": units}), reasons
            )
        if facts.production_stopped:
            priority = _raise(priority, p.production_stopped_floor, Reason("production_stopped"), reasons)
        if (floor := p.category_floor.get(facts.category.code)) is not None:
            priority = _raise(priority, floor, Reason("category", {"category": facts.category.code}), reasons)
        raises = p.vip_raises if facts.tier is CustomerTier.VIP else 0
        if facts.tier is CustomerTier.IMPORTANT:
            raises = p.important_raises
        if raises and priority is not Priority.CRITICAL:
            priority = priority.raised(raises)
            reasons.append(Reason("customer_tier", {"tier": facts.tier.value, "levels": raises}))
        elif raises:
            # Already critical: nothing to raise, but the tier stays in the reasons (dispatch, reports).
            reasons.append(Reason("customer_tier_kept", {"tier": facts.tier.value}))
        if not reasons:
            reasons.append(Reason("priority_normal"))
        if facts.category.code in p.remote_first and priority.rank <= p.remote_first_up_to.rank:
            plan = Plan.REMOTE
            reasons.append(Reason("remote_guidance_first", {"category": facts.category.code}))
        else:
            plan = facts.plan or p.default_plan
        return Decision(Triage(priority, plan), reasons, self.name)


KIND = PolicyKind("priority", PriorityParams, DefaultPriority)
"""Registers this kind with the policy registry (pack section ``[priority]``)."""
