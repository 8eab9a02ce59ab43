"""A complaint is named a complaint (投诉) in what its people read, not a ticket (工单) — session 23, task d.

A complaint is kept as a ticket of kind ``complaint``, and the sentences written for service tickets were
used for it: a refused complaint step read "SR-…：工单处于“已登记”状态", its customer was told
"我们已收到您的服务请求（工单 SR-…）" and "工单 SR-… 处理进度", the manager "新投诉：工单 SR-…", and its
SLA clocks "已超时：工单 SR-…". Seeds 000 and 001 (客户投诉的处理) keep the two apart; so do the words now.
On memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.errors import InvalidTransition
from aftersales.i18n.errors import render_error
from conftest import noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]

WORDS = {
    "zh_Hans": "{id}：投诉处于“已登记”状态，不能执行“提出解决方案”",
    "zh_Hant": "{id}：投訴處於「已登記」狀態，不能執行「提出解決方案」",
    "en": "{id}: “solution proposed” is not possible while the complaint is “registered”",
}


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_refused_complaint_step_names_a_complaint(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "sanitary_ware") as (desk, _, world, _):
        cid = desk.complaints.open_complaint(world.agent, "cust-zh", "马桶漏水三天没人管").ticket.id
        with pytest.raises(InvalidTransition) as refused:
            desk.complaints.propose_solution(world.agent, cid, solution="更换进水阀")
        assert {loc: render_error(refused.value, loc) for loc in WORDS} == {
            loc: words.format(id=cid) for loc, words in WORDS.items()
        }
        assert desk.ticket(world.agent, cid).state == "received"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_complaints_notices_name_a_complaint_a_tickets_a_ticket(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "sanitary_ware") as (desk, clock, world, notifier):
        cid = desk.complaints.open_complaint(world.agent, "cust-zh", "马桶漏水三天没人管").ticket.id
        tid = desk.open_ticket(world.agent, customer_id="cust-zh", description="马桶一直冲水").ticket.id
        quiet = desk.complaints.open_complaint(
            world.agent, "cust-zh", "安装师傅迟到"
        ).ticket.id  # never answered
        for record in (cid, tid):
            desk.note_to_customer(world.agent, record, text="已联系厂家核实")
        for _ in range(12):  # past the complaint's response and near its resolution due time
            clock.advance(timedelta(hours=6))
            desk.run_due_jobs()
        desk.deliver()
        about = {
            ticket: [m.subject for m in notifier.sent if ticket in m.subject and "月度" not in m.subject]
            for ticket in (cid, tid)
        }
        assert f"我们已登记您的投诉（投诉编号 {cid}）" in about[cid]
        assert f"新投诉 {cid}" in about[cid]
        assert f"时限预警：投诉 {cid}" in about[cid]
        assert f"投诉 {cid} 处理进度" in about[cid]
        assert any(m.subject == f"已超时：投诉 {quiet}" for m in notifier.sent)
        assert not [s for s in about[cid] if "工单" in s or "服务请求" in s]
        # A service ticket keeps its words.
        assert f"我们已收到您的服务请求（工单 {tid}）" in about[tid]
        assert f"时限预警：工单 {tid}" in about[tid]
        assert f"工单 {tid} 处理进度" in about[tid]
        assert not [s for s in about[tid] if "投诉" in s]
