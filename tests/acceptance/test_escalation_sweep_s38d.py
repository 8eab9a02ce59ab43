"""The SLA sweep's overdue escalations, read by their key a page at a time (issue 21, session 38).

Seed 004 第八条 2(5): an escalation not taken up by its due reminds, once, whom it was addressed to and
their superior. The sweep reads one index range of the files' ``escalation_due`` key (the earliest
escalation neither taken up nor reminded), ``limit`` files a transaction, on memory, SQLite and
PostgreSQL; a reminder moves a file's key to its next escalation, so that one is reminded in its turn.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from aftersales import ServiceDesk
from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.complaints import ComplaintFile, CrisisFacts, CrisisProblem, Recourse
from aftersales.domain.money import Money
from aftersales.domain.surveys import CallbackChecklist
from aftersales.service.jobs import JobSettings
from conftest import SHANGHAI, World, noticed_desk

Host = tuple[ServiceDesk, ManualClock, World, MemoryNotifier]
CRISIS = CrisisFacts(
    problems={CrisisProblem.PROPERTY_LOSS}, economic_loss=True, recourse={Recourse.PRESS},
    loss=Money(Decimal("3000"), "CNY"),
)  # fmt: skip


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, 3, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def centre(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Host]:
    with noticed_desk(request.param, tmp_path, "service_centre") as opened:
        opened[0].jobs.configure(JobSettings(limit=1))  # a page per file: the sweep pages through them
        yield opened


def _reminded(desk: ServiceDesk, notifier: MemoryNotifier) -> list[str]:
    """The complaint ids of the overdue reminders delivered so far, one per reminder (not recipient)."""
    desk.jobs.run_due(only=("sla_sweep",))
    desk.deliver()
    return sorted(m.body.split("的投诉 ")[1].split(" ")[0] for m in notifier.sent if "无人受理" in m.body)


def test_every_overdue_escalation_is_reminded_once_over_paged_sweeps(centre: Host) -> None:
    """Three crises of 3 March 2026 at 10:00 are escalated, each due by 12:00; the third is escalated again
    by hand at 11:00 (due 13:00). Sweeping one file a page: at 12:05 the three first escalations are
    reminded (two recipients each), at 12:30 none again, at 13:05 the third's second one; a crisis taken
    up reminds nobody, and no file is left keyed."""
    desk, clock, w, notifier = centre
    clock.set(_at(10))
    ids = [
        desk.complaints.open_complaint(w.agent, "cust-zh", f"水箱漏水泡坏地板 {n}", crisis=CRISIS).ticket.id
        for n in range(4)
    ]
    clock.set(_at(10, 30))
    desk.complaints.acknowledge_escalation(w.manager, ids[3])
    clock.set(_at(11))
    desk.complaints.escalate(w.manager, ids[2], reason="客户再次来电")
    clock.set(_at(11, 59))
    assert _reminded(desk, notifier) == []
    clock.set(_at(12, 5))
    first = _reminded(desk, notifier)
    assert first == sorted(ids[:3] * 2)
    clock.set(_at(12, 30))
    assert _reminded(desk, notifier) == first  # once only
    clock.set(_at(13, 5))
    assert _reminded(desk, notifier) == sorted([*first, ids[2], ids[2]])
    with desk.store() as uow:
        keys = {i: uow.documents.get(ComplaintFile, i).escalation_due for i in ids}
    assert keys == dict.fromkeys(ids)  # every escalation reminded or taken up: none left to read


def test_a_file_stored_before_the_key_is_caught_up_and_an_old_reminder_not_repeated(tmp_path: Path) -> None:
    """A SQLite file written before session 38: its complaint files have no ``escalation_due`` (in their
    JSON or the index) and one escalation was reminded by that release (its job mark). The first sweep
    indexes the key in batches, reminds the one never reminded, and not the other again."""
    with noticed_desk("sqlite", tmp_path, "service_centre") as (desk, clock, w, notifier):
        desk.jobs.configure(JobSettings(limit=1))
        clock.set(_at(10))
        ids = [
            desk.complaints.open_complaint(w.agent, "cust-zh", f"地板泡坏 {n}", crisis=CRISIS).ticket.id
            for n in range(3)
        ]
        db = next(tmp_path.rglob("*.db"))
        with sqlite3.connect(db) as conn:  # as the older release stored them
            conn.execute(
                "UPDATE documents SET version = version + 1, data = json_remove(json_remove(data,"
                " '$.escalation_due'), '$.escalations[0].reminded_at') WHERE kind = 'complaint_file'"
            )
            conn.execute(
                "DELETE FROM document_index WHERE kind = 'complaint_file' AND field = 'escalation_due'"
            )
            conn.execute(
                "INSERT INTO documents (kind, id, version, data) VALUES ('job_mark', ?, 0, ?)",
                (f"escalation_overdue:{ids[0]}:0", f'{{"id": "escalation_overdue:{ids[0]}:0",'
                 ' "at": "2026-03-03T04:05:00+00:00", "version": 0}'),
            )  # fmt: skip
        clock.set(_at(12, 5))
        assert _reminded(desk, notifier) == sorted(ids[1:] * 2)
        clock.set(_at(12, 30))
        assert _reminded(desk, notifier) == sorted(ids[1:] * 2)
        with sqlite3.connect(db) as conn:
            rows = conn.execute(
                "SELECT count(*) FROM document_index"
                " WHERE kind = 'complaint_file' AND field = 'escalation_due'"
            ).fetchone()[0]
        assert rows == 3


def test_an_escalation_of_a_closed_complaint_is_reminded_once_it_is_reopened(centre: Host) -> None:
    """A complaint escalated by hand at 10:00 (due 12:00) is handled and closed by 11:30, its escalation
    never taken up: the sweep at 12:05 reminds nobody (nothing left to take up) and drops the file's key;
    the complaint reopened at 12:10 (seed 004 第八条 2(6)) puts its escalation back in the sweep's range,
    and the next sweep reminds it, once."""
    desk, clock, w, notifier = centre
    clock.set(_at(10))
    cid = desk.complaints.open_complaint(w.agent, "cust-zh", "安装师傅态度差").ticket.id
    desk.complaints.escalate(w.agent, cid, reason="客户要求主管处理")
    clock.set(_at(10, 30))
    desk.complaints.investigate(w.agent, cid)
    desk.complaints.propose_solution(w.agent, cid, solution="致歉并重新上门")
    desk.complaints.agree_solution(w.agent, cid)
    desk.complaints.give_feedback(w.agent, cid, outcome="已致歉并重新上门")
    clock.set(_at(11))
    desk.callbacks.record(
        w.agent, cid, checklist=CallbackChecklist(product_works=True), problem_back=False,
        satisfaction=5, attitude=5,
    )  # fmt: skip
    desk.complaints.review(w.manager, cid, root_cause="attitude", improvement="安装师傅礼仪培训")
    desk.complaints.close(w.manager, cid)
    [escalation] = desk.complaints.complaint_file(w.manager, cid).escalations
    clock.set(escalation.due_at.replace(minute=5))
    assert _reminded(desk, notifier) == []
    with desk.store() as uow:
        assert uow.documents.get(ComplaintFile, cid).escalation_due is None
    clock.set(escalation.due_at.replace(minute=10))
    desk.complaints.reopen(w.manager, cid, reason="客户再次来电")
    reminded = _reminded(desk, notifier)
    assert reminded and set(reminded) == {cid}
    clock.set(escalation.due_at.replace(minute=30))
    assert _reminded(desk, notifier) == reminded
