"""The facts a priority policy decides on, built by hosts and plugin authors, refuse codes of the wrong
kind with a ValidationError naming the field (before: an ``AttributeError`` from inside ``decide``, or
Python's own ``ValueError`` from the assessment)."""

from __future__ import annotations

from typing import Any

import pytest

from aftersales.domain.classification import Category, ImpactScope, Plan, Severity
from aftersales.domain.parties import CustomerTier
from aftersales.domain.work import Assessment
from aftersales.errors import ValidationError
from aftersales.policies.registry import resolve_policies
from aftersales.policies.triage import TriageFacts


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"category": 5}, "category"),
        ({"category": "Bad Code!"}, "category"),
        ({"tier": "platinum"}, "tier"),
        ({"severity": "bogus"}, "severity"),
        ({"impact_scope": "batch"}, "impact_scope"),
        ({"plan": "teleport"}, "plan"),
        ({"urgent": "yes"}, "urgent"),
        ({"production_stopped": 1}, "production_stopped"),
        ({"units_affected": 0}, "units_affected"),
        ({"units_affected": "3"}, "units_affected"),
    ],
)
def test_a_fact_of_the_wrong_kind_is_refused_naming_it(given: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TriageFacts(**{"category": "repair", **given})
    assert caught.value.field == field


def test_codes_become_members_and_the_policy_decides_on_them() -> None:
    facts = TriageFacts(category="repair", tier="vip", severity="high", impact_scope="site", plan="on_site")
    assert facts.category == Category("repair") and facts.tier is CustomerTier.VIP
    assert facts.severity is Severity.HIGH and facts.impact_scope is ImpactScope.SITE
    assert facts.plan is Plan.ON_SITE
    as_members = TriageFacts(
        category=Category("repair"),
        tier=CustomerTier.VIP,
        severity=Severity.HIGH,
        impact_scope=ImpactScope.SITE,
        plan=Plan.ON_SITE,
    )
    policy = resolve_policies("office_equipment").priority
    assert policy.decide(facts).outcome == policy.decide(as_members).outcome


@pytest.mark.parametrize(
    ("given", "field"),
    [({"severity": "bogus"}, "severity"), ({"impact_scope": "x"}, "impact_scope"), ({"plan": "x"}, "plan")],
)
def test_an_assessment_of_unknown_codes_is_a_validation_error(given: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Assessment(**{"nature": "leak", "severity": "medium", **given})
    assert caught.value.field == field
