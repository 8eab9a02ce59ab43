# mypy: disable-error-code="arg-type"
"""The engineer a problem is referred to finds it in its own list (session 21, after the referral).

Seed 001 三(三) 售后专员将客户反馈的问题及时分配给相关人员进行评估. A referral assigns nobody, so the
engineer's ledger (the tickets it works on) did not list the new tickets waiting for its assessment: it
learnt of each from the notice alone, and one missed notice left the problem unassessed.
``desk.assessments.waiting`` lists them, oldest first, until they are assessed; the office reads who still
owes an assessment.
Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.classification import Severity
from aftersales.errors import PermissionDenied, ValidationError
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_engineer_lists_the_problems_waiting_for_its_assessment(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, "general_maintenance") as (desk, _clock, world):
        opened = [
            desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description=text).ticket.id
            for text in ("水箱漏水", "面板不亮", "噪音大")
        ]
        first, second, third = opened
        desk.assessments.refer(world.agent, first, engineer_id=world.eng_junior.id)
        desk.assessments.refer(world.agent, second, engineer_id=world.eng_senior.id)
        desk.assessments.refer(world.agent, third, engineer_id=world.eng_junior.id)
        assert [v.id for v in desk.assessments.waiting(world.junior)] == [first, third]
        assert [v.id for v in desk.assessments.waiting(world.senior)] == [second]
        # The office reads every engineer's, or one's.
        assert [v.id for v in desk.assessments.waiting(world.manager)] == opened
        assert [v.id for v in desk.assessments.waiting(world.agent, engineer_id=world.eng_senior.id)] == [
            second
        ]
        # Assessed, it leaves the list; referred again to another engineer, it moves to theirs.
        desk.triage(world.junior, first, nature="leak", severity=Severity.HIGH)
        desk.assessments.refer(world.agent, third, engineer_id=world.eng_senior.id)
        assert desk.assessments.waiting(world.junior) == ()
        assert [v.id for v in desk.assessments.waiting(world.senior)] == [second, third]


@pytest.mark.parametrize("backend", BACKENDS)
def test_who_reads_the_referrals(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, "general_maintenance") as (desk, _clock, world):
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="水箱漏水").ticket.id
        desk.assessments.refer(world.agent, tid, engineer_id=world.eng_senior.id)
        with pytest.raises(PermissionDenied):  # another engineer's list is not the junior's to read
            desk.assessments.waiting(world.junior, engineer_id=world.eng_senior.id)
        with pytest.raises(PermissionDenied):
            desk.assessments.waiting(world.customer_zh)
        # Session 22: a dealer's staff list the referrals waiting on their own dealer's engineers only
        # (test_dealer_assessment_waiting_s22.py); this one waits on the maker's engineer.
        assert desk.assessments.waiting(world.dealer_sh_staff) == ()
        with pytest.raises(ValidationError) as blank:
            desk.assessments.waiting(world.manager, engineer_id=" ")
        assert blank.value.field == "engineer_id"
