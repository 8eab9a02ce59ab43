"""A desk whose zone is not its calendar's: whole local days are counted in the desk's zone everywhere.

Seed 004 第八条 2(6): 在投诉处理后的七天内进行回访. The service-centre pack counts seven whole local days
after the day the complaint was handled, and docs/concepts/calendars-and-sla.md says those are days of the
desk's zone, for the callback task, the ticket's ``callback_due_at`` and the SLA status alike. A desk may
keep its books in another zone than its working calendar's (``settings={"timezone": ...}``); then the
task and the stored due counted New York days while ``desk.sla`` counted Shanghai days: the status said
the callback was due twelve hours before the task did, and the two disagreed on when it was late.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.sla_clock import SlaState
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, STAFF, make_world, register, store_url

NEW_YORK = ZoneInfo("America/New_York")


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgres"])
def test_a_complaint_callback_counts_the_desks_days(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(datetime(2026, 9, 29, 10, tzinfo=SHANGHAI)), make_world()
    settings = {"timezone": "America/New_York"}
    with (
        store_url(backend, tmp_path) as url,
        ServiceDesk.open(url, pack="service_centre", clock=clock, staff=STAFF, settings=settings) as desk,
    ):
        register(desk, world)
        assert desk.calendar is not None and desk.calendar.timezone == "Asia/Shanghai"
        complaints = desk.complaints
        cid = complaints.open_complaint(world.agent, world.cust_zh.id, "维修人员态度不好").ticket.id
        complaints.investigate(world.manager, cid)
        complaints.propose_solution(world.manager, cid, solution="当面道歉")
        complaints.agree_solution(world.manager, cid)
        # Handled Wed 30 Sep 15:00 Shanghai = 03:00 in New York, the desk's day 30 Sep: 1–7 Oct, due at
        # 00:00 on 8 Oct in New York (12:00 in Shanghai).
        clock.set(datetime(2026, 9, 30, 15, tzinfo=SHANGHAI))
        complaints.give_feedback(world.manager, cid, outcome="客户接受道歉")
        due = datetime(2026, 10, 8, 0, tzinfo=NEW_YORK)
        assert desk.ticket(world.manager, cid).callback_due_at == due
        assert {t.ticket_id: t.due_at for t in desk.callbacks.pending(world.agent)} == {cid: due}
        callback = desk.sla(world.manager, cid).get("callback")
        assert callback is not None and callback.due_at == due
        on_time = desk.sla(world.manager, cid, at=due - timedelta(minutes=1)).get("callback")
        assert on_time is not None and on_time.state is not SlaState.BREACHED
        late = desk.sla(world.manager, cid, at=due + timedelta(minutes=1)).get("callback")
        assert late is not None and late.state is SlaState.BREACHED
