"""A unit's visits as a service manager reads them: its plan's and its complaints' remedy visits together.

Seed 004 第五条 1(6) (the service centre keeps each product's service information) and seed 002 四、谈判
(一)2 / 方案的落实 (增加维护保养; 落实工作一定要及时到位): an extra maintenance visit granted to settle a
complaint is a maintenance ticket of the unit, not a visit of its plan, and no list showed it beside the
plan's visits — a manager checking what the unit is owed missed the one promised to the complaining
customer. ``desk.maintenance.unit_visits`` lists both, soonest due first. A remedy visit granted with no
agreed day is not refused: it is due by the pack's standard maintenance term from the grant, and says so
(``by_term``). With the general_maintenance pack on memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from aftersales import UnitVisit, VisitSource
from aftersales.domain.complaints import RemedyKind
from aftersales.domain.maintenance import VisitState
from aftersales.domain.money import Money
from aftersales.errors import ValidationError
from conftest import SHANGHAI, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_units_plan_and_remedy_visits_are_listed_together(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "general_maintenance") as (desk, clock, world, _):
        clock.set(datetime(2026, 3, 9, 10, 0, tzinfo=SHANGHAI))
        unit = world.asset.id
        desk.maintenance.create_plan(world.manager, asset_id=unit, first_due=date(2026, 3, 12))
        (planned,) = desk.maintenance.generate_due(world.system).generated
        complaint = desk.complaints.open_complaint(
            world.agent, world.cust_zh.id, "保养没人来", asset_id=unit
        ).ticket.id
        desk.complaints.investigate(world.agent, complaint)
        desk.complaints.propose_solution(world.agent, complaint, solution="免费加做两次保养")
        for days in ((date(2026, 3, 30),), ()):  # one on the day agreed, one with no day agreed yet
            desk.complaints.grant_remedy(
                world.manager, complaint, kind=RemedyKind.EXTRA_MAINTENANCE_VISIT, cost=Money("0", "CNY"),
                visit_on=days,
            )  # fmt: skip
        agreed, by_term = (
            r.work[0] for r in desk.complaints.complaint_file(world.manager, complaint).remedies
        )
        term_due = desk.ticket(world.manager, by_term).resolution_due_at
        assert term_due is not None
        term_day = term_due.astimezone(SHANGHAI).date()
        assert date(2026, 3, 9) <= term_day < date(2026, 3, 30)

        visits = desk.maintenance.unit_visits(world.manager, unit)
        assert all(isinstance(v, UnitVisit) for v in visits)
        assert [
            (v.source, v.due_on, v.state, v.ticket_id, v.complaint_id, v.by_term) for v in visits
        ] == sorted(
            [
                (VisitSource.PLAN, date(2026, 3, 12), VisitState.SCHEDULED, planned.ticket_id, None, False),
                (VisitSource.REMEDY, term_day, VisitState.SCHEDULED, by_term, complaint, True),
                (VisitSource.REMEDY, date(2026, 3, 30), VisitState.SCHEDULED, agreed, complaint, False),
            ],
            key=lambda row: (row[1], str(row[3])),
        )
        assert visits[[v.ticket_id for v in visits].index(planned.ticket_id)].visit_id == planned.id
        # The complaint withdrawn, its visits not begun are called off: missed on the unit's list.
        desk.complaints.withdraw(world.agent, complaint, reason="客户撤诉")
        states = {v.ticket_id: v.state for v in desk.maintenance.unit_visits(world.manager, unit)}
        assert (states[agreed], states[by_term], states[planned.ticket_id]) == (
            VisitState.MISSED, VisitState.MISSED, VisitState.SCHEDULED,
        )  # fmt: skip
        # Scoped as the visits are: another region's dealer sees none of them; a bad id names the field.
        assert desk.maintenance.unit_visits(world.dealer_bj_staff, unit) == ()
        with pytest.raises(ValidationError) as refused:
            desk.maintenance.unit_visits(world.manager, "")
        assert refused.value.field == "asset_id"
