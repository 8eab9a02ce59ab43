# mypy: disable-error-code="arg-type"
"""Seed 004's complaints walked again by a peer tester (session 30), on memory, SQLite and PostgreSQL.

第八条 2(5) 当接到危机事件的单位或部门、个人要立即通知客户服务中心: whoever meets a crisis tells the centre at
once. A dealer the office passed another region's customer's job to meets the crisis on that job, or the
dealer that sold that customer a unit meets it on the unit; before session 30 neither could report it (the
customer was "not found" to it), while an engineer on the job could.
第七条 5 重大投诉 and 第八条 2(6) 七天内进行回访: a complaint found major after its handling (a crisis the
centre learns of later) kept the callback planned for a general one — no satisfaction survey owed (the pack's
``survey_major_complaints``, seed 001 七(一)1) — and found general again, kept a survey it no longer owes.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.classification import Category, Severity
from aftersales.domain.complaints import ComplaintSeverity, CrisisFacts, CrisisProblem, Recourse
from aftersales.domain.ids import AssetId
from aftersales.domain.products import Asset
from aftersales.domain.surveys import CallbackChecklist
from aftersales.errors import NotFound, ValidationError
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
PACK = "service_centre"
GM, MANAGER = "13800000009", "manager@venus.example"
CRISIS = CrisisFacts(
    problems={CrisisProblem("property_loss")},
    economic_loss=True,
    recourse={Recourse.COMPENSATION_DEMANDED},
)
NO_CLAIM = CrisisFacts(problems={CrisisProblem("property_loss")}, economic_loss=True)


def _escalations(desk: ServiceDesk, address: str) -> int:
    desk.deliver()
    notifier = desk.notifier
    assert isinstance(notifier, MemoryNotifier)
    return sum(":complaint_escalated:" in m.idempotency_key for m in notifier.to(address))


def _passed_to_beijing(desk: ServiceDesk, w: World) -> str:
    """The Shanghai customer's repair, passed by the office to the Beijing dealer (another region's)."""
    tid = desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description="热水器漏水", category=Category.REPAIR
    ).ticket.id
    desk.triage(w.agent, tid, nature="leak", severity=Severity.HIGH)
    desk.dispatch(w.manager, tid, dealer_id=w.dealer_bj.id, reason="用户的北京分公司, 由北京网点上门")
    return tid


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_dealer_on_another_regions_job_reports_the_crisis_it_meets(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack=PACK, notifier=MemoryNotifier()) as (desk, _clock, w):
        tid = _passed_to_beijing(desk, w)
        assert desk.ticket(w.dealer_bj_staff, tid).id == tid  # its job: it reads it
        reported = desk.complaints.report_crisis(
            w.dealer_bj_staff, w.cust_zh.id, "热水器漏水淹了楼下, 用户要求赔偿", about=[tid], crisis=CRISIS
        )
        cid = reported.ticket.id
        file = desk.complaints.complaint_file(w.manager, cid)
        assert file.severity is ComplaintSeverity.MAJOR and file.about == (tid,)
        assert all(e.by.role.value == "dealer_staff" for e in file.escalations)
        # The centre and the general manager hear at once, once.
        assert _escalations(desk, GM) == _escalations(desk, MANAGER) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_dealer_that_sold_the_unit_reports_the_crisis_it_meets_on_it(
    backend: str, tmp_path: Path
) -> None:
    # The Shanghai customer's office in Beijing bought its heater from the Beijing dealer (seed 002:
    # 乙方负责所售产品的全过程服务): that dealer meets the crisis on its own unit and tells the centre.
    with world_desk(backend, tmp_path, pack=PACK, notifier=MemoryNotifier()) as (desk, _clock, w):
        unit = Asset(
            AssetId("asset-bj"), w.product.id, "SN-BJ-0001", customer_id=w.cust_zh.id,
            purchase_date=date(2025, 10, 1), dealer_id=w.dealer_bj.id,
        )  # fmt: skip
        desk.register_asset(w.manager, unit)
        cid = desk.complaints.report_crisis(
            w.dealer_bj_staff, w.cust_zh.id, "北京分公司热水器漏电伤人", asset_id=unit.id, crisis=CRISIS
        ).ticket.id
        file = desk.complaints.complaint_file(w.manager, cid)
        assert file.severity is ComplaintSeverity.MAJOR
        assert desk.ticket(w.manager, cid).asset_id == unit.id
        assert _escalations(desk, GM) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_dealer_holding_no_job_of_the_customer_still_cannot_file_against_it(
    backend: str, tmp_path: Path
) -> None:
    # The dealer knows the customers of its jobs only: another region's customer it holds nothing of is
    # unknown to it, as an unknown id is, and nothing is written.
    with world_desk(backend, tmp_path, pack=PACK, notifier=MemoryNotifier()) as (desk, _clock, w):
        with pytest.raises(NotFound):
            desk.complaints.report_crisis(w.dealer_bj_staff, w.cust_zh.id, "听说用户家里漏水")
        with pytest.raises(NotFound):
            desk.complaints.report_crisis(w.dealer_bj_staff, "cust-nobody", "听说用户家里漏水")
        assert desk.complaints.complaint_log(w.manager) == []
        assert _escalations(desk, GM) == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_dealer_whose_job_went_to_another_dealer_files_a_complaint_no_more(
    backend: str, tmp_path: Path
) -> None:
    # The Beijing dealer's job, passed back to the Shanghai dealer: Beijing holds nothing of the customer.
    with world_desk(backend, tmp_path, pack=PACK, notifier=MemoryNotifier()) as (desk, _clock, w):
        tid = _passed_to_beijing(desk, w)
        desk.dispatch(w.manager, tid, dealer_id=w.dealer_sh.id, reason="改由上海网点处理")
        with pytest.raises(NotFound):
            desk.complaints.report_crisis(w.dealer_bj_staff, w.cust_zh.id, "热水器漏水淹了楼下")


def _handled(desk: ServiceDesk, w: World, cid: str) -> None:
    desk.complaints.investigate(w.agent, cid)
    # The general manager gives the solution: a major one waits for his instruction (seed 004 第八条 2(4)).
    desk.complaints.propose_solution(w.general_manager, cid, solution="上门重修并赔偿地板")
    desk.complaints.agree_solution(w.agent, cid)
    desk.complaints.give_feedback(w.agent, cid, outcome="已重修, 地板已赔")


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_complaint_found_major_after_its_handling_owes_its_survey(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack=PACK, notifier=MemoryNotifier()) as (desk, _clock, w):
        cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "维修后仍漏水").ticket.id
        _handled(desk, w, cid)
        (task,) = desk.callbacks.pending(w.manager)
        assert not task.survey  # general when handled
        desk.complaints.classify(w.manager, cid, crisis=CRISIS)  # the claim reaches the centre later
        (task,) = desk.callbacks.pending(w.manager)
        assert task.survey and "survey_major_complaint" in {r.code for r in task.reasons}
        with pytest.raises(ValidationError) as refused:
            desk.callbacks.record(w.agent, cid, checklist=CallbackChecklist(), problem_back=False)
        assert refused.value.field == "survey"
        assert desk.callbacks.records(w.manager, cid) == []
        desk.callbacks.record(
            w.agent, cid, checklist=CallbackChecklist(), problem_back=False, satisfaction=4, attitude=5
        )
        assert len(desk.callbacks.records(w.manager, cid)) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_complaint_judged_major_after_its_handling_owes_its_survey(backend: str, tmp_path: Path) -> None:
    # 第八条 2(4) 有重要影响的投诉: the handler's judgement makes it major, as a crisis would.
    with world_desk(backend, tmp_path, pack=PACK, notifier=MemoryNotifier()) as (desk, _clock, w):
        cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "维修后仍漏水").ticket.id
        _handled(desk, w, cid)
        desk.complaints.classify(w.manager, cid, major_by_judgement="同小区多户关注, 影响重大")
        (task,) = desk.callbacks.pending(w.manager)
        assert task.survey
        with pytest.raises(ValidationError) as refused:
            desk.callbacks.record(
                w.agent, cid, checklist=CallbackChecklist(), problem_back=False, satisfaction=5
            )
        assert refused.value.field == "attitude"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_complaint_found_general_again_owes_no_survey(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack=PACK, notifier=MemoryNotifier()) as (desk, _clock, w):
        cid = desk.complaints.open_complaint(
            w.agent, w.cust_zh.id, "维修后漏水淹了地板", crisis=CRISIS
        ).ticket.id
        _handled(desk, w, cid)
        (task,) = desk.callbacks.pending(w.manager)
        assert task.survey
        due = task.due_at
        # The customer withdrew the claim: no recourse, no crisis — general (第七条 4).
        desk.complaints.classify(w.manager, cid, crisis=NO_CLAIM)
        assert desk.complaints.complaint_file(w.manager, cid).severity is ComplaintSeverity.GENERAL
        (task,) = desk.callbacks.pending(w.manager)
        assert not task.survey and task.due_at == due  # seven days from the handling either way
        desk.callbacks.record(w.agent, cid, checklist=CallbackChecklist(), problem_back=False)
        assert len(desk.callbacks.records(w.manager, cid)) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_vip_customers_complaint_keeps_its_survey_whatever_its_class(backend: str, tmp_path: Path) -> None:
    # 第五章 VIP客户管理 / seed 001 重要客户: the VIP's callback surveys, general complaint or major.
    with world_desk(backend, tmp_path, pack=PACK, notifier=MemoryNotifier()) as (desk, _clock, w):
        cid = desk.complaints.open_complaint(
            w.agent, w.cust_en.id, "leak after repair", crisis=CRISIS
        ).ticket.id
        _handled(desk, w, cid)
        desk.complaints.classify(w.manager, cid, crisis=NO_CLAIM)
        (task,) = desk.callbacks.pending(w.manager)
        codes = {r.code for r in task.reasons}
        assert task.survey and "survey_customer_tier" in codes and "survey_major_complaint" not in codes
