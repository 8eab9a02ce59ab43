"""Who reads and who handles a complaint about a dealer's own job (session 35, f: read and
decided); sanitary_ware pack, on memory, SQLite and PostgreSQL.

Seed 004 gives the handling of every complaint to the service centre (第五条 1(2)
负责对客户投诉的收集和处理; 第八条 2(1) 客户服务中心必须安排人员处理), which may pass one to a
repair outlet (2(3) 由客户服务中心转到维修网点的用户投诉 … 售后服务部应立即回复客户服务中心).
Seed 002 makes the dealer serve its customers' products throughout (分工 1
乙方负责所售产品的全过程服务) and lets the maker check the dealer's service (分工 12 甲方有权…
抽查). Neither says a complaint is kept from the customer's own dealer, about its own work or
not: the company's part is the handling. So, decided: the dealer's staff read their customer's
complaint, about the dealer's own repair too, and handle none of it — they neither investigate,
propose, classify nor grant a remedy (``PermissionDenied``, nothing written) — until the centre
passes it to them, when they reply (第八条 2(3)); a dealer of another region reads nothing of it
(``NotFound``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aftersales.domain.classification import Plan, Severity
from aftersales.domain.complaints import ComplaintSubject, RemedyKind
from aftersales.domain.money import Money
from aftersales.errors import NotFound, PermissionDenied, ValidationError
from conftest import world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_dealer_reads_a_complaint_about_its_own_repair_and_handles_none_of_it(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, pack="sanitary_ware") as (desk, _clock, w):
        repair = desk.open_ticket(
            w.agent, customer_id=w.cust_zh.id, asset_id=w.asset.id, description="马桶漏水"
        ).ticket.id
        desk.triage(w.agent, repair, nature="repair", severity=Severity.MEDIUM, plan=Plan.ON_SITE)
        desk.dispatch(w.agent, repair, dealer_id=w.dealer_sh.id)  # the dealer's own job
        complaint = desk.complaints.open_complaint(
            w.agent, w.cust_zh.id, "经销商师傅态度恶劣，多收上门费", about=[repair],
            subject=ComplaintSubject.SERVICE_QUALITY,
        ).ticket.id  # fmt: skip
        staff = w.dealer_sh_staff

        # Read: the dealer's customer's complaint, by number and in its ledger.
        assert desk.ticket(staff, complaint).id == complaint
        assert complaint in {v.id for v in desk.ledger(staff).items}
        # Handled by the centre alone: each step refused, nothing written.
        before = desk.ticket(w.manager, complaint).version
        steps = (
            lambda: desk.complaints.investigate(staff, complaint),
            lambda: desk.complaints.propose_solution(staff, complaint, solution="退上门费"),
            lambda: desk.complaints.classify(staff, complaint, major_by_judgement="影响恶劣"),
            lambda: desk.complaints.grant_remedy(
                staff, complaint, kind=RemedyKind.GIFT, cost=Money("30", "CNY")
            ),
        )
        for step in steps:
            with pytest.raises(PermissionDenied):
                step()
        with pytest.raises(ValidationError):  # not passed to any outlet: nothing to reply to
            desk.complaints.reply_from_outlet(staff, complaint, reply="已处理")
        assert desk.ticket(w.manager, complaint).version == before
        # Another region's dealer reads nothing of it.
        with pytest.raises(NotFound):
            desk.ticket(w.dealer_bj_staff, complaint)

        # Passed to the dealer by the centre (第八条 2(3)), the dealer replies.
        desk.complaints.refer_to_outlet(w.manager, complaint, dealer_id=w.dealer_sh.id, note="请先安抚客户")
        desk.complaints.reply_from_outlet(staff, complaint, reply="已上门致歉并退还上门费")
        replies = [e for e in desk.ticket(w.manager, complaint).events if e.action == "outlet_reply"]
        assert [e.actor.id for e in replies] == [staff.id]
