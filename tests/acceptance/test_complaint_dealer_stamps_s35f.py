"""Complaints an older release stamped as a dealer's call are back-filled out of the dealer's KPI row
(session 35, f); sanitary_ware pack, on memory, SQLite and PostgreSQL.

Seed 004 第八条 2(1) 客户服务中心必须安排人员处理: a complaint is the centre's whoever registered it. Before
session 34 a complaint a dealer's staff registered was stamped ``taken_by_dealer`` (a 叫修 the dealer took),
and ``GroupBy.SERVING_DEALER`` counted it in the dealer's row. Session 34 stopped stamping but left the
stored ones ("no back-fill"). The data say one is needed: the stamp stays in the event, and the rows SQLite
and PostgreSQL derived from it keep the dealer until the complaint is saved again, which a closed complaint
never is. Now the stamp is not read on a complaint, and ``desk.complaints.backfill_dealer_stamps`` saves
each stamped complaint again, a page per transaction, resumable, once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from aftersales.adapters.reporting import reporting_for
from aftersales.domain.classification import TicketKind
from aftersales.errors import PermissionDenied
from aftersales.ports import reporting
from aftersales.ports.reporting import GroupBy
from aftersales.reports.kpi import kpi_report
from aftersales.reports.months import month_period
from aftersales.service import intake
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _as_before_session_34(monkeypatch: pytest.MonkeyPatch) -> None:
    """The release before: the intake stamps a dealer's staff's complaint, the reading takes the stamp
    on any ticket (no kind is a complaint to it)."""
    opened_facts = intake._opened_facts
    monkeypatch.setattr(
        intake,
        "_opened_facts",
        lambda actor, terms, claimed=False, kind=TicketKind.SERVICE, continues=None: opened_facts(
            actor, terms, claimed
        ),
    )
    kinds = SimpleNamespace(COMPLAINT=SimpleNamespace(value=TicketKind.COMPLAINT.value))
    monkeypatch.setattr(reporting, "TicketKind", kinds)


def _complaints_by_dealer(desk: ServiceDesk) -> dict[str, int]:
    assert desk.calendar is not None
    april = month_period("2026-04", "Asia/Shanghai")
    report = kpi_report(
        reporting_for(desk.store), april, desk.calendar, group=GroupBy.SERVING_DEALER,
        as_of=datetime(2026, 4, 30, 12, 0, tzinfo=SHANGHAI),
    )  # fmt: skip
    return {row.group: row.counts.complaints for row in report.rows if row.counts.complaints}


@pytest.fixture(params=BACKENDS)
def stamped(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, ServiceDesk, World]]:
    with world_desk(request.param, tmp_path, pack="sanitary_ware") as (desk, clock, w):
        clock.set(datetime(2026, 4, 20, 9, 0, tzinfo=SHANGHAI))
        with monkeypatch.context() as old:
            _as_before_session_34(old)
            ids = [
                desk.complaints.open_complaint(w.dealer_sh_staff, w.cust_zh.id, words).ticket.id
                for words in ("店里的师傅上门态度差", "第二次投诉：还是没人管")
            ]
            handled = desk.complaints  # the first handled by the centre: a completion of April
            handled.investigate(w.agent, ids[0])
            handled.propose_solution(w.agent, ids[0], solution="派主管回访致歉")
            handled.agree_solution(w.customer_zh, ids[0])
            handled.give_feedback(w.agent, ids[0], outcome="已致歉")
        desk.complaints.open_complaint(w.agent, w.cust_en.id, "office complaint")
        yield request.param, desk, w


def test_the_stamped_complaints_leave_the_dealers_row_once_back_filled(
    stamped: tuple[str, ServiceDesk, World],
) -> None:
    backend, desk, w = stamped
    opened = [v.events[0] for v in desk.ledger(w.manager).items if v.kind == "complaint"]
    assert sum("taken_by_dealer" in (e.payload or {}) for e in opened) == 2  # an older release's data
    # SQLite's stored rows keep the dealer until the complaints are saved again (PostgreSQL's KPIs and
    # the memory store's read the events, and read them as the centre's at once).
    if backend == "sqlite":
        assert _complaints_by_dealer(desk) == {"dealer-sh": 2, "": 1}
    else:
        assert _complaints_by_dealer(desk) == {"": 3}
    with pytest.raises(PermissionDenied):
        desk.complaints.backfill_dealer_stamps(w.dealer_sh_staff)
    assert desk.complaints.backfill_dealer_stamps(w.manager, batch=1, max_batches=2) == 2
    assert desk.complaints.backfill_dealer_stamps(w.manager, batch=1) == 0  # the rest read, none stamped
    assert _complaints_by_dealer(desk) == {"": 3}  # the centre's, as one the office registered
    assert desk.complaints.backfill_dealer_stamps(w.system) == 0  # done: one read, nothing written
    reopened = [v.events[0] for v in desk.ledger(w.manager).items if v.kind == "complaint"]
    assert [e.payload for e in reopened] == [e.payload for e in opened]  # the history is kept


def test_a_run_stopped_goes_on_from_its_last_page(stamped: tuple[str, ServiceDesk, World]) -> None:
    _backend, desk, w = stamped
    assert desk.complaints.backfill_dealer_stamps(w.manager, batch=1, max_batches=1) == 1
    assert desk.complaints.backfill_dealer_stamps(w.manager, batch=1, max_batches=1) == 1
    assert desk.complaints.backfill_dealer_stamps(w.manager) == 0
    assert _complaints_by_dealer(desk) == {"": 3}
