"""Seed 002 客户投诉的处理方法 in the sanitary_ware pack (session 36, e), on the three stores.

对投诉的处理一定要及时 … 及时地到达问题现场和及时地给予回复,是解决客户投诉的第一步工作 …
切忌不要以为拖会解决问题: the pack grades a complaint at least expedited (``[priority] category_floor``),
so it heads the priority queue before ordinary calls made earlier, and gets the expedited grade's targets
(the seed names no figure): its answer within 2 hours on the pack's response clock (the dealer
contract's wall clock), its handling within 2 working days. Before, the pack gave complaints no grade:
the complaint sorted after every service call and was due its answer 4 working hours later (here the
next morning).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from seed_s33h_world import BACKENDS, MONDAY, company

from aftersales import Channel, PageRequest, Severity, Sort, TicketFilter


@pytest.mark.parametrize("backend", BACKENDS)  # the sort is the store's
def test_a_complaint_heads_the_queue_and_is_answered_the_same_evening(backend: str, tmp_path: Path) -> None:
    with company(backend, tmp_path, "sanitary_ware") as co:
        desk, clock = co.desk, co.clock
        calls = []
        for text in ("马桶漏水", "下水堵"):
            tid = desk.open_ticket(co.agent, customer_id=co.customer_id, description=text).ticket.id
            desk.triage(co.agent, tid, nature="leak", severity=Severity.MEDIUM)
            calls.append(tid)
        clock.advance(timedelta(hours=7, minutes=50))  # Monday 16:50, 70 minutes before the day ends
        complaint = desk.complaints.open_complaint(
            co.agent, co.customer_id, "维修人员迟到两小时且态度恶劣", [calls[0]], channel=Channel.PHONE
        ).ticket
        assert complaint.priority is not None and complaint.priority.value == "expedited"
        opened = MONDAY + timedelta(hours=7, minutes=50)
        assert complaint.response_due_at == opened + timedelta(hours=2)  # 18:50 the same evening
        assert complaint.resolution_due_at == opened + timedelta(days=2)  # Wednesday 16:50
        page = desk.ledger(co.agent, TicketFilter(is_open=True), PageRequest(10, sort=Sort.PRIORITY))
        assert [t.id for t in page.items] == [complaint.id, *calls]
