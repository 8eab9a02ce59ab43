"""A progress note written on a request continues in the complaint it is handed over to (seed 004 第七条 3:
the complaint continues the request), session 37 (g).

Monday 2 March 2026, 09:00: 张伟 calls about a leaking toilet and rude staff; 客服小李 logs a repair and at
09:30 writes him a progress note ("师傅明天上午上门") and an internal one; at 10:00 a colleague hands the call
over as a complaint. Before: the complaint started with no note — its handler and 张伟's view of the
complaint lost what he had been told. Now both notes are on the complaint as written (the internal one
internal), the visible one is not sent to him again, and his archive lists it once.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales import Actor, Category
from conftest import START, noticed_desk

TOLD = "师傅明天上午上门检查漏水"
INTERNAL = "客户情绪激动, 注意语气"


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_the_requests_notes_continue_in_the_complaint_once(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "sanitary_ware") as (desk, clock, w, notifier):
        request = desk.open_ticket(
            w.agent, customer_id="cust-zh", description="马桶漏水, 师傅态度差"
        ).ticket.id
        clock.set(START + timedelta(minutes=30))
        desk.note_to_customer(w.agent, request, text=TOLD)
        desk.note_to_customer(w.agent, request, text=INTERNAL, visible=False)
        desk.deliver()
        assert sum(TOLD in m.body for m in notifier.sent) == 1  # 张伟 was sent it on the request
        before = len(notifier.sent)
        clock.set(START + timedelta(hours=1))
        desk.reclassify(
            Actor.agent("agent-2", "客服小王"), request, category=Category.COMPLAINT, reason="投诉"
        )
        desk.deliver()
        complaint = str(desk.ticket(w.manager, request).events[-2].payload["complaint_id"])
        notes = desk.ticket(w.manager, complaint).notes
        assert [(n.text, n.visible_to_customer) for n in notes] == [(TOLD, True), (INTERNAL, False)]
        assert not any(TOLD in m.body or INTERNAL in m.body for m in notifier.sent[before:])  # not re-sent
        listed = [
            c for c in desk.archives.customer_archive(w.manager, "cust-zh").contacts if c.kind == "note"
        ]
        assert [(c.ticket_id, c.note) for c in listed] == [(request, TOLD)]  # once, where it was written
        # The complaint's own later note is sent and listed as ever.
        desk.note_to_customer(w.agent, complaint, text="投诉已受理, 主管跟进")
        desk.deliver()
        assert sum("投诉已受理" in m.body for m in notifier.sent[before:]) == 1
