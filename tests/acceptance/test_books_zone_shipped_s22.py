# mypy: disable-error-code="arg-type"
"""Session 22: moving the books' zone dates a shipped materials request's month again when it was the
books', on SQLite and PostgreSQL (a memory store does not outlive its desk).

A shipped request keeps ``shipped_month``, the month of the outbound summary (``materials.outbound_summary``),
dated in the materials settings' zone: the desk's (the books') unless the settings name their own.
``move_books_zone`` dated the fee slips' and movements' months again but not this one, so after moving
Shanghai's books to London a part shipped at 01:00 on 1 May in Shanghai (30 April, 18:00 in London) was
in May's outbound summary of a London desk, whose every shipment from then on is dated in London: the
summary's months mixed two zones, and its free issue counted in April's money but shipped in May. The
move now dates it again, in the same resumable pages; a month dated in the materials settings' own zone
stays, since that zone did not move.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from test_materials_s17 import _lend
from test_seed002_money import FEES, IN_WARRANTY, OUT_OF_BOX, OUT_OF_WARRANTY, _repair

from aftersales.adapters.clock import ManualClock
from aftersales.domain.materials import MaterialsRequest
from aftersales.ports.storage_registry import open_storage
from aftersales.service.books_redating import REDATED, redate_page
from aftersales.service.desk import ServiceDesk
from aftersales.service.materials_params import MaterialsParams
from conftest import STAFF, World, make_world, register, store_url

BACKENDS = ["sqlite", "postgres"]
LATE = datetime(2026, 4, 30, 16, 30, tzinfo=UTC)
"""00:30 on 1 May in Shanghai, 17:30 on 30 April in London (the repair takes the clock on a little)."""
LONDON = "Europe/London"


@contextmanager
def _desk(url: str, clock: ManualClock, **settings: object) -> Iterator[ServiceDesk]:
    with ServiceDesk.open(
        url,
        pack="sanitary_ware",
        overrides={"fees": FEES},
        clock=clock,
        staff=STAFF,
        settings=settings or None,
    ) as desk:
        yield desk


def _shipped(url: str, clock: ManualClock, world: World, **settings: object) -> str:
    """A free part lent and shipped late on 30 April (UTC) by a Shanghai desk; returns the request id."""
    with _desk(url, clock, **settings) as desk:
        register(desk, world)
        for unit in (IN_WARRANTY, OUT_OF_WARRANTY, OUT_OF_BOX):
            desk.register_asset(world.manager, unit)
        clock.set(LATE)
        request = _lend(desk, world, _repair(desk, clock, world, "unit-in"))
        assert request.shipped_at is not None
        assert request.shipped_at.astimezone(ZoneInfo(LONDON)).month == 4  # April in London
        assert request.shipped_month == "2026-05"  # May in Shanghai
        return request.id


def _month(url: str, request_id: str) -> str | None:
    store = open_storage(url)
    try:
        with store() as uow:
            return uow.documents.get(MaterialsRequest, request_id).shipped_month
    finally:
        store.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_move_dates_the_shipped_month_of_the_books_again(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(LATE), make_world()
    with store_url(backend, tmp_path) as url:
        request_id = _shipped(url, clock, world)
        ServiceDesk.move_books_zone(url, world.manager, LONDON, clock=clock)
        assert _month(url, request_id) == "2026-04"
        with _desk(url, clock, timezone=LONDON) as moved:
            april = moved.materials.outbound_summary(world.manager, "2026-04")
            may = moved.materials.outbound_summary(world.manager, "2026-05")
            assert april.requests == 1 and may.requests == 0
        ServiceDesk.move_books_zone(url, world.manager, "Asia/Shanghai", clock=clock)  # and back
        assert _month(url, request_id) == "2026-05"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_shipped_month_of_the_materials_settings_own_zone_stays(backend: str, tmp_path: Path) -> None:
    clock, world = ManualClock(LATE), make_world()
    own = MaterialsParams(timezone="Asia/Shanghai")
    with store_url(backend, tmp_path) as url:
        request_id = _shipped(url, clock, world, materials=own)
        ServiceDesk.move_books_zone(url, world.manager, LONDON, clock=clock)
        assert _month(url, request_id) == "2026-05"  # the materials' own zone did not move
        with _desk(url, clock, timezone=LONDON, materials=own) as moved:
            assert moved.materials.outbound_summary(world.manager, "2026-05").requests == 1


def test_a_month_stored_before_the_zone_was_kept_moves_only_from_the_books_old_month() -> None:
    # A request shipped by an older version keeps no zone: its month is the books' if it is its instant's
    # month in the zone the books move from, else another zone dated it and it stays.
    shipped = REDATED[2]
    assert shipped.cls is MaterialsRequest and shipped.field == "shipped_month"
    clock, world = ManualClock(LATE), make_world()
    with _desk("memory://", clock) as desk:
        register(desk, world)
        for unit in (IN_WARRANTY, OUT_OF_WARRANTY, OUT_OF_BOX):
            desk.register_asset(world.manager, unit)
        ids = [_lend(desk, world, _repair(desk, clock, world, "unit-in")).id for _ in range(2)]
        with desk.store() as uow:
            for id_, month in zip(ids, ("2026-05", "2026-06"), strict=True):  # the second: no zone's month
                request = uow.documents.get(MaterialsRequest, id_)
                request.shipped_zone, request.shipped_month = None, month
                uow.documents.save(request)
            uow.commit()
        with desk.store() as uow:
            was, to = (ZoneInfo("Asia/Shanghai"),), ZoneInfo(LONDON)
            assert redate_page(uow, shipped, ids, to, was) == 1
            assert [uow.documents.get(MaterialsRequest, i).shipped_month for i in ids] == [
                "2026-04",
                "2026-06",
            ]
            assert (
                redate_page(uow, shipped, ids, to, was) == 0
            )  # a second pass (a resumed move) changes nothing
