"""Imported complaints are registered as opened ones (seed 004 第五条 1(6) 每月反馈给总经理及相关部门),
session 35 (f); service_centre pack, on memory, SQLite and PostgreSQL.

A complaint brought in by ``desk.import_tickets`` got no complaint file, so the monthly feedback found it
only by the month it was received in: a letter of 20 March imported on 1 April, after March's feedback had
gone out, was in no feedback sent (March's went without it, April's did not list it). Now the import files
each complaint as one opened at the instant it was received — in its month, or, that month's feedback sent,
in the first month still to send (marked late), under the month gate as an opening. A complaint received in
a month still to send stays in that month; a service ticket gets no file.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from aftersales.domain.actors import ActorRef, Role
from aftersales.domain.classification import Category, Channel, TicketKind
from aftersales.domain.complaints import ComplaintFile
from aftersales.domain.ids import CustomerId, TicketId
from aftersales.domain.ticket import Ticket
from aftersales.errors import NotFound
from conftest import SHANGHAI, world_desk

BACKENDS = ["memory", "sqlite", "postgres"]
APRIL_FIRST = datetime(2026, 4, 1, 9, 0, tzinfo=SHANGHAI)  # March's feedback is due
AGENT = ActorRef("agent-old", Role.AGENT)


def _imported(number: int, received_at: datetime, kind: TicketKind) -> Ticket:
    return Ticket.open(
        id=TicketId(f"OLD-{number}"),
        customer_id=CustomerId("cust-zh"),
        channel=Channel.LETTER_FAX if kind is TicketKind.COMPLAINT else Channel.PHONE,
        category=Category.COMPLAINT if kind is TicketKind.COMPLAINT else Category.REPAIR,
        description="旧系统登记的来信投诉：维修后仍漏水",
        received_at=received_at,
        taken_by=AGENT,
        kind=kind,
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_imported_complaint_is_in_the_first_feedback_still_to_send(backend: str, tmp_path: Path) -> None:
    with world_desk(backend, tmp_path, pack="service_centre") as (desk, clock, world):
        clock.set(APRIL_FIRST)
        assert desk.jobs.run_due(only=("monthly_feedback",)).counts["monthly_feedback"] == 1  # March sent
        letter = _imported(1, datetime(2026, 3, 20, 10, 0, tzinfo=SHANGHAI), TicketKind.COMPLAINT)
        call = _imported(2, datetime(2026, 4, 1, 8, 0, tzinfo=SHANGHAI), TicketKind.COMPLAINT)
        repair = _imported(3, datetime(2026, 3, 20, 11, 0, tzinfo=SHANGHAI), TicketKind.SERVICE)
        desk.import_tickets(world.manager, [letter, call, repair])

        gm = world.general_manager
        march = desk.feedback.facts(gm, "2026-03").complaints
        april = desk.feedback.facts(gm, "2026-04").complaints
        assert [c.complaint_id for c in march] == []
        assert [(c.complaint_id, c.late) for c in april] == [("OLD-1", True), ("OLD-2", False)]
        with desk.store() as uow:
            filed = {f.id: f.registered_month for f in uow.documents.query(ComplaintFile)}
            with pytest.raises(NotFound):
                uow.documents.get(ComplaintFile, "OLD-3")
        assert filed == {"OLD-1": "2026-04", "OLD-2": "2026-04"}
