"""What the customer is told when their request is handed over as a complaint (seed 004 第七条 1-3,
第八条 2(2)), session 36.

Monday 2 March 2026, 09:00: 张伟 calls about a leaking toilet and rude staff; 客服小李 logs a repair
(SR-…1, the number 张伟 is sent) and calls him back at 09:30; at 10:00 a colleague reads it as a complaint
and hands it over. Before: 张伟 was sent "we have registered your complaint SR-…2, we will contact you by
14:00" — a second number, nothing saying it is his request SR-…1, and a first contact promised that was
made at 09:30. Now he is told his request SR-…1 is now complaint SR-…2, once, and never that it was
cancelled (he cancelled nothing).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales import Actor, Category
from conftest import START, noticed_desk


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_the_customer_is_told_their_request_is_now_the_complaint(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "sanitary_ware") as (desk, clock, w, notifier):
        request = desk.open_ticket(
            w.agent, customer_id="cust-zh", description="马桶漏水, 师傅态度差"
        ).ticket.id
        clock.set(START + timedelta(minutes=30))
        desk.contact_customer(w.agent, request, note="已回电, 明天上门")
        english = desk.open_ticket(w.agent, customer_id="cust-en", description="Rude staff").ticket.id
        desk.deliver()
        before = len(notifier.sent)
        clock.set(START + timedelta(hours=1))
        colleague = Actor.agent("agent-2", "客服小王")
        desk.reclassify(colleague, request, category=Category.COMPLAINT, reason="客户是投诉")
        desk.reclassify(colleague, english, category=Category.COMPLAINT, reason="a complaint")
        desk.deliver()
        complaint, english_complaint = (
            str(desk.ticket(w.manager, t).events[-2].payload["complaint_id"]) for t in (request, english)
        )
        customers = ("13912345678", "alice@example.co.uk")
        told = sorted((m for m in notifier.sent[before:] if m.recipient in customers), key=lambda m: m.locale)
        assert [(m.recipient, m.subject) for m in told] == [
            ("alice@example.co.uk", f"Your request {english} is now complaint {english_complaint}"),
            ("13912345678", f"您的服务请求 {request} 已转为投诉（投诉编号 {complaint}）"),
        ]
        en, zh = told[0].body, told[1].body
        assert f"（工单 {request}）已作为投诉登记，投诉编号 {complaint}" in zh
        assert "取消" not in zh and "将在" not in zh  # no cancellation, no first contact promised again
        assert f"(ticket {english}) is registered as complaint {english_complaint}" in en
        assert "cancel" not in en.lower()
        # A complaint opened on its own is still registered in the usual words.
        fresh = desk.complaints.open_complaint(w.agent, customer_id="cust-zh", description="收费与报价不符")
        desk.deliver()
        (usual,) = [
            m.subject for m in notifier.sent if fresh.ticket.id in m.subject and m.recipient in customers
        ]
        assert usual == f"我们已登记您的投诉（投诉编号 {fresh.ticket.id}）"
