"""Erasing a customer reaches the history of a unit it sold on, on memory, SQLite and PostgreSQL.

The unit's master-data history keeps every change with its reason. Erasure went through the units the
person owned at the time, so the transfer of a unit sold before ("张伟搬家卖给了 Alice") kept the name
and phone in the new owner's unit history.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

DPO = Actor.privacy_officer("dpo-transfer")
Setup = tuple[ServiceDesk, ManualClock, World]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def setup(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Setup]:
    with world_desk(request.param, tmp_path, "sanitary_ware") as opened:
        yield opened


def test_the_transfer_of_a_unit_sold_on_forgets_its_old_owner(setup: Setup) -> None:
    desk, _, world = setup
    zhang = world.cust_zh
    desk.open_ticket(world.agent, customer_id=zhang.id, description="漏水", asset_id=world.asset.id)
    reason = f"{zhang.name}（{zhang.contact.phone}）搬家，卖给了 {world.cust_en.name}"
    desk.transfer_asset(world.manager, world.asset.id, customer_id=world.cust_en.id, reason=reason)

    def history() -> str:
        return repr(desk.master_data_history(world.manager, "asset", world.asset.id))

    assert zhang.name in history()
    desk.privacy.erase_customer(DPO, zhang.id, "the customer asked", cancel_open_tickets=True)
    text = history()
    assert zhang.name not in text and str(zhang.contact.phone) not in text
    # The new owner's unit keeps its history: the transfer is still there, to the new owner.
    changes = desk.master_data_history(world.manager, "asset", world.asset.id)
    assert [c.command for c in changes][-1] == "transfer_asset"
    assert changes[-1].after["customer_id"] == world.cust_en.id
