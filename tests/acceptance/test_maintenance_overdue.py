# mypy: disable-error-code="arg-type"
"""Overdue maintenance visits are one range of their due-day index, on every store (issue 26).

The reminder and ``visits(overdue_on=…)`` read the scheduled visits due before the day, not every open
visit; done, missed and postponed visits leave or move in that range. Visits stored before the index
existed are found all the same, and the first reminder gives them their rows.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.ids import AssetId
from aftersales.domain.maintenance import ChecklistResult, MaintenanceVisit, VisitState
from aftersales.domain.products import Asset
from aftersales.reports.maintenance import due_visits
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, World, pg_schema_url, register

DUE = (date(2026, 3, 5), date(2026, 3, 6), date(2026, 3, 9), date(2026, 3, 12), date(2026, 3, 15))


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def any_desk(
    request: pytest.FixtureRequest, tmp_path: Path, clock: ManualClock, world: World
) -> Iterator[ServiceDesk]:
    def opened(url: str) -> ServiceDesk:
        desk = ServiceDesk.open(
            url, pack="sanitary_ware", clock=clock, notifier=MemoryNotifier(), staff=STAFF
        )
        register(desk, world)
        return desk

    if request.param == "postgres":
        with pg_schema_url() as url, opened(url) as desk:
            yield desk
        return
    url = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 'overdue.db'}"
    with opened(url) as desk:
        yield desk


def _visits(desk: ServiceDesk, world: World) -> dict[date, MaintenanceVisit]:
    for i, due in enumerate(DUE):
        asset = Asset(AssetId(f"o-{i}"), world.product.id, f"SN-O-{i:04d}", customer_id=world.cust_zh.id)
        desk.register_asset(world.manager, asset)
        desk.maintenance.create_plan(world.manager, asset_id=asset.id, first_due=due)
    generated = desk.maintenance.generate_due(world.system).generated
    assert len(generated) == len(DUE)
    return {v.due_on: v for v in generated}


def _ids(visits: list[MaintenanceVisit] | tuple[MaintenanceVisit, ...]) -> list[str]:
    return [v.id for v in visits]


def test_overdue_visits_follow_completion_postponement_and_misses(
    any_desk: ServiceDesk, world: World, clock: ManualClock
) -> None:
    desk = any_desk
    by_due = _visits(desk, world)
    a, b, c, d, e = (by_due[day] for day in DUE)
    assert desk.maintenance.visits(world.manager, overdue_on=date(2026, 3, 5)) == []
    clock.advance(timedelta(days=8))  # 10 March
    assert a.ticket_id is not None
    desk.start_work(world.dealer_sh_staff, a.ticket_id)
    desk.maintenance.complete_visit(
        world.dealer_sh_staff, a.id, results=[ChecklistResult(t, True) for t in a.checklist]
    )
    desk.maintenance.postpone_visit(world.manager, b.id, to=date(2026, 3, 20), reason="客户出差")
    assert _ids(desk.maintenance.remind_overdue(world.system)) == [c.id]
    assert _ids(desk.maintenance.visits(world.manager, overdue_on=date(2026, 3, 10))) == [c.id]
    assert _ids(desk.maintenance.visits(world.manager, overdue_on=date(2026, 3, 13))) == [c.id, d.id]
    clock.advance(timedelta(days=11))  # 21 March: the postponed one is overdue at its new day
    assert _ids(desk.maintenance.remind_overdue(world.system)) == [c.id, d.id, e.id, b.id]
    desk.maintenance.miss_visit(world.manager, c.id, reason="用户拒绝上门")
    clock.advance(timedelta(days=1))
    assert _ids(desk.maintenance.remind_overdue(world.system)) == [d.id, e.id, b.id]
    # Scoped as before: the Beijing dealer's staff see none of the Shanghai customer's visits.
    assert desk.maintenance.visits(world.dealer_bj_staff, overdue_on=date(2026, 3, 22)) == []
    scheduled = desk.maintenance.visits(world.manager)
    assert {v.id for v in scheduled} == {b.id, d.id, e.id}
    assert all(v.open_due == v.due_on.isoformat() for v in scheduled)
    done = desk.maintenance.visit(world.manager, a.id)
    assert done.state is VisitState.DONE and done.open_due is None


def test_visits_stored_before_the_index_are_found_and_indexed_by_the_first_reminder(
    desk: ServiceDesk, world: World, clock: ManualClock, db_path: Path
) -> None:
    by_due = _visits(desk, world)
    # As an older aftersales stored them: no due-day field in the document, no row in the index, and
    # no mark that the index is complete (the new version's first run made one).
    with sqlite3.connect(db_path) as conn:
        conn.execute("DELETE FROM document_index WHERE kind = 'maintenance_visit' AND field = 'open_due'")
        conn.execute(
            "DELETE FROM documents WHERE kind = 'daily_cursor' AND id = 'maintenance_visit_open_due'"
        )
        conn.execute(
            "UPDATE documents SET data = json_remove(data, '$.open_due') WHERE kind = 'maintenance_visit'"
        )
    clock.advance(timedelta(days=8))  # 10 March
    expected = [by_due[date(2026, 3, 5)].id, by_due[date(2026, 3, 6)].id, by_due[date(2026, 3, 9)].id]
    assert _ids(desk.maintenance.visits(world.manager, overdue_on=date(2026, 3, 10))) == expected
    assert _ids(desk.maintenance.remind_overdue(world.system)) == expected
    with sqlite3.connect(db_path) as conn:
        rows = dict(
            conn.execute(
                "SELECT id, value FROM document_index WHERE kind = 'maintenance_visit' AND field = 'open_due'"
            ).fetchall()
        )
    assert rows == {v.id: v.due_on.isoformat() for v in by_due.values()}
    first = by_due[date(2026, 3, 5)]
    desk.maintenance.miss_visit(world.manager, first.id, reason="单位搬迁")
    assert _ids(desk.maintenance.visits(world.manager, overdue_on=date(2026, 3, 10))) == expected[1:]
    with sqlite3.connect(db_path) as conn:
        (value,) = conn.execute(
            "SELECT value FROM document_index WHERE kind = 'maintenance_visit' AND field = 'open_due'"
            " AND id = ?",
            (first.id,),
        ).fetchone()
    assert value is None  # missed: out of the range


def test_the_daily_generation_also_indexes_visits_stored_before_the_index(
    desk: ServiceDesk, world: World, clock: ManualClock, db_path: Path
) -> None:
    by_due = _visits(desk, world)
    with sqlite3.connect(db_path) as conn:
        conn.execute("DELETE FROM document_index WHERE kind = 'maintenance_visit' AND field = 'open_due'")
        conn.execute(
            "DELETE FROM documents WHERE kind = 'daily_cursor' AND id = 'maintenance_visit_open_due'"
        )
    clock.advance(timedelta(days=1))
    assert desk.maintenance.generate_due(world.system).generated == ()  # nothing new is due
    with sqlite3.connect(db_path) as conn:
        rows = dict(
            conn.execute(
                "SELECT id, value FROM document_index WHERE kind = 'maintenance_visit' AND field = 'open_due'"
            ).fetchall()
        )
    assert rows == {v.id: v.due_on.isoformat() for v in by_due.values()}


def test_the_due_report_reads_the_due_day_range_and_splits_soon_from_overdue(
    any_desk: ServiceDesk, world: World, clock: ManualClock
) -> None:
    desk = any_desk
    by_due = _visits(desk, world)
    a, b, c, d, e = (by_due[day] for day in DUE)
    clock.advance(timedelta(days=8))  # 10 March
    assert a.ticket_id is not None
    desk.start_work(world.dealer_sh_staff, a.ticket_id)
    desk.maintenance.complete_visit(
        world.dealer_sh_staff, a.id, results=[ChecklistResult(t, True) for t in a.checklist]
    )
    desk.maintenance.postpone_visit(world.manager, b.id, to=date(2026, 3, 20), reason="客户出差")
    store = desk.context.store
    soon, late = due_visits(store, date(2026, 3, 10), within_days=3)
    assert _ids(late) == [c.id]  # a is done, b moved past the look-ahead
    assert _ids(soon) == [d.id]  # due on the 12th; e (15th) and b (20th) are later
    soon, late = due_visits(store, date(2026, 3, 10), within_days=10)
    assert (_ids(soon), _ids(late)) == ([d.id, e.id, b.id], [c.id])
    assert due_visits(store, date(2026, 3, 10), within_days=10, dealer_id="nobody") == ([], [])
    # A negative look-ahead lists no visit as soon, and every overdue one still.
    assert due_visits(store, date(2026, 3, 13), within_days=-5) == ([], [c, d])
