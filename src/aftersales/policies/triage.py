"""Triage: the priority (普通 / 加急 / 特急) and the handling plan of a ticket, with the reasons.

Seed 003: "根据问题的紧急程度、复杂程度以及客户重要性,将服务请求分为普通、加急、特急三个级别" — priority
comes from urgency, complexity and the customer's importance. Complexity is read from the assessment
(severity, impact scope, units affected, production stopped); each factor sets a *floor* and the VIP tier
then raises the result by one level. Every factor that moved the priority is recorded as a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from types import MappingProxyType
from typing import TypeVar

import attrs

from aftersales.domain.call_shape import host_factories
from aftersales.domain.classification import Category, ImpactScope, Plan, Priority, Severity
from aftersales.domain.parties import CustomerTier
from aftersales.domain.reasons import Reason
from aftersales.domain.typed_init import refused_typed
from aftersales.domain.validation import enum_code
from aftersales.domain.work import Assessment
from aftersales.errors import ValidationError, shown_repr
from aftersales.policies.decision import Decision
from aftersales.policies.kinds import PolicyKind
from aftersales.policies.params import at_least, check_category_code, frozen_mapping, in_range

__all__ = ["KIND", "DefaultPriority", "PriorityParams", "Triage", "TriageFacts"]

E = TypeVar("E", bound=Enum)
K = TypeVar("K", bound=Enum)


def _codes(instance: object, attribute: attrs.Attribute[tuple[str, ...]], value: tuple[str, ...]) -> None:
    for item in value:
        check_category_code(item, attribute.name)


def _category(value: object) -> Category:
    if isinstance(value, Category):
        return value
    if not isinstance(value, str):
        raise ValidationError(
            f"category must be a Category or its code, got {type(value).__name__}", field="category"
        )
    return Category(value)


def _tier(value: object) -> CustomerTier:
    return enum_code(CustomerTier, value, "tier")  # type: ignore[no-any-return]


def _severity(value: object) -> Severity | None:
    return None if value is None else enum_code(Severity, value, "severity")


def _impact_scope(value: object) -> ImpactScope:
    return enum_code(ImpactScope, value, "impact_scope")  # type: ignore[no-any-return]


def _plan_or_none(value: object) -> Plan | None:
    return None if value is None else enum_code(Plan, value, "plan")


def _flag(instance: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if value is not True and value is not False:
        raise ValidationError(
            f"{attribute.name} must be True or False, got {shown_repr(value, 40)}",
            field=attribute.name,
            rule="true_or_false",
        )


def _count(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValidationError(
            f"{attribute.name} must be a positive integer, got {value!r:.40}",
            field=attribute.name,
            rule="positive",
        )


@host_factories
@attrs.frozen
class TriageFacts:
    """What triage looks at. Build it from an :class:`Assessment` with :meth:`from_assessment`."""

    # Built by plugin authors and hosts too: a code of the wrong kind is a ValidationError naming the
    # field here, not an AttributeError inside a policy's decide().
    category: Category = attrs.field(converter=_category)
    tier: CustomerTier = attrs.field(default=CustomerTier.REGULAR, converter=_tier)
    urgent: bool = attrs.field(default=False, validator=_flag)
    severity: Severity | None = attrs.field(default=None, converter=_severity)
    impact_scope: ImpactScope = attrs.field(default=ImpactScope.SINGLE_UNIT, converter=_impact_scope)
    units_affected: int = attrs.field(default=1, validator=_count)
    production_stopped: bool = attrs.field(default=False, validator=_flag)
    plan: Plan | None = attrs.field(default=None, converter=_plan_or_none)
    complex_problem: bool = attrs.field(default=False, validator=_flag)
    """The handler marked the problem complex (seed 003 grades by 复杂程度, seed 001 复杂售后问题)."""

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
            complex_problem=assessment.complex_problem,
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


def _member(kind: type[E], value: object, field: str) -> E:
    """``kind``'s member for a member or its code (a host building params in code writes ``"critical"``,
    as the pack does); anything else a ``ValidationError`` naming ``field``. Before, a code stayed text
    and the first triage failed on it with an ``AttributeError``."""
    found: E = enum_code(kind, value, field)
    return found


def _floors(keys: type[K], value: object, field: str, defaults: Mapping[K, Priority]) -> Mapping[K, Priority]:
    """A table of least priorities over ``defaults``, its keys and values read as enums."""
    if not isinstance(value, Mapping):
        raise ValidationError(f"{field} maps codes to priorities", field=field)
    given = {_member(keys, k, field): _member(Priority, v, field) for k, v in value.items()}
    return frozen_mapping({**defaults, **given})


def _severity_table(value: object) -> Mapping[Severity, Priority]:
    return _floors(Severity, value, "severity_floor", _SEVERITY_FLOOR)


def _scope_table(value: object) -> Mapping[ImpactScope, Priority]:
    return _floors(ImpactScope, value, "impact_floor", _SCOPE_FLOOR)


def _category_table(value: object) -> Mapping[str, Priority]:
    if not isinstance(value, Mapping):
        raise ValidationError("category_floor maps category codes to priorities", field="category_floor")
    return frozen_mapping({k: _member(Priority, v, "category_floor") for k, v in value.items()})


def _urgent_floor(value: object) -> Priority:
    return _member(Priority, value, "urgent_floor")


def _stopped_floor(value: object) -> Priority:
    return _member(Priority, value, "production_stopped_floor")


def _complex_floor(value: object) -> Priority | None:
    return None if value is None else _member(Priority, value, "complex_floor")


def _remote_up_to(value: object) -> Priority:
    return _member(Priority, value, "remote_first_up_to")


def _plan(value: object) -> Plan:
    return _member(Plan, value, "default_plan")


@refused_typed
@attrs.frozen
class PriorityParams:
    """Parameters of the default priority policy (pack section ``[priority]``).

    Defaults follow seed 003 (urgency, complexity, customer importance) and seed 001 (urgent problems are
    flagged and handled first). The thresholds the seeds leave open are documented in ``docs/packs``.
    """

    urgent_floor: Priority = attrs.field(default=Priority.EXPEDITED, converter=_urgent_floor)
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
    production_stopped_floor: Priority = attrs.field(default=Priority.CRITICAL, converter=_stopped_floor)
    """The least priority when the customer's production (or event) has stopped."""
    complex_floor: Priority | None = attrs.field(default=None, converter=_complex_floor)
    """The least priority of a problem the handler marks complex (``triage(..., complex_problem=True)``;
    seed 003: 根据问题的紧急程度、复杂程度以及客户重要性…分为普通、加急、特急; office_equipment:
    expedited, so a senior engineer takes it, 加急问题由资深工程师介入). ``None`` (the default):
    complexity is read from the assessment's severity, scope and units only."""
    category_floor: Mapping[str, Priority] = attrs.field(factory=dict, converter=_category_table)
    """The least priority per category code (e.g. ``complaint = "expedited"``)."""
    vip_raises: int = attrs.field(default=1, validator=in_range(0, 2))
    """Levels a VIP customer raises the priority (seed 003: customer importance; design card: one)."""
    important_raises: int = attrs.field(default=0, validator=in_range(0, 2))
    """Levels an important (重要) customer raises the priority."""
    remote_first: tuple[str, ...] = attrs.field(
        default=("inquiry", "technical_support", "consumables"), validator=_codes
    )
    """Categories handled by remote guidance first (电话指导), when the priority allows it and the handler
    chose no other plan (one sending someone at once is neither overruled nor explained by this rule)."""
    remote_first_up_to: Priority = attrs.field(default=Priority.NORMAL, converter=_remote_up_to)
    """Remote guidance first only up to this priority; above it the plan is on-site at once."""
    default_plan: Plan = attrs.field(default=Plan.ON_SITE, converter=_plan)
    """The plan when the assessment names none and remote guidance does not apply."""

    def __attrs_post_init__(self) -> None:
        if self.critical_units < self.expedited_units:
            raise ValidationError(
                f"critical_units ({self.critical_units}) must not be below expedited_units "
                f"({self.expedited_units})",
                field="critical_units",
            )
        for code in self.category_floor:
            check_category_code(code, f"category_floor.{code}")


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
        if facts.complex_problem and p.complex_floor is not None:
            reason = Reason("complex_problem_grade", {"priority": p.complex_floor.value})
            priority = _raise(priority, p.complex_floor, reason, reasons)
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
        # A plan the handler chose other than remote guidance stands and is not explained by the
        # remote-first rule (seed 002 叫修处理流程: 是否需派人现场服务 is the handler's judgement).
        handler_plan = facts.plan not in (None, Plan.REMOTE)
        if (
            facts.category.code in p.remote_first
            and priority.rank <= p.remote_first_up_to.rank
            and not handler_plan
        ):
            plan = Plan.REMOTE
            reasons.append(Reason("remote_guidance_first", {"category": facts.category.code}))
        else:
            plan = facts.plan or p.default_plan
        return Decision(Triage(priority, plan), reasons, self.name)


KIND = PolicyKind("priority", PriorityParams, DefaultPriority)
"""Registers this kind with the policy registry (pack section ``[priority]``)."""
