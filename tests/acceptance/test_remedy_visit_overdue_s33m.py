"""An extra maintenance visit granted on a complaint and not made on time is chased (session 33 m).

Seed 002 四、谈判 (一)2 / 方案的落实 (增加维护保养; 落实工作一定要及时到位) and seed 004 第五条 1(6): the
daily overdue reminder (``desk.maintenance.remind_overdue``) read only the plans' visits, so a remedy
visit past its agreed day was never chased. It is now, to the same people as a plan's visit (the ticket's
assignee, else its dealer), once per day it stays overdue, until its ticket is closed; the reminder still
returns the plans' visits only. With the general_maintenance pack on memory, SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from aftersales.domain.complaints import RemedyKind
from aftersales.domain.money import Money
from aftersales.domain.remedy_visit import RemedyVisit
from aftersales.serialization import dumps, loads
from conftest import SHANGHAI, noticed_desk

BACKENDS = ["memory", "sqlite", "postgres"]
SUBJECT = "1 个投诉补偿保养上门已逾期"


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_overdue_remedy_visit_is_chased_once_a_day_until_closed(backend: str, tmp_path: Path) -> None:
    with noticed_desk(backend, tmp_path, "general_maintenance") as (desk, clock, world, notifier):
        clock.set(datetime(2026, 3, 9, 10, 0, tzinfo=SHANGHAI))
        unit = world.asset.id
        desk.maintenance.create_plan(world.manager, asset_id=unit, first_due=date(2026, 3, 12))
        (planned,) = desk.maintenance.generate_due(world.system).generated
        complaint = desk.complaints.open_complaint(
            world.agent, world.cust_zh.id, "保养没人来", asset_id=unit
        ).ticket.id
        desk.complaints.investigate(world.agent, complaint)
        desk.complaints.propose_solution(world.agent, complaint, solution="免费加做一次保养")
        desk.complaints.grant_remedy(
            world.manager, complaint, kind=RemedyKind.EXTRA_MAINTENANCE_VISIT, cost=Money("0", "CNY"),
            visit_on=(date(2026, 3, 12),),
        )  # fmt: skip
        (remedy,) = desk.complaints.complaint_file(world.manager, complaint).remedies[0].work

        def chased() -> list[str]:
            told = len(notifier.sent)
            desk.deliver(1000)
            return [m.recipient for m in notifier.sent[told:] if m.subject == SUBJECT]

        clock.set(datetime(2026, 3, 12, 18, 0, tzinfo=SHANGHAI))  # due today: not yet overdue
        assert desk.maintenance.remind_overdue(world.system) == ()
        assert chased() == []

        clock.set(datetime(2026, 3, 13, 9, 0, tzinfo=SHANGHAI))
        overdue = desk.maintenance.remind_overdue(world.system)
        assert [v.id for v in overdue] == [planned.id]  # the plans' visits, as before
        first = chased()
        assert len(first) == 1  # the remedy ticket's holder, told once
        assert desk.maintenance.remind_overdue(world.system) == overdue
        assert chased() == []  # twice a day sends nothing new

        clock.advance(timedelta(days=1))
        desk.maintenance.remind_overdue(world.system)
        assert chased() == first  # still overdue the next day: told again

        # Withdrawn, the complaint's visit is called off: no longer chased, and out of the due-day range.
        desk.complaints.withdraw(world.agent, complaint, reason="客户撤诉")
        clock.advance(timedelta(days=1))
        desk.maintenance.remind_overdue(world.system)
        assert chased() == []
        with desk.store() as uow:
            assert uow.documents.get(RemedyVisit, remedy).open_due is None


def test_a_remedy_visit_stored_before_the_due_day_key_reads_with_it() -> None:
    # Stored by an older version (no ``open_due``): read back keyed by its due day, so the first
    # reminder's one-off re-save gives it its index row and the range finds it.
    granted = RemedyVisit("T-7", "asset-1", "SR-9", date(2026, 3, 12), datetime(2026, 3, 9, tzinfo=SHANGHAI))
    old = json.loads(dumps(granted))
    del old["open_due"]
    assert loads(json.dumps(old), RemedyVisit).open_due == "2026-03-12"
