# mypy: disable-error-code="arg-type"
"""Seeds 003 and 004 walked again, session 27: what the customer says at a callback reaches the month's
feedback and the archive, on memory, SQLite and PostgreSQL, with the service-centre pack.

Seed 004 第五条 1(6): the centre 负责收集…用户意见，每月反馈给总经理及相关部门. 第六条 3(3) 用户意见:
是否有其它不满意的地方 is asked at every callback, and 第七条 3-4 makes a customer who says the
repairer was rude (or charged outside the rules) a complainant whatever the score (the callback desk
opens a complaint, or sends the complaint called back about back to investigating). The month's
feedback listed a callback as an opinion only for a comment, a low score or the problem back: a rude
repairer named at a complaint's own callback with a 5 reached the general manager nowhere (the
complaint was received in an earlier month).
Seed 003 二 5 所有服务记录(包括…客户反馈…)均需归档保存: the grievance in the customer's words was kept on the
callback record only; the archive's callback entry now carries it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Category, Severity
from aftersales.domain.surveys import CallbackChecklist
from aftersales.reports import document_for, monthly_feedback, report_labels
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
PACK = "service_centre"


def _at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def _handled_complaint(desk: ServiceDesk, w: World) -> str:
    cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "热水器漏水，维修后仍滴水").ticket.id
    desk.complaints.investigate(w.manager, cid)
    desk.complaints.propose_solution(w.manager, cid, solution="上门更换整机")
    desk.complaints.agree_solution(w.manager, cid)
    desk.complaints.give_feedback(w.manager, cid, outcome="已更换整机")
    return cid


def _opinions_table(desk: ServiceDesk, w: World, month: str) -> list[dict[str, object]]:
    report = monthly_feedback(desk, w.general_manager, reporting_for(desk.store), month)
    (table,) = [t for t in document_for(report, report_labels("zh_Hans")).tables if t.code == "opinions"]
    codes = [c.code for c in table.columns]
    return [dict(zip(codes, row, strict=True)) for row in table.rows]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_rude_repairer_named_at_a_complaints_callback_is_among_the_months_users_opinions(
    backend: str, tmp_path: Path
) -> None:
    # A complaint received and handled in February is called back on Monday 2 March: the product works
    # now and the customer gives a 5, but says the repairer who came was not polite and, asked
    # 是否有其它不满意的地方, that he spoke harshly. The complaint goes back to investigating (第八条 2(6)
    # 回访发现的问题应及时再处理); March's feedback has no complaint received in March, but lists the
    # callback among the users' opinions with the grievances, the customer's words on the page; the
    # archive keeps them.
    with world_desk(backend, tmp_path, pack=PACK) as (desk, clock, w):
        clock.set(_at(2, 24, 10))
        cid = _handled_complaint(desk, w)
        clock.set(_at(3, 2, 10))
        said = "师傅说话很冲"
        desk.callbacks.record(
            w.agent,
            cid,
            checklist=CallbackChecklist(product_works=True, polite=False, other_complaints=said),
            problem_back=False,
            satisfaction=5,
        )
        assert desk.ticket(w.manager, cid).state == "investigating"
        facts = desk.feedback.facts(w.general_manager, "2026-03")
        assert facts.complaints == () and facts.callbacks_made == 1
        (line,) = facts.opinions
        assert (line.ticket_id, line.score, line.low, line.problem_back) == (cid, 5, False, False)
        assert (line.grievances, line.other_complaints) == (("polite", "other_complaints"), said)
        (row,) = _opinions_table(desk, w, "2026-03")
        assert row["grievances"] == f"服务人员态度不好；{said}"  # Chinese punctuation (session 28)
        (entry,) = desk.archives.customer_archive(w.manager, w.cust_zh.id).callbacks
        assert (entry.other_complaints, entry.grievances) == (said, ("polite", "other_complaints"))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_charge_outside_the_rules_said_at_a_repairs_callback_is_an_opinion_beside_its_complaint(
    backend: str, tmp_path: Path
) -> None:
    # A repair called back on 3 March: the customer scores 5 but says they were charged outside the rules.
    # The callback opens a complaint (received in March, in the month's complaints) and is itself a user's
    # opinion of the month, as a low score is; a callback with nothing said is neither.
    with world_desk(backend, tmp_path, pack=PACK) as (desk, clock, w):
        tickets = []
        for what in ("热水器不点火", "热水器噪音大"):
            tid = desk.open_ticket(
                w.agent, customer_id=w.cust_zh.id, description=what, category=Category.REPAIR
            ).ticket.id
            desk.triage(w.agent, tid, nature="ignition", severity=Severity.LOW)
            desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
            desk.contact_customer(w.junior, tid, note="今日上门")
            desk.start_work(w.junior, tid)
            desk.resolve(w.junior, tid, summary="更换点火针")
            desk.confirm(w.junior, tid, channel="service_slip")
            tickets.append(tid)
        overcharged, fine = tickets
        clock.set(_at(3, 3, 10))
        record = desk.callbacks.record(
            w.agent,
            overcharged,
            checklist=CallbackChecklist(product_works=True, charged_by_rules=False),
            problem_back=False,
            satisfaction=5,
        )
        desk.callbacks.record(
            w.agent, fine, checklist=CallbackChecklist(product_works=True), problem_back=False, satisfaction=5
        )
        complaint_id = desk.callbacks.records(w.manager, overcharged)[0].complaint_id
        assert record.ticket.id == overcharged and complaint_id is not None
        facts = desk.feedback.facts(w.general_manager, "2026-03")
        assert [c.complaint_id for c in facts.complaints] == [complaint_id]
        assert [(o.ticket_id, o.grievances, o.low) for o in facts.opinions] == [
            (overcharged, ("charged_by_rules",), False)
        ]
        (row,) = _opinions_table(desk, w, "2026-03")
        assert (row["id"], row["grievances"]) == (overcharged, "未按规定收费")


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_customers_grievance_words_at_a_complaints_callback_are_erased_with_the_customer(
    backend: str, tmp_path: Path
) -> None:
    # The grievance of the first test sends the complaint back to investigating; the step's reason is the
    # customer's words. Erasing the customer blanked them on the callback and its record but kept them on
    # that step (only a callback finding the problem back had its rework's reason blanked).
    with world_desk(backend, tmp_path, pack=PACK) as (desk, clock, w):
        clock.set(_at(2, 24, 10))
        cid = _handled_complaint(desk, w)
        clock.set(_at(3, 2, 10))
        said = "师傅说话很冲还乱收费"
        desk.callbacks.record(
            w.agent,
            cid,
            checklist=CallbackChecklist(polite=False, other_complaints=said),
            problem_back=False,
            satisfaction=5,
        )
        desk.privacy.erase_customer(w.manager, w.cust_zh.id, "客户要求删除", cancel_open_tickets=True)
        with desk.store() as uow:
            events = uow.tickets.get(cid).events
        assert [e.action for e in events if e.reason and said in e.reason] == []
        assert all(said not in str(e.payload) for e in events)
