"""Seed 001 三(二)2, session 33 (d): the staff mark a complaint urgent; the customer's own flag is its claim.

对于紧急问题,售后专员应立即标记,并优先处理. Seed 001's 客户反馈 covers complaints (四(三) 客户投诉) as well as
repairs. Since session 32 a customer's own ``urgent=True`` is kept only as its claim (``urgent_claimed``) —
on a complaint too — and a service ticket is marked urgent at triage; but a complaint takes no triage, so no
staff step could ever mark one urgent: its urgency stayed a claim. ``desk.complaints.mark_urgent`` is that
step: the complaint is graded at least the pack's urgent floor and its response runs on the urgent contact
clock from then on. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from aftersales.domain.classification import Priority
from aftersales.errors import InvalidTransition, PermissionDenied, ValidationError
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _claimed(desk: ServiceDesk, w: World) -> str:
    cid = desk.complaints.open_complaint(
        w.customer_zh, w.cust_zh.id, "展会开幕在即, 展台电子屏仍未修好, 投诉", urgent=True
    ).ticket.id
    view = desk.ticket(w.manager, cid)
    assert (view.urgent, view.urgent_claimed) == (False, True)  # the customer's word, no grade
    return cid


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_specialist_marks_a_customers_urgent_complaint_and_its_contact_clock_runs(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, pack="exhibition_services") as (desk, clock, w):
        cid = _claimed(desk, w)
        before = desk.ticket(w.manager, cid)
        assert before.response_due_at is not None
        clock.advance(timedelta(minutes=5))
        result = desk.complaints.mark_urgent(w.agent, cid, reason="开幕前必须解决")
        event = result.events[-1]
        assert (event.action, event.payload["urgent"], event.reason) == (
            "mark_urgent",
            True,
            "开幕前必须解决",
        )
        view = desk.ticket(w.manager, cid)
        assert (view.urgent, view.urgent_claimed) == (True, False)
        # 五(一)2 对于紧急问题 … 在[X]分钟内与客户取得联系: the urgent contact clock, from its receipt.
        assert view.response_due_at is not None and view.response_due_at < before.response_due_at
        assert view.response_due_at == view.received_at + timedelta(minutes=30)
        with pytest.raises(ValidationError) as again:
            desk.complaints.mark_urgent(w.agent, cid)
        assert again.value.field == "complaint_id"
        assert desk.ticket(w.manager, cid).version == view.version


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_complaint_marked_urgent_is_graded_at_the_urgent_floor(backend: str, tmp_path: Path) -> None:
    # office_equipment grades an urgent request expedited (urgent_floor) and sets no floor for complaints.
    with world_desk(backend, tmp_path) as (desk, _clock, w):
        cid = _claimed(desk, w)
        assert desk.ticket(w.manager, cid).priority in (None, Priority.NORMAL)
        event = desk.complaints.mark_urgent(w.manager, cid).events[-1]
        assert event.payload["priority"] == "expedited"
        assert {r["code"] for r in event.payload["reasons"]} == {"urgent_request"}
        view = desk.ticket(w.manager, cid)
        assert (view.priority, view.urgent) == (Priority.EXPEDITED, True)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_customer_does_not_mark_its_own_complaint_urgent(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="exhibition_services") as (desk, _clock, w):
        cid = _claimed(desk, w)
        version = desk.ticket(w.manager, cid).version
        with pytest.raises(PermissionDenied):
            desk.complaints.mark_urgent(w.customer_zh, cid)
        desk.complaints.withdraw(w.customer_zh, cid, reason="已自行解决")
        with pytest.raises(InvalidTransition):
            desk.complaints.mark_urgent(w.agent, cid)
        view = desk.ticket(w.manager, cid)
        assert view.urgent is False and view.version == version + 1
