"""Routing and priority parameters are used or refused (session 18): a coordinator who can coordinate,
a notice to the office, targets and grades read from their codes.

Seed 003: 特急问题则启动应急小组,由部门负责人协调资源优先处理;
seed 001: 对于复杂问题或涉及多个部门的问题,售后经理应组织相关部门进行协调处理.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.actors import Role
from aftersales.domain.classification import Category, Plan, Priority, Severity
from aftersales.errors import ConfigurationError, ValidationError
from aftersales.policies.registry import resolve_policies
from aftersales.policies.routing import DefaultRouting, RouteTarget, RoutingFacts, RoutingParams
from aftersales.policies.triage import DefaultPriority, PriorityParams, Triage, TriageFacts


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ('critical_coordinator = "customer"', "routing.critical_coordinator"),
        ('critical_coordinator = "engineer"', "routing.critical_coordinator"),
        ('multi_department_role = "auditor"', "routing.multi_department_role"),
        ('critical_notify = ["dealer_staff"]', "routing.critical_notify"),
        ("critical_notify = []", "routing.critical_notify"),
    ],
)
def test_a_pack_naming_a_coordinator_who_cannot_coordinate_is_refused(
    tmp_path: Path, body: str, key: str
) -> None:
    # Before, the pack was accepted: a customer "coordinated" every critical ticket, its notice went to
    # nobody (or to whoever the host listed for that role), and nobody who can add people was told.
    pack = tmp_path / "p.toml"
    pack.write_text(
        f'[pack]\nname = "p"\nextends = "office_equipment"\n\n[routing]\n{body}\n', encoding="utf-8"
    )
    with pytest.raises(ConfigurationError) as refused:
        resolve_policies(pack)
    assert refused.value.key == key


def test_params_built_in_code_read_codes_as_the_roles_and_targets_they_name() -> None:
    # A host writing the codes (as the pack does) got an AttributeError at the first dispatch before:
    # "manager".value, "dealer".value.
    params = RoutingParams(
        targets={"normal": "dealer", "expedited": "senior_engineer", "critical": "emergency_team"},
        critical_coordinator="manager",  # type: ignore[arg-type]
        critical_notify=["manager", "agent"],  # type: ignore[arg-type]
    )
    routing = DefaultRouting(params)
    critical = routing.decide(RoutingFacts(Priority.CRITICAL)).outcome
    assert critical.coordinator is Role.MANAGER and critical.told == (Role.MANAGER, Role.AGENT)
    assert routing.decide(RoutingFacts(Priority.NORMAL)).outcome.target is RouteTarget.DEALER
    with pytest.raises(ValidationError) as wrong:
        RoutingParams(targets={"normal": "somewhere", "expedited": "dealer", "critical": "dealer"})
    assert wrong.value.field == "targets"
    with pytest.raises(ValidationError) as nobody:
        RoutingParams(critical_coordinator="ghost")  # type: ignore[arg-type]
    assert nobody.value.field == "critical_coordinator"


def test_priority_params_built_in_code_read_codes_as_the_grades_they_name() -> None:
    # Seed 003's table (urgency, complexity, importance) with its floors written as codes, as in a pack.
    # Before, a code stayed text and the first triage failed with AttributeError ("critical".rank).
    params = PriorityParams(
        urgent_floor="critical",  # type: ignore[arg-type]
        severity_floor={"medium": "expedited"},  # type: ignore[dict-item]
        category_floor={"installation": "expedited"},
        default_plan="depot",  # type: ignore[arg-type]
    )
    policy = DefaultPriority(params)
    urgent = policy.decide(TriageFacts(Category.REPAIR, urgent=True)).outcome
    assert urgent == Triage(Priority.CRITICAL, Plan.DEPOT)
    medium = policy.decide(TriageFacts(Category.REPAIR, severity=Severity.MEDIUM)).outcome
    assert medium.priority is Priority.EXPEDITED
    assert params.severity_floor[Severity.SEVERE] is Priority.CRITICAL  # the seed's floors kept
    for wrong, field in (
        ({"urgent_floor": "asap"}, "urgent_floor"),
        ({"severity_floor": {"extreme": "critical"}}, "severity_floor"),
        ({"category_floor": {"repair": "soon"}}, "category_floor"),
    ):
        with pytest.raises(ValidationError) as refused:
            PriorityParams(**wrong)  # type: ignore[arg-type]
        assert refused.value.field == field
