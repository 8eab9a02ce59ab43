"""A maintenance plan that followed a unit sold on, in the seller's export (PIPL art. 45).

A plan follows its unit to the buyer (seed 000 保養服務; session 18), and its record then names the
buyer. The seller's export read plans — and, through them, maintenance visits — by the owner the plan
names now: their own period of the plan and the visit opened for them left their export with the sale.
The move now keeps a ``PlanHandover`` (the plan as the seller held it, indexed by them), which their
export holds with the buyer withheld (``handed_to``: ``[withheld]``, as the sold unit's change reads),
and their visits are found through it. The buyer's export holds no handover of the seller's. Memory,
SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hostile import MANAGER, NAME, PHONE, STORES, Opened, opened, seed
from test_privacy import OFFICER

from aftersales import Actor
from aftersales.domain.contact import Contact
from aftersales.domain.erasure import WITHHELD
from aftersales.domain.ids import CustomerId
from aftersales.domain.parties import Customer, CustomerTier

BUYER = "buyer-77"
BUYER_NAME = "李建国"
BUYER_PHONE = "13800001111"


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opened]:
    yield from opened(request.param, tmp_path)


def _sold(store: Opened) -> tuple[str, str]:
    """c-1's unit a-1, with a plan and a visit generated for c-1, sold to the buyer."""
    desk = store.desk
    seed(desk, store.clock)
    plan = desk.maintenance.create_plan(MANAGER, asset_id="a-1", first_due=date(2026, 3, 10))
    [visit] = desk.maintenance.generate_due(Actor.system()).generated
    desk.register_customer(
        MANAGER,
        Customer(CustomerId(BUYER), BUYER_NAME, Contact(BUYER_NAME, phone=BUYER_PHONE), CustomerTier.REGULAR,
                 region="SH"),
    )  # fmt: skip
    store.clock.advance(timedelta(minutes=1))
    desk.transfer_asset(MANAGER, "a-1", customer_id=BUYER, reason="二手转卖")
    return plan.id, visit.id


def _exported(store: Opened, reader: Actor, customer_id: str) -> tuple[str, dict[str, Any]]:
    text = store.desk.privacy.export_customer(reader, customer_id)
    return text, json.loads(text)["data"]


def test_the_seller_keeps_their_period_of_the_plan_and_its_visit(store: Opened) -> None:
    plan_id, visit_id = _sold(store)
    for reader in (OFFICER, Actor.customer("c-1")):
        text, data = _exported(store, reader, "c-1")
        [handed] = data["plan_handover"]
        assert (handed["plan_id"], handed["customer_id"], handed["handed_to"]) == (plan_id, "c-1", WITHHELD)
        assert (handed["plan"]["id"], handed["plan"]["customer_id"]) == (plan_id, "c-1")
        assert [v["id"] for v in data["maintenance_visit"]] == [visit_id], reader
        for theirs in (BUYER, BUYER_NAME, BUYER_PHONE):
            assert theirs not in text, (reader, theirs)


def test_the_buyers_export_holds_no_handover_of_the_seller(store: Opened) -> None:
    plan_id, _ = _sold(store)
    for reader in (OFFICER, Actor.customer(BUYER)):
        _, data = _exported(store, reader, BUYER)
        assert data["plan_handover"] == [] and data["maintenance_visit"] == []
        assert [p["id"] for p in data["maintenance_plan"]] == [plan_id]
        assert NAME not in json.dumps(data["maintenance_plan"], ensure_ascii=False)
        assert PHONE not in json.dumps(data["maintenance_plan"])
