# mypy: disable-error-code="arg-type"
"""A done job reclassified: its callback follows the new class.

Seed 003 二 5 (服务完成后,工程师将处理结果录入系统,客服专员在24小时内对客户进行回访) in a pack counting the
callback from the result's entry (office_equipment) plans it at the entry. A pack that calls back on no
inquiry (``[callback] not_needed_for = ["inquiry"]``): a "repair" found at the entry to have been a
question (咨询, seed 004 第七条 1-2) and reclassified kept the callback planned at the entry — a task listed,
overdue the next day, and a due the ledger carried. Now it is withdrawn; reclassified back into a repair, one
is planned again from the entry. An accepted ticket in a pack counting from the acceptance owes one when
reclassified into a class that needs one. Memory, SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.domain.classification import Category, Severity
from aftersales.errors import InvalidTransition
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _pack(tmp_path: Path, base: str) -> str:
    """``base`` calling back on no inquiry (``[callback] not_needed_for``)."""
    path = tmp_path / f"no_inquiry_{base}.toml"
    head = f'[pack]\nname = "no_inquiry_{base}"\nextends = "{base}"\n\n'
    path.write_text(head + '[callback]\nnot_needed_for = ["inquiry"]\n', encoding="utf-8")
    return str(path)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def _resolved(desk: ServiceDesk, w: World, category: Category = Category.REPAIR) -> str:
    tid = desk.open_ticket(
        w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=category
    ).ticket.id
    desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
    desk.contact_customer(w.junior, tid, note="已联系客户，今日上门")
    desk.start_work(w.junior, tid)
    desk.resolve(w.junior, tid, summary="讲解了操作方法")
    return tid


def _pending(desk: ServiceDesk, w: World, tid: str) -> list[datetime]:
    return [t.due_at for t in desk.callbacks.pending(w.agent) if t.ticket_id == tid]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_done_job_reclassified_takes_the_callback_of_its_new_class(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, _pack(tmp_path, "office_equipment")) as (desk, clock, w):
        clock.set(_at(2, 10))
        tid = _resolved(desk, w)
        assert _pending(desk, w, tid) == [_at(3, 10)]  # planned at the entry
        clock.set(_at(2, 11))
        desk.reclassify(w.agent, tid, category=Category.INQUIRY, reason="客户只是不会操作，属咨询")
        assert _pending(desk, w, tid) == []
        assert desk.ticket(w.manager, tid).callback_due_at is None
        assert desk.callbacks.overdue(w.agent, _at(4, 9)) == []
        # Reclassified back: the repair's callback is owed again, due from the entry as the SLA counts it.
        clock.set(_at(2, 12))
        desk.reclassify(w.agent, tid, category=Category.REPAIR, reason="复查确有故障")
        assert _pending(desk, w, tid) == [_at(3, 10)]
        assert desk.ticket(w.manager, tid).callback_due_at == _at(3, 10)
        assert desk.sla(w.manager, tid)["callback"].due_at == _at(3, 10)
        # The inquiry accepted closes without a callback; its task is not left behind.
        desk.reclassify(w.agent, tid, category=Category.INQUIRY, reason="最终确认属咨询")
        desk.confirm(w.junior, tid, channel="service_slip")
        assert _pending(desk, w, tid) == []
        desk.close(w.agent, tid)
        assert desk.ticket(w.manager, tid).state == "closed"


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_accepted_inquiry_found_to_be_a_repair_owes_its_callback(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, _pack(tmp_path, "sanitary_ware")) as (desk, clock, w):
        clock.set(_at(2, 10))
        tid = _resolved(desk, w, Category.INQUIRY)
        clock.set(_at(2, 11))
        desk.confirm(w.junior, tid, channel="service_slip")
        assert _pending(desk, w, tid) == []
        clock.set(_at(2, 12))
        desk.reclassify(w.agent, tid, category=Category.REPAIR, reason="确属故障维修")
        (due,) = _pending(desk, w, tid)
        assert desk.ticket(w.manager, tid).callback_due_at == due
        assert _at(2, 11) < due <= _at(2, 11) + timedelta(days=7)
        with pytest.raises(InvalidTransition):  # owed now: no close before it
            desk.close(w.agent, tid)
