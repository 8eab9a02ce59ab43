# mypy: disable-error-code="arg-type"
"""Session 27's readings of the SLA against the KPI report, session 28 e: on memory, SQLite and PostgreSQL
(the stored report rows), with the office-equipment pack calling back on no inquiry (``work_done``: the
callback runs from the result's entry, seed 003 二 5).

Each of session 27's changes moved what desk.sla() says; the KPI report reads its own facts (on SQLite and
PostgreSQL the report rows written with the ticket). For a month holding one ticket of each, the KPI's
counts are those desk.sla() gives ticket by ticket:

- the earliest contact by when it was made is the response (a contact entered after the fact);
- the callback recorded before the slip (work_done) is the callback, on time;
- a callback finding the problem back sends the work back; the next one, late, is judged against the
  re-planned due;
- a job reclassified into a class owing no callback has its callback withdrawn (no target, none due);
- reclassified back after its callback was made, the callback made stays the one on time.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import Category, Severity
from aftersales.domain.surveys import CallbackChecklist
from aftersales.ports.reporting import Period
from aftersales.reports import engineer_kpis, kpi_report
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
MARCH = Period(datetime(2026, 3, 1, tzinfo=SHANGHAI), datetime(2026, 4, 1, tzinfo=SHANGHAI))
READ_AT = datetime(2026, 4, 2, 9, tzinfo=SHANGHAI)
WORKS = CallbackChecklist(product_works=True)


def _pack(tmp_path: Path) -> str:
    path = tmp_path / "no_inquiry_office.toml"
    path.write_text(
        '[pack]\nname = "no_inquiry_office"\nextends = "office_equipment"\n\n'
        '[callback]\nnot_needed_for = ["inquiry"]\n',
        encoding="utf-8",
    )
    return str(path)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


def _dispatched(desk: ServiceDesk, w: World, category: Category = Category.REPAIR) -> str:
    opened = desk.open_ticket(w.agent, customer_id=w.cust_zh.id, description="复印机卡纸", category=category)
    tid = opened.ticket.id
    desk.triage(w.agent, tid, nature="paper_feed", severity=Severity.LOW)
    desk.dispatch(w.agent, tid, engineer_id=w.eng_junior.id)
    return tid


def _worked(desk: ServiceDesk, w: World, tid: str) -> None:
    desk.start_work(w.junior, tid)
    desk.resolve(w.junior, tid, summary="清理搓纸轮")


def _month(desk: ServiceDesk, clock: object, w: World) -> list[str]:
    set_ = clock.set  # type: ignore[attr-defined]
    made = []
    # The junior called at 10:20 and logged it at 15:00 (after the response due), after a note at 14:00.
    set_(_at(2, 10))
    tid = _dispatched(desk, w)
    set_(_at(2, 15))
    desk.contact_customer(w.agent, tid, note="工程师 10:20 已联系客户", at=_at(2, 10, 20))
    _worked(desk, w, tid)
    desk.callbacks.record(w.agent, tid, checklist=WORKS, problem_back=False, satisfaction=5)
    made.append(tid)
    # The callback made before the slip is recorded, in time; the slip three days later.
    set_(_at(3, 10))
    tid = _dispatched(desk, w)
    desk.contact_customer(w.junior, tid, note="今日上门")
    _worked(desk, w, tid)
    set_(_at(3, 12))
    desk.callbacks.record(w.agent, tid, checklist=WORKS, problem_back=False, satisfaction=4)
    set_(_at(6, 12))
    desk.confirm(w.junior, tid, channel="service_slip")
    made.append(tid)
    # The callback finds the problem back; repaired again; the next callback three days late.
    set_(_at(9, 10))
    tid = _dispatched(desk, w)
    desk.contact_customer(w.junior, tid, note="今日上门")
    _worked(desk, w, tid)
    set_(_at(9, 11))
    desk.callbacks.record(
        w.agent, tid, checklist=CallbackChecklist(product_works=False), problem_back=True, satisfaction=3
    )
    set_(_at(9, 12))
    _worked(desk, w, tid)
    set_(_at(12, 12))
    desk.callbacks.record(w.agent, tid, checklist=WORKS, problem_back=False, satisfaction=5)
    made.append(tid)
    # Found to be a question at the entry: reclassified, its callback withdrawn, never made.
    set_(_at(16, 10))
    tid = _dispatched(desk, w)
    desk.contact_customer(w.junior, tid, note="电话讲解")
    _worked(desk, w, tid)
    desk.reclassify(w.agent, tid, category=Category.INQUIRY, reason="客户只是不会操作，属咨询")
    made.append(tid)
    # Called back, then reclassified into a question and back into a repair: the callback made stands.
    set_(_at(23, 10))
    tid = _dispatched(desk, w)
    desk.contact_customer(w.junior, tid, note="今日上门")
    _worked(desk, w, tid)
    set_(_at(23, 11))
    desk.callbacks.record(w.agent, tid, checklist=WORKS, problem_back=False, satisfaction=5)
    set_(_at(23, 12))
    desk.reclassify(w.agent, tid, category=Category.INQUIRY, reason="属咨询")
    set_(_at(23, 13))
    desk.reclassify(w.agent, tid, category=Category.REPAIR, reason="复查确有故障")
    made.append(tid)
    return made


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_kpi_counts_what_the_sla_says_ticket_by_ticket(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, _pack(tmp_path)) as (desk, clock, w):
        tickets = _month(desk, clock, w)
        clock.set(READ_AT)
        statuses = [desk.sla(w.manager, t, at=READ_AT) for t in tickets]
        callbacks = [s.get("callback") for s in statuses]
        responses = [s["response"] for s in statuses]
        # The readings each scenario is about, as desk.sla() gives them.
        assert responses[0].met_at == _at(2, 10, 20) and not responses[0].breached
        assert [c is not None for c in callbacks] == [True, True, True, False, True]
        assert [c.breached for c in callbacks if c is not None] == [False, False, True, False]
        calendar = desk.calendar
        assert calendar is not None
        total = kpi_report(
            reporting_for(desk.store), MARCH, calendar, as_of=READ_AT, sla=desk.policies.sla
        ).total
        c = total.counts
        owed = [cb for cb in callbacks if cb is not None]
        assert c.callbacks_due == len(owed)
        assert c.callbacks_on_time == sum(cb.met_at is not None and not cb.breached for cb in owed)
        assert c.callbacks_pending == 0
        assert (total.response.count, total.response_missed) == (len(tickets), 0)
        assert total.response_met == sum(r.met_at is not None and not r.breached for r in responses)
        assert total.response.mean is not None
        # The backdated contact's 20 minutes, not the 5 hours to its entry, are in the mean.
        assert total.response.mean < timedelta(hours=1)
        # The engineers' appraisal shares out the same total.
        appraisal = engineer_kpis(desk.store, MARCH, calendar, as_of=READ_AT, sla=desk.policies.sla)
        assert appraisal.total == total
        assert appraisal.tickets(w.eng_junior.id).response_met == tuple(tickets)
