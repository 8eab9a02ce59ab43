"""Hostile attacks on this morning's remedy visits in the due list (session 34 j, against s34 f).

Broke (fails on the old code): a remedy visit made (its ticket resolved on site) and sent back for rework
was left off the due list and not chased, as made (``remedy_closed`` reads a resolve in any cycle), while
the unit's visit list (``desk.maintenance.unit_visits``) showed it ``scheduled``, read from the ticket's
``resolved_at`` alone, which the rework clears. A manager reading the unit's list saw a visit owed that
the due list and the reminder said was made. Both now read "made" the same way (a resolve in any cycle):
the unit's list shows it ``done``. Memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from aftersales.domain.classification import Plan, Severity
from aftersales.domain.complaints import RemedyKind
from aftersales.domain.maintenance import VisitState
from aftersales.domain.money import Money
from aftersales.domain.remedy_visit import VisitSource
from aftersales.reports import due_unit_visits
from conftest import SHANGHAI, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_remedy_visit_in_rework_is_done_on_the_units_list_as_on_the_due_list(
    backend: str, tmp_path: Path
) -> None:
    with world_desk(backend, tmp_path, pack="general_maintenance") as (desk, clock, w):
        clock.set(datetime(2026, 3, 9, 10, 0, tzinfo=SHANGHAI))
        unit = w.asset.id
        cid = desk.complaints.open_complaint(w.agent, w.cust_zh.id, "保养没人来", asset_id=unit).ticket.id
        desk.complaints.investigate(w.agent, cid)
        desk.complaints.propose_solution(w.agent, cid, solution="免费加做保养")
        desk.complaints.grant_remedy(
            w.manager,
            cid,
            kind=RemedyKind.EXTRA_MAINTENANCE_VISIT,
            cost=Money("0", "CNY"),
            visit_on=(date(2026, 3, 12),),
        )
        (remedy,) = desk.complaints.complaint_file(w.manager, cid).remedies[0].work

        def states() -> list[tuple[VisitSource, VisitState]]:
            return [(v.source, v.state) for v in desk.maintenance.unit_visits(w.manager, unit)]

        assert states() == [(VisitSource.REMEDY, VisitState.SCHEDULED)]
        assert [v.ticket_id for v in due_unit_visits(desk.store, date(2026, 3, 11))[0]] == [remedy]
        clock.set(datetime(2026, 3, 11, 9, 0, tzinfo=SHANGHAI))
        desk.triage(w.agent, remedy, nature="maintenance", severity=Severity.LOW, plan=Plan.ON_SITE)
        desk.dispatch(w.agent, remedy, engineer_id=w.eng_dealer.id)
        desk.start_work(w.dealer_sh_staff, remedy)
        desk.resolve(w.dealer_sh_staff, remedy, summary="加做保养一次")
        assert states() == [(VisitSource.REMEDY, VisitState.DONE)]
        desk.reject(w.agent, remedy, reason="客户说保养后仍有异响")
        assert desk.ticket(w.manager, remedy).state == "rework"
        # The due list says made (not owed); the unit's list says the same.
        assert due_unit_visits(desk.store, date(2026, 3, 14)) == ([], [])
        assert states() == [(VisitSource.REMEDY, VisitState.DONE)]
