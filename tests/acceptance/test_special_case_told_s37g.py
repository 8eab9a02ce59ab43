"""Who is told what when a call's times move (session 37, g).

* Seed 002 分工 6 (乙方…必须保证在24小时之内给用户解决问题,特殊情况不得超过48小时): a special case approved
  (``desk.extend_sla``) told only whoever held the job. The customer, told at dispatch when the problem
  would be solved, waited to a time that no longer held; and the dealer whose own engineer held the job —
  the party the 48 hours bind — heard nothing. Now the customer is told the new due (not the approval's
  reason, which stays with staff), the engineer and his dealer the special case.
* Seed 004 第八条 2(2) (根据具体情况安排处理) with 第七条 3: a request handed over as a complaint before
  anyone called the customer back told them "我们将尽快与您联系" where any registration promises the time
  of the response. Now, with nobody having answered and the response still ahead, they are told its time.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales import Actor, Category
from aftersales.domain.classification import Plan, Severity
from conftest import START, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]
CUSTOMER_PHONE = "13912345678"  # 张伟, zh_Hans
DEALER_PHONE = "13900000001"  # 陈店长 of the Pudong dealer
DEALER_ENGINEER_PHONE = "13600000001"  # 浦东师傅, the Pudong dealer's own engineer


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_customer_and_the_engineers_dealer_hear_the_special_case(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "sanitary_ware") as (desk, clock, w, notifier):
        tid = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="马桶一直冲水").ticket.id
        desk.triage(w.agent, tid, nature="leak", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(w.agent, tid, engineer_id=w.eng_dealer.id)  # the dealer's own engineer
        desk.deliver()
        before = len(notifier.sent)
        clock.advance(timedelta(hours=3))
        desk.extend_sla(w.manager, tid, "resolution", timedelta(hours=48), "配件需从台州发货")
        desk.deliver()
        sent = notifier.sent[before:]
        (customer,) = [m for m in sent if m.recipient == CUSTOMER_PHONE]
        assert customer.subject == f"您的工单 {tid} 时限调整"
        assert f"因特殊情况，您的工单 {tid} 的解决时限延长至 2026年3月4日 09:00" in customer.body
        assert "台州" not in customer.body  # the approval's reason stays with staff
        for holder in (DEALER_ENGINEER_PHONE, DEALER_PHONE):
            (told,) = [m for m in sent if m.recipient == holder]
            assert told.subject == f"工单 {tid} 特殊情况已获批准"
            assert "延长至 48 小时" in told.body and "原因：配件需从台州发货" in told.body


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_request_handed_over_before_any_call_back_promises_the_response_time(
    backend: str, tmp_path: Path
) -> None:
    with noticed_desk(backend, tmp_path, "sanitary_ware") as (desk, clock, w, notifier):
        request = desk.open_ticket(
            w.agent, customer_id="cust-zh", description="马桶漏水, 师傅态度差"
        ).ticket.id
        desk.deliver()
        before = len(notifier.sent)
        clock.set(START + timedelta(minutes=20))  # nobody has called 张伟 back yet
        desk.reclassify(
            Actor.agent("agent-2", "客服小王"), request, category=Category.COMPLAINT, reason="投诉"
        )
        desk.deliver()
        complaint = desk.ticket(
            w.manager, str(desk.ticket(w.manager, request).events[-2].payload["complaint_id"])
        )
        due = complaint.response_due_at
        assert due is not None and due > clock.now()
        (told,) = [m for m in notifier.sent[before:] if m.recipient == CUSTOMER_PHONE]
        assert told.subject == f"您的服务请求 {request} 已转为投诉（投诉编号 {complaint.id}）"
        assert "尽快" not in told.body and "前与您联系" in told.body and "我们将在 " in told.body
