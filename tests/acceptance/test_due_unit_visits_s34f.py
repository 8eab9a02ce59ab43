"""The due list with the complaints' remedy visits (seed 002 方案的落实, seed 004 第五条 1(6)), session 34 f.

落实工作一定要及时到位: an extra maintenance visit granted to settle a complaint is owed on its day. The
due-visits report (``due_visits``) reads the plans' visits only, so a manager planning the coming fortnight
from it never saw the visit promised to a complaining customer. ``due_unit_visits`` (and, judged by the
permission table, ``scoped_due_unit_visits``) lists both, as the unit's visit list does: a remedy visit
while its ticket is open, due soon or overdue. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

import aftersales
from aftersales.domain.classification import Plan, Severity
from aftersales.domain.complaints import RemedyKind
from aftersales.domain.money import Money
from aftersales.domain.remedy_visit import VisitSource
from aftersales.errors import ValidationError
from aftersales.reports import due_unit_visits, due_visits
from conftest import SHANGHAI, World, noticed_desk, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _rows(visits: list[aftersales.UnitVisit]) -> list[tuple[VisitSource, date, str | None]]:
    return [(v.source, v.due_on, v.complaint_id) for v in visits]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_due_list_shows_the_remedy_visits_owed(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="general_maintenance") as (desk, clock, w):
        clock.set(datetime(2026, 3, 9, 10, 0, tzinfo=SHANGHAI))
        unit = w.asset.id
        desk.maintenance.create_plan(w.manager, asset_id=unit, first_due=date(2026, 3, 12))
        desk.maintenance.generate_due(w.system)
        cid = _granted(desk, w, unit, date(2026, 3, 13), date(2026, 3, 20), date(2026, 4, 30))
        today = date(2026, 3, 15)
        soon, late = due_unit_visits(desk.store, today)
        assert _rows(late) == [
            (VisitSource.PLAN, date(2026, 3, 12), None),
            (VisitSource.REMEDY, date(2026, 3, 13), cid),
        ]
        assert _rows(soon) == [(VisitSource.REMEDY, date(2026, 3, 20), cid)]  # 30 April is beyond 14 days
        # Once the daily reminder has keyed every remedy visit, the list reads one range of the key: the same.
        desk.maintenance.remind_overdue(w.system)
        assert due_unit_visits(desk.store, today) == (soon, late)
        # The plans' list is unchanged for its callers: the plan's visit alone.
        plans_soon, plans_late = due_visits(desk.store, today)
        assert (plans_soon, [v.due_on for v in plans_late]) == ([], [date(2026, 3, 12)])
        # Read through the permission table: the office sees them, another region's dealer none of them.
        assert aftersales.scoped_due_unit_visits(desk, w.manager, today) == (soon, late)
        assert aftersales.scoped_due_unit_visits(desk, w.dealer_bj_staff, today) == ([], [])
        with pytest.raises(ValidationError) as refused:
            due_unit_visits(desk.store, today, within_days="14")  # type: ignore[arg-type]
        assert refused.value.field == "within_days"
        # The complaint withdrawn, its visits are called off: no longer owed, no longer listed.
        desk.complaints.withdraw(w.agent, cid, reason="客户撤诉")
        soon, late = due_unit_visits(desk.store, today)
        assert (_rows(soon), _rows(late)) == ([], [(VisitSource.PLAN, date(2026, 3, 12), None)])


def _granted(desk: aftersales.ServiceDesk, w: World, unit: str, *days: date) -> str:
    """A complaint about ``unit`` settled with one extra maintenance visit on each of ``days``."""
    cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "保养没人来", asset_id=unit).ticket.id
    desk.complaints.investigate(w.agent, cid)
    desk.complaints.propose_solution(w.agent, cid, solution="免费加做保养")
    for day in days:
        desk.complaints.grant_remedy(
            w.manager, cid, kind=RemedyKind.EXTRA_MAINTENANCE_VISIT, cost=Money("0", "CNY"), visit_on=(day,)
        )
    return cid


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_remedy_visit_made_and_sent_back_for_rework_is_owed_no_more(backend: str, tmp_path: Path) -> None:
    # The visit was made (its ticket resolved on site); the customer did not accept the work, which is
    # redone on the ticket's own clocks. Before session 34 whether the visit was chased again as overdue
    # depended on whether the daily reminder had run while the ticket stood resolved: here it had not, and
    # the visit made was chased (and would have been listed as owed).
    with noticed_desk(backend, tmp_path, "general_maintenance") as (desk, clock, w, notifier):
        clock.set(datetime(2026, 3, 9, 10, 0, tzinfo=SHANGHAI))
        cid = _granted(desk, w, w.asset.id, date(2026, 3, 12))
        (remedy,) = desk.complaints.complaint_file(w.manager, cid).remedies[0].work
        clock.set(datetime(2026, 3, 11, 9, 0, tzinfo=SHANGHAI))
        desk.triage(w.agent, remedy, nature="maintenance", severity=Severity.LOW, plan=Plan.ON_SITE)
        desk.dispatch(w.agent, remedy, engineer_id=w.eng_dealer.id)  # the unit's dealer's fitter
        desk.start_work(w.dealer_sh_staff, remedy)
        desk.resolve(w.dealer_sh_staff, remedy, summary="加做保养一次")
        desk.reject(w.agent, remedy, reason="客户说保养后仍有异响")
        assert desk.ticket(w.manager, remedy).state == "rework"
        clock.set(datetime(2026, 3, 14, 9, 0, tzinfo=SHANGHAI))  # two days past the visit's day
        told = len(notifier.sent)
        desk.maintenance.remind_overdue(w.system)
        desk.deliver(1000)
        assert [m for m in notifier.sent[told:] if "投诉补偿保养" in m.subject] == []
        assert due_unit_visits(desk.store, date(2026, 3, 14)) == ([], [])
        # Still open, its rework is on the ticket's own clock.
        assert desk.ticket(w.manager, remedy).resolved_at is None
