# mypy: disable-error-code="arg-type"
"""Seed 002 四、谈判 (一)2 (增加维护保养) and 方案的落实 (落实工作一定要及时到位), seed 001 六(二): an extra
maintenance visit granted as a complaint's remedy is made on the day agreed with the customer. Walked as a
peer tester with the general_maintenance pack on memory, SQLite and PostgreSQL (session 32 e).

Before, the visit's ticket had no date of its own: its clocks ran by the pack's targets from the grant,
so a visit the customer agreed to have in three weeks was breached within days, and nothing said when
the engineer was expected.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.notifiers import MemoryNotifier
from aftersales.domain.complaints import RemedyKind
from aftersales.domain.money import Money
from aftersales.errors import ValidationError
from aftersales.service.desk import ServiceDesk
from conftest import SHANGHAI, World, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]


def _desk(
    backend: str, tmp_path: Path
) -> contextlib.AbstractContextManager[tuple[ServiceDesk, ManualClock, World, MemoryNotifier]]:
    return noticed_desk(backend, tmp_path, "general_maintenance")


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_remedy_visit_is_due_on_the_day_agreed_with_the_customer(backend: str, tmp_path: Path) -> None:
    with _desk(backend, tmp_path) as (desk, clock, world, _):
        clock.set(_at(9, 10))
        complaint = desk.complaints.open_complaint(
            world.agent, world.cust_zh.id, "保养没人来", asset_id=world.asset.id
        ).ticket.id
        desk.complaints.investigate(world.agent, complaint)
        desk.complaints.propose_solution(world.agent, complaint, solution="3 月 30 日免费加做一次保养")
        grant = desk.complaints.grant_remedy
        before = len(desk.ticket(world.manager, complaint).events)
        bad: list[tuple[RemedyKind, int, tuple[date, ...]]] = [
            (RemedyKind.EXTRA_MAINTENANCE_VISIT, 2, (date(2026, 3, 30),)),  # one date for two visits
            (RemedyKind.EXTRA_MAINTENANCE_VISIT, 1, (date(2026, 3, 8),)),  # agreed for a day gone by
            (RemedyKind.GIFT, 1, (date(2026, 3, 30),)),  # a gift is no visit
        ]
        for kind, quantity, days in bad:
            with pytest.raises(ValidationError) as caught:
                grant(
                    world.manager,
                    complaint,
                    kind=kind,
                    cost=Money("0", "CNY"),
                    quantity=quantity,
                    visit_on=days,
                )
            assert caught.value.field == "visit_on"
        assert len(desk.ticket(world.manager, complaint).events) == before  # nothing granted, nothing opened
        grant(
            world.manager, complaint, kind=RemedyKind.EXTRA_MAINTENANCE_VISIT, cost=Money("0", "CNY"),
            visit_on=(date(2026, 3, 30),),
        )  # fmt: skip
        (remedy,) = desk.complaints.complaint_file(world.manager, complaint).remedies
        (work,) = remedy.work
        visit = desk.ticket(world.manager, work)
        # The ticket carries the day agreed: expected by its end, due then, not by the pack's days from now.
        midnight = datetime(2026, 3, 31, tzinfo=SHANGHAI)
        assert visit.expected_by == midnight - timedelta(microseconds=1)
        assert visit.resolution_due_at == midnight  # the end of the day, to the minute (as a plan's visit)
        # Two weeks on, days past the pack's maintenance targets, the visit is not late: it is not due yet.
        clock.set(_at(27, 17))
        assert not desk.sla(world.manager, work).breached
        assert f"{work}:resolution" not in desk.sla_watch.sweep(world.system).breaches
        # Past the day agreed with nobody gone, it is.
        clock.set(datetime(2026, 3, 31, 9, 0, tzinfo=SHANGHAI))
        assert desk.sla(world.manager, work).breached
