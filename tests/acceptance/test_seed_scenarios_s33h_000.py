# mypy: disable-error-code="arg-type"
"""Seed 000 (客户售后维护管理办法) walked as a service manager's day, through the public API only.

Session 33 (h), a peer tester: each test is one concrete rule of the seed, cited by its heading, on
memory, SQLite and PostgreSQL, with the pack ``general_maintenance``.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from seed_s33h_world import BACKENDS, MONDAY, company

from aftersales import (
    Channel,
    Plan,
    Severity,
    TicketState,
    ValidationError,
    export_ledger,
)

PACK = "general_maintenance"


@pytest.mark.parametrize("backend", BACKENDS)
def test_service_flow_1_to_7_registered_assessed_dispatched_redone_until_accepted_then_called_back(
    backend: str, tmp_path: Path
) -> None:
    """售后维护服务流程 1-7: 客户报修 (邮件) → 信息登记 → 问题评估 (严重程度、处理方案) → 派工
    (合适的售后维护人员前往客户现场) → 维修 (及时向客户反馈处理进度) → 验收确认 (不满意…重新进行处理,
    直至客户满意) → 服务回访 (服务结束后一定时间内,了解满意度和意见建议); 售后信息记录: 问题描述、
    处理过程、解决方案、服务时间."""
    with company(backend, tmp_path, PACK) as co:
        desk, clock = co.desk, co.clock
        # 1. 客户报修 by e-mail; 2. 信息登记: the customer, the unit, the problem, when and who took it.
        opened = desk.open_ticket(
            co.agent,
            customer_id=co.customer_id,
            asset_id=co.asset_id,
            description="空调不制冷,室内机有异响",
            channel=Channel.EMAIL,
        ).ticket
        tid = opened.id
        assert (opened.channel, opened.customer_id, opened.asset_id) == (
            Channel.EMAIL,
            co.customer_id,
            co.asset_id,
        )
        assert (opened.product_id, opened.batch, opened.received_at) == ("ac-1", "B2025-06", MONDAY)
        assert opened.taken_by.id == "agent-1"

        # 3. 问题评估: severity and the handling plan (on site, the pack's default).
        clock.advance(timedelta(minutes=20))
        triaged = desk.triage(co.agent, tid, nature="no_cooling", severity=Severity.MEDIUM).ticket
        assert triaged.assessment is not None
        assert (triaged.assessment.severity, triaged.assessment.plan) == (Severity.MEDIUM, Plan.ON_SITE)

        # 4. 派工处理: a maintenance engineer of the customer's region goes on site.
        clock.advance(timedelta(minutes=10))
        assigned = desk.dispatch(co.agent, tid).ticket
        assert assigned.assignee is not None and assigned.assignee.id in {"eng-jr", "eng-sr"}
        engineer = co.junior if assigned.assignee.id == "eng-jr" else co.senior
        desk.add_visit(co.agent, tid, planned_at=MONDAY + timedelta(days=1), engineer_id=assigned.assignee.id)

        # 5. 维修保养: on site, the engineer keeps the customer informed; an internal note stays internal.
        clock.set(MONDAY + timedelta(days=1, minutes=5))
        desk.start_work(engineer, tid)
        desk.add_fault_record(
            engineer, tid, symptom="no_cooling", cause="refrigerant_leak", action="recharge"
        )
        desk.note_to_customer(engineer, tid, text="已查明冷媒泄漏,正在补漏充注")
        desk.note_to_customer(engineer, tid, text="内部:库存冷媒不足", visible=False)
        clock.advance(timedelta(hours=1))
        resolved = desk.resolve(engineer, tid, summary="补漏并充注冷媒,试机制冷正常").ticket
        assert resolved.state == TicketState.RESOLVED.value
        told = "\n".join(co.sent_to("13912345678"))
        assert "正在补漏充注" in told and "库存冷媒不足" not in told

        # 6. 验收确认: the customer is not satisfied, the work is redone, then accepted.
        clock.advance(timedelta(hours=2))
        with pytest.raises(ValidationError):
            desk.reject(co.customer, tid, reason="  ")
        assert desk.ticket(co.manager, tid).state == TicketState.RESOLVED.value
        reworked = desk.reject(co.customer, tid, reason="仍有异响").ticket
        assert reworked.state == TicketState.REWORK.value
        desk.start_work(engineer, tid)
        clock.advance(timedelta(hours=1))
        desk.resolve(engineer, tid, summary="更换风扇电机,异响消除")
        clock.advance(timedelta(minutes=30))
        accepted_at = clock.now()
        accepted = desk.confirm(co.customer, tid).ticket
        assert accepted.state == TicketState.ACCEPTED.value
        assert (
            accepted.resolved_at == accepted_at
        )  # resolved when the customer accepted, not at the first fix

        # 7. 服务回访: due a certain time after the service ended (the pack: 72 h), satisfaction asked.
        assert accepted.callback_due_at == accepted_at + timedelta(hours=72)
        pending = [t.ticket_id for t in desk.callbacks.pending(co.agent)]
        assert pending == [tid]
        clock.advance(timedelta(hours=48))
        with pytest.raises(ValidationError) as no_score:
            desk.record_callback(co.agent, tid, problem_back=False, comment="希望上门前先电话确认")
        assert no_score.value.field == "satisfaction"
        assert [t.ticket_id for t in desk.callbacks.pending(co.agent)] == [tid]
        desk.record_callback(
            co.agent, tid, problem_back=False, satisfaction=4, comment="希望上门前先电话确认"
        )
        assert desk.callbacks.pending(co.agent) == []
        closed = desk.close(co.agent, tid).ticket
        assert closed.state == TicketState.CLOSED.value

        # 售后信息记录: the ledger keeps the problem, how it was handled, the solution and the times.
        out = io.BytesIO()
        assert export_ledger(desk, co.manager, out, format="jsonl") == 1
        row = json.loads(out.getvalue().decode().splitlines()[0])
        assert row["description"] == "空调不制冷,室内机有异响"
        assert (row["symptom"], row["cause"], row["action"]) == ("no_cooling", "refrigerant_leak", "recharge")
        assert "更换风扇电机" in row["outcome"]
        assert row["received_at"].startswith("2026-03-02T09:00")
        assert row["resolved_at"].startswith("2026-03-03T13:35")
        history = [e.action for e in desk.ticket(co.auditor, tid).events]
        assert history.count("resolve") == 2 and "reject" in history and "record_callback" in history
