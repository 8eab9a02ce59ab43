# mypy: disable-error-code="arg-type"
"""A dealer follows up the assessments it referred to its own engineers (session 22, task f).

Dealer staff may refer their calls for assessment to their own dealer's engineers
(``desk.assessments.refer``), but ``desk.assessments.waiting`` refused them: the dealer could not see
which of its referrals were still unassessed. Seed 002 分工与合作 (乙方负责所售产品的全过程服务: the
dealer does the whole service of what it sold) and seed 001 三(三)/(五) (售后专员将客户反馈的问题及时分配给
相关人员进行评估; 负责跟踪售后问题的处理进度: whoever refers the problem follows it up) make the list the
dealer's too, through the permission table's ``read_assessment_referrals``: the referrals waiting on its
own engineers, on its own jobs, and nothing else (the maker's engineers' and another dealer's stay
unseen). Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.classification import Severity
from aftersales.errors import PermissionDenied
from aftersales.service.actors import Actor
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_dealer_staff_list_the_referrals_waiting_on_their_own_engineers(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, "general_maintenance") as (desk, _clock, world):
        staff = world.dealer_sh_staff
        ours = desk.open_ticket(staff, customer_id=world.cust_zh.id, description="水箱漏水").ticket.id
        theirs = desk.open_ticket(world.agent, customer_id=world.cust_zh.id, description="面板不亮").ticket.id
        later = desk.open_ticket(staff, customer_id=world.cust_zh.id, description="噪音大").ticket.id
        desk.assessments.refer(staff, ours, engineer_id=world.eng_dealer.id)
        desk.assessments.refer(world.agent, theirs, engineer_id=world.eng_junior.id)  # the maker's
        desk.assessments.refer(world.agent, later, engineer_id=world.eng_dealer.id)
        assert [v.id for v in desk.assessments.waiting(staff)] == [ours, later]
        assert [v.id for v in desk.assessments.waiting(staff, engineer_id=world.eng_dealer.id)] == [
            ours,
            later,
        ]
        # The maker's engineers' referrals are not the dealer's to read, nor another dealer's.
        for engineer in (world.eng_junior.id, world.eng_senior.id, "eng-nobody"):
            with pytest.raises(PermissionDenied):
                desk.assessments.waiting(staff, engineer_id=engineer)
        assert desk.assessments.waiting(world.dealer_bj_staff) == ()
        with pytest.raises(PermissionDenied):
            desk.assessments.waiting(world.dealer_bj_staff, engineer_id=world.eng_dealer.id)
        # The engineer's own list and the office's are as they were.
        own = Actor.engineer(world.eng_dealer.id, world.eng_dealer.name)
        assert [v.id for v in desk.assessments.waiting(own)] == [ours, later]
        assert [v.id for v in desk.assessments.waiting(world.manager)] == [ours, theirs, later]
        # Assessed, it leaves the dealer's list too.
        desk.triage(own, ours, nature="leak", severity=Severity.HIGH)
        assert [v.id for v in desk.assessments.waiting(staff)] == [later]
        with pytest.raises(PermissionDenied):
            desk.assessments.waiting(world.customer_zh)
