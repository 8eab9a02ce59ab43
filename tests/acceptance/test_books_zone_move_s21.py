# mypy: disable-error-code="arg-type"
"""Session 21: moving the books' time zone dates the stored months again, on SQLite and PostgreSQL (a
memory store does not outlive its desk; the paging on the memory store: test_books_redating_s21.py).

A fee slip keeps the month it counts in (``month``, from ``issued_at`` in the books' zone), and so does a
free issue of materials (``month``, from ``at``): a month's money is one range of their index.
``ServiceDesk.move_books_zone`` changed the stamp only, so after moving Shanghai's books to London a
slip issued at 20:00 UTC on 30 April still counted in May (Shanghai's 1 May, 04:00), while the KPIs,
worked out from instants, put its ticket in April: the month's money and the month's tickets
disagreed, and the ledger for April missed the slip. The move now dates those months in the new zone,
page by page; the stamp says the move is under way until the last page (desks are refused meanwhile),
and a move that stopped half way is finished by running it again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import attrs
import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.charges import ChargeKind, ChargeLine
from aftersales.domain.fee_slips import FeeSlip, MaterialsMovement
from aftersales.domain.money import Money
from aftersales.errors import ConfigurationError
from aftersales.ports.storage_registry import open_storage
from aftersales.reports.money import month_money
from aftersales.service.desk import ServiceDesk
from aftersales.service.zone_stamp import books_zone
from conftest import STAFF, make_world, register, store_url

MID_APRIL = datetime(2026, 4, 15, 2, tzinfo=UTC)
EDGE = datetime(2026, 4, 30, 20, tzinfo=UTC)
"""1 May 04:00 in Shanghai, 30 April 21:00 in London."""
LONDON = "Europe/London"
LABOUR = ChargeLine(ChargeKind.LABOUR, "repair", Money("40.00", "CNY"))
FREE = ChargeLine(ChargeKind.MATERIALS, "GASKET-9", Money("3.50", "CNY"), 1, chargeable=False)


def _open(url: str, clock: ManualClock, timezone: str | None = None) -> ServiceDesk:
    settings = None if timezone is None else {"timezone": timezone}
    return ServiceDesk.open(url, pack="office_equipment", clock=clock, staff=STAFF, settings=settings)


def _books(url: str, clock: ManualClock) -> None:
    """A Shanghai desk's slips and free issues: one mid-April, one at the edge of April and May."""
    world = make_world()
    with _open(url, clock) as desk:
        register(desk, world)
        for at in (MID_APRIL, EDGE):
            clock.set(at)
            tid = desk.open_ticket(
                world.agent, customer_id="cust-zh", description="卡纸", asset_id="asset-1"
            ).ticket.id
            desk.fees.issue_slip(world.agent, tid, lines=[LABOUR])
            desk.fees.record_free_issue(world.dealer_sh_staff, tid, [FREE])


def _months(url: str) -> list[tuple[str, str]]:
    store = open_storage(url)
    try:
        with store() as uow:
            slips = uow.documents.query(FeeSlip)
            moves = uow.documents.query(MaterialsMovement)
            return sorted([("slip", s.month) for s in slips] + [("free", m.month) for m in moves])
    finally:
        store.close()


def _money(url: str, month: str) -> tuple[Money, Money]:
    store = open_storage(url)
    try:
        with store() as uow:
            money = month_money(uow.documents, month)
            return money.income, money.cost
    finally:
        store.close()


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_moving_the_books_dates_the_months_again(backend: str, tmp_path: Path) -> None:
    clock = ManualClock(MID_APRIL)
    with store_url(backend, tmp_path) as url:
        _books(url, clock)
        assert _months(url) == [
            ("free", "2026-04"),
            ("free", "2026-05"),
            ("slip", "2026-04"),
            ("slip", "2026-05"),
        ]
        stamp = ServiceDesk.move_books_zone(url, make_world().manager, LONDON, clock=clock)
        assert stamp.timezone == LONDON
        # 30 April 21:00 in London: both records count in April now, and April's money says so.
        assert _months(url) == [("free", "2026-04")] * 2 + [("slip", "2026-04")] * 2
        assert _money(url, "2026-04") == (Money("80.00", "CNY"), Money("7.00", "CNY"))
        assert _money(url, "2026-05") == (Money(0, "CNY"), Money(0, "CNY"))
        with _open(url, clock, LONDON) as moved:
            assert moved.fees.monthly_revenue(make_world().manager, "2026-04").revenue_total == Money(
                "80.00", "CNY"
            )
        # Moving back dates them back.
        ServiceDesk.move_books_zone(url, make_world().manager, "Asia/Shanghai", clock=clock)
        assert _months(url) == [
            ("free", "2026-04"),
            ("free", "2026-05"),
            ("slip", "2026-04"),
            ("slip", "2026-05"),
        ]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_a_move_that_stopped_half_way_refuses_desks_until_it_is_run_again(
    backend: str, tmp_path: Path
) -> None:
    clock = ManualClock(MID_APRIL)
    with store_url(backend, tmp_path) as url:
        _books(url, clock)
        store = open_storage(url)
        try:  # the stamp moved, the months not yet: as a move whose pages did not all commit leaves it
            with store() as uow:
                stamp = books_zone(uow)
                assert stamp is not None
                uow.documents.save(attrs.evolve(stamp, timezone=LONDON, redating=True))
                uow.commit()
        finally:
            store.close()
        for zone in (None, LONDON):
            with pytest.raises(ConfigurationError) as refused:
                _open(url, clock, zone)
            assert refused.value.key == "settings.timezone" and "move_books_zone" in str(refused.value)
        ServiceDesk.move_books_zone(url, make_world().manager, LONDON, clock=clock)
        assert _months(url) == [("free", "2026-04")] * 2 + [("slip", "2026-04")] * 2
        with _open(url, clock, LONDON) as moved:
            assert str(moved.zone) == LONDON
