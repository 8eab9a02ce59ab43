# mypy: disable-error-code="arg-type"
"""The referral's read ends with the assessment (session 22).

Seed 001 三(三) 售后专员将客户反馈的问题及时分配给相关人员进行评估: the engineer a new problem is referred to
reads it to assess it. Before, it read the ticket for ever — after it was assessed, assigned to another
engineer, even cancelled. Least privilege (the one permission table): the read lasts while the assessment
is owed (the ticket is new); afterwards the engineer reads the ticket only if it is assigned to it.
An engineer of another team than the one dispatched to, so the team's read-only scope plays no part.
Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.classification import Severity
from aftersales.domain.ids import EngineerId
from aftersales.domain.parties import Engineer, EngineerLevel
from aftersales.errors import NotFound
from aftersales.service.actors import Actor
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]

NORTH = Engineer(
    EngineerId("eng-north"), "周工", EngineerLevel.SENIOR, frozenset({"plumbing"}), "SH", team="north"
)
ASSESSOR = Actor.engineer("eng-north", "周工", team="north")


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_referrals_read_ends_once_the_problem_is_assessed(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, "general_maintenance") as (desk, _clock, world):
        desk.register_engineer(world.manager, NORTH)
        tid = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="水箱漏水").ticket.id
        desk.assessments.refer(world.agent, tid, engineer_id=NORTH.id)
        assert desk.ticket(ASSESSOR, tid).state == "new"  # the assessment is owed: it reads the ticket
        desk.triage(ASSESSOR, tid, nature="leak", severity=Severity.HIGH)
        with pytest.raises(NotFound):  # assessed: the referral grants no more reading
            desk.ticket(ASSESSOR, tid)
        desk.dispatch(world.agent, tid, engineer_id=world.eng_junior.id)
        with pytest.raises(NotFound):  # assigned to someone else
            desk.ticket(ASSESSOR, tid)
        with pytest.raises(NotFound):
            desk.progress(ASSESSOR, tid)
        assert tid not in [v.id for v in desk.ledger(ASSESSOR).items]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_assessor_reads_on_when_assigned_and_not_once_cancelled(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, "general_maintenance") as (desk, _clock, world):
        desk.register_engineer(world.manager, NORTH)
        kept = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="水箱漏水").ticket.id
        desk.assessments.refer(world.agent, kept, engineer_id=NORTH.id)
        desk.triage(world.agent, kept, nature="leak", severity=Severity.HIGH)  # the office assessed it
        with pytest.raises(NotFound):
            desk.ticket(ASSESSOR, kept)
        desk.dispatch(world.agent, kept, engineer_id=NORTH.id)
        assert desk.ticket(ASSESSOR, kept).assignee is not None  # its own assignment: it reads the ticket
        dropped = desk.open_ticket(
            world.agent, customer_id=world.cust_zh.id, description="面板不亮"
        ).ticket.id
        desk.assessments.refer(world.agent, dropped, engineer_id=NORTH.id)
        desk.cancel(world.agent, dropped, reason="客户来电登记重复")
        with pytest.raises(NotFound):  # no assessment is owed on a cancelled call
            desk.ticket(ASSESSOR, dropped)
