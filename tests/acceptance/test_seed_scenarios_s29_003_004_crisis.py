# mypy: disable-error-code="arg-type"
"""Seed 004 第七条 5(1), re-read by a peer tester (session 29), on memory, SQLite and PostgreSQL.

危机事件: 是指因产品质量问题(包括造成用户财产损失、人员受伤等问题)…导致用户受到经济损失, 而向我司提出赔偿
要求或向消协、技监、新闻媒体反映意见的事件. The property loss and the injury are examples (包括…等问题) of a
product quality problem, not the whole list: a copier whose defect stopped the customer's office for two
days, who lost money and demands compensation, is a crisis — major, the centre and the general manager
told at once. The library knew only the two examples, so such a complaint could not be classified one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.complaints import ComplaintSeverity, CrisisFacts, CrisisProblem, Recourse
from aftersales.i18n.reasons import render_reason
from aftersales.policies.complaints import crisis_event
from aftersales.service.desk import ServiceDesk
from conftest import noticed_desk, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
PACK = "service_centre"
GM, MANAGER = "13800000009", "manager@venus.example"


def _escalations(desk: ServiceDesk, address: str) -> int:
    desk.deliver()
    notifier = desk.notifier
    assert isinstance(notifier, MemoryNotifier)
    return sum(":complaint_escalated:" in m.idempotency_key for m in notifier.to(address))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_defect_that_cost_the_customer_money_with_a_claim_is_a_crisis_without_damage_or_injury(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, pack=PACK, notifier=MemoryNotifier()) as (desk, _clock, w):
        claimed = CrisisFacts(
            problems={CrisisProblem("product_quality")},
            economic_loss=True,
            recourse={Recourse.COMPENSATION_DEMANDED},
        )
        cid = desk.complaints.open_complaint(
            w.agent, w.cust_zh.id, "复印机主板故障反复死机, 公司停工两天, 要求赔偿损失", crisis=claimed
        ).ticket.id
        file = desk.complaints.complaint_file(w.manager, cid)
        assert file.severity is ComplaintSeverity.MAJOR
        (escalation,) = file.escalations
        assert {r.value for r in escalation.to} == {"manager", "general_manager"}
        assert escalation.immediate
        assert _escalations(desk, GM) == _escalations(desk, MANAGER) == 1
        assert CrisisProblem("product_quality").group == "quality"


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_same_defect_without_a_claim_is_a_general_complaint(backend: str, tmp_path: Path) -> None:
    # 第七条 4 一般投诉: 由于产品质量问题而不能使用…造成客户抱怨 — the defect and the loss without a claim or
    # an outside body stay general, escalated to nobody.
    with world_desk(backend, tmp_path, pack=PACK, notifier=MemoryNotifier()) as (desk, _clock, w):
        unclaimed = CrisisFacts(problems={CrisisProblem("product_quality")}, economic_loss=True)
        cid = desk.complaints.open_complaint(
            w.agent, w.cust_zh.id, "复印机主板故障反复死机, 公司停工两天", crisis=unclaimed
        ).ticket.id
        file = desk.complaints.complaint_file(w.manager, cid)
        assert file.severity is ComplaintSeverity.GENERAL and file.escalations == []
        assert _escalations(desk, GM) == _escalations(desk, MANAGER) == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_customer_stating_such_a_defect_tells_the_centre_in_its_words(backend: str, tmp_path: Path) -> None:
    # 第八条 2(2) 完整准确记录: the customer's own complaint stating the defect and the claim is kept for the
    # centre to classify; the centre's notice names the problem in its words, nobody is escalated yet.
    stated = CrisisFacts(
        problems={CrisisProblem("product_quality")},
        economic_loss=True,
        recourse={Recourse.COMPENSATION_DEMANDED},
    )
    with noticed_desk(backend, tmp_path, PACK) as (desk, _clock, w, notifier):
        cid = desk.complaints.open_complaint(
            w.customer_zh, w.cust_zh.id, "复印机反复死机, 公司停工, 要求赔偿", crisis=stated
        ).ticket.id
        desk.deliver()
        (claim,) = [m for m in notifier.sent if cid in m.subject and "危机" in m.subject]
        assert "其他产品质量问题" in claim.body and "crisis_problem" not in claim.body, claim.body
        file = desk.complaints.complaint_file(w.manager, cid)
        assert file.crisis is None and not file.escalations


def test_the_classification_names_the_defect_in_each_language() -> None:
    facts = CrisisFacts(
        problems={CrisisProblem("product_quality")},
        economic_loss=True,
        recourse={Recourse.COMPENSATION_DEMANDED},
    )
    decision = crisis_event(facts)
    assert decision.outcome is True
    said = {loc: render_reason(decision.reasons[0], loc) for loc in ("zh_Hans", "zh_Hant", "en")}
    assert "其他产品质量问题" in said["zh_Hans"] and "其他產品質量問題" in said["zh_Hant"]
    assert "another quality problem of the product" in said["en"]
