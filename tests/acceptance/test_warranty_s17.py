# mypy: disable-error-code="arg-type"
"""Warranty and chargeability at the seams (session 17), on memory, SQLite and PostgreSQL.

- A renewed service contract is a contract signed for its own period: the rule that a unit is covered
  by at most one contract on any day, and that a contract covers only its holder's units, held for
  signing but not for renewing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import attrs
import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.ids import AssetId
from aftersales.domain.money import Money
from aftersales.domain.service_contracts import ServiceContract
from aftersales.errors import NotFound, ValidationError
from aftersales.service.desk import ServiceDesk
from conftest import World, world_desk

Story = tuple[ServiceDesk, ManualClock, World]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def story(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Story]:
    with world_desk(request.param, tmp_path, pack="sanitary_ware") as opened:
        yield opened


def _contract(contract_id: str, starts: date, ends: date, unit: str = "asset-1") -> ServiceContract:
    return ServiceContract(
        id=contract_id, starts_on=starts, ends_on=ends, price=Money("600", "CNY"), customer_id="cust-zh",
        assets=(AssetId(unit),),
    )  # fmt: skip


# -- service contracts: a renewal is checked as a signing is -------------------------------------------


def test_a_renewal_may_not_cover_a_unit_another_contract_covers_on_the_same_days(story: Story) -> None:
    desk, _clock, world = story
    desk.contracts.sign(world.manager, _contract("HT-1", date(2026, 1, 1), date(2026, 6, 30)))
    desk.contracts.sign(world.manager, _contract("HT-2", date(2026, 7, 1), date(2026, 12, 31)))
    with pytest.raises(ValidationError) as refused:
        desk.contracts.renew(
            world.manager, "HT-1", new_id="HT-3", ends_on=date(2026, 12, 31), price=Money("600", "CNY")
        )
    assert refused.value.field == "assets" and "HT-2" in str(refused.value)
    # Nothing changed: the old contract is not marked renewed, the renewal does not exist.
    assert desk.contracts.get(world.manager, "HT-1").renewed_as is None
    with pytest.raises(NotFound):
        desk.contracts.get(world.manager, "HT-3")
    # A renewal that starts after the other contract ends is fine.
    desk.contracts.cancel(world.manager, "HT-2", reason="the customer chose a renewal of HT-1")
    renewed = desk.contracts.renew(
        world.manager, "HT-1", new_id="HT-3", ends_on=date(2026, 12, 31), price=Money("600", "CNY")
    )
    assert (renewed.starts_on, renewed.assets) == (date(2026, 7, 1), ("asset-1",))


def test_a_renewal_may_not_cover_a_unit_the_holder_has_since_sold(story: Story) -> None:
    desk, _clock, world = story
    sold = attrs.evolve(world.asset, id=AssetId("asset-sold"), serial="SN-SOLD")
    desk.register_asset(world.manager, sold)
    desk.contracts.sign(world.manager, _contract("HT-5", date(2026, 1, 1), date(2026, 6, 30), sold.id))
    desk.transfer_asset(world.manager, sold.id, customer_id=world.cust_en.id, reason="sold with the flat")
    with pytest.raises(ValidationError) as refused:
        desk.contracts.renew(
            world.manager, "HT-5", new_id="HT-6", ends_on=date(2026, 12, 31), price=Money("600", "CNY")
        )
    assert refused.value.field == "assets" and "asset-sold" in str(refused.value)
    assert desk.contracts.get(world.manager, "HT-5").renewed_as is None
    with pytest.raises(NotFound):
        desk.contracts.get(world.manager, "HT-6")
