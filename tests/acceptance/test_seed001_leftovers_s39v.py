"""Seed 001's leftovers of session 39 q, read against the text (session 39, v), on memory, SQLite and
PostgreSQL in the exhibition company's world (``seed_s33h_world``: working hours 09:00–12:00, 13:00–18:00).

五(二)1 一般售后问题应在[X]个工作日内处理完毕 times a problem by what it is (一般 / 紧急 / 复杂); nothing in
the seed raises a problem found back, so a reopened ordinary problem has the full three working days
again, as a new ordinary problem would (the library's ``reopened_raise = 1`` gave it two).

三(五)1 定期向客户反馈处理情况 reaches complaints (四(三) classes 客户投诉 among the 售后问题; seed 003: 投诉…
由指定人员负责跟进, 事事有回音): a complaint under investigation whose customer hears nothing for a working
day reminds the specialists, in words that name a complaint (投诉).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from seed_s33h_world import BACKENDS, MONDAY, company

from aftersales import Channel, Priority, Severity
from aftersales.domain.complaints import ComplaintSubject

EXHIBITION = "exhibition_services"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_reopened_ordinary_problem_has_the_full_three_working_days_again(
    backend: str, tmp_path: Path
) -> None:
    """Repaired and accepted on Monday, found back on Tuesday at 10:00: still an ordinary problem, due in
    three working days (Friday 10:00), not raised a grade to two (Thursday 10:00)."""
    with company(backend, tmp_path, EXHIBITION) as co:
        desk, clock = co.desk, co.clock
        tid = desk.open_ticket(co.agent, customer_id=co.customer_id, description="展位灯箱不亮").ticket.id
        desk.triage(co.agent, tid, nature="lamp_out", severity=Severity.MEDIUM)
        desk.dispatch(co.agent, tid, engineer_id="eng-sr")
        clock.set(MONDAY.replace(hour=10))
        desk.start_work(co.senior, tid)
        desk.resolve(co.senior, tid, summary="更换灯管")
        desk.confirm(co.agent, tid, channel=Channel.PHONE, note="客户电话确认")
        clock.set(MONDAY.replace(day=3, hour=10))
        reopened = desk.reopen(co.agent, tid, reason="灯箱又不亮").ticket
        assert reopened.priority is Priority.NORMAL
        assert reopened.resolution_due_at == MONDAY.replace(day=6, hour=10)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_complaint_whose_customer_heard_nothing_for_a_working_day_reminds_the_specialists(
    backend: str, tmp_path: Path
) -> None:
    """Complained of on Monday 09:00 and investigated: no news by 18:00 (8 working hours) reminds the
    agents of a complaint (投诉), once (the hourly job: not at 17:00, not again on Tuesday 09:00)."""
    with company(backend, tmp_path, EXHIBITION) as co:
        desk, clock = co.desk, co.clock
        cid = desk.complaints.open_complaint(
            co.agent, co.customer_id, "布展人员态度恶劣", subject=ComplaintSubject.SERVICE_QUALITY,
            channel=Channel.PHONE,
        ).ticket.id  # fmt: skip
        clock.set(MONDAY.replace(hour=9, minute=30))
        desk.complaints.investigate(co.manager, cid)
        ran = []
        for day, hour, minute in ((2, 17, 0), (2, 18, 0), (3, 9, 0)):
            clock.set(MONDAY.replace(day=day, hour=hour, minute=minute))
            ran.append(desk.jobs.run_due(only=("progress_updates",)).counts["progress_updates"])
        assert ran == [0, 1, 0]
        told = [m for m in co.sent_to("callcentre@venus.example") if cid in m]
        assert len(told) == 1 and told[0].startswith(f"待反馈进度：投诉 {cid}")
