# mypy: disable-error-code="arg-type"
"""Session 21: the books' months dated again page by page (:mod:`aftersales.service.books_redating`),
on the memory store (SQLite and PostgreSQL: test_books_zone_move_s21.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from aftersales.adapters.clock import ManualClock
from aftersales.adapters.memory import open_memory
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.fee_slips import FeeSlip
from aftersales.domain.money import Money
from aftersales.service.books_redating import REDATED, ids_of, redate_page
from aftersales.service.desk import ServiceDesk
from conftest import STAFF, make_world, register

EDGE = datetime(2026, 4, 30, 20, tzinfo=UTC)
"""1 May 04:00 in Shanghai, 30 April 21:00 in London."""
LONDON = ZoneInfo("Europe/London")
LABOUR = ChargeLine(ChargeKind.LABOUR, "repair", Money("40.00", "CNY"))


def test_a_page_dates_only_its_records_and_writes_only_what_changes() -> None:
    # The paging on the memory store: a page of one id re-dates that record alone; a second pass
    # changes nothing.
    clock = ManualClock(EDGE)
    world = make_world()
    with ServiceDesk(open_memory(), clock=clock, staff=STAFF) as desk:
        register(desk, world)
        for _ in range(2):
            tid = desk.open_ticket(
                world.agent, customer_id="cust-zh", description="卡纸", asset_id="asset-1"
            ).ticket.id
            desk.fees.issue_slip(world.agent, tid, lines=[LABOUR])
        slips = REDATED[0]
        with desk.store() as uow:
            ids = ids_of(uow, slips)
            assert len(ids) == 2
            assert redate_page(uow, slips, ids[:1], LONDON) == 1
            uow.commit()
        with desk.store() as uow:
            assert sorted(s.month for s in uow.documents.query(FeeSlip)) == ["2026-04", "2026-05"]
            assert redate_page(uow, slips, ids, LONDON) == 1
            assert redate_page(uow, slips, ids, LONDON) == 0
