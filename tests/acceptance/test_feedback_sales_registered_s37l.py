# mypy: disable-error-code="arg-type"
"""Seed 004 第五条 1(6) (产品销售信息 … 每月反馈给总经理及相关部门), session 37: a unit's sale counts in the
month it was registered in, on memory, SQLite and PostgreSQL.

Before, the feedback counted units by purchase date: a unit bought on 28 March and registered on 3
April, after March's feedback went out on 1 April, was in no month's feedback. It is now in April's,
once; March's reads as it was sent. The month is the desk's (``Asset.registered_month``): kept on an
update, refused from a host.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest

from aftersales.adapters.clock import ManualClock
from aftersales.domain.ids import AssetId, ProductId
from aftersales.domain.products import Asset, Product
from aftersales.errors import ValidationError
from aftersales.service.actors import Actor
from aftersales.service.desk import ServiceDesk
from aftersales.service.monthly_feedback import SoldLine
from conftest import SHANGHAI, World, world_desk

Shop = tuple[ServiceDesk, ManualClock, World]


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Shop]:
    with world_desk(request.param, tmp_path, pack="service_centre") as found:
        yield found


def test_a_unit_registered_after_its_months_feedback_went_out_is_in_the_next_months_once(shop: Shop) -> None:
    desk, clock, world = shop
    model = Product(ProductId("wc-s37l"), "WC-S37L", "智能马桶 WC-S37L", "toilet")
    desk.register_product(world.manager, model)
    clock.set(datetime(2026, 3, 12, 10, 0, tzinfo=SHANGHAI))
    on_time = Asset(AssetId("unit-s37l-a"), model.id, "SN-S37L-A", purchase_date=date(2026, 3, 10))
    desk.register_asset(world.manager, on_time)
    clock.set(datetime(2026, 4, 1, 9, 0, tzinfo=SHANGHAI))  # March's feedback goes out
    assert desk.jobs.run_due(only=("monthly_feedback",)).counts["monthly_feedback"] >= 1
    gm = world.general_manager
    assert _sold(desk, gm, "2026-03") == [SoldLine(model.id, 1)]
    clock.set(datetime(2026, 4, 3, 10, 0, tzinfo=SHANGHAI))
    late = Asset(AssetId("unit-s37l-b"), model.id, "SN-S37L-B", purchase_date=date(2026, 3, 28))
    # The month is the desk's: a host naming one is refused, nothing written.
    with pytest.raises(ValidationError) as refused:
        desk.register_asset(world.manager, attrs.evolve(late, registered_month="2026-03"))
    assert refused.value.field == "asset.registered_month"
    with desk.store() as uow:
        assert uow.assets.find([late.id]) == {}
    desk.register_asset(world.manager, late)
    # A unit kept without a purchase date is no sale yet; the correction that first gives one registers it.
    stock = Asset(AssetId("unit-s37l-d"), model.id, "SN-S37L-D")
    desk.register_asset(world.manager, stock)
    assert _sold(desk, gm, "2026-04") == [SoldLine(model.id, 1)]
    dated = desk.change_warranty_start(
        world.manager, stock.id, reason="发票补录", purchase_date=date(2026, 3, 27)
    )
    assert dated.registered_month == "2026-04"
    # Updated in May (its batch), the month stays; given back as read, nothing is refused.
    clock.set(datetime(2026, 5, 4, 10, 0, tzinfo=SHANGHAI))
    with desk.store() as uow:
        read = uow.assets.get(late.id)
    assert read.registered_month == "2026-04"
    desk.register_asset(world.manager, attrs.evolve(read, batch="B2026-03"))
    desk.register_asset(world.manager, attrs.evolve(late, batch="B2026-03"))
    with desk.store() as uow:
        assert uow.assets.get(late.id).registered_month == "2026-04"
    assert _sold(desk, gm, "2026-03") == [SoldLine(model.id, 1)]  # as it was sent
    assert _sold(desk, gm, "2026-04") == [SoldLine(model.id, 2)]
    assert _sold(desk, gm, "2026-05") == []


def _sold(desk: ServiceDesk, reader: Actor, month: str) -> list[SoldLine]:
    """The month's sales of the test's model (the world's own unit was registered at its start)."""
    return [s for s in desk.feedback.facts(reader, month).sold if s.product_id == "wc-s37l"]


def test_a_sale_registered_while_the_job_read_its_month_waits_for_the_next_run(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk, clock, world = shop
    model = Product(ProductId("wc-s37l"), "WC-S37L", "智能马桶 WC-S37L", "toilet")
    desk.register_product(world.manager, model)
    clock.set(datetime(2026, 4, 1, 9, 0, tzinfo=SHANGHAI))  # March's feedback is due
    feedback = desk.jobs.feedback
    assert feedback is not None
    facts = feedback.facts
    read: list[list[SoldLine]] = []

    def reading(actor: Any, month: str) -> Any:
        found = facts(actor, month)
        read.append([s for s in found.sold if s.product_id == model.id])
        if len(read) == 1:  # on another desk, committed once the job read March: March is still to send
            unit = Asset(AssetId("unit-s37l-c"), model.id, "SN-S37L-C", purchase_date=date(2026, 3, 30))
            desk.register_asset(world.manager, unit)
        return found

    monkeypatch.setattr(feedback, "facts", reading)
    sent = desk.jobs.run_due
    assert sent(only=("monthly_feedback",)).counts["monthly_feedback"] == 0  # read without it: not sent so
    assert sent(only=("monthly_feedback",)).counts["monthly_feedback"] == 1
    assert read == [[], [SoldLine(model.id, 1)]]  # the March sent counts it
    assert _sold(desk, world.general_manager, "2026-04") == []
