"""A unit sold on, in its two owners' exports (PIPL art. 45; session 24).

The data subject's export holds the changes of their units while a unit named them (session 23):
its registration to them, its transfer away. The transfer's record after it named the buyer's
customer id, so the seller's export handed them another person's id; the buyer's export held the
seller's id and the transfer's reason naming the seller. Each export now holds the change as its own
period of ownership reads it: the other owner's id and their name and contact in the reason read
``[withheld]``. The store keeps the change whole (the unit's own history is the office's). Memory,
SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
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


def _sold(store: Opened) -> None:
    """c-1's unit a-1 sold to the buyer, the transfer's reason naming both."""
    seed(store.desk, store.clock)
    store.desk.register_customer(
        MANAGER,
        Customer(CustomerId(BUYER), BUYER_NAME, Contact(BUYER_NAME, phone=BUYER_PHONE), CustomerTier.REGULAR,
                 region="SH"),
    )  # fmt: skip
    store.clock.advance(timedelta(minutes=1))
    store.desk.transfer_asset(
        MANAGER, "a-1", customer_id=BUYER, reason=f"{NAME}卖给了邻居{BUYER_NAME}（{BUYER_PHONE}）"
    )


def _exported(store: Opened, reader: Actor, customer_id: str) -> tuple[str, dict[str, Any]]:
    text = store.desk.privacy.export_customer(reader, customer_id)
    return text, json.loads(text)["data"]


def test_the_sellers_export_names_no_buyer(store: Opened) -> None:
    _sold(store)
    for reader in (OFFICER, Actor.customer("c-1")):
        text, data = _exported(store, reader, "c-1")
        for theirs in (BUYER, BUYER_NAME, BUYER_PHONE):
            assert theirs not in text, (reader, theirs)
        sold = data["unit_changes"][-1]
        # Their own period: the unit as it was theirs, the transfer away kept, its buyer withheld.
        assert sold["command"] == "transfer_asset"
        assert (sold["before"]["customer_id"], sold["after"]["customer_id"]) == ("c-1", WITHHELD)
        assert sold["reason"] == f"{NAME}卖给了邻居{WITHHELD}（{WITHHELD}）"


def test_the_buyers_export_names_no_seller(store: Opened) -> None:
    _sold(store)
    for reader in (OFFICER, Actor.customer(BUYER)):
        _, data = _exported(store, reader, BUYER)
        changes = json.dumps(data["unit_changes"], ensure_ascii=False)
        for theirs in ('"c-1"', NAME, PHONE):
            assert theirs not in changes, (reader, theirs)
        [bought] = data["unit_changes"]
        assert (bought["before"]["customer_id"], bought["after"]["customer_id"]) == (WITHHELD, BUYER)
        assert bought["reason"] == f"{WITHHELD}卖给了邻居{BUYER_NAME}（{BUYER_PHONE}）"


def test_the_units_own_history_keeps_both_owners(store: Opened) -> None:
    _sold(store)
    sold = store.desk.master_data_history(MANAGER, "asset", "a-1")[-1]
    assert (sold.before or {}).get("customer_id") == "c-1" and sold.after["customer_id"] == BUYER
    assert sold.reason is not None and NAME in sold.reason and BUYER_NAME in sold.reason
