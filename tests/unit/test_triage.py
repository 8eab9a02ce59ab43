"""Triage and routing: the priority table of seed 003, VIP raising, remote-first plans, routes."""

from __future__ import annotations

import pytest

from aftersales.domain.actors import Role
from aftersales.domain.classification import Category, ImpactScope, Plan, Priority, Severity
from aftersales.domain.parties import CustomerTier, EngineerLevel
from aftersales.domain.work import Assessment
from aftersales.policies.routing import DefaultRouting, RouteTarget, RoutingFacts
from aftersales.policies.triage import DefaultPriority, PriorityParams, TriageFacts

N, E, C = Priority.NORMAL, Priority.EXPEDITED, Priority.CRITICAL
REGULAR, VIP = CustomerTier.REGULAR, CustomerTier.VIP


@pytest.mark.parametrize(
    ("facts", "priority", "codes"),
    [
        (TriageFacts(Category.REPAIR), N, ("priority_normal",)),
        (TriageFacts(Category.REPAIR, urgent=True), E, ("urgent_request",)),
        (TriageFacts(Category.REPAIR, VIP), E, ("customer_tier",)),
        (TriageFacts(Category.REPAIR, VIP, urgent=True), C, ("urgent_request", "customer_tier")),
        (TriageFacts(Category.REPAIR, severity=Severity.HIGH), E, ("severity",)),
        (TriageFacts(Category.REPAIR, severity=Severity.SEVERE), C, ("severity",)),
        (TriageFacts(Category.REPAIR, severity=Severity.LOW), N, ("priority_normal",)),
        (TriageFacts(Category.REPAIR, impact_scope=ImpactScope.SITE), E, ("impact_scope",)),
        (TriageFacts(Category.REPAIR, impact_scope=ImpactScope.WIDESPREAD), C, ("impact_scope",)),
        (TriageFacts(Category.REPAIR, units_affected=3), E, ("units_affected",)),
        (TriageFacts(Category.REPAIR, units_affected=10), C, ("units_affected",)),
        (TriageFacts(Category.REPAIR, production_stopped=True), C, ("production_stopped",)),
        (TriageFacts(Category.REPAIR, VIP, production_stopped=True), C, ("production_stopped",)),
        (TriageFacts(Category.REPAIR, CustomerTier.IMPORTANT), N, ("priority_normal",)),
    ],
)
def test_priority_table(facts: TriageFacts, priority: Priority, codes: tuple[str, ...]) -> None:
    decision = DefaultPriority().decide(facts)
    assert decision.outcome.priority is priority
    assert decision.codes[: len(codes)] == codes
    assert decision.policy == "default.priority"


def test_reasons_carry_their_parameters() -> None:
    decision = DefaultPriority().decide(TriageFacts(Category.REPAIR, VIP, units_affected=4))
    assert decision.reasons[0].params == {"units": 4}
    assert decision.reasons[1].params == {"tier": "vip", "levels": 1}


def test_category_floor_and_important_raise_are_parameters() -> None:
    params = PriorityParams(category_floor={"complaint": E}, important_raises=1)
    decision = DefaultPriority(params).decide(TriageFacts(Category.COMPLAINT, CustomerTier.IMPORTANT))
    assert decision.outcome.priority is C
    assert decision.codes == ("category", "customer_tier")


def test_remote_guidance_first_only_up_to_the_configured_priority() -> None:
    policy = DefaultPriority()
    assert policy.decide(TriageFacts(Category.INQUIRY)).outcome.plan is Plan.REMOTE
    urgent = policy.decide(TriageFacts(Category.INQUIRY, urgent=True))
    assert urgent.outcome.plan is Plan.ON_SITE
    assert "remote_guidance_first" not in urgent.codes
    assert policy.decide(TriageFacts(Category.REPAIR, plan=Plan.DEPOT)).outcome.plan is Plan.DEPOT


def test_facts_from_assessment() -> None:
    assessment = Assessment(
        nature="leak", severity=Severity.MEDIUM, units_affected=12, production_stopped=False
    )
    facts = TriageFacts.from_assessment(assessment, category=Category.REPAIR, tier=REGULAR)
    assert DefaultPriority().decide(facts).outcome.priority is C


def test_inconsistent_unit_thresholds_are_refused() -> None:
    with pytest.raises(ValueError, match="critical_units"):
        PriorityParams(expedited_units=5, critical_units=4)


@pytest.mark.parametrize(
    ("priority", "target", "min_level", "emergency"),
    [
        (N, RouteTarget.AGENT_OR_JUNIOR, None, False),
        (E, RouteTarget.SENIOR_ENGINEER, EngineerLevel.SENIOR, False),
        (C, RouteTarget.EMERGENCY_TEAM, None, True),
    ],
)
def test_routing_by_priority(
    priority: Priority, target: RouteTarget, min_level: EngineerLevel | None, emergency: bool
) -> None:
    route = DefaultRouting().decide(RoutingFacts(priority)).outcome
    assert (route.target, route.min_level, route.emergency_team) == (target, min_level, emergency)


def test_critical_notifies_the_department_head_who_coordinates() -> None:
    decision = DefaultRouting().decide(RoutingFacts(C))
    assert decision.outcome.coordinator is Role.DEPARTMENT_HEAD
    assert decision.outcome.notify == (Role.DEPARTMENT_HEAD,)
    assert decision.codes == ("route_by_priority", "critical_coordination")


def test_multi_department_problems_go_to_the_manager() -> None:
    decision = DefaultRouting().decide(RoutingFacts(C, departments=3))
    assert decision.outcome.coordinator is Role.MANAGER
    assert decision.outcome.notify == (Role.DEPARTMENT_HEAD, Role.MANAGER)
    assert "multi_department" in decision.codes
    assert DefaultRouting().decide(RoutingFacts(N, departments=1)).outcome.coordinator is None
