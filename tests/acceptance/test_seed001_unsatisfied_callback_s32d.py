"""Seed 001 三(七)3 / 六(二)1 and seed 003 二 5 回访, session 32 (d): a callback scored 3 reaches the manager.

售后专员负责整理客户满意度调查结果,分析客户不满意的原因,提出改进措施,并反馈给售后经理. The KPI counts a
callback scored 3 of 5 as not satisfied (satisfied from 4), but the complaint policy opens a complaint
only below 3: before session 32 a customer answering "3, it took two days" reached no complaint, no notice
and no list — unless they also voiced a grievance — so nobody analysed why. Now the complaint policy's
``unsatisfied_below`` (4 in every pack: no seed's complaint rules open a complaint on a middling score)
reports it to the manager (``callback_unsatisfied``, with the score, the attitude and the customer's
words); a score that opens a complaint reaches the manager as the complaint, not twice; a pleased one
reaches nobody. Memory, SQLite and PostgreSQL, with the seeds' packs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Severity
from aftersales.errors import ConfigurationError
from aftersales.service.desk import ServiceDesk
from conftest import World, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]
MANAGER = "manager@venus.example"


def _accepted(desk: ServiceDesk, w: World, description: str) -> str:
    tid = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description=description).ticket.id
    desk.triage(w.agent, tid, nature="stand_light", severity=Severity.LOW)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id, reason="seed 001 walk")
    desk.contact_customer(w.junior, tid, note="已联系客户, 今日到场")
    desk.start_work(w.junior, tid)
    desk.resolve(w.junior, tid, summary="更换展台灯具")
    desk.confirm(w.agent, tid, channel="phone")  # the specialist takes the acceptance (seed 001 三(六)2)
    return tid


def _manager_heard(desk: ServiceDesk, notifier: MemoryNotifier) -> list[str]:
    desk.deliver()
    return [m.body for m in notifier.to(MANAGER) if "回访不满意" in m.subject]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("pack", ["exhibition_services", "office_equipment"])
def test_a_callback_scored_three_reaches_the_manager_with_the_customers_words(
    backend: str, pack: str, tmp_path: Path
) -> None:
    with noticed_desk(backend, tmp_path, pack) as (desk, _clock, w, notifier):
        tid = _accepted(desk, w, "展台灯光不亮")
        desk.record_callback(
            w.agent, tid, problem_back=False, satisfaction=3, attitude=4, comment="等了两天才修好"
        )
        (body,) = _manager_heard(desk, notifier)
        assert tid in body and "3 分" in body and "等了两天才修好" in body and "低于 4 分" in body
        # No complaint opened: the notice is the manager's only word of it.
        assert desk.callbacks.records(w.manager, tid)[-1].complaint_id is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_pleased_callback_reaches_nobody_and_a_low_one_reaches_the_manager_once_as_its_complaint(
    backend: str, tmp_path: Path
) -> None:
    with noticed_desk(backend, tmp_path, "exhibition_services") as (desk, _clock, w, notifier):
        pleased = _accepted(desk, w, "展台灯光不亮")
        desk.record_callback(w.agent, pleased, problem_back=False, satisfaction=4, attitude=5)
        assert _manager_heard(desk, notifier) == []
        low = _accepted(desk, w, "展台电源跳闸")
        desk.record_callback(w.agent, low, problem_back=False, satisfaction=2, comment="非常不满")
        assert desk.callbacks.records(w.manager, low)[-1].complaint_id is not None
        assert _manager_heard(desk, notifier) == []  # the complaint's own notice tells the manager


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_attitude_rated_three_is_not_satisfied_either(backend: str, tmp_path: Path) -> None:
    # 调查内容包括…对售后团队服务态度的评价: a poor attitude rating is dissatisfaction as a poor result is
    # (the complaint judges the lower of the two the same way).
    with noticed_desk(backend, tmp_path, "exhibition_services") as (desk, _clock, w, notifier):
        tid = _accepted(desk, w, "展台灯光不亮")
        desk.record_callback(w.agent, tid, problem_back=False, satisfaction=5, attitude=3)
        (body,) = _manager_heard(desk, notifier)
        assert "服务态度评价为 3 分" in body


def test_the_mark_is_the_packs_and_zero_turns_the_notice_off(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(
        '[pack]\nname = "p"\nextends = "exhibition_services"\n\n[complaint]\nunsatisfied_below = 0\n',
        encoding="utf-8",
    )
    with noticed_desk("memory", tmp_path, str(path)) as (desk, _clock, w, notifier):
        tid = _accepted(desk, w, "展台灯光不亮")
        desk.record_callback(w.agent, tid, problem_back=False, satisfaction=3)
        assert _manager_heard(desk, notifier) == []
    path.write_text(
        '[pack]\nname = "p"\nextends = "exhibition_services"\n\n[complaint]\nunsatisfied_below = 9\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigurationError) as refused:
        ServiceDesk.open("memory://", pack=str(path))
    assert "unsatisfied_below" in str(refused.value)
