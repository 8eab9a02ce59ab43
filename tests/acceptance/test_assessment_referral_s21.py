# mypy: disable-error-code="arg-type"
"""An engineer records the assessment of a problem referred to them (session 21).

Seed 001 三(三) 问题评估: 售后专员将客户反馈的问题及时分配给相关人员进行评估,评估内容包括问题的性质、
严重程度、影响范围; seed 000 3.问题评估: 售后维护团队对客户反馈的问题进行评估,确定问题的严重程度和
处理方案. Before, only the office and dealers could triage: the technical staff the seeds name could
neither read a new ticket nor record its assessment. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.classification import ImpactScope, Plan, Severity
from aftersales.errors import InvalidTransition, NotFound, PermissionDenied, ValidationError
from aftersales.service.actors import Actor
from conftest import noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_engineer_a_problem_is_referred_to_records_its_assessment(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "general_maintenance") as (desk, _clock, world, notifier):
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="水箱漏水").ticket.id
        # Not referred yet: the engineer neither sees the new ticket nor assesses it.
        with pytest.raises(NotFound):
            desk.ticket(world.junior, tid)
        with pytest.raises(NotFound):
            desk.triage(world.junior, tid, nature="leak", severity=Severity.HIGH)
        desk.assessments.refer(world.agent, tid, engineer_id=world.eng_junior.id, note="请判断是否需要上门")
        view = desk.ticket(world.junior, tid)
        assert view.state == "new" and view.assignee is None
        # Another engineer of the same team was not asked.
        with pytest.raises(NotFound):
            desk.triage(world.senior, tid, nature="leak", severity=Severity.HIGH)
        # The referred engineer records nothing else on the new ticket.
        with pytest.raises(PermissionDenied):
            desk.note_to_customer(world.junior, tid, text="稍后联系")
        desk.triage(
            world.junior, tid, nature="leak", severity=Severity.HIGH,
            impact_scope=ImpactScope.SINGLE_UNIT, plan=Plan.ON_SITE,
        )  # fmt: skip
        assessed = desk.ticket(world.auditor, tid)
        assert assessed.state == "triaged"
        assert assessed.assessment is not None and assessed.assessment.severity is Severity.HIGH
        assert assessed.events[-1].action == "triage" and assessed.events[-1].actor == world.junior.ref
        # The dispatch stays the office's: assessed, the ticket is no longer the engineer's to read
        # (session 22: the referral's read ends with the assessment), so it is not found.
        with pytest.raises(NotFound):
            desk.dispatch(world.junior, tid, engineer_id=world.eng_junior.id)
        desk.deliver()
        assert f"请评估工单 {tid}" in [m.subject for m in notifier.to("13700000001")]


@pytest.mark.parametrize("backend", BACKENDS)
def test_who_may_refer_a_problem_and_to_whom(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "general_maintenance") as (desk, _clock, world, _):
        tid = desk.open_ticket(
            world.dealer_sh_staff, customer_id=world.cust_zh.id, description="面板不亮"
        ).ticket.id
        before = len(desk.ticket(world.auditor, tid).events)
        for actor in (world.customer_zh, world.auditor):
            with pytest.raises(PermissionDenied):
                desk.assessments.refer(actor, tid, engineer_id=world.eng_junior.id)
        with pytest.raises(NotFound):  # an engineer does not see a new ticket not referred to them
            desk.assessments.refer(world.junior, tid, engineer_id=world.eng_junior.id)
        # A dealer refers its call to its own engineers, not the maker's.
        with pytest.raises(PermissionDenied):
            desk.assessments.refer(world.dealer_sh_staff, tid, engineer_id=world.eng_junior.id)
        with pytest.raises(NotFound):
            desk.assessments.refer(world.agent, tid, engineer_id="eng-nobody")
        with pytest.raises(ValidationError) as blank:
            desk.assessments.refer(world.agent, tid, engineer_id=" ")
        assert blank.value.field == "engineer_id"
        assert len(desk.ticket(world.auditor, tid).events) == before
        desk.assessments.refer(world.dealer_sh_staff, tid, engineer_id=world.eng_dealer.id)
        own = Actor.engineer(world.eng_dealer.id, world.eng_dealer.name)
        desk.triage(own, tid, nature="display", severity=Severity.MEDIUM)
        with pytest.raises(InvalidTransition):
            desk.assessments.refer(world.agent, tid, engineer_id=world.eng_junior.id)
