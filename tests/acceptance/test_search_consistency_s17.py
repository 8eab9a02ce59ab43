# mypy: disable-error-code="arg-type"
"""Search agrees with the store after a unit's serial is corrected, on memory, SQLite and PostgreSQL.

A dealer's desk looks a ticket up by the unit's serial number (产品序列号). A unit's record saved with a
corrected serial re-indexed only the tickets of its current owner: a unit sold on (its tickets are the
first owner's) or a dealer's stock unit (no owner yet) kept its old serial in search, so the ticket was
found by a serial the unit no longer has and not by the one it has.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from aftersales.domain.ids import AssetId, ProductId
from aftersales.domain.products import Asset
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk


@attrs.frozen
class Desk:
    desk: ServiceDesk
    world: World


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    with world_desk(request.param, tmp_path, pack="sanitary_ware") as (desk, _clock, world):
        yield Desk(desk, world)


def _found(desk: ServiceDesk, world: World, query: str) -> list[str]:
    return [view.id for view in desk.search(world.agent, query).items]


def test_a_corrected_serial_finds_the_tickets_of_a_unit_sold_on(shop: Desk) -> None:
    desk, world = shop.desk, shop.world
    tid = desk.open_ticket(
        world.agent, customer_id="cust-zh", asset_id="asset-1", description="漏水"
    ).ticket.id
    desk.transfer_asset(world.manager, "asset-1", customer_id="cust-en", reason="房屋出售")
    desk.register_asset(
        world.manager, attrs.evolve(world.asset, customer_id="cust-en", serial="SN-2025-7777")
    )
    assert _found(desk, world, "SN-2025-7777") == [tid]  # before: []
    assert _found(desk, world, "SN-2025-0001") == []  # before: the old serial still found it


def test_a_corrected_serial_finds_the_tickets_of_a_stock_unit(shop: Desk) -> None:
    desk, world = shop.desk, shop.world
    stock = Asset(
        AssetId("asset-stock"), ProductId("wc-100"), "SN-STOCK-0001", None, dealer_id=world.dealer_sh.id
    )
    desk.register_asset(world.manager, stock)
    tid = desk.open_ticket(
        world.agent, customer_id="cust-zh", asset_id="asset-stock", description="安装"
    ).ticket.id
    assert _found(desk, world, "SN-STOCK-0001") == [tid]
    desk.register_asset(world.manager, attrs.evolve(stock, serial="SN-STOCK-0002"))
    assert _found(desk, world, "SN-STOCK-0002") == [tid]  # before: []
    assert _found(desk, world, "SN-STOCK-0001") == []
